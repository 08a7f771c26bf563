// The R1 pipeline's configuration: one typed object, a doc comment per field saying what the default does, unknown
// keys rejected with the path of the key, validation messages that name the fix. The defaults reproduce the paper's
// order (§2.3: cold start → reasoning RL → rejection sampling + SFT → RL for all scenarios; §2.4 distillation) on the
// synthetic worlds, sized to run on two CPU cores. Not the runner (run.ts) and not the stages (stages.ts).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { PRECISIONS, type Precision } from '../tensor/precision.js';
import { GRPO_SPEC, type GrpoConfig } from '../rl/config.js';
import { UsageError, fieldProblem, lookup, readRecipe, unknownKey, type Field } from '../run/spec.js';
import { PAPER_EVAL, V } from '../run/vocabulary.js';
import { LORA_DEFAULTS, type LoraTrainOptions } from '../model/lora.js';

/** A stage's `grpo` options, each name and value checked against GRPO_SPEC (the stage's own keys decide model, out, world). */
function grpoOptions(v: Record<string, unknown>, at: string): Partial<GrpoConfig> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const hit = lookup(GRPO_SPEC.fields, k);
    if (!hit) throw new PipelineConfigError(`pipeline config: '${at}': ${unknownKey(GRPO_SPEC, k, false).message}`);
    const f = GRPO_SPEC.fields[hit.name as keyof typeof GRPO_SPEC.fields];
    const y = hit.convert(x);
    const bad = fieldProblem(`${at}.${hit.name}`, f, f.coerce ? f.coerce(y) : y);
    if (bad) throw new PipelineConfigError(`pipeline config: ${bad}`);
    out[hit.name] = y;
  }
  return out as Partial<GrpoConfig>;
}

/** The stage names, in the order they run (the --json-summary `stage` values; `reward_model` and `distill` have no row). */
export const STAGES = ['base', 'r1_zero', 'cold_start', 'reasoning_rl', 'reasoning_rl_no_language_reward', 'rejection_sft',
  'reward_model', 'all_scenario_rl', 'distill'] as const;
export type StageName = (typeof STAGES)[number];

export interface RlStage {
  /** GRPO steps (each promptsPerStep prompts × numGenerations samples). */
  steps: number;
  /** Safety limit in seconds (0 = none): a run cut by it says so in the stage's metrics and the summary. */
  maxSeconds: number;
  /** Further GRPO options (GRPO_SPEC's names, src/rl/config.ts; each checked as r1 grpo checks it) over the pipeline's recipe (8 prompts × 8, T 1.0, lr 3e-4, μ 2, cosine). */
  grpo: Partial<GrpoConfig>;
}

export interface RmStage {
  /** Training pairs (held-out pairs: a fifth as many, at least 100). */
  pairs: number;
  epochs: number;
  lr: number;
  /** Weight of a next-token loss on the chosen replies beside Bradley–Terry (r1 train-rm --lm-weight): it teaches the trunk the preferred reply, so the score can check a reply against it (helpfulness: 82% → 95% held out in one run). */
  lmWeight: number;
}

