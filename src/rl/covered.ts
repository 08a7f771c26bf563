// Rule rewards limited to some problems (R1 §2.3.4: rules for reasoning prompts, reward models for general ones): a
// reward spec with `kinds` counts only for problems whose `kind` or `task` field is listed; elsewhere it adds nothing
// to the total. Pure; the registry still reports every component as scored. Not the registry's combine.

import type { ChatMessage } from '../data/datasets.js';
import type { JudgeTemplate } from '../rewards/judge-model.js';
import type { ReplyView } from './rm.js';

/** A prompt as the dataset gave it: a question, or (TRL's conversational format) a list of messages. */
export type RewardPrompt = string | ChatMessage[];
/** A completion: its text, or for a conversational prompt TRL's `[{role: 'assistant', content}]`. */
export type RewardCompletion = string | ChatMessage[];
/** Every dataset column (a world's problem fields) as one array entry per completion, plus `gold`, the reference answer. */
export type RewardColumns = Record<string, unknown[]> & { gold: (string | null)[] };

/**
 * A user reward: one score per completion, `null` (or NaN, TRL's None) where it does not apply; the weighted total
 * skips it, as TRL's nansum does. Completions of one prompt are consecutive (numGenerations of each).
 */
export type UserRewardFn = (prompts: RewardPrompt[], completions: RewardCompletion[], columns: RewardColumns) =>
  (number | null)[] | Promise<(number | null)[]>;

/**
 * One reward of a GRPO config's `rewards` list, all kinds in one list (TRL's reward_funcs + reward_weights): a rule
 * reward of the registry by name, a user function (`module` or `fn`), a reward model (`rewardModel`) or a judge model
 * (`judge`). Each adds weight · its score to the total, where `kinds` covers the problem.
 */
export interface RewardSpec {
  /** The component's name in metrics.jsonl (`rewards/NAME/mean`): a rule reward's is the registry's (src/rewards/registry.ts): accuracy, format, language, countdown, … */
  name: string;
  /** Its weight in the total reward. */
  weight: number;
  /** Count it only for problems whose `kind` or `task` field is listed (e.g. the reasoning worlds); default every problem. */
  kinds?: string[];
  // --- reward (issue 22): user rewards in the same list (src/rl/reward-module.ts) ---
  /** A user reward module, `path#export` (.ts/.js; `--reward-module`); `name` is then its component name. Its nulls are skipped (TRL's nansum). */
  module?: string;
  /** A user reward function passed through the library (`grpo()`); not written to config.json. */
  fn?: UserRewardFn;
  // --- reward and judge models (DeepSeek-R1 §2.3.4; src/rl/rm-reward.ts) ---
  /** A reward model: a folder written by `r1 train-rm`, read on `on`. */
  rewardModel?: string;
  /** What the reward model reads of a reply: 'summary' (after `</think>`; helpfulness) or 'whole' (harmlessness); the view it was trained on. */
  on?: ReplyView;
  /** A judge model asked for a verdict on each reply. */
  judge?: JudgeRef;
}

/** A judge model in a rewards entry: `model` is the served name with `endpoint`, else a checkpoint folder run greedily in-process. */
export interface JudgeRef {
  model: string;
  /** An OpenAI-compatible base URL (e.g. http://localhost:8000). */
  endpoint?: string;
  /** The environment variable holding the endpoint's API key (the key itself never goes in a config). */
  apiKeyEnv?: string;
  /** The judge prompt: 'instruct' (default with an endpoint) or 'compact' (default for a local model). */
  template?: JudgeTemplate;
}

/** A reward or judge model entry (scored by rm-reward.ts's ModelRewards, after the rule and user rewards). */
export const isModelReward = (r: RewardSpec): boolean => r.rewardModel !== undefined || r.judge !== undefined;

/** A problem's fields as the trainer holds them. */
export interface KindedProblem {
  fields: Record<string, unknown>;
}

/** The names a problem answers to in `kinds`: its `kind` (e.g. harmful), `task` (its world, e.g. addition-bi) and `mix_part` (its part of a mixture, e.g. addition-bi@2). */
export function problemKinds(p: KindedProblem): string[] {
  return [p.fields['kind'], p.fields['task'], p.fields['mix_part']].filter((k): k is string => typeof k === 'string');
}

/** Whether spec counts for problem p (no `kinds`: every problem). */
export function specCovers(spec: { kinds?: string[] }, p: KindedProblem): boolean {
  if (!spec.kinds) return true;
  return problemKinds(p).some((k) => spec.kinds!.includes(k));
}

/**
 * A `kinds` entry that names no problem of the task source silently turns its reward off; this finds them in a sample
 * of the source's problems and returns one message per reward (naming the entry and the kinds there are), [] when all match.
 */
export function unmatchedKinds(specs: readonly { name: string; kinds?: string[] }[], problems: readonly KindedProblem[]): string[] {
  const seen = new Set(problems.flatMap(problemKinds));
  const out: string[] = [];
  for (const s of specs) {
    const missing = (s.kinds ?? []).filter((k) => !seen.has(k));
    if (missing.length) out.push(`reward '${s.name}': kinds ${missing.map((k) => `'${k}'`).join(', ')} match no problem (the problems' kinds: ${[...seen].sort().join(', ') || 'none: the problems carry no kind'})`);
  }
  return out;
}

/**
 * Σ weight · component over the specs that cover each row's problem; null where a covering component with a non-zero
 * weight is null (the row cannot be scored), as the registry's own total does. The components named in `nansum` (user
 * reward functions) follow TRL instead: their null adds nothing, and a row where each of them was null and nothing
 * else counted is null (TRL: every reward NaN).
 */
export function coveredTotal(specs: readonly RewardSpec[], components: Record<string, (number | null)[]>, rows: readonly KindedProblem[],
  nansum: ReadonlySet<string> = new Set()): (number | null)[] {
  return rows.map((p, i) => {
    let t = 0, counted = 0, skipped = 0;
    for (const s of specs) {
      if (!specCovers(s, p)) continue;
      const v = components[s.name]?.[i] ?? null;
      if (v === null) {
        if (s.weight === 0) continue;
        if (!nansum.has(s.name)) return null;
        skipped++;
        continue;
      }
      t += s.weight * v;
      if (s.weight !== 0) counted++;
    }
    return counted === 0 && skipped > 0 ? null : t;
  });
}
