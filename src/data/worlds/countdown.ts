// Countdown (the TinyZero task): reach a target with the given numbers, each used exactly once, with + - * (and /
// when exact). Difficulty = how many numbers (2–3, mixed within a run: with 4, random attempts rarely land). The answer is an expression; any correct one
// counts. Step-by-step work is a search: random attempts, one a line, `a op b=c` steps each, ending in "no" (then
// another attempt) or "yes". The judge is src/rewards/worlds/search.ts (exact rationals); the reply states the
// expression: `The answer is (25-5)*4.`
import type { Rng } from '../../util/rng.js';
import { countdownOutcome } from '../../rewards/tasks.js';
import { PHRASES, answerSentence, readReply } from '../../rewards/worlds/index.js';
import { checkProblem, reasoningLines, writeReply } from './common.js';
import { MIXED_DIFFICULTY, type Faithfulness, type Reflection, type World, type WorldProblem } from './types.js';

export interface CountdownProblem extends WorldProblem {
  numbers: number[];
  target: number;
}

type Op = '+' | '-' | '*';
interface Item { v: number; e: string }
interface Attempt { steps: string[]; item: Item }

const CHECK = PHRASES.en.wait;
const STATEMENT = /(\d+)([+\-*/])(\d+)=(-?\d+)/g;
const LEVELS = [2, 3] as const;

function make(numbers: number[], target: number): CountdownProblem {
  const key = [...numbers].sort((a, b) => a - b).join(',');
  return { id: `${key}->${target}`, question: `reach ${target} with ${numbers.join(',')}`, gold: String(target), task: 'countdown', numbers, target };
}

/** One random way to combine all the numbers: pairs merged until one item is left. */
function attempt(rng: Rng, numbers: number[]): Attempt {
  const pool: Item[] = numbers.map((v) => ({ v, e: String(v) }));
  const steps: string[] = [];
  while (pool.length > 1) {
    const a = pool.splice(rng.int(0, pool.length - 1), 1)[0]!;
    const b = pool.splice(rng.int(0, pool.length - 1), 1)[0]!;
    const [x, y] = a.v >= b.v ? [a, b] : [b, a];
    const op: Op = rng.pick(x.v * y.v <= 500 ? ['+', '-', '*'] as const : ['+', '-'] as const);
    const v = op === '+' ? x.v + y.v : op === '-' ? x.v - y.v : x.v * y.v;
    steps.push(`${x.v}${op}${y.v}=${v}`);
    pool.push({ v, e: `(${x.e}${op}${y.e})` });
  }
  return { steps, item: pool[0]! };
}

const strip = (e: string) => (e.startsWith('(') && e.endsWith(')') ? e.slice(1, -1) : e);

