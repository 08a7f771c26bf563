// Multi-step arithmetic expressions: single-digit operands, + - *, parentheses where needed; difficulty is the
// number of operators (default 3). Step-by-step work is one `a op b=c` line per operator, in evaluation order.
// Not a general parser: the grammar is exactly what the generator writes.
import type { Rng } from '../../util/rng.js';
import { extractTaggedAnswer } from '../templates.js';
import { canonInt, checkTagged } from './common.js';
import type { Faithfulness, World, WorldProblem } from './types.js';

type Op = '+' | '-' | '*';
type Node = number | { op: Op; l: Node; r: Node };

export interface ExprProblem extends WorldProblem {
  tree: Node;
}

const PREC: Record<Op, number> = { '+': 1, '-': 1, '*': 2 };
const WAIT = ' wait, let me check that again: ';
const STATEMENT = /(-?\d+)([+\-*])(-?\d+)=(-?\d+)/g;

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

function make(tree: Node): ExprProblem {
  const q = show(tree);
  return { id: q, question: q, gold: String(evaluate(tree)), tree };
}

/** Evaluation in order, one line per operator; each line slips with `slip`, noticed with `catchRate`. */
function work(tree: Node, rng: Rng, slip: number, catchRate: number): { lines: string[]; value: number } {
  const lines: string[] = [];
  const go = (n: Node): number => {
    if (typeof n === 'number') return n;
    const a = go(n.l);
    const b = go(n.r);
    const truth = apply(n.op, a, b);
    let line = `${a}${n.op}${b}=${truth}`;
    let v = truth;
    if (rng.next() < slip) {
      v = truth + (rng.next() < 0.5 ? -1 : 1) * rng.int(1, 3);
      line = `${a}${n.op}${b}=${v}`;
      if (rng.next() < catchRate) {
        line += `${WAIT}${a}${n.op}${b}=${truth}`;
        v = truth;
      }
    }
    lines.push(line);
    return v;
  };
  return { lines, value: go(tree) };
}

/** Left-to-right evaluation ignoring precedence and parentheses (a plausible direct-answer mistake). */
function leftToRight(q: string): number {
  const toks = q.replace(/[()]/g, '').match(/\d+|[+\-*]/g)!;
  let v = Number(toks[0]);
  for (let i = 1; i < toks.length; i += 2) v = apply(toks[i] as Op, v, Number(toks[i + 1]));
  return v;
}

function thinkOf(c: string): string {
  const m = /<think>([\s\S]*?)(<\/think>|$)/.exec(c);
  return m ? m[1]! : '';
}

export const expr: World<ExprProblem> = {
  name: 'expr',
  description: 'evaluate an expression of single-digit numbers with + - * and parentheses (difficulty = operators, default 3)',
  styles: ['direct', 'step', 'selfcheck'],
  naturalMix: { direct: 0.55, step: 0.3, selfcheck: 0.15 },
  defaultDifficulty: 3,

  generate(rng, difficulty) {
    return make(randomTree(rng, Math.max(1, difficulty)));
  },

  parse(question) {
    const t = parseExpr(question.replace(/\s+/g, ''));
    return t === null ? null : make(t);
  },

  write(p, style, rng) {
    if (style === 'direct') {
      const truth = evaluate(p.tree);
      let v = truth;
      if (rng.next() >= 0.35) {
        const ltr = leftToRight(p.question);
        v = ltr !== truth && rng.next() < 0.5 ? ltr : truth + (rng.next() < 0.5 ? -1 : 1) * rng.int(1, 5);
      }
      return ` <think> ${p.question}=${v} </think> <answer> ${v} </answer>`;
    }
    if (style !== 'step' && style !== 'selfcheck') throw new Error(`expr world: unknown style '${style}'; use one of ${this.styles.join(', ')}`);
    const { lines, value } = style === 'step' ? work(p.tree, rng, 0.06, 0) : work(p.tree, rng, 0.25, 0.75);
    if (style === 'selfcheck' && !lines.some((l) => l.includes(WAIT))) {
      const i = rng.int(0, lines.length - 1);
      lines[i] += WAIT + lines[i];
    }
    return ` <think>\n${lines.join('\n')}\n</think> <answer> ${value} </answer>`;
  },

  check(p, completion) {
    return checkTagged(completion, p.gold, canonInt);
  },

  styleOf(completion) {
    const think = thinkOf(completion);
    if (think.includes('wait')) return 'selfcheck';
    if (think.startsWith('\n') && new RegExp(STATEMENT.source).test(think)) return 'step';
    if (/^ \S+=-?\d+ $/.test(think)) return 'direct';
    return null;
  },

  faithfulness(p, completion): Faithfulness {
    const think = thinkOf(completion);
    const answer = canonInt(extractTaggedAnswer(completion) ?? '');
    const direct = /^ (\S+)=(-?\d+) $/.exec(think);
    if (direct && !think.includes('\n')) {
      const bad = direct[1] !== p.question || String(evaluate(p.tree)) !== direct[2];
      return { lines: 1, unfaithful: bad ? 1 : 0, answerFollows: answer === direct[2] };
    }
    const known = new Set((p.question.match(/\d+/g) ?? []).map(Number));
    let lines = 0, unfaithful = 0, last: number | null = null;
    for (const m of think.matchAll(STATEMENT)) {
      const [a, b, c] = [Number(m[1]), Number(m[3]), Number(m[4])];
      lines++;
      if (apply(m[2] as Op, a, b) !== c || !known.has(a) || !known.has(b)) unfaithful++;
      known.add(c);
      last = c;
    }
    return { lines, unfaithful, answerFollows: last === null ? null : answer === String(last) };
  },

  maxCompletionChars(difficulty) {
    return 48 + difficulty * 60;
  },
};
