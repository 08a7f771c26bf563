// The GRPO run spec: each option declared once (type, default, range, one-line doc) as TRL's GRPOConfig fields in
// camelCase; the GrpoConfig type, validation, `r1 grpo`'s flags and --help, config files and the saved config.json
// all come from GRPO_SPEC (src/run/spec.ts). Not the trainer. A new option: one line in GRPO_SPEC plus its use.
import {
  IMPORTANCE_SAMPLING_LEVELS, LOSS_TYPES, SCALE_REWARDS,
} from './grpo.js';
import { asRewardEntries, modelRewardProblem, rewardModelsProblem, type JudgeModelSpec, type RewardModelSpec } from './rm-reward.js';
import { isModelReward, type RewardSpec } from './covered.js';
import { parseRewardModuleFlag, RewardModuleError } from './reward-module.js';
import { defaultDataTemplate } from '../data/chat.js';
import {
  ConfigError, bool, defineSpec, int, nullable, num, oneOf, readConfigFile, required, resolve, strings, value, withDefault,
  type ConfigOf, type Warn,
} from '../run/spec.js';
import { PAPER_EVAL, V, LORA_FIELDS } from '../run/vocabulary.js';
import { parseRollout, rolloutProblem, type RolloutSpec } from './rollout.js';
import { CORRECTION_MODES } from './correction.js';

export { ConfigError, readConfigFile, type RewardSpec };

/** Why a rewards list is malformed, or null. */
function rewardsProblem(rs: RewardSpec[]): string | null {
  if (!Array.isArray(rs) || rs.length === 0) return 'rewards must be a non-empty list of {name, weight}, e.g. [{"name": "accuracy", "weight": 1}]';
  const names = new Set<string>();
  for (const r of rs) {
    if (!r || typeof r.name !== 'string' || typeof r.weight !== 'number' || !Number.isFinite(r.weight)) return `each reward needs a name and a numeric weight, got ${JSON.stringify(r)}`;
    const extra = Object.keys(r).filter((k) => !REWARD_KEYS.includes(k));
    if (extra.length) return `reward ${r.name}: unknown field(s) ${extra.join(', ')}; a reward is {name, weight, kinds?} with module, rewardModel + on, or judge for one not built in`;
    if (names.has(r.name)) return `reward '${r.name}' is listed twice; give each reward its own name (its metrics key)`;
    names.add(r.name);
    // reward (issue 22): user rewards in the same list (src/rl/reward-module.ts)
    if (r.module !== undefined && (typeof r.module !== 'string' || !r.module)) return `reward ${r.name}: module must be 'path#export', got ${JSON.stringify(r.module)}`;
    if (r.fn !== undefined && typeof r.fn !== 'function') return `reward ${r.name}: fn must be a function (prompts, completions, columns) => (number | null)[]`;
    if (r.kinds !== undefined && (!Array.isArray(r.kinds) || r.kinds.some((k) => typeof k !== 'string'))) return `reward ${r.name}: kinds must be a list of problem kinds or world names, got ${JSON.stringify(r.kinds)}`;
    const p = modelRewardProblem(r, `reward ${r.name}`);
    if (p) return p;
  }
  return null;
}
const REWARD_KEYS = ['name', 'weight', 'kinds', 'module', 'fn', 'rewardModel', 'on', 'judge'];

/** reward (issue 22): a dataset run's default template, 'chat' when the checkpoint has a chat template (else 'r1-zero'). */
function dataTemplateOf(model: unknown): string {
  return typeof model === 'string' ? defaultDataTemplate(model) : 'r1-zero';
}

/** reward (issue 22): why a --reward-module list is malformed (each PATH#EXPORT[:WEIGHT]), or null. */
function rewardModulesProblem(texts: string[]): string | null {
  for (const t of texts) {
    try {
      parseRewardModuleFlag(t);
    } catch (e) {
      if (e instanceof RewardModuleError) return e.message;
      throw e;
    }
  }
  return null;
}

/** The --rewards flag: `accuracy:1,format:0.1`, or a JSON list of entries (reward and judge models need that form). */
export function parseRewardList(s: string): RewardSpec[] {
  if (s.trim().startsWith('[')) {
    try {
      return JSON.parse(s) as RewardSpec[];
    } catch (e) {
      throw new ConfigError(`--rewards: not a JSON list (${(e as Error).message}); e.g. '[{"name": "task", "weight": 1}, {"name": "helpful", "weight": 0.5, "rewardModel": "runs/rm", "on": "summary"}]'`);
    }
  }
  return s.split(',').filter(Boolean).map((part) => {
    const [name, w] = part.split(':');
    const weight = w === undefined ? 1 : Number(w);
    if (!name || !Number.isFinite(weight)) throw new ConfigError(`--rewards: '${part}' is not NAME or NAME:WEIGHT (e.g. accuracy:1,format:0.1)`);
    return { name, weight };
  });
}

