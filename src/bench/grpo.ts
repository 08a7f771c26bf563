// GRPO side by side with TRL: the same checkpoint, prompts and settings through our GrpoTrainer (in this process)
// and TRL's GRPOTrainer (scripts/ref/bench_grpo_trl.py under the Python the user names, best of its thread settings):
// seconds per optimizer update (a step's time minus its sampling, over μ), seconds to sample one step's batch, peak RSS.
// Not a training run (no evaluation, no checkpoints) and not the CLI (src/cli/bench/grpo.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../util/rng.js';
import { loadCheckpoint } from '../model/checkpoint.js';
import { resolveConfig, type GrpoConfig } from '../rl/config.js';
import { buildTasks, estimateRun } from '../rl/run.js';
import { formatEstimate, type MemoryEstimate } from '../model/memory.js';
import type { TaskProblem, TaskSource } from '../rl/tasks.js';
import { GrpoTrainer } from '../rl/trainer.js';
import { matmulPrecisionOf } from '../tensor/precision.js';

/** One side's figures: what `--json` prints under "ours" and "trl". */
export interface PeerFigures {
  update_s: number;
  sampling_s: number;
  peak_rss_gb: number;
}

export interface GrpoBenchResult {
  ours: PeerFigures & { precision: string; steps: number[]; /** r1 grpo's peak-memory estimate for the same run, GB (2^30 bytes). */ estimate_gb: number };
  trl?: PeerFigures & { threads: number; torch: string; trl: string; runs: unknown[] };
  trl_error?: string;
  settings: Record<string, unknown>;
  ratios?: { update: number; sampling: number; peak_rss: number };
}

/** The run's config: r1 grpo's options (layer), a throwaway out folder, no evaluation, no checkpoints. */
export function benchConfig(options: Record<string, unknown>): GrpoConfig {
  const out = mkdtempSync(join(tmpdir(), 'r1-bench-grpo-'));
  return resolveConfig({ steps: 1, ...options, out, evalEvery: -1, saveEvery: 0 });
}

/** The problems every step draws, drawn once up front so that both trainers see the same prompts in the same order. */
export async function benchProblems(cfg: GrpoConfig): Promise<{ tasks: TaskSource; problems: TaskProblem[]; estimate: MemoryEstimate }> {
  const tasks = await buildTasks(cfg);
  const estimate = await estimateRun(cfg, tasks); // r1 grpo's, from the source's own prompts
  const problems = tasks.draw(new Rng(cfg.seed), cfg.steps * cfg.promptsPerStep);
  const queue = [...problems];
  return { tasks: { ...tasks, draw: (_rng, n) => queue.splice(0, n) }, problems, estimate };
}

/** Our trainer for cfg.steps steps on the fixed problems; per-step metrics give sampling and update seconds. */
export async function benchOurs(cfg: GrpoConfig, tasks: TaskSource, est: MemoryEstimate, log: (s: string) => void): Promise<GrpoBenchResult['ours']> {
  const precision = matmulPrecisionOf(cfg.precision, 'bench grpo');
  log(`  ours: memory estimate ${formatEstimate(est)}`);
  const policy = await loadCheckpoint(cfg.model);
  const ref = cfg.beta > 0 ? (await loadCheckpoint(cfg.model)).model : null;
  const trainer = new GrpoTrainer(cfg, policy.model, policy.tokenizer, ref, tasks);
  trainer.setPrecision(precision);
  const sampling: number[] = [], updates: number[] = [];
  for (let s = 0; s < cfg.steps; s++) {
    const m = await trainer.trainStep();
    sampling.push(m.sampling_seconds!);
    updates.push((m.step_seconds! - m.sampling_seconds!) / cfg.numIterations);
    log(`  ours step ${s + 1}: sampling ${m.sampling_seconds!.toFixed(1)} s, ${cfg.numIterations} updates ${(m.step_seconds! - m.sampling_seconds!).toFixed(1)} s`);
  }
  rmSync(cfg.out, { recursive: true, force: true });
  const mean = (x: number[]): number => x.reduce((a, b) => a + b, 0) / x.length;
  return {
    update_s: mean(updates), sampling_s: mean(sampling), peak_rss_gb: process.resourceUsage().maxRSS / 2 ** 20,
    precision, steps: updates, estimate_gb: est.total / 2 ** 30,
  };
}

