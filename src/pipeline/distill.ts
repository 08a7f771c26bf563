// Distillation (R1 §2.4, §4.1 Table 6): the final model (teacher) samples train prompts of the reasoning worlds, the
// correct replies are kept (rejection sampling) beside the general and safety worlds' own replies, and a small student
// (a quarter of the teacher's parameters or less, its own base pretrained on the same mixture) is fine-tuned on them
// with SFT only. The comparison trains the same student base with GRPO for at least the distillation's compute; both
// are measured. Not SFT or GRPO themselves.
import { join } from 'node:path';
import { Rng } from '../util/rng.js';
import { loadCheckpoint } from '../model/checkpoint.js';
import { loadModel } from '../model/lora-io.js';
import type { Decoder } from '../model/decoder.js';
import { getWorld } from '../data/worlds/index.js';
import type { PipelineConfig } from './config.js';
import { formatRejectReport, rejectionSample, type SftRow } from './reject.js';
import { StageError, matmulOf, type StageContext, type StageOutput } from './context.js';
import { PAPER_EVAL } from '../run/vocabulary.js';
import { distilledCompute, grpoTokenCounts, rlCompute } from './flops.js';
import { cachedBase, grpoStage, measure, mixSpec, nonReasoningRows, rewardsOf, sftStage, trainProblems } from './blocks.js';

/** The student's model fields: the teacher's layout at a smaller width (intermediate 2.5 × hidden, a little under the default's 352/128, so that hidden 64 stays under a quarter of the default teacher). */
export function studentModel(cfg: PipelineConfig): Record<string, unknown> {
  const h = cfg.distill.studentHidden;
  return { hidden_size: h, intermediate_size: Math.round((h * 2.5) / 8) * 8, num_hidden_layers: cfg.distill.studentLayers };
}

const renameCounts = (c: { sampled: number; trained: number }) => ({ sampledTokens: c.sampled, trainedTokens: c.trained });

const paramsOf = (m: Decoder) => m.parameters().reduce((s, t) => s + t.size, 0);

export async function runDistillStage(ctx: StageContext): Promise<StageOutput> {
  const c = ctx.cfg.distill;
  const teacherDir = ctx.done('all_scenario_rl')?.model;
  if (!teacherDir) throw new StageError('stage distill: needs the all_scenario_rl model (the teacher), which is missing; remove its folder and rerun with --resume');
  const teacher = await loadCheckpoint(teacherDir, matmulOf(ctx.cfg));
  const base = await cachedBase(ctx, 'student', studentModel(ctx.cfg), c.studentTokens);
  const student = await loadCheckpoint(base.dir, matmulOf(ctx.cfg));
  const ratio = paramsOf(student.model) / paramsOf(teacher.model);
  ctx.log(`distill: student ${paramsOf(student.model)} parameters = ${(100 * ratio).toFixed(1)}% of the teacher's ${paramsOf(teacher.model)}`);
  if (ratio > 0.25) ctx.log(`distill: warning: the student has more than a quarter of the teacher's parameters; lower distill.studentHidden`);

  // distillation (R1 §2.4: the 800k samples of §2.3.3): the teacher's correct samples on train prompts of the reasoning
  // worlds, and the general and safety worlds' own right replies (the paper's non-reasoning data), SFT only
  const t0 = performance.now();
  const rows: SftRow[] = [];
  const reports: Record<string, unknown> = {};
  let sampledTokens = 0;
  const perWorld = Math.max(1, Math.round(c.prompts / ctx.cfg.reasoningWorlds.length));
  for (const w of ctx.cfg.reasoningWorlds) {
    const s = await rejectionSample(teacher.model, teacher.tokenizer, getWorld(w), trainProblems(w, perWorld, ctx.cfg.seed + 901), {
      samples: c.samplesPerPrompt, temperature: PAPER_EVAL.temperature, topP: PAPER_EVAL.topP, maxNewTokens: ctx.cfg.eval.maxNewTokens, rng: new Rng(ctx.cfg.seed + 902),
      maxParagraphChars: ctx.cfg.rejection.maxParagraphChars, perPrompt: 2, log: ctx.log,
      progress: (done, total) => ctx.progress?.(`sampling ${w}`, done, total, done / Math.max(1, total), {}, 'samples'),
    });
    sampledTokens += s.sampledTokens;
    reports[w] = s.report;
    ctx.log(`distill ${w}: ${formatRejectReport(s.report)}`);
    rows.push(...s.rows);
  }
  const nonReasoning = nonReasoningRows(ctx.cfg, c.nonReasoning, ctx.cfg.seed + 904);
  ctx.log(`distill: ${rows.length} reasoning rows from the teacher, ${nonReasoning.length} general and safety rows (the worlds' own right replies)`);
  rows.push(...nonReasoning);
  if (rows.length === 0) throw new StageError('stage distill: the teacher produced no correct sample to distil; check the all_scenario_rl model');
  const sampleSeconds = (performance.now() - t0) / 1000;
  const sft = await sftStage(ctx, 'distill', base.dir, new Rng(ctx.cfg.seed + 903).shuffle(rows), c.epochs, c.lr, join(ctx.dir('distill'), 'student-distilled'),
    { loraR: c.loraR, loraAlpha: c.loraAlpha, loraDropout: c.loraDropout, loraTargetModules: c.loraTargetModules }); // LoRA: an adapter on the student base
  if (sft.stopped) return { interrupted: true };
  // the student's training passes run over whole sequences (prompt and completion), as GRPO's do
  const seqTokens = rows.reduce((t, r) => t + student.tokenizer.encode(r.prompt + r.completion).length, 0);
  const sftTokens = Math.round((seqTokens * sft.examples / rows.length) * sft.epochs);
  const distilled = { seconds: sampleSeconds + sft.seconds, tokens: sampledTokens + sftTokens };

  // the comparison: the same student base trained with GRPO (rule rewards, like R1-Zero), for at least that compute
  const rl = await grpoStage(ctx, 'distill', base.dir, mixSpec(ctx.cfg, 'reasoning'), rewardsOf(0), c.rl);
  if (rl.interrupted) return { interrupted: true };
  if (rl.seconds < distilled.seconds) ctx.log(`distill: note: the student's GRPO used less time (${rl.seconds.toFixed(0)} s) than distillation (${distilled.seconds.toFixed(0)} s); raise distill.rl.steps for an equal-compute comparison`);

  const dm = await loadModel(sft.dir, null, matmulOf(ctx.cfg)); // an adapter folder loads onto its base
  const a = await measure(ctx, 'distill_student_sft', dm.model, dm.tokenizer);
  const rm = await loadModel(rl.model, null, matmulOf(ctx.cfg));
  const b = await measure(ctx, 'distill_student_rl', rm.model, rm.tokenizer);
  return {
    model: sft.dir, rows: [a.row, b.row], cut_short: rl.cutShort,
    extra: {
      filters: reports, examples: rows.length, non_reasoning_examples: nonReasoning.length, student_parameters: paramsOf(student.model), teacher_parameters: paramsOf(teacher.model), student_base_cached: base.cached,
      distill: {
        distilled: distilledCompute({ pass1: a.row.pass1, seconds: distilled.seconds, teacherParams: paramsOf(teacher.model), studentParams: paramsOf(student.model), teacherSampledTokens: sampledTokens, sftTokens }),
        rl: rlCompute({ pass1: b.row.pass1, seconds: rl.seconds, studentParams: paramsOf(student.model), ...renameCounts(grpoTokenCounts(join(ctx.dir('distill'), 'run'))) }),
      },
    },
  };
}