export const GRPO_FIELDS = {
  model: required(withDefault(V.model, '', { doc: 'policy checkpoint folder (HF layout); also the reference model when beta > 0' })),
  world: nullable(withDefault(V.world, '', { doc: 'a synthetic world to draw train and held-out problems from (exclusive with data)' })),
  data: nullable(withDefault(V.data, '', { doc: 'a JSONL dataset of problems ({prompt, answer}, GSM8K, MATH layouts) instead of a world' })),
  evalData: nullable(withDefault(V.evalData, '', { doc: 'a JSONL of held-out problems for evaluation with data (default: the last evalProblems rows of data)' })),
  template: nullable(withDefault(V.template, '', { doc: "prompt template: 'chat' (the checkpoint's chat template; needed for conversational rows), 'r1-zero' (the paper's Table 1), 'compact', 'none', or a string with {prompt} (default: the world's own; for data 'chat' when the checkpoint has a chat template, else 'r1-zero')" })),
  out: required(withDefault(V.out, '', { doc: 'the run folder: config.json, metrics.jsonl, samples.jsonl, checkpoints/' })),
  seed: V.seed,
  steps: withDefault(V.steps, 200, { doc: 'optimisation steps (one batch of prompts each; numIterations updates per batch); the LR schedule runs over them' }),
  maxSeconds: V.maxSeconds,
  precision: nullable(V.precision),
  promptsPerStep: int(8, 'prompts per step; each is sampled numGenerations times', { min: 1 }),
  numGenerations: withDefault(V.numGenerations, 8, { min: 2, doc: 'G: completions per prompt, the group of equation 3' }),
  maxCompletionLength: withDefault(V.maxCompletionLength, 160),
  temperature: withDefault(V.temperature, 1.0, { doc: "sampling temperature of training rollouts (1.0: the policy's own distribution; > 0: a greedy group has no advantage)" }),
  topP: withDefault(V.topP, 1.0, { doc: 'nucleus sampling for training rollouts; 1 = off' }),
  topK: V.topK,
  stopStrings: V.stopStrings,
  samplingPrecision: withDefault(V.samplingPrecision, 'model', { doc: "weights the rollouts' decode steps read: 'model' (the trainer's own) or 'bf16' (BF16 copies, refreshed after each update: half the bytes a step reads; activations, attention and the KV cache stay FP32; the sampler's logprobs are the old policy of the ratio, so it corrects the small difference)" }),
  rewards: value<RewardSpec[]>([], "the rewards, weighted-summed: NAME:W,... for built-in rules, or JSON [{name, weight, kinds?}, {..., module: 'PATH#EXPORT'}, {..., rewardModel: DIR, on: summary|whole}, {..., judge: {model, endpoint?, apiKeyEnv?, template?}}] (default: a world's task judge + 0.1 × format; a dataset's accuracy + 0.1 × its template's format; a list of only reward or judge models joins the default)", { parse: parseRewardList, check: rewardsProblem, metavar: 'NAME:W,...|JSON' }),
  rewardModels: value<RewardModelSpec[]>([], 'deprecated: reward models as rewards entries {name, weight, rewardModel: DIR, on}; this JSON [{name, path, on, weight, kinds?}] is moved there', { check: (v) => rewardModelsProblem(v, []), metavar: 'JSON' }),
  // reward (issue 22): user reward functions (TRL's reward_funcs contract), moved into `rewards` when the config is resolved
  rewardModule: strings([], "a reward function of your own, PATH#EXPORT[:WEIGHT] ((prompts, completions, columns) => (number | null)[]; .ts or .js; repeatable): the rewards are these plus any --rewards", {
    metavar: 'PATH#EXPORT[:W]', check: rewardModulesProblem,
  }),
  judges: value<JudgeModelSpec[]>([], 'deprecated: judge models as rewards entries {name, weight, judge: {model, endpoint?, apiKeyEnv?, template?}}; this JSON [{name, model, ..., weight, kinds?}] is moved there', { check: (v) => rewardModelsProblem([], [], v), metavar: 'JSON' }),
  beta: num(0, 'KL coefficient β of equation 1; 0 skips the reference model entirely', { min: 0 }),
  epsilon: num(0.2, 'ε: the ratio is clipped to [1 - ε, 1 + epsilonHigh]', { min: 0, max: 1 }),
  epsilonHigh: nullable(num(0, "upper clip (DAPO's clip-higher); default epsilon; cispo caps its importance weight at 1 + epsilonHigh", { min: 0 })),
  lossType: oneOf(LOSS_TYPES, 'grpo', "'grpo' (per-sequence mean, the paper), 'dr_grpo', 'dapo' (token mean), 'cispo' (MiniMax-M1)"),
  importanceSamplingLevel: oneOf(IMPORTANCE_SAMPLING_LEVELS, 'token', "'token' (the paper) or 'sequence' (GSPO: one ratio per completion)"),
  scaleRewards: oneOf(SCALE_REWARDS, 'group', "advantages divided by the group's std ('group', the paper), the batch's, or 'none' (Dr. GRPO); true/false: group/none",
    { coerce: (v) => (v === true || v === 'true' ? 'group' : v === false || v === 'false' ? 'none' : v) }),
  numIterations: int(2, 'μ: optimizer updates per batch of samples, each against the sampler\'s logprobs', { min: 1 }),
  gradientAccumulationSteps: V.gradientAccumulationSteps,
  learningRate: V.learningRate,
  lrSchedulerType: oneOf(['constant', 'cosine'] as const, 'constant', "'constant' after warmup, or 'cosine' decay to 10% over the run's steps"),
  warmupSteps: V.warmupSteps,
  weightDecay: V.weightDecay,
  adamBetas: value<[number, number]>([0.9, 0.99], 'AdamW (β1, β2)', {
    metavar: 'B1,B2', parse: (t) => t.split(',').map(Number),
    check: (b) => (Array.isArray(b) && b.length === 2 && b.every((x) => typeof x === 'number' && x >= 0 && x < 1) ? null : `adamBetas must be two numbers in [0, 1), got ${JSON.stringify(b)}`),
  }),
  maxGradNorm: num(1.0, 'global gradient-norm clip; 0 = off', { min: 0 }),
  dynamicSampling: bool(false, 'DAPO: drop groups whose rewards are all equal before the update'),
  maskTruncatedCompletions: bool(false, "leave completions cut at maxCompletionLength out of the loss (DAPO's overlong filtering)"),
  evalEvery: withDefault(V.evalEvery, 50, { doc: 'evaluate held-out problems every N steps (and before the first and after the last); 0: only at the ends; -1: never' }),
  evalProblems: V.evalProblems,
  evalSamples: int(PAPER_EVAL.numGenerations, 'samples per held-out problem (pass@1 is their mean correctness; cons@k votes over them)', { min: 1 }),
  evalTemperature: num(PAPER_EVAL.temperature, 'evaluation temperature (the paper: 0.6)', { min: 0 }),
  evalTopP: num(PAPER_EVAL.topP, 'evaluation top-p (the paper: 0.95)', { min: 0, max: 1 }),
  evalMaxNewTokens: nullable(int(1, 'evaluation length limit (default maxCompletionLength)', { min: 1 })),
  saveEvery: withDefault(V.saveEvery, 100),
  samplesPerStepLogged: int(4, 'completions written to samples.jsonl per step', { min: 0 }),
  generationBatchSize: nullable(int(1, "rows per forward pass when sampling (bounds memory); default all of a step's prompts × G", { min: 1 })),
  // memory (issue 21): what the estimate printed before a run counts, and the options that lower it
  gradientCheckpointing: V.gradientCheckpointing,
  maxTokensPerMicroBatch: int(0, 'micro-batches by token count: each holds at most this many padded tokens (rows × longest row); 0: gradientAccumulationSteps equal parts', { min: 0 }),
  memoryLimitGb: num(0, "the memory (GiB) the run may use: a run whose estimate exceeds it is refused before loading; 0: the machine's total memory", { min: 0 }),
  // rollouts (issue 23): sampling on OpenAI-compatible servers, weight sync over HTTP, TRL's off-policy correction
  rollout: value<RolloutSpec>('local', "where rollouts are sampled: 'local' (this process) or servers: URL,URL or JSON {endpoints, modelName?, apiKeyEnv?, server?: vllm|sglang, timeout?, retries?, concurrency?, syncDir?, loraName?} (docs/rollouts.md)", {
    parse: parseRollout, check: rolloutProblem, metavar: 'local|URL,...|JSON', coerce: (v) => (typeof v === 'string' ? parseRollout(v) : v),
  }),
  weightSyncSteps: int(1, 'with servers: push the weights to them every N steps (in between they sample with older weights; the correction covers it)', { min: 1 }),
  asyncRollouts: bool(false, 'with servers: sample the next maxStaleness steps while this one trains (their rollouts are up to maxStaleness weight versions old)'),
  maxStaleness: int(4, 'with servers: rollouts sampled more than this many weight versions before the update that trains on them are dropped (and counted)', { min: 0 }),
  vllmImportanceSamplingCorrection: bool(true, "with servers: weight each token's surrogate by the trainer / sampler probability ratio (TRL's vLLM importance sampling)"),
  vllmImportanceSamplingMode: oneOf(CORRECTION_MODES, 'sequence_mask', "the ratio per 'sequence' (exp Σ Δ) or 'token', and above the cap 'mask' (weight 0) or 'truncate' (weight = cap)"),
  vllmImportanceSamplingCap: num(3.0, 'the cap of the correction ratio', { above: 0 }),
  clipAgainst: oneOf(['trainer', 'sampler'] as const, 'trainer', "with servers: the old policy of the ratio and its clip: 'trainer' (its logprobs before this step's updates, the correction above toward the sampler's; TRL's) or 'sampler' (the logprobs the rollouts were sampled with, so the clip bounds how far the policy moved since, async steps included; the correction is then only logged)"),
  // LoRA (src/model/lora.ts): loraR > 0 trains an adapter on the frozen policy (checkpoints are PEFT adapters; the reference is the base, the adapter off)
  ...LORA_FIELDS,
};

