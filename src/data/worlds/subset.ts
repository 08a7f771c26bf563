// Subset sum, the search-and-backtrack world: pick some of the given distinct numbers 1–9 (each at most once) that
// add up to a target. Difficulty = how many numbers (2–5, mixed within a run). Step-by-step work is a depth-first
// search, one partial sum a line (`3+9=12`, `3+9+4=16 over`, … `9+4=13 yes`), abandoning a branch when it overshoots.
// The judge is src/rewards/worlds/search.ts; the reply states the pick: `The answer is 9+4.`
import type { Rng } from '../../util/rng.js';
import { PHRASES, answerSentence, readReply } from '../../rewards/worlds/index.js';
import { isPick } from '../../rewards/worlds/search.js';
import { checkProblem, reasoningLines, writeReply } from './common.js';
import { MIXED_DIFFICULTY, type Faithfulness, type Reflection, type World, type WorldProblem } from './types.js';

export interface SubsetProblem extends WorldProblem {
  numbers: number[];
  target: number;
}

const CHECK = PHRASES.en.wait;
/** A partial sum as the search writes it: `3+9+4=16`, then ` yes` (the target), ` over` (past it) or nothing. */
const STATEMENT = /^(\d+(?:\+\d+)*)=(\d+)( yes| over)?$/;
const LEVELS = [2, 3, 4, 5] as const;
const sumOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

function make(numbers: number[], target: number): SubsetProblem {
  // the canonical problem: the numbers as a set (their order in the prompt is not part of the problem)
  const key = `subset:${[...numbers].sort((a, b) => a - b).join(',')}->${target}`;
  return { id: `${numbers.join(',')}->${target}`, key, question: `pick from ${numbers.join(',')} to sum ${target}`, gold: String(target), task: 'subset', numbers, target };
}

/**
 * Depth-first search in list order, one partial sum a line. A line slips (±1) with probability `slip`; a slip is
 * caught with `catchRate` (the check phrase, then the line worked out again); `checkYes` re-checks every `yes` too.
 * An uncaught slip leads the search astray, as it would a person. Gives up after 60 lines.
 */
function dfs(p: SubsetProblem, rng: Rng, o: { slip: number; catchRate: number; checkYes: boolean }): { lines: string[]; answer: number[] } {
  const lines: string[] = [];
  let answer: number[] = [];
  const verdict = (v: number) => (v === p.target ? ' yes' : v > p.target ? ' over' : '');
  const go = (start: number, path: number[], sum: number): boolean => {
    for (let i = start; i < p.numbers.length && lines.length < 60; i++) {
      const next = [...path, p.numbers[i]!];
      const truth = sum + p.numbers[i]!;
      const s = rng.next() < o.slip ? truth + (rng.next() < 0.5 ? -1 : 1) : truth;
      lines.push(`${next.join('+')}=${s}${verdict(s)}`);
      let now = s;
      if ((s !== truth && rng.next() < o.catchRate) || (o.checkYes && s === p.target)) {
        lines.push(CHECK, `${next.join('+')}=${truth}${verdict(truth)}`);
        now = truth;
      }
      answer = next;
      if (now === p.target) return true;
      if (now < p.target && go(i + 1, next, now)) return true;
    }
    return false;
  };
  go(0, [], 0);
  return { lines, answer };
}

/** The partial sums of a completion's reasoning, in order (other lines skipped). */
function statements(completion: string): { terms: number[]; sum: number; yes: boolean }[] {
  return reasoningLines(completion).flatMap((l) => {
    const m = STATEMENT.exec(l);
    return m ? [{ terms: m[1]!.split('+').map(Number), sum: Number(m[2]), yes: m[3] === ' yes' }] : [];
  });
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, k) => b[k] === x);
const extends1 = (a: readonly number[], b: readonly number[]) => a.length === b.length + 1 && b.every((x, k) => a[k] === x);

