// Task rewards by answer: countdown (an equation that uses each given number once and hits the target) and
// arithmetic (exact integer answer), for any reply: the one format's stated answer, or an R1-Zero `<answer>` tag.
// Equations are parsed by expr.ts (exact rationals), never evaluated with eval. The worlds' judges reuse these.

import { parseExpr, type Rational } from './expr.js';
import { replyAnswer } from './worlds/reply.js';
import type { RewardContext, RewardFn } from './types.js';

export type CountdownVerdict = 'correct' | 'no-answer' | 'unparsable' | 'wrong-numbers' | 'wrong-value';

const sameMultiset = (a: bigint[], b: bigint[]) => {
  if (a.length !== b.length) return false;
  const x = [...a].sort((p, q) => (p < q ? -1 : p > q ? 1 : 0));
  const y = [...b].sort((p, q) => (p < q ? -1 : p > q ? 1 : 0));
  return x.every((v, i) => v === y[i]);
};
const equalsInt = (r: Rational, n: bigint) => r.den === 1n && r.num === n;

/**
 * Judges one countdown answer: `equation` or `equation = target`, over + - * / and parentheses,
 * binary operators only, each of `numbers` used exactly once (all of them, as a multiset), value
 * exactly `target` (rational arithmetic; intermediate fractions are allowed, as in TinyZero).
 */
export function countdownVerdict(answer: string | null, numbers: number[], target: number): CountdownVerdict {
  return countdownOutcome(answer, numbers, target).verdict;
}

/** countdownVerdict's verdict with the exact value of the expression (null when it does not parse). */
export function countdownOutcome(answer: string | null, numbers: number[], target: number): { verdict: CountdownVerdict; value: Rational | null } {
  if (answer === null || answer.trim() === '') return { verdict: 'no-answer', value: null };
  const sides = answer.split('=');
  if (sides.length > 2) return { verdict: 'unparsable', value: null };
  if (sides.length === 2 && !/^\s*\d+\s*$/.test(sides[1])) return { verdict: 'unparsable', value: null };
  const r = parseExpr(sides[0], { allowUnary: false });
  if (!r.ok) return { verdict: 'unparsable', value: null };
  const value = r.expr.value;
  if (sides.length === 2 && BigInt(sides[1].trim()) !== BigInt(target)) return { verdict: 'wrong-value', value };
  if (!sameMultiset(r.expr.numbers, numbers.map((n) => BigInt(n)))) return { verdict: 'wrong-numbers', value };
  return { verdict: equalsInt(value, BigInt(target)) ? 'correct' : 'wrong-value', value };
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);

/** ctx field `key` for completion i: a per-completion array, or one value shared by all. */
function perItem(ctx: RewardContext, key: string, i: number, isShared: (v: unknown) => boolean): unknown {
  const v = ctx[key];
  if (isShared(v)) return v;
  return Array.isArray(v) ? v[i] : undefined;
}

/**
 * Countdown reward: 1 when the completion's answer (see replyAnswer) is a correct equation, else 0.
 * ctx.numbers: number[] per completion (or one number[] for all); ctx.target: number per
 * completion (or one for all). Null where they are missing or not non-negative integers.
 */
export const countdownReward: RewardFn = (completions, ctx) =>
  completions.map((c, i) => {
    const numbers = perItem(ctx, 'numbers', i, (v) => Array.isArray(v) && v.every((x) => typeof x === 'number'));
    const target = perItem(ctx, 'target', i, (v) => typeof v === 'number');
    if (!Array.isArray(numbers) || numbers.length === 0 || !numbers.every((n) => isInt(n) && n >= 0)) return null;
    if (!isInt(target)) return null;
    return countdownVerdict(replyAnswer(String(c)), numbers, target) === 'correct' ? 1 : 0;
  });

const INT = /^[+-]?\d+$/;

/** An integer answer string (`-42`, `1,234`, `42.`) as a BigInt, or null. */
export function parseIntegerAnswer(s: string): bigint | null {
  const t = s.trim().replace(/\.$/, '').replace(/(\d),(?=\d{3}(?:\D|$))/g, '$1').replace(/^\+/, '');
  return INT.test(t) ? BigInt(t) : null;
}

/**
 * Arithmetic reward: 1 when the completion's answer (see replyAnswer) is exactly the gold integer, else 0
 * (also when there is none). ctx.gold: one integer string per completion; null where the gold is
 * missing or not an integer.
 */
export const arithmeticReward: RewardFn = (completions, ctx) =>
  completions.map((c, i) => {
    const g = ctx.gold?.[i];
    const gold = typeof g === 'string' ? parseIntegerAnswer(g) : typeof g === 'number' && isInt(g) ? BigInt(g) : null;
    if (gold === null) return null;
    const ans = replyAnswer(String(c));
    if (ans === null) return 0;
    return parseIntegerAnswer(ans) === gold ? 1 : 0;
  });