export const GRPO_SPEC = defineSpec({
  name: 'grpo',
  fields: GRPO_FIELDS,
  // rewards not given: a world is scored by its own task judge and the one format; a dataset by the math verifier and
  // the format of its template (the R1-Zero template's <answer> tags by default)
  derive: (c, given, warn) => {
    // reward (issue 22): a dataset's default template is the checkpoint's chat template when it has one
    if (c.data && c.template == null) c.template = dataTemplateOf(c.model);
    if (!Array.isArray(c.rewards)) return; // validation names the problem
    const listed = given.has('rewards') ? [...c.rewards] : [];
    // --reward-module specs and the deprecated rewardModels / judges lists join the rewards; they are moved, so
    // config.json holds each reward once, in rewards (a resumed run reads them from there)
    if (c.rewardModule.length && !rewardModulesProblem(c.rewardModule)) {
      const have = new Set(listed.map((r) => r?.module).filter(Boolean));
      listed.push(...c.rewardModule.map((t) => parseRewardModuleFlag(t)).filter((r) => !have.has(r.module)));
      c.rewardModule = [];
    }
    if ((c.rewardModels.length || c.judges.length) && !rewardModelsProblem(c.rewardModels, [], c.judges)) {
      for (const k of ['rewardModels', 'judges'] as const) if (c[k].length) warn(`r1 grpo: '${k}' is deprecated; list them in rewards (see --help: rewards); the old key goes in the next release`);
      listed.push(...asRewardEntries(c.rewardModels, c.judges));
      c.rewardModels = [];
      c.judges = [];
    }
    // not given, or only reward and judge models: a world is scored by its own task judge and the one format, a
    // dataset by the math verifier and the format of its template (the R1-Zero template's <answer> tags by default);
    // an empty list given stays empty, for validation to refuse
    const rules = c.world
      ? [{ name: 'task', weight: 1 }, { name: 'format', weight: 0.1 }]
      : [{ name: 'accuracy', weight: 1 }, { name: (c.template ?? 'r1-zero') === 'r1-zero' ? 'r1-zero-format' : 'format', weight: 0.1 }];
    const keep = listed.some((r) => r && !isModelReward(r)) || (given.has('rewards') && listed.length === 0);
    c.rewards = keep ? listed : [...rules, ...listed];
  },
  check: (c) => {
    if (c.temperature === 0) return 'temperature must be > 0 for GRPO: a group of greedy samples is identical and has no advantage; use 1.0';
    if (!c.world === !c.data) return 'give exactly one of world (--world NAME) and data (--data FILE.jsonl)';
    if (c.rollout === 'local' && c.asyncRollouts) return 'asyncRollouts needs rollout servers (--rollout URL,...); local sampling is synchronous';
    if (c.rollout !== 'local' && c.weightSyncSteps - 1 > c.maxStaleness) return `weightSyncSteps ${c.weightSyncSteps} would leave rollouts ${c.weightSyncSteps - 1} versions old, more than maxStaleness ${c.maxStaleness}: they would be dropped; lower weightSyncSteps or raise maxStaleness`;
    const rows = c.promptsPerStep * c.numGenerations;
    if (rows % c.gradientAccumulationSteps !== 0) return `gradientAccumulationSteps (${c.gradientAccumulationSteps}) must divide promptsPerStep × numGenerations (${rows})`;
    return rewardModelsProblem(c.rewardModels, c.rewards.map((r) => r.name), c.judges);
  },
});

/** A resolved GRPO run configuration (the type GRPO_SPEC declares). */
export type GrpoConfig = ConfigOf<typeof GRPO_FIELDS>;

/** Merges layers (later wins; camelCase, snake_case or kebab-case keys) over the defaults, rejects unknown keys, and validates. */
export function resolveConfig(...layers: Record<string, unknown>[]): GrpoConfig {
  return resolve(GRPO_SPEC, layers);
}

/** resolveConfig with deprecation warnings sent to `warn`. */
export const resolveGrpo = (layers: Record<string, unknown>[], warn?: Warn): GrpoConfig => resolve(GRPO_SPEC, layers, warn);
