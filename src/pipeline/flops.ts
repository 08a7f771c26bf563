// Compute of the distillation table in FLOPs, the same units on both arms (Kaplan et al. 2020's approximations):
// 6·N per token a training pass processes (forward + backward), 2·N per token sampled. N counts every parameter.
// Not a profiler: tokens are counted from the runs' own records (SFT data, GRPO metrics.jsonl), not measured FLOPs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** FLOPs of training N parameters on `tokens` tokens (forward and backward). */
export const trainFlops = (params: number, tokens: number) => 6 * params * tokens;

/** FLOPs of sampling `tokens` tokens from N parameters (forward only). */
export const sampleFlops = (params: number, tokens: number) => 2 * params * tokens;

/** A GRPO run's tokens from its metrics.jsonl: completion tokens sampled, and the tokens of its training passes (whole sequences × μ). */
export function grpoTokenCounts(runDir: string): { sampled: number; trained: number } {
  const f = join(runDir, 'metrics.jsonl');
  let sampled = 0, trained = 0;
  if (!existsSync(f)) return { sampled, trained };
  for (const l of readFileSync(f, 'utf8').split('\n')) {
    if (!l.trim()) continue;
    let m: Record<string, unknown>;
    try { m = JSON.parse(l) as Record<string, unknown>; } catch { continue; /* a truncated last line */ }
    if (m.type !== 'train') continue;
    sampled += Number(m.completion_tokens ?? 0);
    trained += Number(m.training_tokens_per_s ?? 0) * Number(m.training_seconds ?? 0);
  }
  return { sampled, trained: Math.round(trained) };
}

/** One arm of the distillation table: pass@1, seconds, tokens and FLOPs, and the FLOPs split by part. */
export interface ArmCompute {
  pass1: number;
  seconds: number;
  tokens: number;
  flops: number;
  flops_by_part: Record<string, number>;
}

/** The distilled arm: the teacher's sampling (its N) and the student's SFT over whole sequences (the student's N). */
export function distilledCompute(o: { pass1: number; seconds: number; teacherParams: number; studentParams: number; teacherSampledTokens: number; sftTokens: number }): ArmCompute {
  const sampling = sampleFlops(o.teacherParams, o.teacherSampledTokens), training = trainFlops(o.studentParams, o.sftTokens);
  return { pass1: o.pass1, seconds: o.seconds, tokens: o.teacherSampledTokens + o.sftTokens, flops: sampling + training, flops_by_part: { teacher_sampling: sampling, student_training: training } };
}

/** The GRPO arm: the student's own sampling and its training passes, both at the student's N. */
export function rlCompute(o: { pass1: number; seconds: number; studentParams: number; sampledTokens: number; trainedTokens: number }): ArmCompute {
  const sampling = sampleFlops(o.studentParams, o.sampledTokens), training = trainFlops(o.studentParams, o.trainedTokens);
  return { pass1: o.pass1, seconds: o.seconds, tokens: o.sampledTokens + o.trainedTokens, flops: sampling + training, flops_by_part: { student_sampling: sampling, student_training: training } };
}

/** FLOPs for people: `3.2e13`. */
export const fmtFlops = (f: number) => f.toExponential(1).replace('e+', 'e');
