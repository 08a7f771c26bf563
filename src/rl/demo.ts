// R1-Zero in miniature, end to end: the default base model (pretrained once, cached by a hash of its
// recipe), measured on held-out problems, GRPO with only the accuracy and format rewards, measured again.
// Not a general pipeline (src/pipeline) and not flag parsing (src/cli/demo.ts). DeepSeek-R1 §2.2, Figures 2–3.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../util/rng.js';
import { runContext, type RunContext } from '../run/context.js';
import { loadCheckpoint } from '../model/checkpoint.js';
import type { Decoder } from '../model/decoder.js';
import type { ModelConfig } from '../model/config.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { DEFAULT_WORLD, getWorld, sampleProblems } from '../data/worlds/index.js';
import { measureWorld, type WorldMeasurement } from '../eval/world.js';
import { pretrainIntoCache } from '../sft/cache.js';
import { resolvePrecision, type MatmulPrecision } from '../tensor/precision.js';
import { resolveConfig, type GrpoConfig } from './config.js';
import { defineSpec, nullable, num, oneOf, readRecipe, str, value, withDefault, type ConfigOf } from '../run/spec.js';
import { PAPER_EVAL, V } from '../run/vocabulary.js';
import { runGrpo } from './run.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Files whose contents define the default base model; any change to them makes a new cache entry. */
const RECIPE_FILES = ['src/sft/pretrain.ts', 'src/sft/trainer.ts', 'src/data/worlds/common.ts', 'src/data/templates.ts', 'src/rewards/worlds/phrases.ts', 'src/rewards/worlds/reply.ts'];

/**
 * Base-model sizes (`r1 demo --size`): model fields over pretrainWorld's default. small is the default recipe
 * (0.8M parameters); medium (~2.7M) and large (~6.2M) cost about 3× and 7× as much per pretraining token.
 */
export const SIZES = {
  small: {},
  medium: { hidden_size: 192, intermediate_size: 528, num_hidden_layers: 6, num_attention_heads: 6, num_key_value_heads: 6 },
  large: { hidden_size: 256, intermediate_size: 704, num_hidden_layers: 8, num_attention_heads: 8, num_key_value_heads: 8 },
} as const satisfies Record<string, Partial<ModelConfig>>;
export type DemoSize = keyof typeof SIZES;
export const DEMO_SIZES = Object.keys(SIZES) as DemoSize[];

/** The demo's recipes: configs/demo.yaml (GRPO options), then configs/<world>.yaml where a world has one. */
export function demoRecipe(world: string): Record<string, unknown>[] {
  return [readRecipe('demo')!, readRecipe(world) ?? {}];
}

const isObject = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? null : `grpo must be an object of r1 grpo's options, e.g. {"beta": 0.04}, got ${JSON.stringify(v)}`);

/** `r1 demo`'s options (src/run/spec.ts): the demo's own; GRPO's come from its recipe files and `grpo`. */
export const DEMO_FIELDS = {
  out: nullable(withDefault(V.out, '', { doc: 'run folder (default runs/<timestamp>)' })),
  world: withDefault(V.world, DEFAULT_WORLD, { doc: 'world; the search worlds countdown and subset also report reflection and by_difficulty' }),
  size: oneOf(DEMO_SIZES, 'small', 'default base model size (each cached on its own)'),
  base: nullable(str('', 'start from this base model instead of the cached default', { metavar: 'DIR' })),
  maxSeconds: nullable(withDefault(V.maxSeconds, 0, { aliases: ['rlSeconds'], doc: 'GRPO wall-clock safety limit (default the recipe\'s, 900); the run says when it cut GRPO short' })),
  steps: nullable(withDefault(V.steps, 1, { doc: 'GRPO steps, the budget the LR schedule runs over (default the recipe\'s: 300; subset 220)' })),
  pretrainSeconds: nullable(num(1, "pretraining safety limit when no base model is cached (default: r1 pretrain's)", { above: 0, metavar: 'S' })),
  evalProblems: withDefault(V.evalProblems, 200, { doc: `held-out problems measured before and after, ${PAPER_EVAL.numGenerations} samples each` }),
  seed: nullable(V.seed),
  grpo: value<Record<string, unknown>>({}, "GRPO options over the world's recipe, JSON (keys of r1 grpo's config), e.g. '{\"beta\":0.04}'", { check: isObject, metavar: 'JSON' }),
  precision: V.precision,
};
export const DEMO_SPEC = defineSpec({ name: 'demo', fields: DEMO_FIELDS });
export type DemoConfig = ConfigOf<typeof DEMO_FIELDS>;

