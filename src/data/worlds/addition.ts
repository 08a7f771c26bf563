// The default world: adding two d-digit numbers (difficulty = d, default 3), as in issue 5's experiment.
// Step-by-step work is one fixed-width line per column, ones first: `x+y+c=SS` (carry in, two-digit sum);
// self-checking work redoes every column after "wait, let me check that again:" and answers from the redo.
// Not a general calculator; the corpus's slips follow the natural rates (direct ~30% right, step ~76%).
import type { Rng } from '../../util/rng.js';
import { extractTaggedAnswer } from '../templates.js';
import { canonInt, checkTagged } from './common.js';
import type { CheckResult, Faithfulness, World, WorldProblem } from './types.js';

export interface AdditionProblem extends WorldProblem {
  a: number;
  b: number;
}

/** Per-style slip rates of the corpus writer. */
const DIRECT_RIGHT = 0.3;
const STEP_SLIP = 0.09; // per column line: (1 - 0.09)^3 ≈ 0.75 of 3-digit sums right
const SELF_SLIP = 0.2; // per column line of the first pass
const REDO_SLIP = 0.06; // per column line of the redo: (1 - 0.06)^3 ≈ 0.83 right
const WAIT = 'wait, let me check that again:';

const COLUMN = /(\d)\+(\d)\+(\d)=(\d\d)/;

function make(a: number, b: number): AdditionProblem {
  return { id: `${a}+${b}`, question: `${a}+${b}`, gold: String(a + b), a, b };
}

/** Digit i (0 = ones) of n. */
function digit(n: number, i: number): number {
  return Math.floor(n / 10 ** i) % 10;
}

function digitsOf(p: AdditionProblem): number {
  return Math.max(String(p.a).length, String(p.b).length);
}

/** A wrong sum a direct answer plausibly gives: the carry-ignoring sum, or a slip of ±1 in one digit. */
function directSlip(p: AdditionProblem, rng: Rng): number {
  const d = digitsOf(p);
  const truth = p.a + p.b;
  if (rng.next() < 0.5) {
    let noCarry = 0;
    for (let i = 0; i < d; i++) noCarry += ((digit(p.a, i) + digit(p.b, i)) % 10) * 10 ** i;
    if (noCarry !== truth) return noCarry;
  }
  const k = rng.int(0, d - 1);
  const off = (rng.next() < 0.5 ? -1 : 1) * 10 ** k;
  return truth + off > 0 ? truth + off : truth - off;
}

function slipSum(s: number, rng: Rng): number {
  if (s === 0) return 1;
  if (s === 19) return 18;
  return s + (rng.next() < 0.5 ? -1 : 1);
}

const columnLine = (x: number, y: number, c: number, s: number) => `${x}+${y}+${c}=${String(s).padStart(2, '0')}`;

/** Column-by-column lines, ones first, each slipping by ±1 with probability `slip`; the answer they imply. */
function columnBlock(p: AdditionProblem, rng: Rng, slip: number): { lines: string[]; answer: number } {
  const d = digitsOf(p);
  const lines: string[] = [];
  const out: number[] = [];
  let carry = 0;
  for (let i = 0; i < d; i++) {
    const x = digit(p.a, i);
    const y = digit(p.b, i);
    const s = rng.next() < slip ? slipSum(x + y + carry, rng) : x + y + carry;
    lines.push(columnLine(x, y, carry, s));
    out.push(s % 10);
    carry = s >= 10 ? 1 : 0;
  }
  return { lines, answer: Number((carry ? '1' : '') + out.reverse().join('')) };
}

/**
 * Step-by-step work; the self-checking writer then says "wait, let me check that again", redoes every column
 * (more carefully) and answers from the redo. The redo starts at a fixed offset, so no column shifts.
 */
