// The GRPO run configuration: one typed object, a doc comment per field saying what the default does,
// validation whose messages name the fix, unknown keys rejected, JSON or YAML files merged under flags.
// Not the trainer. Option names follow TRL's GRPOConfig in camelCase (numGenerations, beta, epsilon, …).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  IMPORTANCE_SAMPLING_LEVELS, LOSS_TYPES, SCALE_REWARDS, type ImportanceSamplingLevel, type LossType, type ScaleRewards,
} from './grpo.js';
import { PRECISIONS, type Precision } from '../tensor/precision.js';
import { rewardModelsProblem, type JudgeRewardSpec, type RewardModelSpec } from './rm-reward.js';
import type { UserRewardFn } from './reward-module.js';
import { defaultDataTemplate } from '../data/chat.js';

export interface RewardSpec {
  /** A reward of the registry (src/rewards/registry.ts): accuracy, format, language, countdown, … */
  name: string;
  /** Its weight in the total reward. */
  weight: number;
  /** Count it only for problems whose `kind` or `task` field is listed (e.g. the reasoning worlds); default every problem. */
  kinds?: string[];
  // --- reward (issue 22): user rewards in the same list (src/rl/reward-module.ts) ---
  /** A user reward module, `path#export` (.ts/.js; `--reward-module`); `name` is then its component name. Its nulls are skipped (TRL's nansum). */
  module?: string;
  /** A user reward function passed through the library (`grpo()`); not written to config.json. */
  fn?: UserRewardFn;
}

