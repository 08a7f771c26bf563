// The shape every reward function has: pure, batched, `(completions, ctx) => (number | null)[]`.
// It is not a registry (registry.ts) and holds no scoring logic. Follows the contract in the
// R1 paper's rule-based rewards (§2.2.2): one scalar per completion, null = "cannot be scored".

/** What a reward may need beside the completions; every array is aligned with the completions. */
export interface RewardContext {
  /** Gold answers, one per completion; null (or absent) where there is none. */
  gold?: (string | null)[];
  /** The prompts the completions answer, one per completion. */
  prompts?: string[];
  /** Task-specific fields (for example `numbers`, `target`, `tests`), documented by each reward. */
  [key: string]: unknown;
}

/**
 * A reward: one number per completion, or null when that completion cannot be scored
 * (no gold answer, no sandbox, malformed context). Never a silent 0, and never throws on
 * model output.
 */
export type RewardFn = (completions: string[], ctx: RewardContext) => (number | null)[];

/** A reward that needs asynchronous work (the code sandbox); same contract as RewardFn. */
export type AsyncRewardFn = (completions: string[], ctx: RewardContext) => Promise<(number | null)[]>;
