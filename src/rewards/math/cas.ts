// The computer-algebra half of equivalence: LaTeX → MathJSON with @cortex-js/compute-engine (0.27.0, the
// newest that declares Node 20 support; non-canonical parsing never writes to the engine's scope),
// plain-text maths with mathjs as a second parser, then comparison by evaluation at seeded random points,
// with the engine's simplify of the difference as the fallback. Not the string clean-up (latex.ts) nor structure.

import { ComputeEngine } from '@cortex-js/compute-engine';
import type { MathNode } from 'mathjs';
import { createRequire } from 'node:module';
import { Rng } from '../../util/rng.js';
import { matchBrace } from './boxes.js';
import { closeC, evaluate, freeVariables, size, type C, type Json } from './evaluate.js';
import { parseSimpleLatex } from './simple-latex.js';

/**
 * The engine is used as a non-canonical LaTeX parser (which declares nothing), plus `simplify` inside a
 * pushed scope that is always popped: it keeps no state between calls.
 */
const engine = new ComputeEngine();
refastenStringPrototype();
/**
 * compute-engine 0.27 declares `class … extends String` as it loads, and V8 (Node 20) answers by putting
 * String.prototype in dictionary mode: from then on every string method call in the process (charCodeAt,
 * indexOf, slice…) is a lookup instead of inlined code — a charCodeAt loop 3-7× slower, the verifier's
 * extraction a third slower. Loads through a String wrapper, once their inline cache is warm (V8 gives a
 * function feedback after a few calls), make the prototype fast again. Nothing observable changes.
 */
function refastenStringPrototype(): void {
  const probe = (o: object): unknown => (o as { r1tsProbe?: unknown }).r1tsProbe;
  for (let i = 0; i < 64; i++) probe(new String(''));
}
/** mathjs's single-file bundle loads in a tenth of the time of its ESM tree (hundreds of modules). */
const mathjsParse = (createRequire(import.meta.url)('mathjs/lib/browser/math.js') as typeof import('mathjs')).parse;

export interface CasOptions {
  /** Relative tolerance of numeric comparison (default 1e-8). */
  relTol: number;
  /** Random points at which expressions with variables are compared (default 6). */
  points: number;
  /** Seed of those points (default 0): the same pair always gets the same verdict. */
  seed: number;
  /** performance.now() after which no new stage starts. */
  deadline: number;
  /** Expressions with more MathJSON nodes than this are not simplified symbolically (default 80). */
  maxSimplifyNodes: number;
}

