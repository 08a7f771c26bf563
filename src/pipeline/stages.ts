// The stages of the R1 pipeline as a table: each has a name, a title, whether the config enables it, and a run
// function that reads earlier stages' outputs (their done.json) and writes its own folder. The order is the paper's:
// §2.2 R1-Zero, §2.3.1 cold start, §2.3.2 reasoning RL (+ the language-reward ablation), §2.3.3 rejection sampling
// + SFT, §2.3.4 reward model and RL for all scenarios, §2.4 distillation. Not the runner (run.ts).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../util/rng.js';
import type { RunContext } from '../run/context.js';
import type { Decoder } from '../model/decoder.js';
import { loadModel } from '../model/lora-io.js';
import type { LoraTrainOptions } from '../model/lora.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { getWorld, sampleProblems, worldPrompt } from '../data/worlds/index.js';
import type { WorldProblem } from '../data/worlds/types.js';
import { refused } from '../rewards/worlds/safety.js';
import { pretrainIntoCache } from '../sft/cache.js';
import { resolvePrecision, type MatmulPrecision } from '../tensor/precision.js';
import { sftTrain } from '../sft/sft.js';
import { resolveConfig } from '../rl/config.js';
import { readRecipe } from '../run/spec.js';
import { runGrpo } from '../rl/run.js';
import type { PipelineConfig, RlStage, StageName } from './config.js';
import { measureStage, type GeneralSample, type StageRow } from './measure.js';
import { formatRejectReport, rejectionSample, type SftRow } from './reject.js';
import { loadStageModel, matmulOf, writeStageData, StageError, type StageContext, type StageImpl, type StageOutput } from './context.js';
import { rewriteReadable } from './rewrite.js';
import { trainRewardModelStage } from './rm.js';
import { loadRewardModel, scoreWithRewardModel } from '../rl/rm.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `mix:` spec of the pipeline's worlds: reasoning only, or all four. */
export function mixSpec(cfg: PipelineConfig, which: 'reasoning' | 'all'): string {
  const parts = cfg.reasoningWorlds.map((w) => `${w}=${cfg.baseMix.reasoning}`);
  if (which === 'all') parts.push(`${cfg.generalWorld}=${cfg.baseMix.general}`, `${cfg.safetyWorld}=${cfg.baseMix.safety}`);
  return `mix:${parts.filter((p) => !p.endsWith('=0')).join(',')}`;
}

/** The seed every cached base is pretrained with: the cache key is the recipe, and `seed` varies the stages after it. */
export const BASE_SEED = 1;

/** Cache folder of a pretrained pipeline base: a hash of its recipe (worlds, mix, size, budget, and the source files that define them). */
function baseCacheDir(kind: string, spec: string, model: Record<string, unknown>, tokens: number, precision: string): string {
  const h = createHash('sha256').update(JSON.stringify({ kind, spec, model, tokens, ...(precision === 'fp32' ? {} : { precision }) }));
  // the worlds of the mixture (a `-bi` world lives in its plain world's file), what they share, their judges
  const worldFiles = spec.slice(4).split(',').map((part) => `src/data/worlds/${part.split('=')[0]!.replace(/-bi$/, '')}.ts`);
  const judges = readdirSync(join(REPO, 'src/rewards/worlds')).sort().map((f) => `src/rewards/worlds/${f}`);
  for (const f of [...new Set(worldFiles), 'src/data/worlds/common.ts', 'src/data/worlds/types.ts', 'src/data/worlds/mix.ts', ...judges,
    'src/sft/pretrain.ts', 'src/sft/trainer.ts', 'src/data/templates.ts']) {
    const path = join(REPO, f);
    h.update(f).update(existsSync(path) ? readFileSync(path) : '');
  }
  return join(REPO, '.cache', `pipeline-${kind}-${h.digest('hex').slice(0, 12)}`);
}

/** A cached pretrained base (or pretrains it into a temporary folder, renamed into the cache when complete). */
async function cachedBase(ctx: StageContext, kind: string, model: Record<string, unknown>, tokens: number): Promise<{ dir: string; cached: boolean; seconds: number }> {
  const spec = mixSpec(ctx.cfg, 'all');
  const precision = resolvePrecision(ctx.cfg.precision);
  const dir = baseCacheDir(kind, spec, model, tokens, precision);
  if (existsSync(join(dir, 'model.safetensors'))) {
    ctx.log(`${kind}: cached at ${dir}`);
    return { dir, cached: true, seconds: 0 };
  }
  ctx.log(`${kind}: none cached; pretraining on ${spec} (${(tokens / 1e6).toFixed(1)}M tokens) into ${dir}`);
  const r = await pretrainIntoCache(dir, { world: spec, tokens, maxSeconds: 3600, model, precision, seed: BASE_SEED, log: ctx.log,
    progress: (step, f, v) => ctx.progress?.(`pretrain ${kind}`, step, 0, f, v), signal: ctx.signal });
  if (r.stopped) throw new StageError(`${kind}: pretraining was interrupted; nothing is cached (run again with --resume)`);
  return { dir: r.dir, cached: false, seconds: r.seconds };
}

