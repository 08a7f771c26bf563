// The run spec of `r1 eval`: each option once (type, default, range, doc; old flag names as deprecated aliases),
// from which its flags, --help and config files come (src/run/spec.ts). The defaults are the paper's evaluation
// (PAPER_EVAL: T 0.6, top-p 0.95) with 64 samples a problem. Not the benchmark loop (benchmark.ts).
import { defineSpec, int, nullable, oneOf, required, str, withDefault, type ConfigOf } from '../run/spec.js';
import { PAPER_EVAL, V } from '../run/vocabulary.js';

export const EVAL_FIELDS = {
  model: nullable(withDefault(V.model, '', { doc: 'a checkpoint folder, sampled in-process (with --endpoint: the served name, as --model-name)' })),
  adapter: nullable(withDefault(V.adapter, '', { doc: "a LoRA adapter (PEFT's adapter_config.json + adapter_model.safetensors) on top of --model (a local checkpoint)" })),
  endpoint: nullable(str('', 'an OpenAI-compatible server to evaluate instead (with --model-name)', { metavar: 'URL' })),
  modelName: nullable(V.modelName),
  apiKeyEnv: nullable(V.apiKeyEnv),
  dataset: required(str('', 'gsm8k | math500 | aime24 | amc23 | FILE.jsonl | world:NAME', {
    metavar: 'D', aliases: ['world', 'data'], aliasValue: { world: (v) => `world:${String(v)}` },
  })),
  split: oneOf(['test', 'validation'] as const, 'test', "world:NAME: the held-out split sampled; 'validation' for choices (a learning rate, a checkpoint), 'test' only for the number reported"),
  out: required(withDefault(V.out, '', { doc: 'results.jsonl (every sample), summary.json, settings.json; an unfinished run there resumes' })),
  numGenerations: withDefault(V.numGenerations, 64, { doc: 'samples per problem: pass@1 is their mean correctness, cons@k their vote' }),
  temperature: withDefault(V.temperature, PAPER_EVAL.temperature),
  topP: withDefault(V.topP, PAPER_EVAL.topP),
  maxCompletionLength: withDefault(V.maxCompletionLength, 32768, { doc: 'completion limit in tokens (a local model is capped at its context)' }),
  problems: nullable(withDefault(V.problems, 0, { doc: 'the first N problems (default all; 200 for worlds)' })),
  template: nullable(withDefault(V.template, '', { doc: 'chat | r1-zero | compact | none | a string with {prompt} (default: chat, r1-zero without a chat template, compact for worlds)' })),
  nPerRequest: nullable(int(1, 'samples per request (default numGenerations; lower it for servers that cap n)', { min: 1 })),
  concurrency: nullable(int(8, 'problems in flight (default 8 for endpoints; enough to fill the batch for --model)', { min: 1 })),
  samplingPrecision: withDefault(V.samplingPrecision, 'model', { doc: "--model: weights the decode steps read, 'model' or 'bf16' (BF16 copies: faster when few sequences decode together; the samples differ slightly)" }),
  slots: nullable(withDefault(V.slots, 64, { doc: '--model: sequences decoded together (default 64, fewer when their KV cache would pass 2 GiB)' })),
  stopStrings: V.stopStrings,
  seed: withDefault(V.seed, 0, { doc: 'request seeds derive from it and the problem id, so reruns and backends agree' }),
  timeout: withDefault(V.timeout, 600, { doc: 'endpoint: seconds per request' }),
  retries: int(4, 'endpoint: retries of a failed request', { min: 0 }),
  precision: V.precision,
};
export const EVAL_SPEC = defineSpec({
  name: 'eval', fields: EVAL_FIELDS,
  check: (c) => (c.endpoint && !c.modelName && !c.model ? '--endpoint needs --model-name NAME (the served model; GET URL/v1/models lists them)'
    : !c.endpoint && !c.model ? 'give --model DIR (a checkpoint folder) or --endpoint URL --model-name NAME'
    : c.split !== 'test' && !c.dataset.startsWith('world:') ? `--split ${c.split} is for world:NAME datasets; ${c.dataset} has only its own problems`
    : c.endpoint && c.adapter ? '--adapter goes with --model DIR (a local checkpoint); a served model has its adapter loaded by its server (r1 serve --adapter)' : null),
});
export type EvalConfig = ConfigOf<typeof EVAL_FIELDS>;