/** The demo's config and its run context (progress phases: 'pretrain', 'grpo'; the precision is the config's, for pretraining, measuring and GRPO). */
export interface DemoOptions extends Partial<DemoConfig>, Partial<Omit<RunContext, 'precision'>> {}

/** The numbers of the before/after table and the --json-summary file. */
export interface DemoRow {
  pass1: number;
  cons16: number;
  format_rate: number;
  mean_len: number;
  always_wrong: number;
  styles: Record<string, { share: number; accuracy: number }>;
  /** Share of written arithmetic lines that are false or use operands from nowhere (the faithfulness diagnostic). */
  unfaithful_line_rate: number;
  /** Share of samples whose final answer is not what their own lines imply. */
  answer_unfaithful_rate: number;
  /** Share of samples that ended on their own rather than at the length limit. */
  stop_rate: number;
}

export interface DemoSummary {
  base: DemoRow;
  rl: DemoRow;
  steps: number;
  /** Seconds of the whole demo (pretraining included when it ran). */
  seconds: number;
  rl_seconds: number;
  pretrain_seconds: number;
  eval_seconds: number;
  /** Per-step means: sampling vs training vs the rest (rewards, bookkeeping). */
  step_split: { sampling: number; training: number; other: number };
  run_dir: string;
  base_model: string;
  reason: string;
  /** Share of samples that backtrack or re-check (worlds with a reflection parser). */
  reflection?: { base: number; rl: number };
  /** Per difficulty level (worlds that mix levels): pass@1, mean length and reflection share before and after RL. */
  by_difficulty?: { difficulty: number; base: DifficultyRow; rl: DifficultyRow }[];
}

export interface DifficultyRow {
  pass1: number;
  mean_len: number;
  reflection: number;
}

/**
 * The cache folder of a world's default base model: .cache/base-<hash of the recipe files, world, size (when not
 * small) and matmul precision (when not fp32: a BF16-pretrained base is another model)>. The precision is the
 * one pretraining uses (r1 demo --precision, resolved).
 */
export function baseModelDir(world: string, size: DemoSize = 'small', precision: MatmulPrecision = 'fp32'): string {
  const h = createHash('sha256').update(world);
  if (size !== 'small') h.update(`size:${size}:${JSON.stringify(SIZES[size])}`);
  if (precision !== 'fp32') h.update(`precision:${precision}`);
  for (const f of [...RECIPE_FILES, `src/data/worlds/${world}.ts`]) {
    const p = join(REPO, f);
    h.update(f).update(existsSync(p) ? readFileSync(p) : '');
  }
  return join(REPO, '.cache', `base-${h.digest('hex').slice(0, 12)}`);
}

/** The default base model of a world: loaded from the cache, or pretrained into it (written to a temporary folder first). */
export async function ensureBaseModel(world: string, o: { seconds?: number; size?: DemoSize } & RunContext):
  Promise<{ dir: string; pretrainSeconds: number }> {
  const dir = baseModelDir(world, o.size, resolvePrecision(o.precision));
  if (existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'model.safetensors'))) {
    o.log(`base model: cached at ${dir}`);
    return { dir, pretrainSeconds: 0 };
  }
  o.log(`base model: none cached; pretraining the default recipe into ${dir}`);
  const r = await pretrainIntoCache(dir, { world, maxSeconds: o.seconds, model: SIZES[o.size ?? 'small'] }, o);
  if (r.stopped) throw new Error('pretraining was interrupted; the base model is not cached (run r1 demo again)');
  return { dir: r.dir, pretrainSeconds: r.seconds };
}