export interface GrpoConfig {
  /** Policy checkpoint folder (HF layout); also the reference model when beta > 0. */
  model: string;
  /** A synthetic world to draw train and held-out problems from (exclusive with data). */
  world: string | null;
  /** A JSONL dataset of problems ({prompt, answer}, GSM8K, MATH layouts) instead of a world. */
  data: string | null;
  /** A JSONL of held-out problems for evaluation with data; null holds out the last evalProblems rows of data. */
  evalData: string | null;
  /** Prompt template wrapped around each question: 'chat' (the checkpoint's chat template; needed for conversational rows), 'r1-zero' (the paper's Table 1), 'compact', 'none', or a string with {prompt}. null: the world's own template ('compact'); for data 'chat' when the checkpoint has a chat template, else 'r1-zero'. */
  template: string | null;
  /** The run folder: config.json, metrics.jsonl, samples.jsonl, checkpoints/. */
  out: string;
  /** Seed of every random choice (problems, sampling); the same seed reproduces the run. */
  seed: number;
  /** Optimisation steps (one batch of prompts each; numIterations optimizer updates per batch). */
  steps: number;
  /**
   * Wall-clock safety limit in seconds (0 = none): the run stops early (a checkpoint is saved, the log says it was
   * cut short) but the LR schedule never depends on it; the budget is `steps`.
   */
  maxSeconds: number;
  /**
   * Matmul precision: 'fp32', 'bf16' (BF16 matmuls, rollouts on BF16 weight copies packed after each optimizer step;
   * FP32 master weights, norms, logprobs, loss, optimizer), 'auto' (bf16 where the CPU has AMX / AVX512-BF16), or
   * null: the process's current one (fp32 unless a command's --precision set it).
   */
  precision: Precision | null;
  /** Prompts per step; each is sampled numGenerations times. */
  promptsPerStep: number;
  /** G: completions per prompt, the group of equation 3. */
  numGenerations: number;
  /** Tokens a completion may have; longer ones are cut (finish reason 'length'). */
  maxCompletionLength: number;
  /** Sampling temperature for training rollouts (1.0: the policy's own distribution). */
  temperature: number;
  /** Nucleus sampling for training rollouts; 1 = off. */
  topP: number;
  /** Top-k for training rollouts; 0 = off. */
  topK: number;
  /**
   * Sampling also stops when one of these strings has been generated (kept in the completion); EOS always
   * stops. Default none: with '</answer>' here the policy never practises ending on its own, and its text
   * after the answer drifts (seen as a lower format rate when evaluated without stop strings).
   */
  stopStrings: string[];
  /** Rewards and weights: the total is their weighted sum (R1-Zero: accuracy and format only). Default: a world's `task` judge + 0.1 × `format`; a dataset's `accuracy` + 0.1 × the format of its template (`r1-zero-format` for the R1-Zero template). */
  rewards: RewardSpec[];
  /**
   * Reward models (folders written by `r1 train-rm`) added to the total, each logged as its own component
   * (DeepSeek-R1 §2.3.4): `{name, path, on: 'summary' | 'whole', weight, kinds?}`; `on: 'summary'` scores only the
   * text after `</think>` (helpfulness), 'whole' the whole reply (harmlessness); `kinds` limits it to problems whose
   * `kind` or `task` field is listed (the others get no term from it). Default none.
   */
  rewardModels: RewardModelSpec[];
  /**
   * Generative judges added to the total like reward models (DeepSeek-R1 §2.3.3's model-as-judge): `{name, model,
   * endpoint?, apiKeyEnv?, template?, weight, kinds?}`; with `endpoint` an OpenAI-compatible server judges (model = the
   * served name, the key read from the environment variable apiKeyEnv), without it `model` is a local checkpoint run
   * greedy; 1 when the reply's summary is judged correct against the problem's gold answer, else 0. Default none.
   */
  judges: JudgeRewardSpec[];
  /** KL coefficient β of equation 1; 0 skips the reference model entirely (no memory, no forward pass). */
  beta: number;
  /** ε: the ratio is clipped to [1 - ε, 1 + epsilonHigh]. */
  epsilon: number;
  /** Upper clip (DAPO's clip-higher); null = epsilon (symmetric, the paper). With lossType 'cispo' the importance weight is capped at 1 + epsilonHigh (MiniMax-M1 tunes only this bound). */
  epsilonHigh: number | null;
  /**
   * 'grpo': per-sequence mean then mean (the paper); 'dr_grpo': sum / (N · maxCompletionLength); 'dapo': mean over all
   * tokens; 'cispo' (MiniMax-M1): each token's log-likelihood weighted by A and a stop-gradient importance weight
   * min(ρ, 1 + epsilonHigh) instead of the clipped surrogate (clipped tokens keep a gradient), mean over all tokens.
   */
  lossType: LossType;
  /**
   * 'token': one importance ratio per token (the paper); 'sequence' (GSPO): one per completion, the geometric mean
   * of its token ratios, clipped as a whole. GSPO's ratios stay near 1, so its paper clips far tighter (ε ≈ 3e-4–4e-4).
   */
  importanceSamplingLevel: ImportanceSamplingLevel;
  /** Advantage scaling: 'group' divides by the group's std (the paper), 'batch' by the batch's, 'none' only centres (Dr. GRPO). true/false mean group/none. */
  scaleRewards: ScaleRewards;
  /** μ: optimizer updates per batch of samples, each against the sampler's (old policy's) logprobs. */
  numIterations: number;
  /** Micro-batches per update (gradients summed; the loss is identical to one big batch). */
  gradientAccumulationSteps: number;
  /** Peak learning rate of AdamW. */
  learningRate: number;
  /** 'constant' after warmup, or 'cosine' decay to 10% over the run's steps. */
  lrSchedulerType: 'constant' | 'cosine';
  /** Linear warmup, in optimizer updates. */
  warmupSteps: number;
  /** AdamW's decoupled weight decay. */
  weightDecay: number;
  /** AdamW (β1, β2). */
  adamBetas: [number, number];
  /** Global gradient-norm clip; 0 = off. */
  maxGradNorm: number;
  /** Dynamic sampling (DAPO): drop groups whose rewards are all equal before the update. */
  dynamicSampling: boolean;
  /** Leave completions that hit maxCompletionLength out of the loss (DAPO's overlong filtering). */
  maskTruncatedCompletions: boolean;
  /** Evaluate on held-out problems every this many steps (and before the first and after the last); 0 = only at the ends; -1 = never. */
  evalEvery: number;
  /** Held-out problems per evaluation. */
  evalProblems: number;
  /** Samples per held-out problem (pass@1 is their mean correctness; cons@k votes over them). */
  evalSamples: number;
  /** Evaluation temperature (the paper: 0.6). */
  evalTemperature: number;
  /** Evaluation top-p (the paper: 0.95). */
  evalTopP: number;
  /** Evaluation length limit; null = maxCompletionLength. */
  evalMaxNewTokens: number | null;
  /** Save a checkpoint every this many steps (and always at the end); 0 = only at the end. */
  saveEvery: number;
  /** Completions written to samples.jsonl per step. */
  samplesPerStepLogged: number;
  /** Rows per forward pass when sampling (bounds memory); all of a step's prompts × G by default. */
  generationBatchSize: number | null;
}