/** TRL's GRPOTrainer under each thread count (a separate process each); the run with the least time per step wins. */
export function benchTrl(python: string, cfg: GrpoConfig, problems: TaskProblem[], threads: number[], log: (s: string) => void,
  settle: () => void = () => {}): Pick<GrpoBenchResult, 'trl' | 'trl_error'> {
  const script = join(import.meta.dirname, '..', '..', 'scripts', 'ref', 'bench_grpo_trl.py');
  const bf16 = matmulPrecisionOf(cfg.precision, 'bench grpo') === 'bf16';
  const runs: (Record<string, unknown> & { error?: string })[] = [];
  for (const [i, t] of threads.entries()) {
    if (i > 0) settle(); // after the previous run's process, as before ours
    const args = {
      model: cfg.model, prompts: problems.map((p) => ({ prompt: p.prompt, answer: p.gold })), steps: cfg.steps,
      per_device_train_batch_size: (cfg.promptsPerStep * cfg.numGenerations) / cfg.gradientAccumulationSteps,
      gradient_accumulation_steps: cfg.gradientAccumulationSteps, num_generations: cfg.numGenerations,
      max_completion_length: cfg.maxCompletionLength, num_iterations: cfg.numIterations, beta: cfg.beta, epsilon: cfg.epsilon,
      bf16, learning_rate: cfg.learningRate, threads: t, seed: cfg.seed, gradient_checkpointing: cfg.gradientCheckpointing,
    };
    log(`  trl: ${python} ${script} (torch threads ${t}, bf16 ${bf16}) ...`);
    const env = { ...process.env, OMP_NUM_THREADS: String(t), TOKENIZERS_PARALLELISM: 'false' };
    const r = spawnSync(python, [script, JSON.stringify(args)], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
    const last = r.stdout?.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !last.startsWith('{')) {
      const why = (r.stderr || String(r.error ?? '')).trim().split('\n').filter(Boolean).pop() ?? `exit ${r.status}`;
      log(`  trl (threads ${t}) failed: ${why}`);
      runs.push({ threads: t, error: why });
      continue;
    }
    const j = JSON.parse(last) as Record<string, number>;
    log(`  trl (threads ${t}): sampling ${j.sampling_s!.toFixed(1)} s, update ${j.update_s!.toFixed(1)} s, peak ${j.peak_rss_gb!.toFixed(1)} GB`);
    runs.push(j);
  }
  const ok = runs.filter((r) => r.error === undefined) as (Record<string, unknown> & PeerFigures)[];
  if (ok.length === 0) return { trl_error: `${runs[0]?.error ?? 'no run'} (is trl installed for ${python}? pass --python PY)` };
  const perStep = (r: PeerFigures): number => r.sampling_s + cfg.numIterations * r.update_s;
  const best = ok.reduce((a, b) => (perStep(b) < perStep(a) ? b : a));
  return {
    trl: {
      update_s: best.update_s, sampling_s: best.sampling_s, peak_rss_gb: best.peak_rss_gb, threads: best.threads as number,
      torch: best.torch as unknown as string, trl: best.trl as unknown as string, runs,
    },
  };
}

/**
 * Waits `seconds` after a measured process exited, before the next one starts. On a virtual machine the gigabytes a
 * process frees go back to the host, and until they have, the next process streams memory slower (measured here:
 * 9–12 GB/s for about 40 s after a 14 GB process exited, against 19–20 GB/s settled), which would charge the
 * previous side's exit to the next side. Busy-waits without work (a synchronous sleep).
 */
export function settleFor(seconds: number, log: (s: string) => void): () => void {
  return () => {
    if (seconds <= 0) return;
    log(`  waiting ${seconds} s for the machine to settle after the last measured process`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
  };
}

/** Both sides (TRL first, in its own processes, so that our process's peak RSS is ours alone), each measured process after a settle pause. */
export async function benchGrpo(options: Record<string, unknown>, peer: { python: string; threads: number[] } | null,
  log: (s: string) => void, settleSeconds = 60): Promise<GrpoBenchResult> {
  const cfg = benchConfig(options);
  const { tasks, problems, estimate } = await benchProblems(cfg);
  const settings = {
    model: cfg.model, data: cfg.data, world: cfg.world, prompts_per_step: cfg.promptsPerStep, num_generations: cfg.numGenerations,
    max_completion_length: cfg.maxCompletionLength, num_iterations: cfg.numIterations, steps: cfg.steps, beta: cfg.beta,
    epsilon: cfg.epsilon, precision: cfg.precision ?? 'fp32', learning_rate: cfg.learningRate,
    gradient_accumulation_steps: cfg.gradientAccumulationSteps, gradient_checkpointing: cfg.gradientCheckpointing,
    max_tokens_per_micro_batch: cfg.maxTokensPerMicroBatch, settle_seconds: peer ? settleSeconds : 0,
  };
  const settle = settleFor(settleSeconds, log);
  const trl = peer ? benchTrl(peer.python, cfg, problems, peer.threads, log, settle) : {};
  if (peer) settle();
  log(`  ours: ${cfg.steps} step(s) of ${cfg.promptsPerStep} x ${cfg.numGenerations} x ${cfg.maxCompletionLength} tokens, μ = ${cfg.numIterations} ...`);
  const ours = await benchOurs(cfg, tasks, estimate, log);
  const result: GrpoBenchResult = { ours, ...trl, settings };
  if (result.trl) {
    result.ratios = {
      update: result.trl.update_s / ours.update_s, sampling: result.trl.sampling_s / ours.sampling_s,
      peak_rss: result.trl.peak_rss_gb / ours.peak_rss_gb,
    };
  }
  return result;
}
