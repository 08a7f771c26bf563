// The one vocabulary of option names shared by the `r1` commands: each option that two commands have is declared
// here once (TRL's name in camelCase where TRL has one, its old names as deprecated aliases), and commands take it
// from here (with their own default where theirs differs). Not a command's own options (those live in its spec).
import { bool, int, nullable, num, oneOf, str, strings, type Field } from './spec.js';
import { targetModulesProblem } from './lora-targets.js';

/** What a user asks the matmuls to run in: 'auto' is BF16 where the CPU has BF16 matrix instructions (AMX or AVX512-BF16), else FP32. */
export const PRECISIONS = ['fp32', 'bf16', 'auto'] as const;
export type Precision = (typeof PRECISIONS)[number];

/**
 * The paper's evaluation settings (DeepSeek-R1 §3: temperature 0.6, top-p 0.95, k = 16 samples a problem for pass@1
 * and cons@16); every command and stage that measures uses these unless told otherwise.
 */
export const PAPER_EVAL = { temperature: 0.6, topP: 0.95, numGenerations: 16 } as const;

/** The shared options, by name; a command uses `V.name` (or withDefault(V.name, …) for its own default). */
export const V = tag({
  model: str('', 'checkpoint folder (HF layout)', { metavar: 'DIR' }),
  out: str('', 'output folder', { metavar: 'DIR' }),
  data: str('', 'a JSONL file', { metavar: 'FILE' }),
  world: str('', 'a synthetic world (addition, expr, countdown, subset, general, safety, …; a -bi suffix: bilingual)', { metavar: 'NAME' }),
  steps: int(200, 'optimisation steps; the LR schedule runs over them', { min: 1 }),
  evalData: str('', 'a JSONL of held-out rows for evaluation', { metavar: 'FILE' }),
  evalProblems: int(200, 'held-out problems per evaluation', { min: 1 }),
  chat: bool(false, "wrap the text as a user message with the tokenizer's chat template"),
  seed: int(1, 'seed of every random choice; the same seed reproduces the run', { min: 0 }),
  samplingPrecision: oneOf(['model', 'bf16'] as const, 'model', "weights the decode steps read: 'model' (the model's own) or 'bf16' (BF16 copies: half the bytes a step reads; activations, attention and the KV cache stay FP32)"),
  precision: oneOf(PRECISIONS, 'fp32', 'matmul precision: fp32, bf16 (FP32 master weights), or auto (bf16 where the CPU has AMX / AVX512-BF16)'),
  learningRate: num(3e-4, 'peak learning rate (AdamW)', { above: 0, aliases: ['lr'] }),
  warmupSteps: int(0, 'linear warmup, in optimizer steps', { min: 0, aliases: ['warmup'] }),
  gradientAccumulationSteps: int(1, 'micro-batches per optimizer step (gradients summed)', { min: 1, aliases: ['gradAccum'] }),
  weightDecay: num(0, "AdamW's decoupled weight decay", { min: 0 }),
  minLrRatio: num(0.1, 'the cosine ends at this fraction of the peak learning rate', { min: 0, max: 1 }),
  skipBadLines: bool(false, 'skip malformed JSONL lines (each reported) instead of failing'),
  gradientCheckpointing: bool(false, 'activation checkpointing: each decoder layer keeps only its input and runs again in backward (about 1/3 more compute, far fewer activations)'),
  numTrainEpochs: int(1, 'passes over the training data', { min: 1, aliases: ['epochs'] }),
  batchSize: int(16, 'rows per micro-batch', { min: 1 }),
  maxLength: int(0, 'longest training sequence in tokens (prompt + completion); 0: the model\'s context', { min: 0 }),
  numGenerations: int(PAPER_EVAL.numGenerations, 'samples per prompt', { min: 1, aliases: ['k', 'samples', 'n', 'numSamples'] }),
  maxCompletionLength: int(240, 'tokens a completion may have; longer ones are cut (finish reason length)', { min: 1, aliases: ['maxTokens', 'maxNewTokens'] }),
  temperature: num(PAPER_EVAL.temperature, 'sampling temperature (0: greedy)', { min: 0 }),
  topP: num(PAPER_EVAL.topP, 'nucleus sampling; 1 = off', { above: 0, max: 1 }),
  stopStrings: strings([], 'sampling also stops at these strings (kept in the completion; repeat the flag or A,B); EOS always stops', { aliases: ['stop'] }),
  topK: int(0, 'top-k sampling; 0 = off', { min: 0 }),
  problems: int(200, 'held-out problems to measure', { min: 1, aliases: ['limit'] }),
  evalEvery: int(0, 'evaluate every N steps (0: only at the ends; -1: never)', { min: -1 }),
  saveEvery: int(0, 'save a checkpoint every N steps (0: only at the end)', { min: 0 }),
  maxSeconds: num(0, 'wall-clock safety limit in seconds (0: none): stops early and says so; never shapes the schedule', { min: 0, metavar: 'S' }),
  timeout: num(30, 'seconds a request or check may take (every timeout is in seconds)', { above: 0, metavar: 'S', aliases: ['timeoutMs'], aliasValue: { timeoutMs: (v) => Number(v) / 1000 } }),
  template: str('', 'prompt template: r1-zero, compact, none, or a string with {prompt}', { metavar: 'T' }),
  modelName: str('', 'the served model\'s name', { metavar: 'NAME' }),
  apiKeyEnv: str('', 'environment variable holding the API key (the key itself never goes on the command line)', { metavar: 'VAR' }),
  slots: int(16, 'sequences decoded at once (continuous batching)', { min: 1 }),
  port: int(8000, 'TCP port', { min: 0, max: 65535 }),
  // LoRA (src/model/lora.ts), PEFT's LoraConfig names: the trainers' adapter options and the loaders' --adapter
  loraR: int(0, 'train a LoRA adapter of rank N instead of every weight (0: full fine-tuning); checkpoints are then PEFT adapters', { min: 0 }),
  loraAlpha: nullable(num(1, 'LoRA alpha: the update is scaled by alpha / r (default 2 × r)', { above: 0 })),
  loraDropout: num(0, "dropout on the LoRA adapter's input while training", {
    min: 0, check: (v) => (v < 1 ? null : `loraDropout must be a number in [0, 1), got ${JSON.stringify(v)}`),
  }),
  loraTargetModules: strings(['q_proj', 'v_proj'], 'projections LoRA adapts: all-linear, or some of q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj', {
    metavar: 'M,...', coerce: (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), check: targetModulesProblem,
  }),
  adapter: str('', "a LoRA adapter (PEFT's adapter_config.json + adapter_model.safetensors) on top of --model", { metavar: 'DIR' }),
  // the command's own flags (not saved in config.json)
  config: str('', 'a JSON or YAML file of options (flags override it)', { metavar: 'FILE' }),
  json: bool(false, 'print one JSON object on stdout (keys in snake_case)'),
  quiet: bool(false, 'no progress on stderr', { short: 'q' }),
  help: bool(false, 'this text', { short: 'h' }),
  resume: bool(false, 'continue a stopped run from its latest checkpoint'),
  jsonSummary: str('', 'also write the summary as JSON to FILE', { metavar: 'FILE' }),
});

/** Marks each field with its vocabulary name (the one-vocabulary test checks that commands use these). */
function tag<T extends Record<string, Field<unknown>>>(o: T): T {
  return Object.fromEntries(Object.entries(o).map(([k, f]) => [k, { ...f, vocab: k }])) as T;
}

/** Every deprecated name of the vocabulary → its canonical name (for the one-vocabulary test and for readers). */
export const DEPRECATED: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(V).flatMap(([k, f]) => ((f as Field<unknown>).aliases ?? []).map((a) => [a, k])));

/** LoRA's four options (src/model/lora.ts), spread into every trainer's spec that can train an adapter. */
export const LORA_FIELDS = { loraR: V.loraR, loraAlpha: V.loraAlpha, loraDropout: V.loraDropout, loraTargetModules: V.loraTargetModules };
