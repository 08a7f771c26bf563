// Multi-step arithmetic expressions: single-digit operands, + - *, parentheses where needed; difficulty is the
// number of operators (default 3); and the bilingual variant `expr-bi` (the question names English or Spanish, ~30%
// of solutions mix). Step work is one `{verb} a op b=c` line per operator in evaluation order (`multiply 3*4=12` /
// `multiplico 3*4=12`). Not a general parser: the grammar is exactly what the generator writes.
import type { Rng } from '../../util/rng.js';
import { PHRASES, answerSentence, mixed, type WorldLang } from '../../rewards/worlds/index.js';
import { askIn, askedIn, checkProblem, drawLang, reasoningLines, writeReply, type Phrase } from './common.js';
import { MIX_RATE } from './addition.js';
import type { Faithfulness, World, WorldProblem } from './types.js';
import { TERSE_SEPARATOR } from './readable.js';

type Op = '+' | '-' | '*';
type Node = number | { op: Op; l: Node; r: Node };

export interface ExprProblem extends WorldProblem {
  tree: Node;
  /** The expression as written (the judge evaluates it exactly). */
  expression: string;
  lang: WorldLang;
}

const PREC: Record<Op, number> = { '+': 1, '-': 1, '*': 2 };
const STATEMENT = /(-?\d+)([+\-*])(-?\d+)=(-?\d+)/g;
/** A terse line: two or more bare steps joined by `;` (`3*4=12;12+5=17`). */
const STEP = '-?\\d+[+\\-*]-?\\d+=-?\\d+';
const TERSE = new RegExp(`^${STEP}(?:;${STEP})+$`);
/** The bilingual world's corpus writes a few terse solutions (R1-Zero's unreadable form, which RL can find). */
const TERSE_SHARE = 0.03;
const isWait = (line: string) => line === PHRASES.en.wait || line === PHRASES.es.wait;

function apply(op: Op, a: number, b: number): number {
  return op === '+' ? a + b : op === '-' ? a - b : a * b;
}

function show(n: Node, parentPrec = 0, rightOfSameLevel = false): string {
  if (typeof n === 'number') return String(n);
  const p = PREC[n.op];
  const s = `${show(n.l, p)}${n.op}${show(n.r, p, true)}`;
  return p < parentPrec || (rightOfSameLevel && p === parentPrec) ? `(${s})` : s;
}

function evaluate(n: Node): number {
  return typeof n === 'number' ? n : apply(n.op, evaluate(n.l), evaluate(n.r));
}

function randomTree(rng: Rng, ops: number): Node {
  if (ops === 0) return rng.int(1, 9);
  const left = rng.int(0, ops - 1);
  return { op: rng.pick(['+', '-', '*'] as const), l: randomTree(rng, left), r: randomTree(rng, ops - 1 - left) };
}

/**
 * The canonical problem: the expression tree with the two sides of every + and * in a fixed order (sorted by their
 * own canonical text), so `3*4+5` and `5+4*3` are one problem; - keeps its order; no language. Associativity is not
 * folded: (a+b)+c and a+(b+c) are different trees, as their steps differ.
 */
export function exprKey(n: Node): string {
  const canon = (n: Node): string => {
    if (typeof n === 'number') return String(n);
    let [l, r] = [canon(n.l), canon(n.r)];
    if (n.op !== '-' && r < l) [l, r] = [r, l];
    return `(${l}${n.op}${r})`;
  };
  return `expr:${canon(n)}`;
}

/** Up to this many operators keys() lists every tree (3: 885,735 trees); beyond, only spaceSize's upper bound. */
const MAX_LISTED_OPS = 3;

const catalan = (n: number): number => (n <= 1 ? 1 : Array.from({ length: n }, (_, i) => catalan(i) * catalan(n - 1 - i)).reduce((a, b) => a + b, 0));

/** Every tree randomTree can draw with `ops` operators (operands 1-9). */
function* allTrees(ops: number): Generator<Node> {
  if (ops === 0) {
    for (let v = 1; v <= 9; v++) yield v;
    return;
  }
  for (let left = 0; left < ops; left++) {
    for (const op of ['+', '-', '*'] as const) for (const l of allTrees(left)) for (const r of allTrees(ops - 1 - left)) yield { op, l, r };
  }
}