async function measure(ctx: StageContext, stage: string, model: Decoder, tokenizer: Tokenizer): Promise<{ row: StageRow; general: GeneralSample[] }> {
  return measureStage(stage, model, tokenizer, ctx.cfg, { refused, log: ctx.log });
}

/** A stage's checkpoint measured for its table row; its general replies are kept for the reward model to score. */
async function measureCheckpoint(ctx: StageContext, stage: StageName, dir: string): Promise<{ row: StageRow; general: GeneralSample[] }> {
  const { model, tokenizer } = await loadModel(dir, null, matmulOf(ctx.cfg)); // a LoRA stage's folder is an adapter on its base
  const m = await measure(ctx, stage, model, tokenizer);
  await writeStageData(join(ctx.dir(stage), 'general_samples.jsonl'), m.general);
  return m;
}

/** The pipeline's GRPO recipe: the demo's (configs/demo.yaml: 8 prompts × 8, T 1.0, ε 0.2, β 0, lr 3e-4, μ 2, cosine), the stage's budget and rewards, then its options. */
async function grpoStage(ctx: StageContext, stage: StageName, from: string, world: string, rewards: { name: string; weight: number }[],
  rl: RlStage, extra: Record<string, unknown> = {}): Promise<{ model: string; cutShort: boolean; interrupted: boolean; seconds: number; tokens: number }> {
  const out = join(ctx.dir(stage), 'run');
  const cfg = resolveConfig({ model: from, out, world }, readRecipe('demo')!, {
    seed: ctx.cfg.seed, steps: rl.steps, maxSeconds: rl.maxSeconds, maxCompletionLength: ctx.cfg.eval.maxNewTokens, rewards,
    evalEvery: -1, evalProblems: ctx.cfg.eval.problems, saveEvery: 25, ...extra,
  }, rl.grpo);
  const resume = existsSync(join(out, 'checkpoints'));
  const r = await runGrpo(cfg, { resume, log: ctx.log, signal: ctx.signal, precision: ctx.cfg.precision, progress: (step, n, f, v) => ctx.progress?.('grpo', step, n, f, v) });
  if (r.reason === 'time') ctx.log(`stage ${stage}: its safety limit of ${rl.maxSeconds} s cut it short at step ${r.steps} of ${rl.steps}`);
  return { model: r.checkpoint, cutShort: r.reason === 'time', interrupted: r.reason === 'interrupted', seconds: r.seconds, tokens: grpoTokens(out) };
}

/** Tokens a GRPO run processed: sampled completion tokens plus the tokens of its training passes, from metrics.jsonl. */
function grpoTokens(out: string): number {
  const f = join(out, 'metrics.jsonl');
  if (!existsSync(f)) return 0;
  let t = 0;
  for (const l of readFileSync(f, 'utf8').split('\n')) {
    if (!l.trim()) continue;
    try {
      const m = JSON.parse(l) as Record<string, number | string>;
      if (m.type === 'train') t += Number(m.completion_tokens ?? 0) + Number(m.training_tokens_per_s ?? 0) * Number(m.training_seconds ?? 0);
    } catch { /* a truncated last line */ }
  }
  return Math.round(t);
}

async function sftStage(ctx: StageContext, stage: StageName, from: string, rows: SftRow[], epochs: number, lr: number, out?: string, lora?: Partial<LoraTrainOptions>) {
  const dir = ctx.dir(stage);
  const data = join(dir, 'data.jsonl');
  await writeStageData(data, rows.map((r) => ({ prompt: r.prompt, completion: r.completion })));
  return sftTrain({ ...lora, model: from, data, out: out ?? join(dir, 'model'), epochs, lr, batchSize: 16, valFraction: 0.05, seed: ctx.cfg.seed, log: ctx.log, signal: ctx.signal,
    precision: ctx.cfg.precision, progress: (step, f, v) => ctx.progress?.('sft', step, 0, f, v) });
}

