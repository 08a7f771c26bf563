// `r1 serve --model DIR [--port 8000] [--host 127.0.0.1]`: an OpenAI-compatible server for a checkpoint folder
// (/v1/models, /v1/completions, /v1/chat/completions, streaming), requests batched continuously into the KV-cache
// sampler. Parses flags and wires src/serve; no serving logic here. Logs go to stderr.
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { UsageError } from './main.js';
import { parseFlags, numFlag, NON_NEGATIVE_INT, POSITIVE_INT, applyPrecisionFlag } from './args.js';
import { ADAPTER_HELP, loadModelFlags } from './lora-flags.js';
import { Engine, slotsFor } from '../serve/engine.js';
import { OpenAIServer } from '../serve/server.js';

const HELP = `usage: r1 serve --model DIR [options]
  --model DIR          checkpoint folder (config.json, model.safetensors, tokenizer.json)   [required]
${ADAPTER_HELP}
  --port N             (default 8000; 0 = any free port, printed on start)
  --host H             (default 127.0.0.1; 0.0.0.0 to listen on every interface)
  --model-name NAME    the name clients pass as "model" (default: the folder's name)
  --slots N            sequences decoded together in the running batch (default 32, fewer when their KV cache
                       would pass 2 GiB)
  --max-model-len N    context per sequence, prompt plus completion (default: max_position_embeddings, at most 8192)
  --api-key-env VAR    require "Authorization: Bearer $VAR" on every request
  --precision P        matmul precision: fp32 (default), bf16, or auto (bf16 where the CPU has AMX / AVX512-BF16)`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv, allowPositionals: false,
    options: { precision: { type: 'string' },
      model: { type: 'string' }, adapter: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'model-name': { type: 'string' },
      slots: { type: 'string' }, 'max-model-len': { type: 'string' }, 'api-key-env': { type: 'string' }, reasoning: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  applyPrecisionFlag(values.precision); // the trainers and samplers below inherit it
  if (!values.model) throw new UsageError('--model DIR is required (a checkpoint folder)');
  if (!existsSync(values.model)) throw new UsageError(`--model ${values.model}: no such folder; pass a checkpoint folder (config.json, model.safetensors, tokenizer.json)`);
  const port = numFlag(values.port, 'port', { int: true, min: 0, max: 65535 }, 8000);
  const slotsFlag = numFlag(values.slots, 'slots', POSITIVE_INT);
  const maxLen = numFlag(values['max-model-len'], 'max-model-len', NON_NEGATIVE_INT);
  let apiKey: string | undefined;
  if (values['api-key-env']) {
    apiKey = process.env[values['api-key-env']];
    if (!apiKey) throw new UsageError(`--api-key-env ${values['api-key-env']}: that environment variable is empty; export it or drop the flag`);
  }
  const { model, tokenizer, config } = await loadModelFlags(values.model, values.adapter);
  if (maxLen !== undefined && (maxLen < 2 || maxLen > config.max_position_embeddings)) {
    throw new UsageError(`--max-model-len must be in [2, ${config.max_position_embeddings}] (the model's max_position_embeddings), got ${maxLen}`);
  }
  const len = maxLen ?? Math.min(config.max_position_embeddings, 8192);
  const slots = slotsFlag ?? slotsFor(config, len, 32);
  const engine = new Engine(model, tokenizer, { slots, maxLen: len });
  const modelName = values['model-name'] ?? basename(resolve(values.model));
  const server = new OpenAIServer(engine, { modelName, apiKey, reasoning: values.reasoning === true });
  const host = values.host ?? '127.0.0.1';
  let bound: number;
  try {
    bound = await server.listen(port, host);
  } catch (e) {
    throw new UsageError(`cannot listen on ${host}:${port} (${(e as Error).message}); choose another --port or --host`);
  }
  console.error(`r1 serve: '${modelName}' on http://${host}:${bound}/v1 (${slots} slots, context ${engine.maxLen})`);
  await new Promise<void>((done) => {
    const stop = () => { void server.close().then(done); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
