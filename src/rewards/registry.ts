// The reward registry: rewards by exact name, and combineRewards, the weighted sum the GRPO trainer
// uses, reporting every component. It holds no scoring logic (each reward lives in its own file)
// and follows the R1 paper's rule-based rewards (§2.2.2: accuracy + format; §2.3.2: + language). The world
// tasks' judges are src/rewards/worlds (the `task` reward).

import { CodeRunner, type CodeRewardOptions } from './code/index.js';
import { r1ZeroFormatReward } from './format.js';
import { accuracyReward } from './math/index.js';
import { arithmeticReward, countdownReward } from './tasks.js';
import { formatReward, languageReward, taskReward } from './worlds/index.js';
import type { AsyncRewardFn, RewardContext, RewardFn } from './types.js';

export interface RewardEntry {
  name: string;
  /** One line: what it scores and which ctx fields it reads. */
  description: string;
  fn: RewardFn;
  /** An asynchronous variant, where one exists (the code sandbox); combineRewardsAsync prefers it. */
  fnAsync?: AsyncRewardFn;
}

/** One term of a combined reward. */
export interface RewardSpec {
  name: string;
  /** Multiplies the component in the total (default 1). A weight of 0 reports without counting. */
  weight?: number;
}

export interface CombinedRewards {
  /**
   * Σ weight · component per completion; null when any component with a non-zero weight is null
   * for that completion (it cannot be scored as a whole, and the trainer should leave it out rather
   * than read it as 0).
   */
  total: (number | null)[];
  /** Every named component's own scores (null = that reward could not score the completion). */
  components: Record<string, (number | null)[]>;
}

export interface Registry {
  names(): string[];
  get(name: string): RewardEntry;
  combine(specs: RewardSpec[], completions: string[], ctx: RewardContext): CombinedRewards;
  combineAsync(specs: RewardSpec[], completions: string[], ctx: RewardContext): Promise<CombinedRewards>;
}

export interface RegistryOptions {
  code?: CodeRewardOptions;
  /** Where warnings go (a reward that threw or returned a malformed array); default console.warn. */
  warn?: (message: string) => void;
}