function row(m: WorldMeasurement): DemoRow {
  return {
    pass1: m.pass1, cons16: m.cons16, format_rate: m.formatRate, mean_len: m.meanLen, always_wrong: m.alwaysWrong,
    styles: Object.fromEntries(Object.entries(m.styles).map(([k, s]) => [k, { share: s.share, accuracy: s.accuracy }])),
    unfaithful_line_rate: m.unfaithfulLineRate, answer_unfaithful_rate: m.answerUnfaithfulRate, stop_rate: m.stopRate,
  };
}

/** The demo's GRPO config: the recipe files, then the seed, the safety limit and steps when given, then `grpo`. */
export function demoConfig(base: string, out: string, world: string, o: DemoOptions): GrpoConfig {
  return resolveConfig({ model: base, out, world }, ...demoRecipe(world),
    { seed: o.seed ?? undefined, maxSeconds: o.maxSeconds ?? undefined, steps: o.steps ?? undefined }, o.grpo ?? {}); // undefined values are skipped
}

/** Pretrain (if needed) → measure → GRPO → measure; writes the run folder and returns the summary. */
export async function runDemo(o: DemoOptions = {}): Promise<DemoSummary> {
  const t0 = performance.now();
  const ctx = runContext(o);
  const log = ctx.log;
  const worldName = o.world ?? DEFAULT_WORLD;
  const world = getWorld(worldName);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
  const out = o.out ?? join(REPO, 'runs', stamp);
  const base = o.base ? { dir: o.base, pretrainSeconds: 0 } : await ensureBaseModel(worldName, { seconds: o.pretrainSeconds ?? undefined, size: o.size, ...ctx });
  const cfg = demoConfig(base.dir, out, worldName, o);
  const problems = sampleProblems(world, { split: 'test', count: o.evalProblems ?? 200, seed: cfg.seed + 101 });
  let evalSeconds = 0;
  const measure = async (model: Decoder, tokenizer: Tokenizer, label: string) => {
    const t = performance.now();
    const m = await measureWorld(model, tokenizer, world, {
      problems, samples: PAPER_EVAL.numGenerations, temperature: PAPER_EVAL.temperature, topP: PAPER_EVAL.topP, maxNewTokens: cfg.maxCompletionLength, rng: new Rng(cfg.seed + 202),
      batch: 512, keepSamples: false,
    });
    evalSeconds += (performance.now() - t) / 1000;
    log(`${label}: pass@1 ${pct(m.pass1)}  cons@16 ${pct(m.cons16)}  format ${pct(m.formatRate)}  mean length ${m.meanLen.toFixed(1)}  (${((performance.now() - t) / 1000).toFixed(0)} s)`);
    return m;
  };
  const loaded = await loadCheckpoint(base.dir, resolvePrecision(ctx.precision));
  const before = await measure(loaded.model, loaded.tokenizer, 'base');
  log(`GRPO: ${cfg.promptsPerStep} prompts × ${cfg.numGenerations} samples a step, at most ${cfg.maxSeconds} s, run folder ${out}`);
  const r = await runGrpo(cfg, ctx);
  const after = await measure(r.trainer.policy, r.trainer.tokenizer, 'after RL');
  const summary: DemoSummary = {
    base: row(before), rl: row(after), steps: r.steps, seconds: (performance.now() - t0) / 1000, rl_seconds: r.seconds,
    pretrain_seconds: base.pretrainSeconds, eval_seconds: evalSeconds, step_split: stepSplit(out),
    run_dir: out, base_model: base.dir, reason: r.reason,
    ...reflectionRows(before, after),
  };
  writeFileSync(join(out, 'demo_summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

/** The summary's reflection and by_difficulty entries, for worlds that measure them (none for the others). */
function reflectionRows(before: WorldMeasurement, after: WorldMeasurement): Pick<DemoSummary, 'reflection' | 'by_difficulty'> {
  const out: Pick<DemoSummary, 'reflection' | 'by_difficulty'> = {};
  if (!Number.isNaN(before.reflection.any)) out.reflection = { base: before.reflection.any, rl: after.reflection.any };
  if (before.byDifficulty.length) {
    const rowOf = (d: WorldMeasurement['byDifficulty'][number] | undefined): DifficultyRow =>
      ({ pass1: d?.pass1 ?? NaN, mean_len: d?.meanLen ?? NaN, reflection: d?.reflection.any ?? NaN });
    out.by_difficulty = before.byDifficulty.map((b) => ({
      difficulty: b.difficulty, base: rowOf(b), rl: rowOf(after.byDifficulty.find((a) => a.difficulty === b.difficulty)),
    }));
  }
  return out;
}

/** Mean seconds per step spent sampling, training and elsewhere, from metrics.jsonl. */
function stepSplit(out: string): DemoSummary['step_split'] {
  const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | string>)
    .filter((m) => m.type === 'train');
  const mean = (k: string) => lines.reduce((s, m) => s + (m[k] as number), 0) / Math.max(1, lines.length);
  return { sampling: mean('sampling_seconds'), training: mean('training_seconds'), other: mean('step_seconds') - mean('sampling_seconds') - mean('training_seconds') };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The before/after table printed at the end of the demo. */
export function formatSummary(s: DemoSummary): string {
  const styles = [...new Set([...Object.keys(s.base.styles), ...Object.keys(s.rl.styles)])];
  const lines = [
    `                     base      after RL`,
    `pass@1 (16 samples)  ${pct(s.base.pass1).padStart(6)}    ${pct(s.rl.pass1).padStart(6)}`,
    `cons@16              ${pct(s.base.cons16).padStart(6)}    ${pct(s.rl.cons16).padStart(6)}`,
    `format rate          ${pct(s.base.format_rate).padStart(6)}    ${pct(s.rl.format_rate).padStart(6)}`,
    `mean length (tokens) ${s.base.mean_len.toFixed(1).padStart(6)}    ${s.rl.mean_len.toFixed(1).padStart(6)}`,
    `always wrong         ${pct(s.base.always_wrong).padStart(6)}    ${pct(s.rl.always_wrong).padStart(6)}`,
    `unfaithful lines     ${pct(s.base.unfaithful_line_rate).padStart(6)}    ${pct(s.rl.unfaithful_line_rate).padStart(6)}`,
    `answer ≠ own lines   ${pct(s.base.answer_unfaithful_rate).padStart(6)}    ${pct(s.rl.answer_unfaithful_rate).padStart(6)}`,
    ...styles.map((k) => `style ${k.padEnd(14)} ${pct(s.base.styles[k]?.share ?? 0).padStart(6)}    ${pct(s.rl.styles[k]?.share ?? 0).padStart(6)}`),
    ...(s.reflection ? [`backtrack/re-check   ${pct(s.reflection.base).padStart(6)}    ${pct(s.reflection.rl).padStart(6)}`] : []),
    ...(s.by_difficulty ?? []).map((d) => `difficulty ${String(d.difficulty).padEnd(3)} pass@1 ${pct(d.base.pass1)} → ${pct(d.rl.pass1)}, ` +
      `length ${d.base.mean_len.toFixed(1)} → ${d.rl.mean_len.toFixed(1)}, reflection ${pct(d.base.reflection)} → ${pct(d.rl.reflection)}`),
    `${s.steps} GRPO steps in ${s.rl_seconds.toFixed(0)} s (per step: sampling ${s.step_split.sampling.toFixed(2)} s, training ${s.step_split.training.toFixed(2)} s, other ${s.step_split.other.toFixed(2)} s); ` +
      `pretraining ${s.pretrain_seconds.toFixed(0)} s; evaluation ${s.eval_seconds.toFixed(0)} s; total ${s.seconds.toFixed(0)} s`,
    `run folder: ${s.run_dir}`,
  ];
  return lines.join('\n');
}