/** A parsed expression, or null when neither parser understands the text. */
export function parseExpression(s: string): Json | null {
  if (s.length === 0 || s.length > 1000) return null;
  const ascii = !s.includes('\\') && /[a-z]{2,}\s*\(|\*|\bpi\b|\bsqrt\b/.test(s);
  const first = ascii ? parseAscii(s) : parseLatex(s);
  if (first !== null) return first;
  return ascii ? parseLatex(s) : parseAscii(s);
}

function parseLatex(s: string): Json | null {
  // Plain arithmetic (most answers) without the engine, whose parse takes hundreds of microseconds.
  return parseSimpleLatex(s) ?? parseLatexWithEngine(s);
}

/** The compute engine's reading of `s` (null on a parse error); exported for the fast reader's tests. */
export function parseLatexWithEngine(s: string): Json | null {
  try {
    const binom = /\\[dt]?binom\s*\{/.exec(s);
    if (binom) return parseBinomial(s, binom);
    const json = engine.parse(braceFracs(s), { canonical: false }).json as Json;
    return hasError(json) ? null : json;
  } catch {
    return null;
  }
}

/** `\frac9{19}`, `\frac{270}7`, `\frac13`: one-character arguments braced (the engine wants braces). */
function braceFracs(s: string): string {
  if (!s.includes('\\frac')) return s;
  return s.replace(/\\frac\s*(\{(?:[^{}]|\{[^{}]*\})*\}|[0-9a-zA-Z])\s*(\{|[0-9a-zA-Z])/g, (_, a: string, b: string) => `\\frac${a.startsWith('{') ? a : `{${a}}`}${b === '{' ? '{' : `{${b}}`}`);
}

/**
 * `\binom{a}{b}` (which this engine version does not know): its arguments parsed on their own and
 * put back as a Binomial node in place of a placeholder symbol.
 */
function parseBinomial(s: string, m: RegExpExecArray): Json | null {
  const open1 = m.index + m[0].length - 1;
  const close1 = matchBrace(s, open1);
  const open2 = close1 < 0 ? -1 : s.indexOf('{', close1);
  if (open2 < 0 || s.slice(close1 + 1, open2).trim() !== '') return null;
  const close2 = matchBrace(s, open2);
  if (close2 < 0) return null;
  const [n, k] = [parseLatex(s.slice(open1 + 1, close1)), parseLatex(s.slice(open2 + 1, close2))];
  const rest = parseLatex(`${s.slice(0, m.index)} \\operatorname{BinomialNK} ${s.slice(close2 + 1)}`);
  if (n === null || k === null || rest === null) return null;
  const put = (e: Json): Json => (e === 'BinomialNK' ? ['Binomial', n, k] : Array.isArray(e) ? e.map(put) : e);
  return put(rest);
}

function hasError(e: Json): boolean {
  if (!Array.isArray(e)) return false;
  return e[0] === 'Error' || e.some((x) => hasError(x));
}

const MATHJS_OPS: Record<string, string> = {
  add: 'Add',
  subtract: 'Subtract',
  multiply: 'Multiply',
  divide: 'Divide',
  pow: 'Power',
  unaryMinus: 'Negate',
  factorial: 'Factorial',
};
const MATHJS_FNS: Record<string, string> = {
  sqrt: 'Sqrt', exp: 'Exp', ln: 'Ln', log: 'Log', log10: 'Lg', log2: 'Lb', sin: 'Sin', cos: 'Cos', tan: 'Tan',
  cot: 'Cot', sec: 'Sec', csc: 'Csc', asin: 'Arcsin', acos: 'Arccos', atan: 'Arctan', arcsin: 'Arcsin',
  arccos: 'Arccos', arctan: 'Arctan', abs: 'Abs', floor: 'Floor', ceil: 'Ceil', nthRoot: 'Root', cbrt: 'Cbrt',
};

function parseAscii(s: string): Json | null {
  try {
    return fromMathjs(mathjsParse(s.replace(/\*\*/g, '^')));
  } catch {
    return null;
  }
}

function fromMathjs(n: MathNode): Json {
  const node = n as MathNode & { op?: string; fn?: string | { name: string }; args?: MathNode[]; value?: unknown; name?: string; content?: MathNode };
  switch (n.type) {
    case 'ConstantNode':
      if (typeof node.value !== 'number') throw new Error('non-numeric constant');
      return node.value;
    case 'SymbolNode':
      return node.name === 'pi' ? 'Pi' : node.name === 'e' ? 'ExponentialE' : node.name!;
    case 'ParenthesisNode':
      return fromMathjs(node.content!);
    case 'OperatorNode': {
      const head = MATHJS_OPS[node.fn as string];
      if (!head) throw new Error(`operator ${String(node.fn)}`);
      return [head, ...node.args!.map(fromMathjs)];
    }
    case 'FunctionNode': {
      const name = typeof node.fn === 'string' ? node.fn : node.fn!.name;
      const args = node.args!.map(fromMathjs);
      if (name === 'cbrt') return ['Root', args[0]!, 3];
      if (name === 'log' && args.length === 2) return ['Log', args[0]!, args[1]!];
      if (name === 'log' && args.length === 1) return ['Ln', args[0]!];
      const head = MATHJS_FNS[name];
      if (!head) throw new Error(`function ${name}`);
      return [head, ...args];
    }
  }
  throw new Error(`node ${n.type}`);
}

/** The numeric value of a constant expression (no free variables), or null. */
export function constantValue(e: Json): C | null {
  if (freeVariables(e).length > 0) return null;
  const v = evaluate(e, {});
  return Number.isNaN(v.re) || Number.isNaN(v.im) ? null : v;
}

/**
 * Equivalence of two parsed expressions: true, false, or null (undecided: too few points where both
 * are defined and the symbolic fallback did not prove it, or the deadline passed).
 */
export function compareExpressions(gold: Json, pred: Json, opts: CasOptions): boolean | null {
  const vars = [...new Set([...freeVariables(gold), ...freeVariables(pred)])];
  if (vars.length === 0) {
    const g = evaluate(gold, {});
    const p = evaluate(pred, {});
    if (Number.isNaN(g.re) || Number.isNaN(p.re)) return symbolicZero(gold, pred, opts);
    return closeC(g, p, opts.relTol);
  }
  const rng = new Rng(opts.seed);
  let agreed = 0;
  for (let attempt = 0; attempt < opts.points * 4 && agreed < opts.points; attempt++) {
    if (performance.now() > opts.deadline) return null;
    const point = randomPoint(vars, rng, attempt);
    const g = evaluate(gold, point);
    if (!Number.isFinite(g.re) || !Number.isFinite(g.im)) continue;
    const p = evaluate(pred, point);
    if (closeC(g, p, opts.relTol * 10)) {
      agreed++;
      continue;
    }
    // At negative points only a real-valued disagreement counts: ln(xy) = ln x + ln y for x, y > 0.
    if (attempt % 3 !== 2 || (g.im === 0 && p.im === 0 && Number.isFinite(p.re))) return false;
  }
  return agreed >= Math.min(3, opts.points) ? true : symbolicZero(gold, pred, opts);
}

/** A test point: mostly positive non-integers (roots and logs stay real), every third attempt negative. */
function randomPoint(vars: string[], rng: Rng, attempt: number): Record<string, number> {
  const point: Record<string, number> = {};
  for (const v of vars) point[v] = (attempt % 3 === 2 ? -1 : 1) * (0.3 + 2.4 * rng.next());
  return point;
}

/** True when the engine simplifies gold − pred to 0; null when it cannot tell. */
function symbolicZero(gold: Json, pred: Json, opts: CasOptions): boolean | null {
  if (performance.now() > opts.deadline || size(gold) + size(pred) > opts.maxSimplifyNodes) return null;
  engine.pushScope();
  try {
    const diff = engine.box(['Subtract', gold, pred] as never).simplify();
    return diff.json === 0 ? true : null;
  } catch {
    return null;
  } finally {
    engine.popScope();
  }
}

/**
 * Proportionality of two expressions f = k·g (k ≠ 0 constant), for equations `lhs = rhs` compared as
 * lhs − rhs: `5x - 7y + 4 = 0` is the same plane as `-10x + 14y - 8 = 0`.
 */
export function proportional(gold: Json, pred: Json, opts: CasOptions): boolean | null {
  const vars = [...new Set([...freeVariables(gold), ...freeVariables(pred)])];
  const rng = new Rng(opts.seed);
  let ratio: C | null = null;
  let agreed = 0;
  for (let attempt = 0; attempt < opts.points * 4 && agreed < opts.points; attempt++) {
    if (performance.now() > opts.deadline) return null;
    const point = randomPoint(vars, rng, attempt);
    const g = evaluate(gold, point);
    const p = evaluate(pred, point);
    if (![g.re, g.im, p.re, p.im].every(Number.isFinite) || Math.hypot(g.re, g.im) < 1e-9) continue;
    const r = { re: 0, im: 0 };
    const d = g.re * g.re + g.im * g.im;
    r.re = (p.re * g.re + p.im * g.im) / d;
    r.im = (p.im * g.re - p.re * g.im) / d;
    if (ratio === null) {
      if (Math.hypot(r.re, r.im) < 1e-9) return false;
      ratio = r;
    } else if (!closeC(ratio, r, opts.relTol * 10)) return false;
    agreed++;
  }
  return agreed >= Math.min(3, opts.points) ? true : null;
}