/** rejectionSample's progress as the stage's `sampling WORLD` phase (samples done of all). */
export const sampling = (ctx: StageContext, world: string) => (done: number, total: number) =>
  ctx.progress?.(`sampling ${world}`, done, total, done / Math.max(1, total), {}, 'samples');

const trainProblems = (world: string, count: number, seed: number): WorldProblem[] => sampleProblems(getWorld(world), { split: 'train', count, seed });

const rewardsOf = (languageWeight: number) => [
  { name: 'task', weight: 1 }, { name: 'format', weight: 0.1 }, ...(languageWeight > 0 ? [{ name: 'language', weight: languageWeight }] : []),
];

export const STAGE_IMPLS: StageImpl[] = [
  {
    name: 'base', title: 'the base model (pretrained on the mixture of all worlds; cached), measured', enabled: () => true,
    async run(ctx) {
      const b = ctx.cfg.baseModel ? { dir: ctx.cfg.baseModel, cached: true, seconds: 0 } : await cachedBase(ctx, 'base', {}, ctx.cfg.baseTokens);
      if (!existsSync(join(b.dir, 'config.json'))) throw new StageError(`stage base: baseModel ${b.dir} has no config.json; give a checkpoint folder (HF layout) or null for the default`);
      const m = await measureCheckpoint(ctx, 'base', b.dir);
      return { model: b.dir, row: m.row, extra: { model: b.dir, cached: b.cached, pretrain_seconds: b.seconds } };
    },
  },
  {
    name: 'r1_zero', title: 'R1-Zero: GRPO on the base with rule rewards only (task accuracy + format)', enabled: () => true,
    async run(ctx) {
      const base = ctx.done('base')!.model!;
      const r = await grpoStage(ctx, 'r1_zero', base, mixSpec(ctx.cfg, 'reasoning'), rewardsOf(0), ctx.cfg.r1Zero);
      if (r.interrupted) return { interrupted: true };
      const m = await measureCheckpoint(ctx, 'r1_zero', r.model);
      return { model: r.model, row: m.row, cut_short: r.cutShort, extra: { rl_seconds: r.seconds, rl_tokens: r.tokens } };
    },
  },
  {
    name: 'cold_start', title: 'cold start: R1-Zero\'s correct samples rewritten by rules into one language with a summary; SFT of the base', enabled: () => true,
    async run(ctx) {
      const c = ctx.cfg.coldStart;
      const zero = await loadStageModel(ctx.cfg, 'r1_zero', 'cold_start');
      const rows: SftRow[] = [];
      const reports: Record<string, unknown> = {};
      const per = Math.ceil(c.examples / ctx.cfg.reasoningWorlds.length);
      for (const w of ctx.cfg.reasoningWorlds) {
        const world = getWorld(w);
        const problems = trainProblems(w, Math.ceil(per / 2), ctx.cfg.seed + 303);
        const s = await rejectionSample(zero.model, zero.tokenizer, world, problems, {
          samples: c.samplesPerPrompt, temperature: 1.0, topP: 1.0, maxNewTokens: ctx.cfg.eval.maxNewTokens, rng: new Rng(ctx.cfg.seed + 304),
          maxParagraphChars: Number.MAX_SAFE_INTEGER, log: ctx.log, acceptMixed: true, progress: sampling(ctx, w),
        });
        let rewritten = 0, unreadable = 0;
        const byId = new Map(problems.map((p) => [p.id, p]));
        for (const r of s.rows) {
          const p = byId.get(r.problemId!)!;
          const text = rewriteReadable(world, p, r.completion);
          if (text === null) { unreadable++; continue; }
          if (text !== r.completion) rewritten++;
          if (rows.filter((x) => x.task === w).length < per) rows.push({ prompt: r.prompt, completion: text, task: w });
        }
        reports[w] = { ...s.report, rewritten, not_rewritable: unreadable };
        ctx.log(`cold start ${w}: ${formatRejectReport(s.report)}; rewritten ${rewritten}, not rewritable ${unreadable}`);
      }
      if (rows.length === 0) throw new StageError('stage cold_start: no correct R1-Zero sample to build cold-start data from; train R1-Zero longer (r1Zero.steps) or sample more (coldStart.samplesPerPrompt)');
      const r = await sftStage(ctx, 'cold_start', ctx.done('base')!.model!, rows, c.epochs, c.lr);
      if (r.stopped) return { interrupted: true };
      const m = await measureCheckpoint(ctx, 'cold_start', r.dir);
      return { model: r.dir, row: m.row, extra: { examples: rows.length, filters: reports, sft_seconds: r.seconds } };
    },
  },
  {
    name: 'reasoning_rl', title: 'reasoning RL: GRPO from the cold start with task + format + language consistency', enabled: () => true,
    async run(ctx) {
      return reasoningRl(ctx, 'reasoning_rl', ctx.cfg.reasoningRl.languageWeight);
    },
  },
  {
    name: 'reasoning_rl_no_language_reward', title: 'ablation: the same reasoning RL without the language reward', enabled: (c) => c.reasoningRl.ablation,
    async run(ctx) {
      return reasoningRl(ctx, 'reasoning_rl_no_language_reward', 0);
    },
  },
  {
    name: 'rejection_sft', title: 'rejection sampling from reasoning RL (correct, one language, short paragraphs, no code, distinct) + non-reasoning data; SFT of the base', enabled: () => true,
    async run(ctx) {
      const c = ctx.cfg.rejection;
      const teacher = await loadStageModel(ctx.cfg, 'reasoning_rl', 'rejection_sft');
      const rows: SftRow[] = [];
      const reports: Record<string, unknown> = {};
      for (const w of ctx.cfg.reasoningWorlds) {
        const s = await rejectionSample(teacher.model, teacher.tokenizer, getWorld(w), trainProblems(w, Math.ceil(c.prompts / ctx.cfg.reasoningWorlds.length), ctx.cfg.seed + 505), {
          samples: c.samplesPerPrompt, temperature: 1.0, topP: 1.0, maxNewTokens: ctx.cfg.eval.maxNewTokens, rng: new Rng(ctx.cfg.seed + 506),
          maxParagraphChars: c.maxParagraphChars, perPrompt: 2, log: ctx.log, progress: sampling(ctx, w),
        });
        reports[w] = s.report;
        ctx.log(`${w}: ${formatRejectReport(s.report)}`);
        rows.push(...s.rows);
      }
      if (rows.length === 0) throw new StageError('stage rejection_sft: rejection sampling kept nothing (no correct, clean sample); train reasoning RL longer or raise rejection.samplesPerPrompt');
      const nonReasoning = nonReasoningRows(ctx.cfg, c.nonReasoning, ctx.cfg.seed + 507);
      const all = new Rng(ctx.cfg.seed + 508).shuffle([...rows, ...nonReasoning]);
      const r = await sftStage(ctx, 'rejection_sft', ctx.done('base')!.model!, all, c.epochs, c.lr);
      if (r.stopped) return { interrupted: true };
      const m = await measureCheckpoint(ctx, 'rejection_sft', r.dir);
      return { model: r.dir, row: m.row, extra: { reasoning_examples: rows.length, non_reasoning_examples: nonReasoning.length, filters: reports, sft_seconds: r.seconds } };
    },
  },
  {
    name: 'reward_model', title: 'reward model: Bradley–Terry on the worlds\' preference pairs (helpfulness and harmlessness)', enabled: () => true,
    async run(ctx) {
      return trainRewardModelStage(ctx);
    },
  },
  {
    name: 'all_scenario_rl', title: 'RL for all scenarios: rules on reasoning prompts, the reward model on general (summary) and safety (whole reply) prompts', enabled: () => true,
    async run(ctx) {
      const c = ctx.cfg.allScenarioRl;
      const from = ctx.done('rejection_sft')?.model;
      const rmDone = ctx.done('reward_model');
      const rm = rmDone?.model;
      const harmlessRm = rmDone?.extra?.harmless_model as string | undefined;
      if (!from || !rm || !harmlessRm) throw new StageError('stage all_scenario_rl: needs the rejection_sft model and the reward model; rerun with --resume after removing their folders');
      const reasoning = ctx.cfg.reasoningWorlds;
      const rewards = [
        { name: 'task', weight: 1, kinds: reasoning }, { name: 'format', weight: 0.1 }, { name: 'language', weight: ctx.cfg.reasoningRl.languageWeight, kinds: reasoning },
      ];
      const rewardModels = [
        { name: 'helpful', path: rm, on: 'summary', weight: c.helpfulWeight, kinds: [ctx.cfg.generalWorld] },
        { name: 'harmless', path: harmlessRm, on: 'whole', weight: c.harmlessWeight, kinds: [ctx.cfg.safetyWorld] },
      ];
      const r = await grpoStage(ctx, 'all_scenario_rl', from, mixSpec(ctx.cfg, 'all'), rewards, c, { rewardModels });
      if (r.interrupted) return { interrupted: true };
      const m = await measureCheckpoint(ctx, 'all_scenario_rl', r.model);
      m.row.helpful_rm = await scoreGeneral(rm, m.general, matmulOf(ctx.cfg));
      return { model: r.model, row: m.row, cut_short: r.cutShort, extra: { rl_seconds: r.seconds, rl_tokens: r.tokens } };
    },
  },
  {
    name: 'distill', title: 'distillation: a small student fine-tuned on the final model\'s correct samples, against the same student trained with GRPO', enabled: () => true,
    async run(ctx) {
      const { runDistillStage } = await import('./distill.js');
      return runDistillStage(ctx, { cachedBase, grpoStage, sftStage, measure, trainProblems, rewardsOf, mixSpec });
    },
  },
];