export interface PipelineConfig {
  /** Run folder: one sub-folder per stage (model/, data, metrics, row.json, done.json), pipeline_summary.json, the stage table. */
  out: string;
  /** Seed of every stage after the base (each adds its own offset). Cached bases are pretrained once per recipe with seed 1 (BASE_SEED), so seeds vary the recipe's stages, not the base, and one cache serves them all. */
  seed: number;
  /** Matmul precision of every stage (pretraining, SFT, GRPO, sampling): 'auto' (default) is BF16 with FP32 master weights where the CPU has AMX / AVX512-BF16, FP32 elsewhere; 'fp32' or 'bf16' to force one. */
  precision: Precision;
  /** Reasoning worlds (the stage table's pass@1 / cons@16 average over them); each names the answer's language in its prompt. */
  reasoningWorlds: string[];
  /** Non-reasoning requests answered without a chain of thought (helpfulness). */
  generalWorld: string;
  /** Harmful requests that must be refused, with benign look-alikes that must not be (harmlessness). */
  safetyWorld: string;
  /** Base model: a checkpoint folder, or null for the pipeline's default base (pretrained once on the mixture of all the worlds, cached in .cache/). */
  baseModel: string | null;
  /** Pretraining budget of the default base, in tokens (ignored with baseModel). */
  baseTokens: number;
  /** Mixture weights of the base corpus: reasoning worlds each, general, safety. */
  baseMix: { reasoning: number; general: number; safety: number };
  /** Held-out measurement of every stage: problems per world, samples per problem (16 for cons@16), T, top-p, length limit; `split` 'test' (reported) or 'validation' (for tuning a recipe: every choice reads validation, test is only reported). */
  eval: { problems: number; samples: number; temperature: number; topP: number; maxNewTokens: number; split: 'test' | 'validation' };
  /** Stage 2 (R1-Zero): GRPO on the base with rule rewards only (task accuracy + format), no language reward. */
  r1Zero: RlStage;
  /** Stage 3 (§2.3.1): R1-Zero's correct samples, rewritten by rules into the prompt's language with a summary; SFT of the base on `examples` of them. */
  coldStart: { examples: number; samplesPerPrompt: number; epochs: number; lr: number };
  /** Stage 4 (§2.3.2): GRPO from the cold start with task + format + language-consistency rewards (languageWeight); the ablation runs the same without the language reward. lr 1e-4, a third of R1-Zero's: the cold start already sits near expr's ceiling, and at 3e-4 RL lost 4 points there (one run: 69.8% vs 75.1% pass@1 at 1e-4; cold start 74.0%). */
  reasoningRl: RlStage & { languageWeight: number; ablation: boolean };
  /** Stage 5 (§2.3.3): samplesPerPrompt samples of `prompts` train prompts from the reasoning-RL model; keep correct, filter, dedupe; add `nonReasoning` general/safety examples; SFT the base for `epochs`. */
  rejection: { prompts: number; samplesPerPrompt: number; maxParagraphChars: number; nonReasoning: number; epochs: number; lr: number };
  /** The reward models (§2.3.4), Bradley–Terry from the rejection-SFT model: helpfulness on the summary (general-world pairs), harmlessness on the whole reply (safety-world pairs); training pairs, epochs and lr of each. Helpfulness needs many pairs: with 3000 × 8 epochs one seed's model reached 96% on its training pairs and 85.5% held out; 6000 × 5 on the same trunk, 93.2%. */
  rewardModel: { helpful: RmStage; harmless: RmStage };
  /** Stage 6 (§2.3.4): GRPO from the rejection-SFT model on all worlds: rules for reasoning, the reward model for general (summary) and safety (whole reply). Its lr is a third of R1-Zero's (1e-4): at 3e-4 it lost 0.4–4.4 points of expr and 20 points of rule-judged helpfulness (the policy found what the helpfulness model over-scores); at 1e-4 it kept both (one run: 75.9% vs 73.4% pass@1, helpful 59.2% vs 41.7%). */
  allScenarioRl: RlStage & { helpfulWeight: number; harmlessWeight: number };
  /** Distillation (§2.4, §4.1): a student of studentScale × the teacher's hidden size (a quarter of the parameters or less) fine-tuned on the final model's correct samples of `prompts` reasoning-world prompts and `nonReasoning` general/safety rows (the worlds' own replies, as in rejection SFT), against the same student trained with GRPO from its own base. */
  distill: { studentHidden: number; studentLayers: number; studentTokens: number; prompts: number; samplesPerPrompt: number; nonReasoning: number; epochs: number; lr: number; rl: RlStage }
    & LoraTrainOptions; // LoRA: loraR > 0 distils into an adapter on the student base (src/model/lora.ts)
}

