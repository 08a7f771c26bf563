// `r1 generate --model DIR --prompt TEXT [...]`: sample completions from a checkpoint folder.
// Parses flags, loads the folder, calls src/generate; no sampling logic here. Progress on stderr,
// --json prints one object on stdout.
import { UsageError } from './main.js';
import { printJson, readCommandLine } from './args.js';
import { resolvePrecision } from '../tensor/precision.js';
import { GENERATE_SPEC } from './specs.js';
import { readConfigFile, resolve } from '../run/spec.js';
import { V } from '../run/vocabulary.js';
import { Rng } from '../util/rng.js';
import { loadModel } from '../model/lora-io.js';
import { HFTokenizer } from '../model/tokenizer.js';
import { eosIds } from '../model/config.js';
import { generate } from '../generate/index.js';

const OWN = { config: V.config, json: V.json, quiet: V.quiet, help: V.help };

export async function run(argv: string[]): Promise<number | void> {
  const cl = readCommandLine(GENERATE_SPEC, OWN, argv, { usage: 'usage: r1 generate --model DIR --prompt TEXT [options]' });
  if (!cl) return 0;
  const values = { ...cl.flags, ...resolve(GENERATE_SPEC, [cl.flags.config ? readConfigFile(cl.flags.config) : {}, cl.layer]) };
  const { temperature, topP, topK, maxCompletionLength: maxNewTokens, numGenerations: n, seed } = values;
  const precision = resolvePrecision(values.precision);

  const { model, tokenizer, config } = await loadModel(values.model, values.adapter, precision); // a LoRA adapter on it with --adapter
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
    stopStrings: values.stopStrings, tokenizer,
  });
  const seconds = (performance.now() - t0) / 1000;
  const newTokens = results.reduce((s, r) => s + r.tokens.length, 0);
  const completions = results.map((r) => ({
    text: tokenizer.decode(r.tokens), tokens: r.tokens, finish_reason: r.finishReason,
    logprobs: Array.from(r.logprobs, (x) => Math.round(x * 1e6) / 1e6),
  }));
  if (!values.quiet) process.stderr.write(`${newTokens} new tokens in ${seconds.toFixed(2)} s (${(newTokens / seconds).toFixed(0)} tokens/s)\n`);
  if (values.json) {
    printJson({ model: values.model, prompt: values.prompt, prompt_tokens: ids, completions, seconds, tokens_per_s: newTokens / seconds });
  } else {
    completions.forEach((c, i) => {
      if (n > 1) console.log(`--- completion ${i + 1} (${c.finish_reason}) ---`);
      console.log(values.prompt + c.text);
    });
  }
  return 0;
}