async function reasoningRl(ctx: StageContext, stage: StageName, languageWeight: number): Promise<StageOutput> {
  const from = await loadStageModel(ctx.cfg, 'cold_start', stage);
  const r = await grpoStage(ctx, stage, from.dir, mixSpec(ctx.cfg, 'reasoning'), rewardsOf(languageWeight), ctx.cfg.reasoningRl);
  if (r.interrupted) return { interrupted: true };
  const m = await measureCheckpoint(ctx, stage, r.model);
  return { model: r.model, row: m.row, cut_short: r.cutShort, extra: { rl_seconds: r.seconds, rl_tokens: r.tokens, language_weight: languageWeight } };
}

/** Non-reasoning SFT data (the paper's DeepSeek-V3 data, here the general and safety worlds' own right replies). */
function nonReasoningRows(cfg: PipelineConfig, count: number, seed: number): SftRow[] {
  const rows: SftRow[] = [];
  const rng = new Rng(seed);
  for (const name of [cfg.generalWorld, cfg.safetyWorld]) {
    const world = getWorld(name);
    const n = Math.ceil(count / 2);
    for (const p of sampleProblems(world, { split: 'train', count: n, seed: seed + rows.length })) {
      for (let i = 0; i < 50; i++) {
        const c = world.write(p, world.styles[0]!, rng);
        if (world.check(p, c).correct) {
          rows.push({ prompt: worldPrompt(p), completion: c, task: name });
          break;
        }
      }
    }
  }
  return rows;
}

