// `r1 generate --model DIR --prompt TEXT [...]`: sample completions from a checkpoint folder.
// Parses flags, loads the folder, calls src/generate; no sampling logic here. Progress on stderr,
// --json prints one object on stdout.
import { UsageError } from './main.js';
import { parseFlags, numFlag, applyPrecisionFlag, NON_NEGATIVE, NON_NEGATIVE_INT, POSITIVE_INT } from './args.js';
import { Rng } from '../util/rng.js';
import { ADAPTER_HELP, loadModelFlags } from './lora-flags.js';
import { HFTokenizer } from '../model/tokenizer.js';
import { eosIds } from '../model/config.js';
import { generate } from '../generate/index.js';

const HELP = `usage: r1 generate --model DIR --prompt TEXT [options]
  --model DIR            checkpoint folder (HF layout: config.json, model.safetensors, tokenizer.json)  [required]
${ADAPTER_HELP}
  --prompt TEXT          prompt text                                                                   [required]
  --chat                 wrap the prompt as a user message with the tokenizer's chat template
  --temperature X        0 = greedy (default 1)
  --top-p X              nucleus sampling mass in (0, 1] (default 1 = off)
  --top-k N              keep the N most likely tokens (default 0 = off)
  --max-new-tokens N     (default 128)
  --n N                  completions for the prompt (default 1)
  --stop TEXT            stop string (repeatable)
  --seed N               (default 0)
  --precision P          matmul precision: fp32 (default), bf16 (BF16 weight copies), or auto (bf16 where the CPU has AMX / AVX512-BF16)
  --json                 one JSON object on stdout`;

export async function run(argv: string[]): Promise<number | void> {
  const { values } = parseFlags({
    args: argv,
    options: {
      model: { type: 'string' }, adapter: { type: 'string' }, prompt: { type: 'string' }, chat: { type: 'boolean' }, temperature: { type: 'string' },
      'top-p': { type: 'string' }, 'top-k': { type: 'string' }, 'max-new-tokens': { type: 'string' }, n: { type: 'string' },
      stop: { type: 'string', multiple: true }, seed: { type: 'string' }, precision: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.model) throw new UsageError('--model DIR is required (a checkpoint folder)');
  if (values.prompt === undefined) throw new UsageError('--prompt TEXT is required');
  const temperature = numFlag(values.temperature, 'temperature', NON_NEGATIVE, 1);
  const topP = numFlag(values['top-p'], 'top-p', { above: 0, max: 1 }, 1);
  const topK = numFlag(values['top-k'], 'top-k', NON_NEGATIVE_INT, 0);
  const maxNewTokens = numFlag(values['max-new-tokens'], 'max-new-tokens', NON_NEGATIVE_INT, 128);
  const n = numFlag(values.n, 'n', POSITIVE_INT, 1);
  const seed = numFlag(values.seed, 'seed', NON_NEGATIVE_INT, 0);
  applyPrecisionFlag(values.precision);

  const { model, tokenizer, config } = await loadModelFlags(values.model, values.adapter);
  let ids: number[];
  if (values.chat) {
    ids = tokenizer.encode(tokenizer.applyChatTemplate([{ role: 'user', content: values.prompt }], { addGenerationPrompt: true }));
  } else {
    // a raw prompt gets what the tokenizer's post-processor adds (Llama's BOS; nothing for Qwen2 or ours)
    ids = tokenizer instanceof HFTokenizer ? tokenizer.encode(values.prompt, { addSpecialTokens: true }) : tokenizer.encode(values.prompt);
  }
  if (ids.length === 0) throw new UsageError('the prompt encodes to no tokens; give a non-empty --prompt');
  const eos = [...new Set([...eosIds(config), ...(tokenizer.eosId === null ? [] : [tokenizer.eosId])])];
  const t0 = performance.now();
  const results = generate(model, Array.from({ length: n }, () => ids), {
    maxNewTokens, temperature, topP, topK, rng: new Rng(seed), eosIds: eos,
    stopStrings: values.stop, tokenizer,
  });
  const seconds = (performance.now() - t0) / 1000;
  const newTokens = results.reduce((s, r) => s + r.tokens.length, 0);
  const completions = results.map((r) => ({
    text: tokenizer.decode(r.tokens), tokens: r.tokens, finish_reason: r.finishReason,
    logprobs: Array.from(r.logprobs, (x) => Math.round(x * 1e6) / 1e6),
  }));
  process.stderr.write(`${newTokens} new tokens in ${seconds.toFixed(2)} s (${(newTokens / seconds).toFixed(0)} tokens/s)\n`);
  if (values.json) {
    console.log(JSON.stringify({ model: values.model, prompt: values.prompt, prompt_tokens: ids, completions, seconds, tokens_per_s: newTokens / seconds }));
  } else {
    completions.forEach((c, i) => {
      if (n > 1) console.log(`--- completion ${i + 1} (${c.finish_reason}) ---`);
      console.log(values.prompt + c.text);
    });
  }
  return 0;
}
