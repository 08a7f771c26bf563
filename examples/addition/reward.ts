// Rewards for `r1 grpo --reward-module`, written as TRL's reward functions are: batched, one score per completion,
// null where a reward does not apply. For the addition world's one format: `<think>\n…\n</think>\n\nThe answer is N.`
// Not r1ts's own judges (src/rewards): only what a user would write. Run: see examples/README.md.
import type { RewardColumns, RewardCompletion, RewardPrompt } from 'r1ts/rl';

/** The reply's text: a plain completion, or (conversational prompts) the assistant message TRL hands over. */
const textOf = (c: RewardCompletion): string => (typeof c === 'string' ? c : c.map((m) => m.content).join(''));

/** The last integer after `</think>`; null when the reply has no such part. */
function finalNumber(reply: string): number | null {
  const end = reply.lastIndexOf('</think>');
  if (end < 0) return null;
  const numbers = reply.slice(end).match(/-?\d+/g);
  return numbers ? Number(numbers[numbers.length - 1]) : null;
}

/** 1 when the final answer equals the `answer` column, else 0; null for a row without one. */
export function correct(_prompts: RewardPrompt[], completions: RewardCompletion[], columns: RewardColumns): (number | null)[] {
  return completions.map((c, i) => {
    const gold = columns.answer?.[i] ?? columns.gold[i];
    if (gold === null || gold === undefined) return null;
    return finalNumber(textOf(c)) === Number(gold) ? 1 : 0;
  });
}

/** 1 for `<think>\n…\n</think>\n\n` then a one-line answer, else 0. */
export function format(_prompts: RewardPrompt[], completions: RewardCompletion[]): number[] {
  return completions.map((c) => (/^<think>\n[\s\S]*\n<\/think>\n\n[^\n]+$/.test(textOf(c)) ? 1 : 0));
}
