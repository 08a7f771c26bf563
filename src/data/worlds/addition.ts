// The default world: adding two d-digit numbers (difficulty = d, default 3), as in issue 5's experiment.
// Step-by-step work is one fixed-width line per column, ones first: `tens 7+5+1=13 carry 1` (label, carry in,
// two-digit sum, carry out), then `sum 0632` (d+1 digits); self-checking work redoes every column after
// "wait, let me check that again:" and sums the redo. A step completion is about twice a direct one (issue 6).
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

/** Fixed-width (4-character) column labels, ones first; columns past the thousands are `col5`, `col6`, ... */
const LABELS = ['ones', 'tens', 'hund', 'thou'];
const label = (i: number) => LABELS[i] ?? `col${i + 1}`;

const COLUMN = /([a-z]{3}[a-z0-9]) (\d)\+(\d)\+(\d)=(\d\d) carry (\d)/;
const SUM = /^sum (\d+)$/;

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

const columnLine = (i: number, x: number, y: number, c: number, s: number) =>
  `${label(i)} ${x}+${y}+${c}=${String(s).padStart(2, '0')} carry ${s >= 10 ? 1 : 0}`;

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
    lines.push(columnLine(i, x, y, carry, s));
    out.push(s % 10);
    carry = s >= 10 ? 1 : 0;
  }
  return { lines, answer: Number((carry ? '1' : '') + out.reverse().join('')) };
}

/**
 * Step-by-step work; the self-checking writer then says "wait, let me check that again", redoes every column
 * (more carefully) and answers from the redo. The redo starts at a fixed offset, so no column shifts; the
 * closing `sum` line writes the implied answer with d+1 digits (zero-padded), so it too has a fixed width.
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
  const sum = `sum ${String(answer).padStart(digitsOf(p) + 1, '0')}`;
  return ` <think>\n${[...lines, sum].join('\n')}\n</think> <answer> ${answer} </answer>`;
}

/** The reasoning between <think> and </think> (empty when absent). */
function thinkOf(completion: string): string {
  const m = /<think>([\s\S]*?)(<\/think>|$)/.exec(completion);
  return m ? m[1]! : '';
}

export const addition: World<AdditionProblem> = {
  name: 'addition',
  description: 'add two d-digit numbers (difficulty d, default 3); step-by-step work is one fixed-width line per column and a sum line',
  styles: ['direct', 'step', 'selfcheck'],
  naturalMix: { direct: 0.45, step: 0.4, selfcheck: 0.15 },
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
    const out: number[] = [];
    const implied = () => (out.length ? String(Number((carry ? '1' : '') + [...out].reverse().join(''))) : null);
    for (const raw of think.split('\n')) {
      const text = raw.trim();
      if (text.includes('wait')) {
        // a redo starts over from the ones column
        carry = 0;
        out.length = 0;
      }
      const sum = SUM.exec(text);
      if (sum) {
        lines++;
        if (String(Number(sum[1])) !== implied()) unfaithful++;
        continue;
      }
      const m = new RegExp(`^${COLUMN.source}$`).exec(text);
      if (!m) continue;
      const col = out.length;
      const [x, y, c, s, k] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
      lines++;
      // false arithmetic, a wrong label or operand, a carry in other than the one written above, or a carry
      // phrase that contradicts the column's own sum
      const operandsOk = m[1] === label(col) && x === digit(p.a, col) && y === digit(p.b, col) && c === carry;
      if (x + y + c !== s || !operandsOk || k !== (s >= 10 ? 1 : 0)) unfaithful++;
      out.push(s % 10);
      carry = k;
    }
    if (lines === 0) return { lines: 0, unfaithful: 0, answerFollows: null };
    const last = implied();
    return { lines, unfaithful, answerFollows: last === null ? null : answer === last };
  },

  maxCompletionChars(difficulty) {
    // self-checking work: 2d column lines of 22 characters, the wait line, the sum line and the tags
    return 96 + difficulty * 48;
  },
};