/** The default recipe: configs/pipeline.yaml (data, read by the same reader as users' files), the evaluation's T and top-p the paper's. */
export function pipelineDefaults(): Omit<PipelineConfig, 'out'> {
  const d = readRecipe('pipeline') as unknown as Omit<PipelineConfig, 'out'>;
  const { problems, samples, ...rest } = d.eval;
  const paper = { temperature: PAPER_EVAL.temperature, topP: PAPER_EVAL.topP };
  // LoRA: off unless distill.loraR > 0 (the vocabulary's defaults, src/run/vocabulary.ts)
  return { ...d, eval: { problems, samples, ...paper, ...rest }, distill: { ...d.distill, ...LORA_DEFAULTS } }; // the keys in config.json's order
}

/** The LoRA options of the distill stage (checked against the vocabulary's fields). */
const LORA_KEYS = ['loraR', 'loraAlpha', 'loraDropout', 'loraTargetModules'] as const;

/** Thrown for a bad pipeline config; the message names the key (a.b.c) and the fix. */
export class PipelineConfigError extends UsageError {}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Merges `over` into `base` key by key; a key `base` lacks is an error naming its path. `grpo` objects pass through (GRPO validates them). */
function merge(base: Record<string, unknown>, over: Record<string, unknown>, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const at = path ? `${path}.${k}` : k;
    if (!(k in base)) throw new PipelineConfigError(`pipeline config: unknown key '${at}'; known keys${path ? ` of ${path}` : ''}: ${Object.keys(base).join(', ')}`);
    if (k === 'grpo') {
      if (!isObj(v)) throw new PipelineConfigError(`pipeline config: '${at}' must be an object of GRPO options (e.g. {"learningRate": 3e-4})`);
      out[k] = { ...(base[k] as Record<string, unknown>), ...grpoOptions(v, at) };
    } else if (isObj(base[k])) {
      if (!isObj(v)) throw new PipelineConfigError(`pipeline config: '${at}' must be an object with keys ${Object.keys(base[k] as object).join(', ')}`);
      out[k] = merge(base[k] as Record<string, unknown>, v, at);
    } else out[k] = v;
  }
  return out;
}

/** The defaults with `layers` merged over them in order, validated. */
export function resolvePipelineConfig(...layers: Record<string, unknown>[]): PipelineConfig {
  let c: Record<string, unknown> = { out: '', ...pipelineDefaults() };
  for (const l of layers) c = merge(c, Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)), '');
  const cfg = c as unknown as PipelineConfig;
  validate(cfg);
  return cfg;
}

