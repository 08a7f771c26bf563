// The default world: adding two d-digit numbers (difficulty = d, default 3), as in issue 5's experiment; and its
// bilingual variant `addition-bi` (issue 9 §1.1: the question names English or Spanish, ~30% of solutions switch some
// lines to the other language). Step work is one line per column, ones first: `tens 7+5+1=13 carry 1` / `decenas
// 7+5+1=13 lleva 1` (label, carry in, two-digit sum, carry out), then `sum 0632` (d+1 digits); self-checking work
// redoes every column after "wait, let me check that again:". A step completion is about twice a direct one (issue 6).
// Not a general calculator; the corpus's slips follow the natural rates (direct ~30% right, step ~76%).
import type { Rng } from '../../util/rng.js';
import { PHRASES, answerSentence, mixed, columnLabel, type WorldLang } from '../../rewards/worlds/index.js';
import { askIn, askedIn, checkProblem, drawLang, reasoningLines, writeReply, type Phrase } from './common.js';
import type { Faithfulness, World, WorldProblem } from './types.js';
import { TERSE_SEPARATOR } from './readable.js';

export interface AdditionProblem extends WorldProblem {
  a: number;
  b: number;
  /** The language the question asks for (always English in the plain world). */
  lang: WorldLang;
}

/** Per-style slip rates of the corpus writer. */
const DIRECT_RIGHT = 0.3;
const STEP_SLIP = 0.09; // per column line: (1 - 0.09)^3 ≈ 0.75 of 3-digit sums right
const SELF_SLIP = 0.2; // per column line of the first pass
const REDO_SLIP = 0.06; // per column line of the redo: (1 - 0.06)^3 ≈ 0.83 right
const TERSE_SLIP = 0.02; // per column of the terse run-on line: (1 - 0.02)^3 ≈ 0.94 right, the most accurate style
/** The bilingual world's corpus writes a few terse solutions (R1-Zero's unreadable form, which RL can find). */
const TERSE_SHARE = 0.03;
/** Share of bilingual solutions that switch some lines (or the summary) to the other language. */
export const MIX_RATE = 0.3;

const CARRY = `(?:${PHRASES.en.carry}|${PHRASES.es.carry})`;
const COLUMN = new RegExp(`^([a-z]+[0-9]*) (\\d)\\+(\\d)\\+(\\d)=(\\d\\d) ${CARRY} (\\d)$`);
const SUM = new RegExp(`^(?:${PHRASES.en.sum}|${PHRASES.es.sum}) (\\d+)$`);
/** A terse line: two or more bare column sums joined by `|` (`2+0+0=02|4+9+0=13`). */
const TERSE = /^\d\+\d\+\d=\d\d(?:\|\d\+\d\+\d=\d\d)+$/;
const isWait = (line: string) => line === PHRASES.en.wait || line === PHRASES.es.wait;
const isLabel = (s: string, col: number) => s === columnLabel(col, 'en') || s === columnLabel(col, 'es');

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

const columnLine = (i: number, x: number, y: number, c: number, s: number): Phrase => (l) =>
  `${columnLabel(i, l)} ${x}+${y}+${c}=${String(s).padStart(2, '0')} ${PHRASES[l].carry} ${s >= 10 ? 1 : 0}`;