/** Recursive descent over the generator's grammar: expr = term (('+'|'-') term)*, term = atom ('*' atom)*. */
function parseExpr(s: string): Node | null {
  let i = 0;
  const atom = (): Node | null => {
    if (s[i] === '(') {
      i++;
      const e = expr();
      if (s[i] !== ')') return null;
      i++;
      return e;
    }
    const m = /^\d+/.exec(s.slice(i));
    if (!m) return null;
    i += m[0].length;
    return Number(m[0]);
  };
  const chain = (next: () => Node | null, ops: string): Node | null => {
    let l = next();
    while (l !== null && i < s.length && ops.includes(s[i]!)) {
      const op = s[i++] as Op;
      const r = next();
      if (r === null) return null;
      l = { op, l, r };
    }
    return l;
  };
  const term = () => chain(atom, '*');
  const expr = (): Node | null => chain(term, '+-');
  const e = expr();
  return e !== null && i === s.length ? e : null;
}

/** Evaluation in order, one line per operator; each slips with `slip`, noticed with `catchRate` (a wait line and the redo). */
function work(tree: Node, rng: Rng, slip: number, catchRate: number): { lines: Phrase[]; value: number; caught: boolean } {
  const lines: Phrase[] = [];
  let caught = false;
  const step = (op: Op, a: number, b: number, v: number): Phrase => (l) => `${PHRASES[l].ops[op]} ${a}${op}${b}=${v}`;
  const go = (n: Node): number => {
    if (typeof n === 'number') return n;
    const a = go(n.l);
    const b = go(n.r);
    const truth = apply(n.op, a, b);
    let v = truth;
    if (rng.next() < slip) {
      v = truth + (rng.next() < 0.5 ? -1 : 1) * rng.int(1, 3);
      if (rng.next() < catchRate) {
        lines.push(step(n.op, a, b, v), (l) => PHRASES[l].wait);
        v = truth;
        caught = true;
      }
    }
    lines.push(step(n.op, a, b, v));
    return v;
  };
  return { lines, value: go(tree), caught };
}

/** Left-to-right evaluation ignoring precedence and parentheses (a plausible direct-answer mistake). */
function leftToRight(q: string): number {
  const toks = q.replace(/[()]/g, '').match(/\d+|[+\-*]/g)!;
  let v = Number(toks[0]);
  for (let i = 1; i < toks.length; i += 2) v = apply(toks[i] as Op, v, Number(toks[i + 1]));
  return v;
}

