// The stages of the R1 pipeline as a table: each has a name, a title, whether the config enables it, and a run
// function that reads earlier stages' outputs (their done.json) and writes its own folder. The order is the paper's:
// §2.2 R1-Zero, §2.3.1 cold start, §2.3.2 reasoning RL (+ the language-reward ablation), §2.3.3 rejection sampling
// + SFT, §2.3.4 reward model and RL for all scenarios, §2.4 distillation. Not the runner (run.ts).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../util/rng.js';
import type { RunContext } from '../run/context.js';
import { getWorld } from '../data/worlds/index.js';
import type { MatmulPrecision } from '../tensor/precision.js';
import type { PipelineConfig, StageName } from './config.js';
import type { GeneralSample } from './measure.js';
import { formatRejectReport, rejectionSample, type SftRow } from './reject.js';
import { loadStageModel, matmulOf, StageError, type StageContext, type StageImpl, type StageOutput } from './context.js';
import { rewriteReadable } from './rewrite.js';
import { cachedBase, grpoStage, measureCheckpoint, mixSpec, nonReasoningRows, rewardsOf, sampling, sftStage, trainProblems } from './blocks.js';
import { runDistillStage, studentModel } from './distill.js';
import { trainRewardModelStage } from './rm.js';
import { loadRewardModel, scoreWithRewardModel } from '../rl/rm.js';

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
        { name: 'helpful', rewardModel: rm, on: 'summary', weight: c.helpfulWeight, kinds: [ctx.cfg.generalWorld] },
        { name: 'harmless', rewardModel: harmlessRm, on: 'whole', weight: c.harmlessWeight, kinds: [ctx.cfg.safetyWorld] },
      ];
      const r = await grpoStage(ctx, 'all_scenario_rl', from, mixSpec(ctx.cfg, 'all'), rewards, c);
      if (r.interrupted) return { interrupted: true };
      const m = await measureCheckpoint(ctx, 'all_scenario_rl', r.model);
      m.row.helpful_rm = await scoreGeneral(rm, m.general, matmulOf(ctx.cfg));
      return { model: r.model, row: m.row, cut_short: r.cutShort, extra: { rl_seconds: r.seconds, rl_tokens: r.tokens } };
    },
  },
  {
    name: 'distill', title: 'distillation: a small student fine-tuned on the final model\'s correct samples, against the same student trained with GRPO', enabled: () => true,
    async run(ctx) {
      return runDistillStage(ctx);
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
  const t = cfg.baseModel ? { dir: cfg.baseModel, seconds: 0 } : await cachedBase(ctx, 'base', {}, cfg.baseTokens);
  const s = await cachedBase(ctx, 'student', studentModel(cfg), cfg.distill.studentTokens);
  return { teacher: t.dir, student: s.dir, seconds: t.seconds + s.seconds };
}