/** Builds a registry; its code reward owns one sandbox prober, so it warns at most once. */
export function createRegistry(opts: RegistryOptions = {}): Registry {
  const warn = opts.warn ?? ((m: string) => console.warn(m));
  const code = new CodeRunner({ warn, ...opts.code });
  const entries: RewardEntry[] = [
    { name: 'accuracy', description: 'math answer verified against ctx.gold (1/0; null without gold)', fn: accuracyReward },
    { name: 'format', description: 'the one format <think>\\n…\\n</think>\\n\\n<summary> (1/0; empty reasoning only for direct ctx.task)', fn: formatReward },
    { name: 'r1-zero-format', description: 'R1-Zero template <think>…</think><answer>…</answer> (1/0), for real models prompted with it', fn: r1ZeroFormatReward },
    { name: 'task', description: 'the check of ctx.task (a world) on the problem fields in ctx (1/0; null without a task)', fn: taskReward },
    { name: 'language', description: 'share of reasoning in ctx.language (world tasks: lines, ctx.lang; else words; default en)', fn: languageReward },
    { name: 'code', description: 'fraction of ctx.tests passed in the sandbox (ctx.codeLang python|js)', fn: code.reward, fnAsync: code.rewardAsync },
    { name: 'countdown', description: 'countdown equation over ctx.numbers hitting ctx.target (1/0)', fn: countdownReward },
    { name: 'arithmetic', description: 'exact integer answer (stated in the summary, or an R1-Zero <answer>) equal to ctx.gold (1/0)', fn: arithmeticReward },
  ];
  const byName = new Map(entries.map((e) => [e.name, e]));

  const get = (name: string): RewardEntry => {
    const e = byName.get(name);
    if (!e) throw new Error(`unknown reward '${name}'; use one of: ${[...byName.keys()].join(', ')}`);
    return e;
  };
  const checked = (specs: RewardSpec[]) => {
    if (!Array.isArray(specs) || specs.length === 0) throw new Error('combineRewards needs at least one {name, weight}');
    const seen = new Set<string>();
    return specs.map((s) => {
      const entry = get(s.name);
      const weight = s.weight ?? 1;
      if (!Number.isFinite(weight)) throw new Error(`reward '${s.name}': weight must be a finite number, got ${s.weight}`);
      if (seen.has(s.name)) throw new Error(`reward '${s.name}' is listed twice; give it one weight`);
      seen.add(s.name);
      return { entry, weight };
    });
  };
  /** A reward that threw: nulls for the batch and a warning. */
  const failed = (name: string, n: number, err: unknown): null[] => {
    warn(`r1: reward '${name}' threw (${err instanceof Error ? err.message : String(err)}); its scores are null for this batch`);
    return new Array(n).fill(null);
  };
  /** A reward's output made safe: a malformed array becomes nulls and a warning, non-finite scores null. */
  const validated = (name: string, n: number, out: unknown): (number | null)[] => {
    if (!Array.isArray(out) || out.length !== n) {
      warn(`r1: reward '${name}' returned ${Array.isArray(out) ? out.length : typeof out} scores for ${n} completions; its scores are null for this batch`);
      return new Array(n).fill(null);
    }
    return out.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null));
  };
  const total = (parts: { weight: number; scores: (number | null)[] }[], n: number) =>
    Array.from({ length: n }, (_, i) => {
      let sum = 0;
      for (const { weight, scores } of parts) {
        if (weight === 0) continue;
        const v = scores[i];
        if (v === null) return null;
        sum += weight * v;
      }
      return sum;
    });

  return {
    names: () => [...byName.keys()],
    get,
    combine(specs, completions, ctx) {
      const n = completions.length;
      const parts = checked(specs).map(({ entry, weight }) => {
        let scores: (number | null)[];
        try {
          scores = validated(entry.name, n, entry.fn(completions, ctx));
        } catch (err) {
          scores = failed(entry.name, n, err);
        }
        return { name: entry.name, weight, scores };
      });
      return { total: total(parts, n), components: Object.fromEntries(parts.map((p) => [p.name, p.scores])) };
    },
    async combineAsync(specs, completions, ctx) {
      const n = completions.length;
      const parts = await Promise.all(
        checked(specs).map(async ({ entry, weight }) => {
          let scores: (number | null)[];
          try {
            scores = validated(entry.name, n, await (entry.fnAsync ?? entry.fn)(completions, ctx));
          } catch (err) {
            scores = failed(entry.name, n, err);
          }
          return { name: entry.name, weight, scores };
        }),
      );
      return { total: total(parts, n), components: Object.fromEntries(parts.map((p) => [p.name, p.scores])) };
    },
  };
}

/**
 * The registry combineRewards uses when none is passed: created once at import (it probes nothing
 * until a code reward is asked for). Trainers that want their own sandbox limits build one.
 */
export const defaultRegistry: Registry = createRegistry();

/** The reward names, in registry order. */
export const REWARD_NAMES: readonly string[] = defaultRegistry.names();

/** A reward by exact name; throws naming the valid names for an unknown one (a config error, not model output). */
export function getReward(name: string, registry: Registry = defaultRegistry): RewardFn {
  return registry.get(name).fn;
}

/** Weighted sum of named rewards with every component reported (see CombinedRewards for nulls). */
export function combineRewards(specs: RewardSpec[], completions: string[], ctx: RewardContext, registry: Registry = defaultRegistry): CombinedRewards {
  return registry.combine(specs, completions, ctx);
}

/** combineRewards with the asynchronous variants (the code sandbox without a child process). */
export function combineRewardsAsync(specs: RewardSpec[], completions: string[], ctx: RewardContext, registry: Registry = defaultRegistry): Promise<CombinedRewards> {
  return registry.combineAsync(specs, completions, ctx);
}