export const subset: World<SubsetProblem> = {
  name: 'subset',
  description: 'pick distinct numbers 1-9 (each at most once) that sum to a target: depth-first search with backtracking (difficulty = how many numbers, 2-5 mixed)',
  styles: ['direct', 'step', 'selfcheck'],
  // mostly one-line guesses (right ~20% + luck), so the base model rarely searches and RL has something to find
  naturalMix: { direct: 0.75, step: 0.15, selfcheck: 0.1 },
  defaultDifficulty: MIXED_DIFFICULTY,
  difficulties: LEVELS,

  generate(rng, difficulty) {
    const n = difficulty === MIXED_DIFFICULTY ? rng.pick(LEVELS) : Math.min(9, Math.max(2, difficulty));
    const pool = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const numbers = Array.from({ length: n }, () => pool.splice(rng.int(0, pool.length - 1), 1)[0]!);
    let picked = numbers.filter(() => rng.next() < 0.5);
    if (picked.length === 0) picked = [numbers[rng.int(0, n - 1)]!];
    return make(numbers, sumOf(picked));
  },

  parse(question) {
    const m = /^pick from ([\d,]+) to sum (\d+)$/.exec(question.trim());
    return m ? make(m[1]!.split(',').map(Number), Number(m[2])) : null;
  },

  write(p, style, rng) {
    let found: { lines: string[]; answer: number[] };
    if (style === 'direct') {
      // a guess written as one line with its sum: the search's answer a fifth of the time, else a random pick
      let pick = rng.next() < 0.2 ? dfs(p, rng, { slip: 0, catchRate: 0, checkYes: false }).answer : p.numbers.filter(() => rng.next() < 0.5);
      if (pick.length === 0) pick = [rng.pick(p.numbers)];
      found = { lines: [`${pick.join('+')}=${sumOf(pick)}`], answer: pick };
    } else if (style === 'step') found = dfs(p, rng, { slip: 0.03, catchRate: 0, checkYes: false });
    else if (style === 'selfcheck') {
      found = dfs(p, rng, { slip: 0.1, catchRate: 0.8, checkYes: true });
      // a search led astray never said yes: it checks the line it stops on
      if (!found.lines.includes(CHECK)) found.lines.push(CHECK, found.lines[found.lines.length - 1]!);
    }
    else throw new Error(`subset world: unknown style '${style}'; use one of ${this.styles.join(', ')}`);
    return writeReply(found.lines.map((l) => () => l), () => answerSentence(found.answer.join('+')), 'en', rng);
  },

  check: checkProblem,

  styleOf(completion) {
    const lines = reasoningLines(completion);
    if (lines.some((l) => l === CHECK)) return 'selfcheck';
    if (lines.length === 1 && STATEMENT.test(lines[0]!) && !/ (yes|over)$/.test(lines[0]!)) return 'direct';
    if (lines.length > 0 && lines.every((l) => STATEMENT.test(l))) return 'step';
    return null;
  },

  faithfulness(p, completion): Faithfulness {
    const st = statements(completion);
    const unfaithful = st.filter((s) => sumOf(s.terms) !== s.sum || !isPick(s.terms, p.numbers)).length;
    if (st.length === 0) return { lines: 0, unfaithful, answerFollows: null };
    const lastYes = st.filter((s) => s.yes).pop();
    const answer = (readReply(completion, false).stated ?? '').replace(/\s+/g, '');
    return { lines: st.length, unfaithful, answerFollows: lastYes ? answer === lastYes.terms.join('+') : null };
  },

  maxCompletionChars(difficulty) {
    const n = difficulty === MIXED_DIFFICULTY ? LEVELS[LEVELS.length - 1] : difficulty;
    return 64 + 2 ** Math.max(2, n) * 16;
  },

  difficultyOf: (p) => p.numbers.length,

  /**
   * From the partial sums alone: a line that neither extends the one before by a number nor repeats it abandons
   * that branch for another (backtracking); a line that repeats the one before works the same sum out again
   * (re-checking). The numbers are distinct, so the search itself never writes the same pick twice.
   */
  reflection(_p, completion): Reflection {
    let backtrack = false, verify = false;
    const st = statements(completion);
    for (let i = 1; i < st.length; i++) {
      if (same(st[i]!.terms, st[i - 1]!.terms)) verify = true;
      else if (!extends1(st[i]!.terms, st[i - 1]!.terms)) backtrack = true;
    }
    return { backtrack, verify };
  },
};