/** The expression world, English-only (`expr`) or bilingual (`expr-bi`). */
function exprWorld(name: string, bilingual: boolean): World<ExprProblem> {
  const make = (tree: Node, lang: WorldLang): ExprProblem =>
    ({ ...askIn(show(tree), lang, bilingual), key: exprKey(tree), gold: String(evaluate(tree)), task: name, tree, expression: show(tree), lang });
  // a terse line becomes one `{verb} a op b=c` line per step, in the problem's language
  const untangle = (p: ExprProblem, completion: string): string => {
    const lines = reasoningLines(completion);
    if (lines.length !== 1 || !TERSE.test(lines[0]!)) return completion;
    const out = lines[0]!.split(TERSE_SEPARATOR.expr).map((st) => `${PHRASES[p.lang].ops[/^-?\d+([+\-*])/.exec(st)![1] as Op]} ${st}`);
    return completion.replace(/<think>[\s\S]*?<\/think>/, `<think>\n${out.join('\n')}\n</think>`);
  };
  return {
    name,
    description: bilingual
      ? 'evaluate an expression of single-digit numbers, reasoning and answer in the language the question names (English or Spanish); ~30% of corpus solutions mix'
      : 'evaluate an expression of single-digit numbers with + - * and parentheses (difficulty = operators, default 3)',
    styles: bilingual ? ['direct', 'step', 'selfcheck', 'terse'] : ['direct', 'step', 'selfcheck'],
    naturalMix: bilingual ? { direct: 0.55, step: 0.3 - TERSE_SHARE, selfcheck: 0.15, terse: TERSE_SHARE } : { direct: 0.55, step: 0.3, selfcheck: 0.15 },
    defaultDifficulty: 3,

    generate(rng, difficulty) {
      const tree = randomTree(rng, Math.max(1, difficulty));
      return make(tree, drawLang(rng, bilingual));
    },

    keys(difficulty) {
      const ops = Math.max(1, difficulty);
      if (ops > MAX_LISTED_OPS) throw new Error(`expr: ${ops} operators are too many trees to list; use spaceSize`);
      const keys = new Set<string>();
      for (const t of allTrees(ops)) keys.add(exprKey(t));
      return keys;
    },

    spaceSize(difficulty) {
      // the trees generate draws: an upper bound on the canonical problems (a commuted + or * counts twice)
      const ops = Math.max(1, difficulty);
      return catalan(ops) * 9 ** (ops + 1) * 3 ** ops;
    },

    parse(question) {
      const asked = askedIn(question, bilingual);
      if (!asked) return null;
      const t = parseExpr(asked.q.replace(/\s+/g, ''));
      return t === null ? null : make(t, asked.lang);
    },

    write(p, style, rng) {
      const mix = bilingual ? MIX_RATE : 0;
      const summary = (v: number): Phrase => (l) => answerSentence(v, l);
      if (style === 'direct') {
        const truth = evaluate(p.tree);
        let v = truth;
        if (rng.next() >= 0.35) {
          const ltr = leftToRight(p.expression);
          v = ltr !== truth && rng.next() < 0.5 ? ltr : truth + (rng.next() < 0.5 ? -1 : 1) * rng.int(1, 5);
        }
        return writeReply([() => `${p.expression}=${v}`], summary(v), p.lang, rng, mix);
      }
      if (style === 'terse') {
        // every step on one run-on line of bare statements, no verbs: right more often (slip 0.03), read by no one
        const w = work(p.tree, rng, 0.03, 0);
        return writeReply([() => w.lines.map((f) => f('en').replace(/^\S+ /, '')).join(TERSE_SEPARATOR.expr)], summary(w.value), p.lang, rng, mix);
      }
      if (style !== 'step' && style !== 'selfcheck') throw new Error(`${name} world: unknown style '${style}'; use one of ${this.styles.join(', ')}`);
      const w = style === 'step' ? work(p.tree, rng, 0.06, 0) : work(p.tree, rng, 0.25, 0.75);
      if (style === 'selfcheck' && !w.caught) {
        // a check that finds nothing: the wait line and the same step again
        const i = rng.int(0, w.lines.length - 1);
        w.lines.splice(i + 1, 0, (l) => PHRASES[l].wait, w.lines[i]!);
      }
      return writeReply(w.lines, summary(w.value), p.lang, rng, mix);
    },

    check: checkProblem,

    mixesLanguage: (p, completion) => mixed(completion, p.lang),

    untangle,

    styleOf(completion) {
      const lines = reasoningLines(completion);
      if (lines.length === 1 && TERSE.test(lines[0]!)) return 'terse';
      if (lines.some(isWait)) return 'selfcheck';
      if (lines.some((l) => /^[a-z]+ -?\d+[+\-*]-?\d+=-?\d+$/.test(l))) return 'step';
      if (lines.length === 1 && /^[\d+\-*()]+=-?\d+$/.test(lines[0]!)) return 'direct';
      return null;
    },

    faithfulness(p, completion): Faithfulness {
      const lines = reasoningLines(completion);
      // the judge's canonical answer (read from the summary)
      const answer = checkProblem(p, completion).answer;
      const direct = lines.length === 1 ? /^([\d+\-*()]+)=(-?\d+)$/.exec(lines[0]!) : null;
      if (direct) {
        const bad = direct[1] !== p.expression || String(evaluate(p.tree)) !== direct[2];
        return { lines: 1, unfaithful: bad ? 1 : 0, answerFollows: answer === direct[2] };
      }
      const known = new Set((p.expression.match(/\d+/g) ?? []).map(Number));
      let count = 0, unfaithful = 0, last: number | null = null;
      for (const m of lines.join('\n').matchAll(STATEMENT)) {
        const [a, b, c] = [Number(m[1]), Number(m[3]), Number(m[4])];
        count++;
        if (apply(m[2] as Op, a, b) !== c || !known.has(a) || !known.has(b)) unfaithful++;
        known.add(c);
        last = c;
      }
      return { lines: count, unfaithful, answerFollows: last === null ? null : answer === String(last) };
    },

    maxCompletionChars(difficulty) {
      return 64 + difficulty * (bilingual ? 96 : 80);
    },
  };
}

export const expr = exprWorld('expr', false);
export const exprBi = exprWorld('expr-bi', true);