export const DEFAULTS: Omit<GrpoConfig, 'model' | 'out'> = {
  world: null,
  data: null,
  evalData: null,
  template: null,
  seed: 1,
  steps: 200,
  maxSeconds: 0,
  precision: null,
  promptsPerStep: 8,
  numGenerations: 8,
  maxCompletionLength: 160,
  temperature: 1.0,
  topP: 1.0,
  topK: 0,
  stopStrings: [],
  rewards: [{ name: 'accuracy', weight: 1 }, { name: 'format', weight: 0.1 }],
  rewardModels: [],
  judges: [],
  beta: 0,
  epsilon: 0.2,
  epsilonHigh: null,
  lossType: 'grpo',
  importanceSamplingLevel: 'token',
  scaleRewards: 'group',
  numIterations: 2,
  gradientAccumulationSteps: 1,
  learningRate: 3e-4,
  lrSchedulerType: 'constant',
  warmupSteps: 0,
  weightDecay: 0,
  adamBetas: [0.9, 0.99],
  maxGradNorm: 1.0,
  dynamicSampling: false,
  maskTruncatedCompletions: false,
  evalEvery: 50,
  evalProblems: 200,
  evalSamples: 16,
  evalTemperature: 0.6,
  evalTopP: 0.95,
  evalMaxNewTokens: null,
  saveEvery: 100,
  samplesPerStepLogged: 4,
  generationBatchSize: null,
};

/** Thrown for a bad configuration; the message names the key and the fix. */
export class ConfigError extends Error {}

const KEYS = new Set<string>([...Object.keys(DEFAULTS), 'model', 'out']);

/** Reads a config file (.json, .yaml, .yml) as a partial config; keys are checked by resolveConfig. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`config file ${path} cannot be read: check the path`);
  }
  let v: unknown;
  try {
    v = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config file ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`config file ${path} must hold an object of options`);
  return v as Record<string, unknown>;
}

/** Merges layers (later wins) over the defaults, rejects unknown keys, and validates. */
export function resolveConfig(...layers: Record<string, unknown>[]): GrpoConfig {
  const merged: Record<string, unknown> = { ...DEFAULTS };
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      if (!KEYS.has(k)) {
        const near = [...KEYS].find((x) => x.toLowerCase() === k.toLowerCase().replace(/[_-]/g, ''));
        throw new ConfigError(`unknown option '${k}'${near ? `: did you mean '${near}'?` : ''} (options: ${[...KEYS].sort().join(', ')})`);
      }
      merged[k] = v;
    }
  }
  if (typeof merged.scaleRewards === 'boolean') merged.scaleRewards = merged.scaleRewards ? 'group' : 'none';
  if (merged.data && merged.template == null) merged.template = dataTemplateOf(merged.model); // reward (issue 22): chat when the checkpoint has one
  // rewards not given: a world is scored by its own task judge and the one format; a dataset by the math verifier and
  // the format of its template (the R1-Zero template's <answer> tags by default)
  if (!layers.some((l) => l.rewards !== undefined)) {
    merged.rewards = merged.world
      ? [{ name: 'task', weight: 1 }, { name: 'format', weight: 0.1 }]
      : [{ name: 'accuracy', weight: 1 }, { name: (merged.template ?? 'r1-zero') === 'r1-zero' ? 'r1-zero-format' : 'format', weight: 0.1 }];
  }
  const c = merged as unknown as GrpoConfig;
  validate(c);
  return c;
}

