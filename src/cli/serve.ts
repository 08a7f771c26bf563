// `r1 serve --model DIR [--port 8000] [--host 127.0.0.1]`: an OpenAI-compatible server for a checkpoint folder
// (/v1/models, /v1/completions, /v1/chat/completions, streaming), requests batched continuously into the KV-cache
// sampler. Parses flags and wires src/serve; no serving logic here. Logs go to stderr.
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { UsageError } from './main.js';
import { printJson, readCommandLine } from './args.js';
import { resolvePrecision } from '../tensor/precision.js';
import { SERVE_SPEC } from './specs.js';
import { readConfigFile, resolve as resolveSpec, withDefault } from '../run/spec.js';
import { V } from '../run/vocabulary.js';
import { loadModel } from '../model/lora-io.js';
import { Engine, slotsFor } from '../serve/engine.js';
import { OpenAIServer } from '../serve/server.js';

const OWN = { config: V.config, json: withDefault(V.json, false, { doc: 'once listening, print {"url", "model", "slots", "context"} on stdout' }), quiet: V.quiet, help: V.help };

export async function run(argv: string[]): Promise<number> {
  const cl = readCommandLine(SERVE_SPEC, OWN, argv, { usage: 'usage: r1 serve --model DIR [options]', footer: 'Ctrl-C or SIGTERM stops the server.' });
  if (!cl) return 0;
  const c = resolveSpec(SERVE_SPEC, [cl.flags.config ? readConfigFile(cl.flags.config) : {}, cl.layer]);
  const precision = resolvePrecision(c.precision);
  if (!existsSync(c.model)) throw new UsageError(`--model ${c.model}: no such folder; pass a checkpoint folder (config.json, model.safetensors, tokenizer.json)`);
  const { port } = c;
  const maxLen = c.maxModelLen ?? undefined;
  let apiKey: string | undefined;
  if (c.apiKeyEnv) {
    apiKey = process.env[c.apiKeyEnv];
    if (!apiKey) throw new UsageError(`--api-key-env ${c.apiKeyEnv}: that environment variable is empty; export it or drop the flag`);
  }
  const { model, tokenizer, config } = await loadModel(c.model, c.adapter, precision); // a LoRA adapter on it with --adapter
  if (maxLen !== undefined && (maxLen < 2 || maxLen > config.max_position_embeddings)) {
    throw new UsageError(`--max-model-len must be in [2, ${config.max_position_embeddings}] (the model's max_position_embeddings), got ${maxLen}`);
  }
  const len = maxLen ?? Math.min(config.max_position_embeddings, 8192);
  const slots = c.slots ?? slotsFor(config, len, 32, undefined, precision);
  const engine = new Engine(model, tokenizer, { slots, maxLen: len, bf16Weights: c.samplingPrecision === 'bf16' });
  const modelName = c.modelName ?? basename(resolve(c.model));
  const server = new OpenAIServer(engine, { modelName, apiKey, reasoning: c.reasoning });
  const host = c.host;
  let bound: number;
  try {
    bound = await server.listen(port, host);
  } catch (e) {
    throw new UsageError(`cannot listen on ${host}:${port} (${(e as Error).message}); choose another --port or --host`);
  }
  if (cl.flags.json) printJson({ url: `http://${host}:${bound}/v1`, model: modelName, slots, context: engine.maxLen });
  if (!cl.flags.quiet) console.error(`r1 serve: '${modelName}' on http://${host}:${bound}/v1 (${slots} slots, context ${engine.maxLen})`);
  await new Promise<void>((done) => {
    const stop = () => { void server.close().then(done); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
