// `grpo()`, the library's one call for a GRPO run (`import { grpo } from 'r1ts/rl'`): options named as the config's
// (TRL's GRPOConfig in camelCase), rewards as TRL's reward_funcs + reward_weights in one list: built-in names, functions,
// `path#export` modules. Not the loop (trainer.ts) nor the config's validation (config.ts). TRL 1.13 GRPOTrainer.
import { isAbsolute, resolve } from 'node:path';
import { resolveConfig, type GrpoConfig, type RewardSpec } from './config.js';
import { RewardModuleError, type UserRewardFn } from './reward-module.js';
import { runGrpo, type RunResult } from './run.js';
import type { TrainerHooks } from './trainer.js';

/** One reward: a built-in's name ('accuracy'), a function (named by its name), or an entry with a weight. */
export type RewardInput = string | UserRewardFn | {
  /** The component's name in metrics.jsonl; default the built-in's, the function's, or the module's export name. */
  name?: string;
  fn?: UserRewardFn;
  /** `path#export` of a .ts/.js module (relative to the working directory). */
  module?: string;
  /** Default 1. */
  weight?: number;
  kinds?: string[];
};

export interface GrpoOptions extends Partial<Omit<GrpoConfig, 'rewards' | 'model' | 'out'>>, TrainerHooks {
  model: string;
  out: string;
  /** The rewards, weighted-summed (default: the world's task judge + 0.1 × format; a dataset's accuracy + 0.1 × format). */
  rewards?: RewardInput[];
  /** Continue the run in `out` from its latest checkpoint (pass the same functions again). */
  resume?: boolean;
}

/** The rewards list as reward specs: functions keep `fn` (left out of config.json), modules an absolute path. */
export function rewardSpecs(rewards: readonly RewardInput[]): RewardSpec[] {
  return rewards.map((r, i): RewardSpec => {
    if (typeof r === 'string') return { name: r, weight: 1 };
    if (typeof r === 'function') {
      if (!r.name) throw new RewardModuleError(`rewards[${i}] is an anonymous function; name it (function correct(...) {...}) or pass {name, fn}`);
      return { name: r.name, weight: 1, fn: r };
    }
    const module = r.module && !isAbsolute(r.module.split('#')[0]!) ? resolve(r.module) : r.module;
    const name = r.name ?? r.fn?.name ?? (module ? (module.includes('#') ? module.slice(module.lastIndexOf('#') + 1) : 'default') : undefined);
    if (!name) throw new RewardModuleError(`rewards[${i}] needs a name, fn or module`);
    return { name, weight: r.weight ?? 1, ...(r.kinds ? { kinds: r.kinds } : {}), ...(r.fn ? { fn: r.fn } : {}), ...(module ? { module } : {}) };
  });
}

/** Runs (or resumes) GRPO; resolves when it stops, with its last evaluation and checkpoint. */
export async function grpo(opts: GrpoOptions): Promise<RunResult> {
  const { rewards, resume, log, shouldStop, progress, onEval, ...config } = opts;
  const cfg = resolveConfig({ ...config, ...(rewards ? { rewards: rewardSpecs(rewards) } : {}) });
  return runGrpo(cfg, { resume, log, shouldStop, progress, onEval });
}