/** Column-by-column lines, ones first, each slipping by ±1 with probability `slip`; the answer they imply. */
function columnBlock(p: AdditionProblem, rng: Rng, slip: number): { lines: Phrase[]; answer: number } {
  const d = digitsOf(p);
  const lines: Phrase[] = [];
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
 * The reasoning lines and answer of a style. Step work; the self-checking writer then says "wait, let me check that
 * again", redoes every column (more carefully) and answers from the redo. The closing `sum` line writes the implied
 * answer with d+1 digits (zero-padded), so it too has a fixed width.
 */
function work(p: AdditionProblem, style: string, rng: Rng): { lines: Phrase[]; answer: number } {
  if (style === 'direct') {
    const s = rng.next() < DIRECT_RIGHT ? p.a + p.b : directSlip(p, rng);
    return { lines: [() => `${p.a}+${p.b}=${s}`], answer: s };
  }
  if (style === 'terse') {
    // every column on one run-on line of bare sums, no labels, no words: right more often, read by no one
    const { lines, answer } = columnBlock(p, rng, TERSE_SLIP);
    const bare = lines.map((f) => f('en').replace(/^\S+ /, '').replace(/ \S+ \d$/, ''));
    return { lines: [() => bare.join(TERSE_SEPARATOR.addition)], answer };
  }
  const first = columnBlock(p, rng, style === 'step' ? STEP_SLIP : SELF_SLIP);
  let { lines, answer } = first;
  if (style === 'selfcheck') {
    const redo = columnBlock(p, rng, REDO_SLIP);
    lines = [...first.lines, (l) => PHRASES[l].wait, ...redo.lines];
    answer = redo.answer;
  }
  const sum = String(answer).padStart(digitsOf(p) + 1, '0');
  return { lines: [...lines, (l) => `${PHRASES[l].sum} ${sum}`], answer };
}

/** The operands generate draws at a difficulty (d digits each). */
const operandRange = (d: number): [number, number] => [d <= 1 ? 1 : 10 ** (d - 1), 10 ** d - 1];

/** The canonical problem: language-free, the smaller operand first (`34+12` and `12+34` are one problem). */
export const additionKey = (a: number, b: number) => `add:${Math.min(a, b)},${Math.max(a, b)}`;

/** The addition world, English-only (`addition`, prompt `342+290`) or bilingual (`addition-bi`, `342+290 (answer in Spanish)`). */
function additionWorld(name: string, bilingual: boolean): World<AdditionProblem> {
  const make = (a: number, b: number, lang: WorldLang): AdditionProblem =>
    ({ ...askIn(`${a}+${b}`, lang, bilingual), key: additionKey(a, b), gold: String(a + b), task: name, a, b, lang });
  // a terse line becomes the column lines (labels and carries in the problem's language) and the sum line
  const untangle = (p: AdditionProblem, completion: string): string => {
    const lines = reasoningLines(completion);
    const terse = lines.length === 1 ? TERSE.exec(lines[0]!) : null;
    if (!terse) return completion;
    const cols = lines[0]!.split(TERSE_SEPARATOR.addition).map((c) => /^(\d)\+(\d)\+(\d)=(\d\d)$/.exec(c)!);
    const out = cols.map((m, i) => columnLine(i, Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]))(p.lang));
    const implied = Number((Number(cols[cols.length - 1]![4]) >= 10 ? '1' : '') + cols.map((m) => Number(m[4]) % 10).reverse().join(''));
    out.push(`${PHRASES[p.lang].sum} ${String(implied).padStart(cols.length + 1, '0')}`);
    return completion.replace(/<think>[\s\S]*?<\/think>/, `<think>\n${out.join('\n')}\n</think>`);
  };
  return {
    name,
    description: bilingual
      ? 'add two d-digit numbers, reasoning and answer in the language the question names (English or Spanish); ~30% of corpus solutions mix the two'
      : 'add two d-digit numbers (difficulty d, default 3); step-by-step work is one fixed-width line per column and a sum line',
    styles: bilingual ? ['direct', 'step', 'selfcheck', 'terse'] : ['direct', 'step', 'selfcheck'],
    naturalMix: bilingual ? { direct: 0.45, step: 0.4 - TERSE_SHARE, selfcheck: 0.15, terse: TERSE_SHARE } : { direct: 0.45, step: 0.4, selfcheck: 0.15 },
    defaultDifficulty: 3,

    generate(rng, difficulty) {
      const [lo, hi] = operandRange(difficulty);
      const [a, b] = [rng.int(lo, hi), rng.int(lo, hi)];
      return make(a, b, drawLang(rng, bilingual));
    },

    *keys(difficulty) {
      const [lo, hi] = operandRange(difficulty);
      for (let a = lo; a <= hi; a++) for (let b = a; b <= hi; b++) yield additionKey(a, b);
    },

    spaceSize(difficulty) {
      const [lo, hi] = operandRange(difficulty);
      const n = hi - lo + 1;
      return (n * (n + 1)) / 2;
    },

    parse(question) {
      const asked = askedIn(question, bilingual);
      const m = asked && /^(\d+)\s*\+\s*(\d+)$/.exec(asked.q);
      return m ? make(Number(m[1]), Number(m[2]), asked.lang) : null;
    },

    write(p, style, rng) {
      if (!this.styles.includes(style)) throw new Error(`${name} world: unknown style '${style}'; use one of ${this.styles.join(', ')}`);
      const { lines, answer } = work(p, style, rng);
      return writeReply(lines, (l) => answerSentence(answer, l), p.lang, rng, bilingual ? MIX_RATE : 0);
    },

    check: checkProblem,

    mixesLanguage: (p, completion) => mixed(completion, p.lang),

    untangle,

    styleOf(completion) {
      const lines = reasoningLines(completion);
      if (lines.length === 1 && TERSE.test(lines[0]!)) return 'terse';
      const columns = lines.some((l) => COLUMN.test(l));
      if (columns && lines.some(isWait)) return 'selfcheck';
      if (columns) return 'step';
      if (lines.length === 1 && /^\d+\+\d+=\d+$/.test(lines[0]!)) return 'direct';
      return null;
    },

    faithfulness(p, completion): Faithfulness {
      const lines = reasoningLines(untangle(p, completion));
      // the judge's canonical answer (read from the summary)
      const answer = checkProblem(p, completion).answer;
      const direct = lines.length === 1 ? /^(\d+)\+(\d+)=(\d+)$/.exec(lines[0]!) : null;
      if (direct) {
        const [, x, y, s] = direct.map(Number) as number[];
        const bad = x !== p.a || y !== p.b || x! + y! !== s;
        return { lines: 1, unfaithful: bad ? 1 : 0, answerFollows: answer === String(s) };
      }
      let count = 0;
      let unfaithful = 0;
      let carry = 0;
      const out: number[] = [];
      const implied = () => (out.length ? String(Number((carry ? '1' : '') + [...out].reverse().join(''))) : null);
      for (const text of lines) {
        if (isWait(text)) {
          // a redo starts over from the ones column
          carry = 0;
          out.length = 0;
        }
        const sum = SUM.exec(text);
        if (sum) {
          count++;
          if (String(Number(sum[1])) !== implied()) unfaithful++;
          continue;
        }
        const m = COLUMN.exec(text);
        if (!m) continue;
        const col = out.length;
        const [x, y, c, s, k] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
        count++;
        // false arithmetic, a wrong label or operand, a carry in other than the one written above, or a carry
        // phrase that contradicts the column's own sum
        const operandsOk = isLabel(m[1]!, col) && x === digit(p.a, col) && y === digit(p.b, col) && c === carry;
        if (x + y + c !== s || !operandsOk || k !== (s >= 10 ? 1 : 0)) unfaithful++;
        out.push(s % 10);
        carry = k;
      }
      if (count === 0) return { lines: 0, unfaithful: 0, answerFollows: null };
      const last = implied();
      return { lines: count, unfaithful, answerFollows: last === null ? null : answer === last };
    },

    maxCompletionChars(difficulty) {
      // self-checking work: 2d column lines (Spanish labels are longer), the wait line, the sum line, tags and summary
      return (bilingual ? 112 : 96) + difficulty * (bilingual ? 56 : 48);
    },
  };
}

export const addition = additionWorld('addition', false);
export const additionBi = additionWorld('addition-bi', true);
