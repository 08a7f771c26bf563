// A GRPO run from a resolved config: builds the task source, loads the policy (from the latest
// checkpoint when resuming) and the reference model (only when beta > 0), writes config.json, trains.
// Not flag parsing (src/cli/grpo.ts) and not the loop (trainer.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { totalmem } from 'node:os';
import { loadCheckpoint, loadConfig } from '../model/checkpoint.js';
import { loadTokenizer } from '../model/tokenizer.js';
import { estimateMemory, formatEstimate, type MemoryEstimate } from '../model/memory.js';
import { getKernels } from '../tensor/index.js';
import { attachLora, loraOf, moduleShape } from '../model/lora.js';
import { resolveTargets } from '../run/lora-targets.js';
import type { ModelConfig } from '../model/config.js';
import { loadModel } from '../model/lora-io.js';
import { DatasetError, loadProblems, type ChatMessage } from '../data/datasets.js';
import { defaultDataTemplate, TemplateError } from '../data/chat.js';
import { getWorld } from '../data/worlds/index.js';
import { ConfigError, type GrpoConfig } from './config.js';
import { latestCheckpoint } from './state.js';
import { dataTasks, worldTasks, type TaskSource } from './tasks.js';
import { jsonlMetrics } from '../run/metrics.js';
import { runContext, type RunContext } from '../run/context.js';
import { GrpoTrainer, writeRunConfig, type EvalMetrics, type TrainerHooks } from './trainer.js';
import { RewardSet } from './reward-module.js';
import { defaultRegistry } from '../rewards/registry.js';
import { Rng } from '../util/rng.js';
import { EndpointRollout } from './rollout.js';

