// A GRPO run from a resolved config: builds the task source, loads the policy (from the latest
// checkpoint when resuming) and the reference model (only when beta > 0), writes config.json, trains.
// Not flag parsing (src/cli/grpo.ts) and not the loop (trainer.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../model/checkpoint.js';
import { loadTokenizer } from '../model/tokenizer.js';
import { DatasetError, loadProblems, type ChatMessage } from '../data/datasets.js';
import { defaultDataTemplate, TemplateError } from '../data/chat.js';
import { getWorld } from '../data/worlds/index.js';
import type { GrpoConfig } from './config.js';
import { latestCheckpoint } from './state.js';
import { dataTasks, worldTasks, type TaskSource } from './tasks.js';
import { GrpoTrainer, writeRunConfig, type EvalMetrics, type TrainerHooks } from './trainer.js';
import { RewardSet } from './reward-module.js';
import { defaultRegistry } from '../rewards/registry.js';
import { Rng } from '../util/rng.js';

export interface RunResult {
  reason: 'done' | 'time' | 'interrupted';
  steps: number;
  /** Seconds of training (steps and periodic evaluations), across resumes. */
  seconds: number;
  lastEval: EvalMetrics | null;
  checkpoint: string;
  trainer: GrpoTrainer;
}

/**
 * The problems of a config: its world (template default 'compact') or its dataset (default 'chat' when the checkpoint
 * has a chat template, else 'r1-zero'; conversational rows need 'chat').
 */
export async function buildTasks(cfg: GrpoConfig): Promise<TaskSource> {
  const template = cfg.template ?? (cfg.world ? 'compact' : defaultDataTemplate(cfg.model));
  const tokenizer = template === 'chat' ? await loadTokenizer(cfg.model) : null;
  const renderChat = tokenizer && ((m: ChatMessage[]) => tokenizer.applyChatTemplate(m, { addGenerationPrompt: true }));
  try {
    if (cfg.world) return worldTasks(getWorld(cfg.world), template, cfg.seed, renderChat);
    const all = await loadProblems(cfg.data!);
    const held = cfg.evalData ? await loadProblems(cfg.evalData) : all.slice(Math.max(0, all.length - cfg.evalProblems));
    const train = cfg.evalData ? all : all.slice(0, Math.max(0, all.length - cfg.evalProblems));
    return dataTasks(cfg.data!, train, held, template, renderChat);
  } catch (e) {
    if (e instanceof TemplateError) throw new DatasetError(`${cfg.data ?? `world ${cfg.world}`}: ${e.message}`);
    if (e instanceof Error && /chat_template/.test(e.message)) throw new DatasetError(`--template chat: ${cfg.model}: ${e.message}`);
    throw e;
  }
}

/** Runs (or with resume, continues) GRPO as configured. */
export async function runGrpo(cfg: GrpoConfig, opts: { resume?: boolean } & TrainerHooks = {}): Promise<RunResult> {
  const log = opts.log ?? (() => {});
  const tasks = await buildTasks(cfg);
  // user reward modules load, and answer a probe of two training problems, before any model is loaded
  const rewards = await RewardSet.load(cfg.rewards, defaultRegistry);
  if (rewards.hasUserRewards) await rewards.probe(tasks.draw(new Rng(cfg.seed ^ 0x9e37), 2));
  const ckpt = opts.resume ? latestCheckpoint(cfg.out) : null;
  if (opts.resume && !ckpt) {
    if (existsSync(join(cfg.out, 'metrics.jsonl'))) throw new Error(`--resume: ${cfg.out} has no complete checkpoint (checkpoints/step-N/trainer_state.json); start again without --resume`);
    log(`resume: nothing to resume in ${cfg.out}; starting fresh`);
  }
  const policy = await loadCheckpoint(ckpt ? ckpt.dir : cfg.model);
  const ref = cfg.beta > 0 ? (await loadCheckpoint(cfg.model)).model : null;
  writeRunConfig(cfg);
  const trainer = new GrpoTrainer(cfg, policy.model, policy.tokenizer, ref, tasks);
  trainer.rewardSet = Promise.resolve(rewards);
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