function validate(c: GrpoConfig): void {
  const fail = (m: string): never => { throw new ConfigError(m); };
  if (typeof c.model !== 'string' || !c.model) fail('model is required: pass --model DIR (a checkpoint folder)');
  if (typeof c.out !== 'string' || !c.out) fail('out is required: pass --out RUN_DIR');
  if (!c.world === !c.data) fail('give exactly one of world (--world NAME) and data (--data FILE.jsonl)');
  const int = (k: keyof GrpoConfig, min: number) => {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(`${k} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  };
  const num = (k: keyof GrpoConfig, lo: number, hi = Infinity) => {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) fail(`${k} must be a number in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
  };
  const bool = (k: keyof GrpoConfig) => {
    if (typeof c[k] !== 'boolean') fail(`${k} must be true or false, got ${JSON.stringify(c[k])}`);
  };
  int('seed', 0); int('steps', 1); int('promptsPerStep', 1); int('maxCompletionLength', 1); int('topK', 0);
  int('numIterations', 1); int('gradientAccumulationSteps', 1); int('warmupSteps', 0); int('evalEvery', -1);
  int('evalProblems', 1); int('evalSamples', 1); int('saveEvery', 0); int('samplesPerStepLogged', 0);
  int('numGenerations', 2);
  num('maxSeconds', 0); num('temperature', 0); num('topP', 0, 1); num('beta', 0); num('epsilon', 0, 1);
  num('learningRate', 0); num('weightDecay', 0); num('maxGradNorm', 0); num('evalTemperature', 0); num('evalTopP', 0, 1);
  if (c.temperature === 0) fail('temperature must be > 0 for GRPO: a group of greedy samples is identical and has no advantage; use 1.0');
  if (c.epsilonHigh !== null) num('epsilonHigh', 0);
  if (c.evalMaxNewTokens !== null) int('evalMaxNewTokens', 1);
  if (c.generationBatchSize !== null) int('generationBatchSize', 1);
  bool('dynamicSampling'); bool('maskTruncatedCompletions');
  if (!LOSS_TYPES.includes(c.lossType)) fail(`lossType must be one of ${LOSS_TYPES.join(', ')}, got ${JSON.stringify(c.lossType)}`);
  if (!IMPORTANCE_SAMPLING_LEVELS.includes(c.importanceSamplingLevel)) fail(`importanceSamplingLevel must be one of ${IMPORTANCE_SAMPLING_LEVELS.join(', ')} ('sequence' is GSPO), got ${JSON.stringify(c.importanceSamplingLevel)}`);
  if (!SCALE_REWARDS.includes(c.scaleRewards)) fail(`scaleRewards must be one of ${SCALE_REWARDS.join(', ')} (or true/false), got ${JSON.stringify(c.scaleRewards)}`);
  if (c.precision !== null && !(PRECISIONS as readonly string[]).includes(c.precision)) fail(`precision must be one of ${PRECISIONS.join(', ')} (auto: bf16 where the CPU has AMX or AVX512-BF16), got ${JSON.stringify(c.precision)}`);
  if (c.lrSchedulerType !== 'constant' && c.lrSchedulerType !== 'cosine') fail(`lrSchedulerType must be 'constant' or 'cosine', got ${JSON.stringify(c.lrSchedulerType)}`);
  const rows = c.promptsPerStep * c.numGenerations;
  if (rows % c.gradientAccumulationSteps !== 0) fail(`gradientAccumulationSteps (${c.gradientAccumulationSteps}) must divide promptsPerStep × numGenerations (${rows})`);
  if (!Array.isArray(c.adamBetas) || c.adamBetas.length !== 2 || c.adamBetas.some((b) => typeof b !== 'number' || b < 0 || b >= 1)) fail(`adamBetas must be two numbers in [0, 1), got ${JSON.stringify(c.adamBetas)}`);
  if (!Array.isArray(c.stopStrings) || c.stopStrings.some((s) => typeof s !== 'string' || !s)) fail('stopStrings must be a list of non-empty strings');
  if (!Array.isArray(c.rewards) || c.rewards.length === 0) fail('rewards must be a non-empty list of {name, weight}, e.g. [{"name": "accuracy", "weight": 1}]');
  for (const r of c.rewards) {
    if (!r || typeof r.name !== 'string' || typeof r.weight !== 'number' || !Number.isFinite(r.weight)) fail(`each reward needs a name and a numeric weight, got ${JSON.stringify(r)}`);
    const extra = Object.keys(r).filter((k) => !['name', 'weight', 'kinds', 'module', 'fn'].includes(k));
    if (extra.length) fail(`reward ${r.name}: unknown field(s) ${extra.join(', ')}; a reward is {name, weight, kinds?, module?}`);
    if (r.module !== undefined && (typeof r.module !== 'string' || !r.module)) fail(`reward ${r.name}: module must be 'path#export', got ${JSON.stringify(r.module)}`);
    if (r.fn !== undefined && typeof r.fn !== 'function') fail(`reward ${r.name}: fn must be a function (prompts, completions, columns) => (number | null)[]`);
    if (r.kinds !== undefined && (!Array.isArray(r.kinds) || r.kinds.some((k) => typeof k !== 'string'))) fail(`reward ${r.name}: kinds must be a list of problem kinds or world names, got ${JSON.stringify(r.kinds)}`);
  }
  const rmProblem = rewardModelsProblem(c.rewardModels, c.rewards.map((r) => r.name), c.judges);
  if (rmProblem) fail(rmProblem);
}

/** reward (issue 22): a dataset run's default template, 'chat' when the checkpoint has a chat template (else 'r1-zero'). */
function dataTemplateOf(model: unknown): string {
  return typeof model === 'string' ? defaultDataTemplate(model) : 'r1-zero';
}

/** Parses `accuracy:1,format:0.1` (the --rewards flag) into reward specs. */
export function parseRewardList(s: string): RewardSpec[] {
  return s.split(',').filter(Boolean).map((part) => {
    const [name, w] = part.split(':');
    const weight = w === undefined ? 1 : Number(w);
    if (!name || !Number.isFinite(weight)) throw new ConfigError(`--rewards: '${part}' is not NAME or NAME:WEIGHT (e.g. accuracy:1,format:0.1)`);
    return { name, weight };
  });
}