export interface RunResult {
  reason: 'done' | 'time' | 'interrupted' | 'no-servers';
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

/**
 * Runs (or with resume, continues) GRPO as configured. The run context gives the stop signal, log lines, progress
 * (phase 'grpo', after each step), the matmul precision when cfg.precision is null, and the metrics writer.
 */
export async function runGrpo(cfg: GrpoConfig, ctx: RunContext = runContext(), opts: { resume?: boolean } & TrainerHooks = {}): Promise<RunResult> {
  const log = ctx.log;
  const tasks = await buildTasks(cfg);
  // user reward modules load, and answer a probe of two training problems, before any model is loaded
  const rewards = await RewardSet.load(cfg.rewards, defaultRegistry);
  if (rewards.hasUserRewards) await rewards.probe(tasks.draw(new Rng(cfg.seed ^ 0x9e37), 2, true));
  const ckpt = opts.resume ? latestCheckpoint(cfg.out) : null;
  if (opts.resume && !ckpt) {
    if (existsSync(join(cfg.out, 'metrics.jsonl'))) throw new Error(`--resume: ${cfg.out} has no complete checkpoint (checkpoints/step-N/trainer_state.json); start again without --resume`);
    log(`resume: nothing to resume in ${cfg.out}; starting fresh`);
  }
  const est = await estimateRun(cfg, tasks);
  log(`memory estimate: ${formatEstimate(est)}, of ${(memoryLimit(cfg) / 1024 ** 3).toFixed(1)} GiB`);
  const refusal = memoryRefusal(cfg, est, memoryLimit(cfg));
  if (refusal) throw new ConfigError(refusal);
  // LoRA: the policy is the base plus an adapter (a resumed run's latest one), and the reference is the same model with it off
  const policy = cfg.loraR > 0 ? await loadModel(cfg.model, ckpt?.dir) : await loadCheckpoint(ckpt ? ckpt.dir : cfg.model);
  if (cfg.loraR > 0 && !ckpt) attachLora(policy.model, cfg, cfg.seed + 4243);
  if (cfg.loraR > 0 && ckpt) loraOf(policy.model)!.rng = new Rng(cfg.seed + 4244); // dropout masks
  const ref = cfg.beta > 0 ? (cfg.loraR > 0 ? policy.model : (await loadCheckpoint(cfg.model)).model) : null;
  writeRunConfig(cfg);
  const trainer = new GrpoTrainer(cfg, policy.model, policy.tokenizer, ref, tasks);
  trainer.rewardSet = Promise.resolve(rewards);
  // A fresh run starts its logs over (a folder reused without --resume would otherwise mix two runs' curves).
  trainer.metrics = ctx.metrics ?? jsonlMetrics(cfg.out, { fresh: !ckpt });
  if (ckpt) {
    trainer.resumeFrom(ckpt.dir);
    log(`resumed from ${ckpt.dir} (step ${ckpt.step})`);
  }
  if (cfg.rollout !== 'local') { // the servers are checked and given the trainer's weights before the first step
    trainer.rollout = await EndpointRollout.open(cfg.rollout, {
      kind: cfg.loraR > 0 ? 'lora' : 'full', syncDir: join(cfg.out, 'weight-sync'), baseModel: cfg.model, model: policy.model,
      tokenizer: policy.tokenizer, version: trainer.step, probePrompt: policy.tokenizer.encode(tasks.draw(new Rng(cfg.seed ^ 0x51), 1, true)[0]!.prompt), log,
    });
  }
  const reason = await trainer.train(ctx, opts).finally(() => trainer.rollout?.close());
  return {
    reason, steps: trainer.step, seconds: trainer.elapsed, lastEval: trainer.lastEval,
    checkpoint: join(cfg.out, 'checkpoints', `step-${trainer.step}`), trainer,
  };
}

/** The run's peak-memory estimate from the model's config and the longest of 64 drawn prompts (before any weights load). */
export async function estimateRun(cfg: GrpoConfig, tasks: TaskSource): Promise<MemoryEstimate> {
  const config = loadConfig(cfg.model);
  const tok = await loadTokenizer(cfg.model);
  const prompt = Math.max(1, ...tasks.draw(new Rng(cfg.seed ^ 0x3e3), 64, true).map((p) => tok.encode(p.prompt).length));
  const seq = prompt + cfg.maxCompletionLength;
  const rows = cfg.promptsPerStep * cfg.numGenerations;
  const perMicro = Math.ceil(rows / cfg.gradientAccumulationSteps) * (seq - 1);
  const microBatchTokens = cfg.maxTokensPerMicroBatch > 0 ? Math.min(perMicro, Math.max(cfg.maxTokensPerMicroBatch, seq - 1)) : perMicro;
  const precision = cfg.precision === 'bf16' || (cfg.precision === 'auto' && getKernels().bf16 !== null) ? 'bf16' : 'fp32';
  return estimateMemory(config, {
    microBatchTokens, gradientCheckpointing: cfg.gradientCheckpointing, reference: cfg.beta > 0 && cfg.loraR === 0,
    trainableParameters: cfg.loraR > 0 ? loraParameterCount(config, cfg.loraR, cfg.loraTargetModules) : undefined,
    sampleRows: cfg.generationBatchSize ?? rows, sampleLength: seq, precision, bf16SamplingWeights: cfg.samplingPrecision === 'bf16' && cfg.rollout === 'local',
  });
}

/** Scalars of a LoRA adapter of rank r on the target modules of every layer: r × (in + out) per projection. */
function loraParameterCount(c: ModelConfig, r: number, targets: readonly string[] | string): number {
  return c.num_hidden_layers * resolveTargets(targets).reduce((s, m) => s + r * moduleShape(c, m).reduce((a, b) => a + b, 0), 0);
}

/** Bytes the run may use: memoryLimitGb, or the machine's total memory. */
export function memoryLimit(cfg: GrpoConfig): number {
  return cfg.memoryLimitGb > 0 ? cfg.memoryLimitGb * 1024 ** 3 : totalmem();
}

/** The one-line refusal of a run whose estimate exceeds the limit, naming the options that lower it; null when it fits. */
export function memoryRefusal(cfg: GrpoConfig, est: MemoryEstimate, limit: number): string | null {
  if (est.total <= limit) return null;
  const options = [
    ...(cfg.gradientCheckpointing ? [] : ['--gradient-checkpointing']),
    '--max-tokens-per-micro-batch N (or --gradient-accumulation-steps N)', '--generation-batch-size N',
    'a smaller --max-completion-length or --prompts-per-step', ...(cfg.beta > 0 ? ['--beta 0 (no reference model)'] : []),
  ];
  return `this run needs about ${formatEstimate(est)} but ${cfg.memoryLimitGb > 0 ? 'memoryLimitGb allows' : 'the machine has'} ` +
    `${(limit / 1024 ** 3).toFixed(1)} GiB; lower it with ${options.join(', ')}`;
}