/** Mean helpfulness reward-model score of general replies. */
async function scoreGeneral(rmDir: string, general: GeneralSample[], precision: MatmulPrecision): Promise<number> {
  const rm = await loadRewardModel(rmDir, precision);
  const s = scoreWithRewardModel(rm, general.map((g) => g.prompt), general.map((g) => g.completion));
  return s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
}

/** `r1 distill`: the distillation stage on its own, with any teacher checkpoint standing in for the all-scenario model. */
export async function distillFromTeacher(cfg: PipelineConfig, teacher: string, o: Omit<RunContext, 'precision'>): Promise<StageOutput> {
  if (!existsSync(join(teacher, 'config.json'))) throw new StageError(`--teacher ${teacher}: no config.json there; give a checkpoint folder (HF layout)`);
  const ctx: StageContext = {
    cfg, log: o.log, signal: o.signal, progress: o.progress, precision: cfg.precision,
    done: (s) => (s === 'all_scenario_rl' ? { stage: s, seconds: 0, model: teacher } : null),
    dir: (s) => join(cfg.out, s),
  };
  mkdirSync(ctx.dir('distill'), { recursive: true });
  return STAGE_IMPLS.find((s) => s.name === 'distill')!.run(ctx);
}

/** Pretrains (or finds cached) the teacher's and the student's default bases, so a later pipeline run starts from cache. */
export async function ensureBases(cfg: PipelineConfig, o: Omit<RunContext, 'precision'>): Promise<{ teacher: string; student: string; seconds: number }> {
  const ctx: StageContext = { cfg, log: o.log, signal: o.signal, progress: o.progress, precision: cfg.precision, done: () => null, dir: (s) => join(cfg.out, s) };
  const { studentModel } = await import('./distill.js');
  const t = cfg.baseModel ? { dir: cfg.baseModel, seconds: 0 } : await cachedBase(ctx, 'base', {}, cfg.baseTokens);
  const s = await cachedBase(ctx, 'student', studentModel(cfg), cfg.distill.studentTokens);
  return { teacher: t.dir, student: s.dir, seconds: t.seconds + s.seconds };
}