export const countdown: World<CountdownProblem> = {
  name: 'countdown',
  description: 'reach a target with the given numbers, each used exactly once, with + - * / (difficulty = how many numbers, 2-3 mixed)',
  styles: ['direct', 'step', 'selfcheck'],
  naturalMix: { direct: 0.7, step: 0.2, selfcheck: 0.1 },
  defaultDifficulty: MIXED_DIFFICULTY,
  difficulties: LEVELS,

  generate(rng, difficulty) {
    const n = difficulty === MIXED_DIFFICULTY ? rng.pick(LEVELS) : Math.max(2, difficulty);
    for (;;) {
      const numbers = Array.from({ length: n }, () => rng.int(1, 9));
      const t = attempt(rng, numbers).item.v;
      if (t >= 1 && t <= 999) return make(numbers, t);
    }
  },

  parse(question) {
    const m = /^reach (\d+) with ([\d,]+)$/.exec(question.trim());
    return m ? make(m[2]!.split(',').map(Number), Number(m[1])) : null;
  },

  write(p, style, rng) {
    const solve = (): Attempt | null => {
      for (let k = 0; k < 500; k++) {
        const a = attempt(rng, p.numbers);
        if (a.item.v === p.target) return a;
      }
      return null;
    };
    const miss = (): Attempt => {
      for (;;) {
        const a = attempt(rng, p.numbers);
        if (a.item.v !== p.target) return a;
      }
    };
    if (style === 'direct') {
      // a guess written as one attempt: right a quarter of the time, else a random combination
      const a = (rng.next() < 0.25 ? solve() : null) ?? miss();
      return writeReply([() => a.steps.join(', ')], () => answerSentence(strip(a.item.e)), 'en', rng);
    }
    if (style !== 'step' && style !== 'selfcheck') throw new Error(`countdown world: unknown style '${style}'; use one of ${this.styles.join(', ')}`);
    // a search: random attempts, never the same one twice, until one reaches the target; giving up after 2–12
    // (then answering the last one)
    const giveUp = rng.int(2, 12);
    const lines: string[] = [];
    const tried = new Set<string>();
    const fresh = (): Attempt => {
      let a = attempt(rng, p.numbers);
      for (let k = 0; k < 50 && tried.has(a.steps.join(', ')); k++) a = attempt(rng, p.numbers);
      tried.add(a.steps.join(', '));
      return a;
    };
    let last = fresh();
    for (let k = 1; ; k++) {
      const yes = last.item.v === p.target;
      lines.push(`${last.steps.join(', ')} ${yes ? 'yes' : 'no'}`);
      // self-checking works the attempt that says yes out again before answering
      if (yes && style === 'selfcheck') lines.push(CHECK, `${last.steps.join(', ')} yes`);
      if (yes) break;
      if (k >= giveUp) {
        if (style === 'selfcheck') lines.push(CHECK, lines[lines.length - 1]!); // checks the attempt it gives up on
        break;
      }
      last = fresh();
    }
    return writeReply(lines.map((l) => () => l), () => answerSentence(strip(last.item.e)), 'en', rng);
  },

  check: checkProblem,

  styleOf(completion) {
    const lines = reasoningLines(completion);
    if (lines.some((l) => l === CHECK)) return 'selfcheck';
    if (lines.length > 0 && lines.every((l) => / (yes|no)$/.test(l))) return 'step';
    if (lines.length === 1 && /^\d+[+\-*/]\d+=-?\d+(, \d+[+\-*/]\d+=-?\d+)*$/.test(lines[0]!)) return 'direct';
    return null;
  },

  faithfulness(p, completion): Faithfulness {
    let lines = 0, unfaithful = 0, lastYes: number | null = null;
    const known = new Set(p.numbers);
    for (const text of reasoningLines(completion)) {
      let last: number | null = null;
      for (const m of text.matchAll(STATEMENT)) {
        const [a, op, b, c] = [Number(m[1]), m[2], Number(m[3]), Number(m[4])];
        const v = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
        lines++;
        if (v !== c || !known.has(a) || !known.has(b)) unfaithful++;
        known.add(c);
        last = c;
      }
      if (/ yes$/.test(text) && last !== null) lastYes = last;
    }
    if (lines === 0) return { lines, unfaithful, answerFollows: null };
    const { value } = countdownOutcome(readReply(completion, false).stated, p.numbers, p.target);
    return { lines, unfaithful, answerFollows: lastYes === null ? null : value !== null && value.den === 1n && value.num === BigInt(lastYes) };
  },

  maxCompletionChars(difficulty) {
    return 64 + (difficulty === MIXED_DIFFICULTY ? LEVELS[LEVELS.length - 1] : difficulty) * 120;
  },

  difficultyOf: (p) => p.numbers.length,

  /**
   * From the attempt lines alone: an attempt after one that ended in `no` abandons it for another (backtracking); an
   * attempt that repeats the steps of the one before works it out again (re-checking).
   */
  reflection(_p, completion): Reflection {
    const attempts = reasoningLines(completion).flatMap((l) => {
      const steps = [...l.matchAll(STATEMENT)].map((m) => m[0]);
      return steps.length ? [{ key: steps.join(','), no: / no$/.test(l) }] : [];
    });
    let backtrack = false, verify = false;
    for (let i = 1; i < attempts.length; i++) {
      if (attempts[i]!.key === attempts[i - 1]!.key) verify = true;
      else if (attempts[i - 1]!.no) backtrack = true;
    }
    return { backtrack, verify };
  },
};