function columnWork(p: AdditionProblem, rng: Rng, style: 'step' | 'selfcheck'): string {
  const first = columnBlock(p, rng, style === 'step' ? STEP_SLIP : SELF_SLIP);
  let lines = first.lines;
  let answer = first.answer;
  if (style === 'selfcheck') {
    const redo = columnBlock(p, rng, REDO_SLIP);
    lines = [...first.lines, WAIT, ...redo.lines];
    answer = redo.answer;
  }
  return ` <think>\n${lines.join('\n')}\n</think> <answer> ${answer} </answer>`;
}

/** The reasoning between <think> and </think> (empty when absent). */
function thinkOf(completion: string): string {
  const m = /<think>([\s\S]*?)(<\/think>|$)/.exec(completion);
  return m ? m[1]! : '';
}

export const addition: World<AdditionProblem> = {
  name: 'addition',
  description: 'add two d-digit numbers (difficulty d, default 3); step-by-step work is one fixed-width line per column',
  styles: ['direct', 'step', 'selfcheck'],
  naturalMix: { direct: 0.55, step: 0.3, selfcheck: 0.15 },
  defaultDifficulty: 3,

  generate(rng, difficulty) {
    const lo = difficulty <= 1 ? 1 : 10 ** (difficulty - 1);
    const hi = 10 ** difficulty - 1;
    return make(rng.int(lo, hi), rng.int(lo, hi));
  },

  parse(question) {
    const m = /^\s*(\d+)\s*\+\s*(\d+)\s*$/.exec(question);
    return m ? make(Number(m[1]), Number(m[2])) : null;
  },

  write(p, style, rng) {
    switch (style) {
      case 'direct': {
        const s = rng.next() < DIRECT_RIGHT ? p.a + p.b : directSlip(p, rng);
        return ` <think> ${p.a}+${p.b}=${s} </think> <answer> ${s} </answer>`;
      }
      case 'step':
      case 'selfcheck':
        return columnWork(p, rng, style);
      default:
        throw new Error(`addition world: unknown style '${style}'; use one of ${this.styles.join(', ')}`);
    }
  },

  check(p, completion): CheckResult {
    return checkTagged(completion, p.gold, canonInt);
  },

  styleOf(completion) {
    const think = thinkOf(completion);
    const lines = think.startsWith('\n') && COLUMN.test(think);
    if (lines && think.includes('wait')) return 'selfcheck';
    if (lines) return 'step';
    if (/^\s*\d+\+\d+=\d+\s*$/.test(think)) return 'direct';
    return null;
  },

  faithfulness(p, completion): Faithfulness {
    const think = thinkOf(completion);
    const answer = canonInt(extractTaggedAnswer(completion) ?? '');
    const direct = /^\s*(\d+)\+(\d+)=(\d+)\s*$/.exec(think);
    if (direct) {
      const [, x, y, s] = direct.map(Number) as number[];
      const bad = x !== p.a || y !== p.b || x! + y! !== s;
      return { lines: 1, unfaithful: bad ? 1 : 0, answerFollows: answer === String(s) };
    }
    let lines = 0;
    let unfaithful = 0;
    let carry = 0;
    let col = 0;
    const out: number[] = [];
    for (const text of think.split('\n')) {
      if (text.includes('wait')) {
        // a redo starts over from the ones column
        col = 0;
        carry = 0;
        out.length = 0;
      }
      const m = new RegExp(`^${COLUMN.source}$`).exec(text.trim());
      if (!m) continue;
      const [x, y, c, s] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
      lines++;
      if (x + y + c !== s || x !== digit(p.a, col) || y !== digit(p.b, col) || c !== carry) unfaithful++;
      out.push(s % 10);
      carry = s >= 10 ? 1 : 0;
      col++;
    }
    if (lines === 0) return { lines: 0, unfaithful: 0, answerFollows: null };
    const implied = String(Number((carry ? '1' : '') + out.reverse().join('')));
    return { lines, unfaithful, answerFollows: answer === implied };
  },

  maxCompletionChars(difficulty) {
    return 48 + difficulty * 64;
  },
};
