// `grpo()`, the library's one call for a GRPO run (`import { grpo } from 'r1ts/rl'`): options named as the config's
// (TRL's GRPOConfig in camelCase), rewards as TRL's reward_funcs + reward_weights in one list: built-in names, functions,
// `path#export` modules. Not the loop (trainer.ts) nor the config's validation (config.ts). TRL 1.13 GRPOTrainer.
import { isAbsolute, resolve } from 'node:path';
import { resolveConfig, type GrpoConfig, type RewardSpec } from './config.js';
import type { JudgeRef } from './covered.js';
import { RewardModuleError, type UserRewardFn } from './reward-module.js';
import { runGrpo, type RunResult } from './run.js';
import type { TrainerHooks } from './trainer.js';
import { runContext, type RunContext } from '../run/context.js';

/**
 * One reward: a built-in's name ('accuracy'), a function (named by its name), an entry with a weight, or a reward model
 * (`{name, rewardModel: DIR, on}`) or judge model (`{name, judge: {model, endpoint?, ...}}`), as the config's
 * rewards entries are.
 */
export type RewardInput = string | UserRewardFn | ModelRewardInput | {
  /** The component's name in metrics.jsonl; default the built-in's, the function's, or the module's export name. */
  name?: string;
  fn?: UserRewardFn;
  /** `path#export` of a .ts/.js module (relative to the working directory). */
  module?: string;
  /** Default 1. */
  weight?: number;
  kinds?: string[];
};

/** A reward model or judge in the rewards list (src/rl/rm-reward.ts has what each field does). */
export type ModelRewardInput = { name: string; weight?: number; kinds?: string[] } &
  ({ rewardModel: string; on: NonNullable<RewardSpec['on']> } | { judge: JudgeRef });

export interface GrpoOptions extends Partial<Omit<GrpoConfig, 'rewards' | 'model' | 'out'>>, TrainerHooks, Partial<Pick<RunContext, 'log' | 'signal' | 'metrics'>> {
  model: string;
  out: string;
  /** After each step: step of steps, the share of the budget spent (time or steps, whichever is ahead), numbers to show. */
  progress?: (step: number, steps: number, fraction: number, values: Record<string, number | string>) => void;
  /** The rewards, weighted-summed (default rule rewards: the world's task judge + 0.1 × format; a dataset's accuracy + 0.1 × format). */
  rewards?: RewardInput[];
  /** Continue the run in `out` from its latest checkpoint (pass the same functions again). */
  resume?: boolean;
}

/**
 * The rewards list as the config's entries: functions keep `fn` (left out of config.json), modules an absolute path,
 * reward models and judges their `rewardModel` / `judge` fields.
 */
export function rewardSpecs(rewards: readonly RewardInput[]): RewardSpec[] {
  return rewards.map((r, i): RewardSpec => {
    if (typeof r === 'string') return { name: r, weight: 1 };
    if (typeof r === 'function') {
      if (!r.name) throw new RewardModuleError(`rewards[${i}] is an anonymous function; name it (function correct(...) {...}) or pass {name, fn}`);
      return { name: r.name, weight: 1, fn: r };
    }
    const common = { weight: r.weight ?? 1, ...(r.kinds ? { kinds: r.kinds } : {}) };
    if ('rewardModel' in r) return { name: r.name, ...common, rewardModel: r.rewardModel, on: r.on };
    if ('judge' in r) return { name: r.name, ...common, judge: r.judge };
    const module = r.module && !isAbsolute(r.module.split('#')[0]!) ? resolve(r.module) : r.module;
    const name = r.name ?? r.fn?.name ?? (module ? (module.includes('#') ? module.slice(module.lastIndexOf('#') + 1) : 'default') : undefined);
    if (!name) throw new RewardModuleError(`rewards[${i}] needs a name, fn or module`);
    return { name, ...common, ...(r.fn ? { fn: r.fn } : {}), ...(module ? { module } : {}) };
  });
}

/** Runs (or resumes) GRPO; resolves when it stops, with its last evaluation and checkpoint. */
export async function grpo(opts: GrpoOptions): Promise<RunResult> {
  const { rewards, resume, log, signal, metrics, progress, onEval, ...config } = opts;
  const cfg = resolveConfig({ ...config, ...(rewards ? { rewards: rewardSpecs(rewards) } : {}) }); // only models: the default rule rewards beside them
  const ctx = runContext({ log, signal, metrics, progress: progress && ((_, step, steps, fraction, values) => progress(step, steps, fraction, values ?? {})) });
  return runGrpo(cfg, ctx, { resume, onEval });
}
