// A GRPO run from a resolved config: builds the task source, loads the policy (from the latest
// checkpoint when resuming) and the reference model (only when beta > 0), writes config.json, trains.
// Not flag parsing (src/cli/grpo.ts) and not the loop (trainer.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../model/checkpoint.js';
import { attachLora } from '../model/lora.js';
import { Rng } from '../util/rng.js';
import { loadModel } from '../model/lora-io.js';
import { loadProblems } from '../data/datasets.js';
import { getWorld } from '../data/worlds/index.js';
import type { GrpoConfig } from './config.js';
import { latestCheckpoint } from './state.js';
import { dataTasks, worldTasks, type TaskSource } from './tasks.js';
import { GrpoTrainer, writeRunConfig, type EvalMetrics, type TrainerHooks } from './trainer.js';

export interface RunResult {
  reason: 'done' | 'time' | 'interrupted';
  steps: number;
  /** Seconds of training (steps and periodic evaluations), across resumes. */
  seconds: number;
  lastEval: EvalMetrics | null;
  checkpoint: string;
  trainer: GrpoTrainer;
}

/** The problems of a config: its world (template default 'compact') or its dataset (default 'r1-zero'). */
export async function buildTasks(cfg: GrpoConfig): Promise<TaskSource> {
  if (cfg.world) return worldTasks(getWorld(cfg.world), cfg.template ?? 'compact', cfg.seed);
  const all = await loadProblems(cfg.data!);
  const held = cfg.evalData ? await loadProblems(cfg.evalData) : all.slice(Math.max(0, all.length - cfg.evalProblems));
  const train = cfg.evalData ? all : all.slice(0, Math.max(0, all.length - cfg.evalProblems));
  return dataTasks(cfg.data!, train, held, cfg.template ?? 'r1-zero');
}

/** Runs (or with resume, continues) GRPO as configured. */
export async function runGrpo(cfg: GrpoConfig, opts: { resume?: boolean } & TrainerHooks = {}): Promise<RunResult> {
  const log = opts.log ?? (() => {});
  const tasks = await buildTasks(cfg);
  const ckpt = opts.resume ? latestCheckpoint(cfg.out) : null;
  if (opts.resume && !ckpt) {
    if (existsSync(join(cfg.out, 'metrics.jsonl'))) throw new Error(`--resume: ${cfg.out} has no complete checkpoint (checkpoints/step-N/trainer_state.json); start again without --resume`);
    log(`resume: nothing to resume in ${cfg.out}; starting fresh`);
  }
  // LoRA: the policy is the base plus an adapter (a resumed run's latest one), and the reference is the same model with it off
  const policy = cfg.loraR > 0 ? await loadModel(cfg.model, ckpt?.dir) : await loadCheckpoint(ckpt ? ckpt.dir : cfg.model);
  if (cfg.loraR > 0 && !ckpt) attachLora(policy.model, cfg, cfg.seed + 4243);
  if (cfg.loraR > 0 && ckpt) policy.model.adapter!.rng = new Rng(cfg.seed + 4244); // dropout masks
  const ref = cfg.beta > 0 ? (cfg.loraR > 0 ? policy.model : (await loadCheckpoint(cfg.model)).model) : null;
  writeRunConfig(cfg);
  const trainer = new GrpoTrainer(cfg, policy.model, policy.tokenizer, ref, tasks);
  if (ckpt) {
    trainer.resumeFrom(ckpt.dir);
    log(`resumed from ${ckpt.dir} (step ${ckpt.step})`);
  }
  const reason = await trainer.train(opts);
  return {
    reason, steps: trainer.step, seconds: trainer.elapsed, lastEval: trainer.lastEval,
    checkpoint: join(cfg.out, 'checkpoints', `step-${trainer.step}`), trainer,
  };
}
