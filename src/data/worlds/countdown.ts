// Countdown (the TinyZero task): reach a target with the given numbers, each used exactly once, with + - * (and /
// when exact). Difficulty = how many numbers (default 3). The answer is an expression; any correct one counts.
// Step-by-step work is a search: attempts, one a line, `a op b=c` steps each, ending in "no" or "yes".
import type { Rng } from '../../util/rng.js';
import { extractTaggedAnswer, isR1ZeroFormat } from '../templates.js';
import type { CheckResult, Faithfulness, World, WorldProblem } from './types.js';

export interface CountdownProblem extends WorldProblem {
  numbers: number[];
  target: number;
}

type Op = '+' | '-' | '*';
interface Item { v: number; e: string }
interface Attempt { steps: string[]; item: Item }

const WAIT = ' wait, let me check that again: ';
const STATEMENT = /(\d+)([+\-*/])(\d+)=(-?\d+)/g;

function make(numbers: number[], target: number): CountdownProblem {
  const key = [...numbers].sort((a, b) => a - b).join(',');
  return { id: `${key}->${target}`, question: `reach ${target} with ${numbers.join(',')}`, gold: String(target), numbers, target };
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

/** Value of an expression over + - * / and parentheses, with the numbers it uses; null when malformed. */
export function evalCountdown(s: string): { value: number; used: number[] } | null {
  const src = s.replace(/\s+/g, '');
  if (!/^[\d+\-*/()]+$/.test(src)) return null;
  let i = 0;
  const used: number[] = [];
  const atom = (): number | null => {
    if (src[i] === '(') {
      i++;
      const v = sum();
      if (src[i++] !== ')') return null;
      return v;
    }
    const m = /^\d+/.exec(src.slice(i));
    if (!m) return null;
    i += m[0].length;
    used.push(Number(m[0]));
    return Number(m[0]);
  };
  const product = (): number | null => {
    let v = atom();
    while (v !== null && (src[i] === '*' || src[i] === '/')) {
      const op = src[i++];
      const r = atom();
      if (r === null) return null;
      v = op === '*' ? v * r : v / r;
    }
    return v;
  };
  const sum = (): number | null => {
    let v = product();
    while (v !== null && (src[i] === '+' || src[i] === '-')) {
      const op = src[i++];
      const r = product();
      if (r === null) return null;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const value = sum();
  return value === null || i !== src.length || !Number.isFinite(value) ? null : { value, used };
}

function sameMultiset(a: number[], b: number[]): boolean {
  const x = [...a].sort((p, q) => p - q), y = [...b].sort((p, q) => p - q);
  return x.length === y.length && x.every((v, k) => v === y[k]);
}

function thinkOf(c: string): string {
  const m = /<think>([\s\S]*?)(<\/think>|$)/.exec(c);
  return m ? m[1]! : '';
}

export const countdown: World<CountdownProblem> = {
  name: 'countdown',
  description: 'reach a target with the given numbers, each used exactly once, with + - * / (difficulty = how many numbers, default 3)',
  styles: ['direct', 'step', 'selfcheck'],
  naturalMix: { direct: 0.5, step: 0.35, selfcheck: 0.15 },
  defaultDifficulty: 3,

  generate(rng, difficulty) {
    const n = Math.max(2, difficulty);
    for (;;) {
      const numbers = Array.from({ length: n }, () => rng.int(1, 20));
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
      // a guess: right a quarter of the time, else a random combination
      const a = (rng.next() < 0.25 ? solve() : null) ?? miss();
      return ` <think> ${p.question} </think> <answer> ${strip(a.item.e)} </answer>`;
    }
    if (style !== 'step' && style !== 'selfcheck') throw new Error(`countdown world: unknown style '${style}'; use one of ${this.styles.join(', ')}`);
    // a search: a few failed attempts, then the solution (found 70% of the time) or giving up on the last attempt
    const tries = Array.from({ length: rng.int(0, 3) }, miss);
    const found = rng.next() < 0.7 ? solve() : null;
    if (found) tries.push(found);
    if (tries.length === 0) tries.push(miss());
    const lines = tries.map((a) => `${a.steps.join(', ')} ${a.item.v === p.target ? 'yes' : 'no'}`);
    if (style === 'selfcheck') {
      const i = rng.int(0, lines.length - 1);
      const first = tries[i]!.steps[0]!;
      lines[i] = lines[i]!.replace(first, `${first}${WAIT}${first}`);
    }
    return ` <think>\n${lines.join('\n')}\n</think> <answer> ${strip(tries[tries.length - 1]!.item.e)} </answer>`;
  },

  check(p, completion): CheckResult {
    const raw = extractTaggedAnswer(completion);
    const r = raw === null ? null : evalCountdown(raw);
    if (raw === null || r === null) return { formatOk: false, answer: null, correct: false };
    const valid = sameMultiset(r.used, p.numbers);
    // the vote key: the value reached with valid numbers, so different right expressions agree
    const answer = valid ? String(Math.round(r.value * 1e9) / 1e9) : `invalid:${raw.replace(/\s+/g, '')}`;
    return { formatOk: isR1ZeroFormat(completion), answer, correct: valid && Math.abs(r.value - p.target) < 1e-9 };
  },

  styleOf(completion) {
    const think = thinkOf(completion);
    if (think.includes('wait')) return 'selfcheck';
    if (/ (yes|no)$/m.test(think)) return 'step';
    if (/^ reach \d+ with [\d,]+ $/.test(think)) return 'direct';
    return null;
  },

  faithfulness(p, completion): Faithfulness {
    let lines = 0, unfaithful = 0, lastYes: number | null = null;
    const known = new Set(p.numbers);
    for (const text of thinkOf(completion).split('\n')) {
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
    const r = evalCountdown(extractTaggedAnswer(completion) ?? '');
    return { lines, unfaithful, answerFollows: lastYes === null ? null : r !== null && r.value === lastYes };
  },

  maxCompletionChars(difficulty) {
    return 64 + difficulty * 120;
  },
};
