// The judges of the search worlds: countdown (`{numbers, target}`: an equation over + - * / using each number
// exactly once, exact rationals via ../tasks.ts's countdownOutcome) and subset sum (`{numbers, target}`: a pick
// `a+b+c` of the numbers, each at most once). Vote keys make different right answers agree. Never throws.
import { countdownOutcome } from '../tasks.js';
import { NO_ANSWER, readReply, type TaskVerdict } from './reply.js';

export interface NumbersTarget {
  numbers: number[];
  target: number;
}

const compact = (s: string) => s.replace(/\s+/g, '');

/** Countdown: right when the stated equation uses exactly the numbers and equals the target. */
export function checkCountdown(p: NumbersTarget, completion: string): TaskVerdict {
  const r = readReply(completion, false);
  const o = countdownOutcome(r.stated, p.numbers, p.target);
  if (o.value === null) return { ...NO_ANSWER };
  const v = o.value;
  // the vote key: the exact value reached with the given numbers, so different right expressions agree; a value
  // reached with other numbers, or an equation claiming another target, votes only for itself
  const votesValue = o.verdict === 'correct' || (o.verdict === 'wrong-value' && !r.stated!.includes('='));
  const key = votesValue ? (v.den === 1n ? String(v.num) : `${v.num}/${v.den}`) : `invalid:${compact(r.stated!)}`;
  return { format_ok: r.shaped, answer: key, correct: o.verdict === 'correct' };
}

/** Whether every picked number is available (each use consumes one) and at least one is picked. */
export function isPick(picked: readonly number[], numbers: readonly number[]): boolean {
  const left = [...numbers];
  for (const x of picked) {
    const i = left.indexOf(x);
    if (i < 0) return false;
    left.splice(i, 1);
  }
  return picked.length > 0;
}

/** Subset sum: right when the stated `a+b+…` is a pick of the numbers that sums to the target. */
export function checkSubset(p: NumbersTarget, completion: string): TaskVerdict {
  const r = readReply(completion, false);
  const s = r.stated === null ? '' : compact(r.stated);
  if (!/^\d{1,9}(\+\d{1,9})*$/.test(s)) return { ...NO_ANSWER };
  const picked = s.split('+').map(Number);
  const sum = picked.reduce((a, b) => a + b, 0);
  const valid = isPick(picked, p.numbers);
  // the vote key: the sum reached with a valid pick, so different right picks agree
  return { format_ok: r.shaped, answer: valid ? String(sum) : `invalid:${s}`, correct: valid && sum === p.target };
}