function validate(c: PipelineConfig): void {
  const fail = (m: string): never => { throw new PipelineConfigError(`pipeline config: ${m}`); };
  if (typeof c.out !== 'string' || !c.out) fail('out is required: pass --out DIR');
  const pos = (v: unknown, at: string, int = true, zero = false) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (int && !Number.isInteger(v)) || v < 0 || (!zero && v === 0)) fail(`'${at}' must be a ${int ? 'whole ' : ''}number ${zero ? '>= 0' : '> 0'}, got ${JSON.stringify(v)}`);
  };
  if (!Array.isArray(c.reasoningWorlds) || c.reasoningWorlds.length === 0 || c.reasoningWorlds.some((w) => typeof w !== 'string')) fail(`'reasoningWorlds' must be a non-empty list of world names, e.g. ["addition-bi", "expr-bi"]`);
  if (c.baseModel !== null && typeof c.baseModel !== 'string') fail(`'baseModel' must be a checkpoint folder or null (the cached default base)`);
  if (!(PRECISIONS as readonly string[]).includes(c.precision)) fail(`'precision' must be one of ${PRECISIONS.join(', ')} (auto: bf16 where the CPU has AMX or AVX512-BF16), got ${JSON.stringify(c.precision)}`);
  pos(c.seed, 'seed', true, true); pos(c.baseTokens, 'baseTokens');
  for (const [k, v] of Object.entries(c.baseMix)) pos(v, `baseMix.${k}`, false, true);
  pos(c.eval.problems, 'eval.problems'); pos(c.eval.samples, 'eval.samples'); pos(c.eval.maxNewTokens, 'eval.maxNewTokens');
  pos(c.eval.temperature, 'eval.temperature', false, true);
  if (c.eval.split !== 'test' && c.eval.split !== 'validation') fail(`'eval.split' must be 'test' (reported) or 'validation' (for tuning), got ${JSON.stringify(c.eval.split)}`);
  if (c.eval.topP <= 0 || c.eval.topP > 1) fail(`'eval.topP' must be in (0, 1], got ${c.eval.topP}`);
  const rl = (s: RlStage, at: string) => { pos(s.steps, `${at}.steps`); pos(s.maxSeconds, `${at}.maxSeconds`, false, true); };
  rl(c.r1Zero, 'r1Zero'); rl(c.reasoningRl, 'reasoningRl'); rl(c.allScenarioRl, 'allScenarioRl'); rl(c.distill.rl, 'distill.rl');
  pos(c.coldStart.examples, 'coldStart.examples'); pos(c.coldStart.samplesPerPrompt, 'coldStart.samplesPerPrompt'); pos(c.coldStart.epochs, 'coldStart.epochs');
  pos(c.reasoningRl.languageWeight, 'reasoningRl.languageWeight', false, true);
  if (typeof c.reasoningRl.ablation !== 'boolean') fail(`'reasoningRl.ablation' must be true or false`);
  pos(c.rejection.prompts, 'rejection.prompts'); pos(c.rejection.samplesPerPrompt, 'rejection.samplesPerPrompt');
  pos(c.rejection.maxParagraphChars, 'rejection.maxParagraphChars'); pos(c.rejection.nonReasoning, 'rejection.nonReasoning', true, true); pos(c.rejection.epochs, 'rejection.epochs');
  for (const k of ['helpful', 'harmless'] as const) {
    pos(c.rewardModel[k].pairs, `rewardModel.${k}.pairs`); pos(c.rewardModel[k].epochs, `rewardModel.${k}.epochs`); pos(c.rewardModel[k].lr, `rewardModel.${k}.lr`, false); pos(c.rewardModel[k].lmWeight, `rewardModel.${k}.lmWeight`, false, true);
  }
  pos(c.distill.studentHidden, 'distill.studentHidden'); pos(c.distill.studentLayers, 'distill.studentLayers'); pos(c.distill.studentTokens, 'distill.studentTokens');
  pos(c.distill.prompts, 'distill.prompts'); pos(c.distill.samplesPerPrompt, 'distill.samplesPerPrompt'); pos(c.distill.nonReasoning, 'distill.nonReasoning', true, true); pos(c.distill.epochs, 'distill.epochs');
  for (const k of LORA_KEYS) { // LoRA
    const f = V[k] as Field<unknown>;
    if (f.coerce) (c.distill as unknown as Record<string, unknown>)[k] = f.coerce(c.distill[k]);
    const bad = fieldProblem(`distill.${k}`, f, c.distill[k]);
    if (bad) fail(bad);
  }
  for (const [at, v] of [['coldStart.lr', c.coldStart.lr], ['rejection.lr', c.rejection.lr], ['distill.lr', c.distill.lr]] as const) pos(v, at, false);
}

/** Reads a JSON or YAML pipeline config file (an object); the error names the file. */
export function readPipelineConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PipelineConfigError(`--config ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give an existing JSON or YAML file`);
  }
  let v: unknown;
  try {
    v = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new PipelineConfigError(`--config ${path}: not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'} (${(e as Error).message})`);
  }
  if (!isObj(v)) throw new PipelineConfigError(`--config ${path}: expected an object of pipeline options at the top level`);
  return v;
}
