// Equivalence of a predicted answer to a trusted gold answer: plain numbers on a fast path, then
// clean-up (latex.ts), structure (structure.ts) read in the light of the gold, then element-wise
// comparison with the CAS (cas.ts). Asymmetric: the gold decides how the prediction is read. It
// extracts nothing (extract.ts). Modelled on Math-Verify's `verify` and the PRM800K grader.

import { compareExpressions, constantValue, parseExpression, proportional, type CasOptions } from './cas.js';
import { cleanAnswer } from './latex.js';
import { closeTo, fractionsEqual, parsePlainNumber, plainEqual, simpleFraction } from './numbers.js';
import type { Json } from './evaluate.js';
import { infinite, isVariable, parseAnswer, type Answer } from './structure.js';

export interface EquivalenceOptions {
  /** Relative tolerance for numbers that are not integers (default 1e-8). */
  relTol?: number;
  /**
   * When either side is a decimal (a float), both are rounded to this many decimal places and
   * compared, as Math-Verify does (default 6): `0.333333` = `\frac13`, but `0.33` ≠ `\frac13` and
   * `3.14` ≠ `\pi`. Integers and exact values are compared exactly.
   */
  floatRounding?: number;
  /**
   * Compare numbers rounded to this many decimal places (default: off, exact up to relTol):
   * with 2, `3.14159` = `3.14`. Applies to numeric values on both sides, gold included.
   */
  precision?: number;
  /**
   * Percentages (default true): a reference x% accepts x and x/100 (`28\%` = `28` = `0.28`); an
   * answer x% against a bare reference is x/100 (`28\%` = `0.28`, not `28`), as Math-Verify reads it.
   * False: a percent sign is only dropped.
   */
  percentEither?: boolean;
  /** Bare lists (`1, -2`) compared in any order (default true); tuples `( )` are always ordered. */
  unorderedLists?: boolean;
  /** Time budget of one check in ms (default 1000); after it no new stage starts and the answer is false. */
  timeoutMs?: number;
  /** Random points for expressions with variables (default 6) and their seed (default 0). */
  points?: number;
  seed?: number;
  /** Largest expression (MathJSON nodes, both sides) the symbolic fallback simplifies (default 80). */
  maxSimplifyNodes?: number;
}

interface Ctx {
  cas: CasOptions;
  precision: number | undefined;
  floatRounding: number;
  percentEither: boolean;
  unordered: boolean;
}

/** True when `pred` means the same answer as `gold`. Never throws; false when undecided. */
export function isEquivalent(gold: string, pred: string, opts: EquivalenceOptions = {}): boolean {
  const quick = quickEquivalent(gold, pred, opts);
  if (quick !== null) return quick;
  try {
    return equivalentAnswers(gold.trim(), pred.trim(), opts);
  } catch {
    return false;
  }
}

/**
 * The verdict of the fast path alone (bad input, identical strings, two plain numbers), or null when
 * the full check is needed. Microseconds; used by the worker pool to keep easy checks on the caller's thread.
 */
export function quickEquivalent(gold: string, pred: string, opts: EquivalenceOptions = {}): boolean | null {
  if (typeof gold !== 'string' || typeof pred !== 'string') return false;
  const g = gold.trim();
  const p = pred.trim();
  if (p.length === 0 || g.length === 0) return false;
  if (g === p) return true;
  const gn = parsePlainNumber(g);
  const pn = gn === null ? null : parsePlainNumber(p, true);
  if (gn === null || pn === null) return null;
  if (opts.precision !== undefined && roundTo(gn.value, opts.precision) === roundTo(pn.value, opts.precision)) return true;
  if (plainEqual(gn, pn, opts.relTol ?? 1e-8)) return true;
  return (gn.decimals > 0 || pn.decimals > 0) && floatEqual(gn.value, pn.value, opts.floatRounding ?? 6);
}

function equivalentAnswers(gold: string, pred: string, opts: EquivalenceOptions): boolean {
  const ctx: Ctx = {
    cas: {
      relTol: opts.relTol ?? 1e-8,
      points: opts.points ?? 6,
      seed: opts.seed ?? 0,
      deadline: performance.now() + (opts.timeoutMs ?? 1000),
      maxSimplifyNodes: opts.maxSimplifyNodes ?? 80,
    },
    precision: opts.precision,
    floatRounding: opts.floatRounding ?? 6,
    percentEither: opts.percentEither ?? true,
    unordered: opts.unorderedLists ?? true,
  };
  const times = [timeOfDay(gold), timeOfDay(pred)];
  // Two times of day, one with AM/PM or seconds (two bare `h:mm` are left to be read as ratios).
  if (times[0] !== null && times[1] !== null && (times[0].clock || times[1].clock)) return times[0].minutes === times[1].minutes;
  const letters = labelledChoice(gold, pred);
  if (letters !== null) return letters[0] === letters[1];
  const cg = cleanAnswer(gold);
  const cp = cleanAnswer(pred);
  if (cp.text.length === 0) return false;
  if (!cg.words && !cp.words && cg.text.replace(/\s+/g, '') === cp.text.replace(/\s+/g, '')) return true;
  const G = dedupe(expandPm(parseAnswer(cg.text, cg.words)));
  const P = dedupe(expandPm(parseAnswer(cp.text, cp.words, G.kind === 'scalar')));
  // Percent: a reference x% accepts x and x/100 (Math-Verify). An answer x% against a bare reference
  // is x/100, and x too where x is written as a plain number (`10%` for 10: hendrycks MATH, NeMo-Skills
  // and Trinity-RFT drop the sign), not as a fraction (`4 4/9%` is not 40/9: Math-Verify's mixed-number tests).
  if (G.kind === 'scalar' && P.kind === 'scalar') return scalarEq(G.text, P.text, ctx, percentMode(cg.percent, cp.percent, P.text));
  // A word in the reference (`\text{odd}`, `\text{13}`) is matched by words only, never by maths.
  if (G.kind === 'choice' || G.kind === 'words') return (cp.words || G.kind === 'choice') && wordsEq(G, cp.text);
  return answerEq(G, P, ctx);
}

function answerEq(G: Answer, P: Answer, ctx: Ctx): boolean {
  // As Math-Verify: the reference's form decides. An equation in the answer against a reference that
  // is no equation is read as its (last) right-hand side; an assignment in the reference (`x = 3`,
  // `(p, q) = (3, 2)`) against an answer that is no equation is read as its value.
  if (P.kind === 'equation' && G.kind !== 'equation' && G.kind !== 'relation') return answerEq(G, rhsOf(P), ctx);
  // A chain `1 = \zzz = x = 0` gives its last value, as Math-Verify reads a reference.
  if (G.kind === 'equation' && (G.variable || G.chain) && P.kind !== 'equation') return answerEq(rhsOf(G), P, ctx);
  switch (G.kind) {
    case 'scalar':
      // A set of one value, or of several spellings of it (`\boxed{15\frac{39}{40}}` or `\boxed{\frac{639}{40}}`).
      if ((P.kind === 'set' || P.kind === 'list') && P.items.length >= 1) return P.items.every((x) => answerEq(G, x, ctx));
      return P.kind === 'scalar' && scalarEq(G.text, P.text, ctx, false);
    case 'equation':
      if (P.kind !== 'equation') return false;
      if (G.variable && P.variable && squash(G.lhs) === squash(P.lhs)) return answerEq(rhsOf(G), rhsOf(P), ctx);
      // `f(x) = 2x + 3` and `y = 2x + 3` name one function (MARIO_EVAL's is_equiv).
      if (G.variable && P.variable && isFunctionAndY(G.lhs, P.lhs)) return answerEq(rhsOf(G), rhsOf(P), ctx);
      if (G.variable && P.variable && isVariable(G.lhs) && isVariable(P.lhs)) return false;
      return equationEq(G.lhs, G.rhs, P.lhs, P.rhs, ctx);
    case 'tuple':
      if (P.kind === 'tuple') return ordered(G.items, P.items, ctx);
      // `(1, 3)` against the list `1, 3`: the list is read in increasing order (Math-Verify sorts sets).
      if ((P.kind === 'list' || P.kind === 'set') && G.brackets === '()') return ordered(G.items, P.items, ctx) || ordered(G.items, sortedItems(P.items), ctx);
      // A list written in square brackets (`[1, 2, 3]`, as TheoremQA-style golds do) against the bare list, in order.
      if (P.kind === 'list' && G.brackets === '[]') return ordered(G.items, P.items, ctx);
      if (P.kind === 'matrix') return vectorEq(P.rows, G.items, ctx);
      // `(2, 4)` is an ordered pair or an open interval: the reference does not say which.
      if (P.kind === 'interval' && G.brackets === '()' && G.items.length === 2 && P.loOpen && P.hiOpen && !P.fromRelation) {
        return itemEq(G.items[0]!, { kind: 'scalar', text: P.lo }, ctx) && itemEq(G.items[1]!, { kind: 'scalar', text: P.hi }, ctx);
      }
      return false;
    case 'set':
    case 'list':
      if (P.kind === 'set' || P.kind === 'list') return collectionEq(G.items, P.items, ctx, G.kind === 'set' || ctx.unordered);
      if (P.kind === 'matrix' && G.kind === 'list') return vectorEq(P.rows, G.items, ctx);
      if (P.kind === 'tuple' && (P.brackets === '()' || P.brackets === '[]')) return collectionEq(G.items, P.items, ctx, true);
      if (P.kind === 'interval' && P.loOpen && P.hiOpen && !P.fromRelation && G.items.length === 2) {
        return collectionEq(G.items, [{ kind: 'scalar', text: P.lo }, { kind: 'scalar', text: P.hi }], ctx, true);
      }
      if (G.items.length === 1) return answerEq(G.items[0]!, P, ctx);
      return false;
    case 'interval':
      if (P.kind === 'union' && P.items.length === 1) return answerEq(G, P.items[0]!, ctx);
      if (P.kind === 'matrix' && !G.fromRelation && !G.loOpen && !G.hiOpen) return vectorEq(P.rows, [scalarAnswer(G.lo), scalarAnswer(G.hi)], ctx);
      // An interval written as a set is not matched by an inequality (Math-Verify compares a relation
      // with a set only when the reference is the relation).
      if (P.kind === 'interval') return !(P.fromRelation && !G.fromRelation) && intervalEq(G, P, ctx);
      if (P.kind === 'tuple' && P.brackets === '()' && P.items.length === 2 && G.loOpen && G.hiOpen) {
        return itemEq({ kind: 'scalar', text: G.lo }, P.items[0]!, ctx) && itemEq({ kind: 'scalar', text: G.hi }, P.items[1]!, ctx);
      }
      if (P.kind === 'relation' && G.fromRelation && G.variable) {
        const g = relationOf(G);
        return g !== null && relationEq(g, P, ctx);
      }
      return false;
    case 'union':
      if (P.kind === 'union' || P.kind === 'list') {
        if (P.items.some((x) => x.kind === 'interval' && x.fromRelation) && !G.items.some((x) => x.kind === 'interval' && x.fromRelation)) return false;
        return collectionEq(G.items, P.items, ctx, true);
      }
      return false;
    case 'relation':
      if (P.kind === 'relation') return relationEq(G, P, ctx);
      // `x \ne 3` describes (-∞, 3) ∪ (3, ∞) (Math-Verify compares a relation gold as its set).
      if (P.kind === 'union' && G.op === '!=' && isVariable(G.lhs)) return punctured(P, G.rhs, ctx);
      if (P.kind === 'interval' && P.fromRelation && P.variable) {
        const p = relationOf(P);
        return p !== null && relationEq(G, p, ctx);
      }
      return false;
    case 'matrix':
      if (P.kind === 'matrix') {
        return G.rows.length === P.rows.length && G.rows.every((r, i) => r.length === P.rows[i]!.length && r.every((x, j) => scalarEq(x, P.rows[i]![j]!, ctx, false)));
      }
      if (P.kind === 'tuple' || P.kind === 'list') return vectorEq(G.rows, P.items, ctx);
      // A column or row written `[1, 2]` (which reads as an interval).
      if (P.kind === 'interval' && !P.fromRelation) return vectorEq(G.rows, [scalarAnswer(P.lo), scalarAnswer(P.hi)], ctx);
      return false;
    case 'choice':
    case 'words':
      return false;
  }
}

/**
 * A lone choice letter against an option written out (`D` and `D. x = 17`, NeMo-Skills' math_equal):
 * the two letters; null unless one side is a lone letter and the other a labelled option.
 */
function labelledChoice(gold: string, pred: string): [string, string] | null {
  const lone = (s: string) => /^\(?([A-E])\)?$/.exec(s.replace(/\\(?:text|textbf|mathrm)\{([^{}]*)\}/g, '$1').trim())?.[1] ?? null;
  const labelled = (s: string) => /^\(?([A-E])[.):]\s+\S/.exec(s.trim())?.[1] ?? null;
  const [lg, lp] = [lone(gold), lone(pred)];
  if (lg !== null && lp === null) return labelled(pred) === null ? null : [lg, labelled(pred)!];
  if (lp !== null && lg === null) return labelled(gold) === null ? null : [labelled(gold)!, lp];
  return null;
}

/** A union `(-∞, a) ∪ (a, ∞)`: the line without the point `a`. */
function punctured(u: Extract<Answer, { kind: 'union' }>, a: string, ctx: Ctx): boolean {
  const [l, r] = u.items;
  if (u.items.length !== 2 || l?.kind !== 'interval' || r?.kind !== 'interval') return false;
  return infinite(l.lo) === -1 && infinite(r.hi) === 1 && l.hiOpen && r.loOpen && scalarEq(a, l.hi, ctx, false) && scalarEq(a, r.lo, ctx, false);
}

function isFunctionAndY(a: string, b: string): boolean {
  const fn = (x: string) => /^[a-zA-Z]\s*\(\s*x\s*\)$/.test(x.trim());
  return (fn(a) && b.trim() === 'y') || (fn(b) && a.trim() === 'y');
}

function percentMode(gold: boolean, pred: boolean, predText: string): false | 'either' | 'answer' {
  if (gold) return 'either';
  if (!pred) return false;
  return parsePlainNumber(predText, true) !== null ? 'either' : 'answer';
}

function scalarAnswer(text: string): Answer {
  return { kind: 'scalar', text };
}

/**
 * A time of day (`21:15`, `9:15 PM`, `9:15 p.m.`, `9 am`, `21:15:00`) in minutes after midnight, and
 * whether it is surely a clock time (AM/PM or seconds written); null for anything else.
 */
export function timeOfDay(s: string): { minutes: number; clock: boolean } | null {
  const t = s.replace(/\\(?:text|mathrm|textrm|mbox)\s*\{([^{}]*)\}/g, '$1').replace(/\$|\\[,;: ]|~/g, ' ').replace(/\s+/g, ' ').trim();
  const m = /^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(?:([ap])\.?\s?m\.?)?$/i.exec(t);
  if (!m || (m[2] === undefined && m[4] === undefined)) return null;
  let h = Number(m[1]);
  const min = Number(m[2] ?? 0);
  if (min > 59) return null;
  if (m[4] !== undefined) {
    if (h < 1 || h > 12) return null;
    h = (h % 12) + (m[4].toLowerCase() === 'p' ? 12 : 0);
  } else if (h > 24) return null;
  return { minutes: (h % 24) * 60 + min + Number(m[3] ?? 0) / 60, clock: m[4] !== undefined || m[3] !== undefined };
}

/** The right-hand side of an equation (the last one of a chain), as an answer of its own. */
function rhsOf(eq: Extract<Answer, { kind: 'equation' }>): Answer {
  return expandPm(parseAnswer(eq.rhs, false));
}

/** A one-sided interval written as `x < 3` back as the relation `x - 3 < 0`; null for two-sided ones. */
function relationOf(a: Extract<Answer, { kind: 'interval' }>): Extract<Answer, { kind: 'relation' }> | null {
  if (!a.variable) return null;
  if (infinite(a.lo) === -1) return { kind: 'relation', lhs: a.variable, rhs: a.hi, op: a.hiOpen ? '<' : '<=' };
  if (infinite(a.hi) === 1) return { kind: 'relation', lhs: a.lo, rhs: a.variable, op: a.loOpen ? '<' : '<=' };
  return null;
}

/** `a < b` against `c < d`: the same kind and a − b = c − d (`x < 1` is `-x > -1`); `≠` either way round. */
function relationEq(g: Extract<Answer, { kind: 'relation' }>, p: Extract<Answer, { kind: 'relation' }>, ctx: Ctx): boolean {
  if (g.op !== p.op) return false;
  const a = [parseExpression(g.lhs), parseExpression(g.rhs), parseExpression(p.lhs), parseExpression(p.rhs)];
  if (a.some((x) => x === null)) return false;
  const gd: Json = ['Subtract', a[0]!, a[1]!];
  if (compareExpressions(gd, ['Subtract', a[2]!, a[3]!], ctx.cas) === true) return true;
  return g.op === '!=' && compareExpressions(gd, ['Subtract', a[3]!, a[2]!], ctx.cas) === true;
}

/** Items in increasing numeric order where they are all numbers (else as they are). */
function sortedItems(items: Answer[]): Answer[] {
  const values = items.map((x) => (x.kind === 'scalar' ? scalarValue(x.text) : null));
  if (values.some((v) => v === null)) return items;
  return items.map((x, i) => [x, values[i]!] as const).sort((a, b) => a[1] - b[1]).map((x) => x[0]);
}

function scalarValue(t: string): number | null {
  const n = parsePlainNumber(t, true);
  if (n !== null) return n.value;
  const e = parseExpression(t);
  const v = e === null ? null : constantValue(e);
  return v !== null && Math.abs(v.im) < 1e-12 ? v.re : null;
}

/** A set or list without repeated items (Math-Verify's sets drop duplicates). */
function dedupe(a: Answer): Answer {
  if (a.kind !== 'set' && a.kind !== 'list' && a.kind !== 'union') return a;
  const seen = new Set<string>();
  const items = a.items.filter((x) => {
    const key = JSON.stringify(x).replace(/\s+/g, '');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { ...a, items };
}

/** A one-row or one-column matrix against a tuple. */
function vectorEq(rows: string[][], items: Answer[], ctx: Ctx): boolean {
  const flat = rows.length === 1 ? rows[0]! : rows.every((r) => r.length === 1) ? rows.map((r) => r[0]!) : null;
  return flat !== null && flat.length === items.length && flat.every((x, i) => answerEq({ kind: 'scalar', text: x }, items[i]!, ctx) || scalarLike(items[i]!, x, ctx));
}

function scalarLike(a: Answer, gold: string, ctx: Ctx): boolean {
  return a.kind === 'scalar' && scalarEq(gold, a.text, ctx, false);
}

function ordered(gs: Answer[], ps: Answer[], ctx: Ctx): boolean {
  return gs.length === ps.length && gs.every((g, i) => itemEq(g, ps[i]!, ctx));
}

function collectionEq(gs: Answer[], ps: Answer[], ctx: Ctx, unordered: boolean): boolean {
  if (!unordered) return ordered(gs, ps, ctx);
  if (gs.length !== ps.length) return false;
  const used = new Array<boolean>(ps.length).fill(false);
  return gs.every((g) => {
    const j = ps.findIndex((p, k) => !used[k] && itemEq(g, p, ctx));
    if (j < 0) return false;
    used[j] = true;
    return true;
  });
}

function itemEq(g: Answer, p: Answer, ctx: Ctx): boolean {
  if (g.kind === 'scalar' && p.kind === 'scalar') return scalarEq(g.text, p.text, ctx, false);
  return answerEq(g, p, ctx);
}

function intervalEq(g: Extract<Answer, { kind: 'interval' }>, p: Extract<Answer, { kind: 'interval' }>, ctx: Ctx): boolean {
  const end = (a: string, b: string, aOpen: boolean, bOpen: boolean) => {
    const inf = infinite(a);
    if (inf !== 0) return infinite(b) === inf;
    return aOpen === bOpen && scalarEq(a, b, ctx, false);
  };
  return end(g.lo, p.lo, g.loOpen, p.loOpen) && end(g.hi, p.hi, g.hiOpen, p.hiOpen);
}

function equationEq(gl: string, gr: string, pl: string, pr: string, ctx: Ctx): boolean {
  const a = [parseExpression(gl), parseExpression(gr)];
  const b = [parseExpression(pl), parseExpression(pr)];
  if (a.some((x) => x === null) || b.some((x) => x === null)) return false;
  return proportional(['Subtract', a[0]!, a[1]!], ['Subtract', b[0]!, b[1]!], ctx.cas) === true;
}

/**
 * Two scalar answers (numbers, expressions). `percent`: the reference carried a percent sign
 * ('either': x or x/100 is right), or only the answer did ('answer': its value is x/100).
 */
export function scalarEq(g: string, p: string, ctx: Ctx, percent: false | 'either' | 'answer'): boolean {
  if (percent === 'answer') {
    if (!ctx.percentEither) return scalarEq(g, p, ctx, false);
    return percentValueEq(g, p, ctx) || scalarEq(g, `\\frac{${p}}{100}`, ctx, false);
  }
  if (squash(g) === squash(p)) return true;
  const gn = parsePlainNumber(g);
  const pn = parsePlainNumber(p, true);
  if (gn !== null && pn !== null) {
    if (plainEqual(gn, pn, ctx.cas.relTol)) return true;
    if ((gn.decimals > 0 || pn.decimals > 0) && floatEqual(gn.value, pn.value, ctx.floatRounding)) return true;
    if (ctx.precision !== undefined && roundTo(gn.value, ctx.precision) === roundTo(pn.value, ctx.precision)) return true;
    return percent && ctx.percentEither && (closeTo(gn.value, pn.value / 100, ctx.cas.relTol) || closeTo(gn.value / 100, pn.value, ctx.cas.relTol));
  }
  const base = /^([0-9A-Za-z]+)_\{?(\d+)\}?$/.exec(squash(g));
  if (base) {
    const digits = squash(p).replace(/_\{?(\d+)\}?$/, (_, b: string) => (b === base[2] ? '' : '#'));
    return digits.toUpperCase() === base[1]!.toUpperCase();
  }
  // Integers, fractions and mixed numbers compare exactly without the CAS (most MATH answers).
  const gf = gn === null || gn.integerDigits !== null ? simpleFraction(g) : null;
  const pf = gf !== null && (pn === null || pn.integerDigits !== null) ? simpleFraction(p) : null;
  if (gf !== null && pf !== null) {
    if (fractionsEqual(gf, pf)) return true;
    if (!percent) return false;
  }
  if (performance.now() > ctx.cas.deadline) return false;
  const ge = gn !== null ? gn.value : parseExpression(g);
  const pe = pn !== null ? pn.value : parseExpression(p);
  if (ge === null || pe === null) return false;
  // A decimal on one side: both values rounded to `floatRounding` places (Math-Verify's float rule).
  const decimal = (pn !== null && pn.decimals > 0) || (gn !== null && gn.decimals > 0);
  if (decimal || ctx.precision !== undefined) {
    const gv = typeof ge === 'number' ? { re: ge, im: 0 } : constantValue(ge);
    const pv = typeof pe === 'number' ? { re: pe, im: 0 } : constantValue(pe);
    if (gv !== null && pv !== null && Math.abs(gv.im) < 1e-12 && Math.abs(pv.im) < 1e-12) {
      if (decimal && floatEqual(gv.re, pv.re, ctx.floatRounding)) return true;
      if (ctx.precision !== undefined && roundTo(gv.re, ctx.precision) === roundTo(pv.re, ctx.precision)) return true;
    }
  }
  if (compareExpressions(ge, pe, ctx.cas) === true) return true;
  if (percent && ctx.percentEither) {
    return compareExpressions(ge, ['Divide', pe, 100], ctx.cas) === true || compareExpressions(['Divide', ge, 100], pe, ctx.cas) === true;
  }
  return false;
}

/** A plain-number answer x% against a plain-number reference: x/100 by the float rule. */
function percentValueEq(g: string, p: string, ctx: Ctx): boolean {
  const gn = parsePlainNumber(g);
  const pn = parsePlainNumber(p, true);
  return gn !== null && pn !== null && (closeTo(gn.value, pn.value / 100, ctx.cas.relTol) || floatEqual(gn.value, pn.value / 100, ctx.floatRounding));
}

/** Equal when rounded to `places` decimal places (relative for very large values). */
export function floatEqual(a: number, b: number, places: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  if (!Number.isFinite(places)) return closeTo(a, b, 1e-12);
  const f = Math.pow(10, places);
  if (Math.abs(a) * f > 1e15 || Math.abs(b) * f > 1e15) return closeTo(a, b, 1e-12);
  // Nudge by a relative epsilon so that 0.1234565 written in binary still rounds as written.
  const r = (x: number) => Math.round(x * f * (1 + Math.sign(x) * 1e-13));
  return r(a) === r(b);
}

/** Choices (A–E) and prose answers. */
function wordsEq(G: Extract<Answer, { kind: 'choice' | 'words' }>, pred: string): boolean {
  if (G.kind === 'choice') return choiceLetter(pred) === G.letter;
  return words(pred) === words(G.text) && words(G.text).length > 0;
}

/** The one choice letter a prediction names (`C`, `(C)`, `C) 12`, `option C`), or null. */
export function choiceLetter(pred: string): string | null {
  const t = pred.replace(/\\text(?:bf)?\{([^{}]*)\}/g, '$1').trim();
  if (/^\(?[a-e]\)?$/.test(t)) return t.replace(/[()]/g, '').toUpperCase();
  const lead = /^\(?([A-E])\)?(?=$|[\s.:,)])/.exec(t) ?? /\b(?:option|choice|answer)\s*:?\s*\(?([A-E])\)?(?![a-zA-Z])/i.exec(t);
  if (!lead) return null;
  const others = [...t.matchAll(/\(([A-E])\)/g)].map((m) => m[1]);
  return others.every((o) => o === lead[1]) ? lead[1]! : null;
}

function words(s: string): string {
  return s
    .toLowerCase()
    .replace(/\\text\{([^{}]*)\}/g, '$1')
    .replace(/[^a-z0-9\s]/g, ' ')
    .replace(/\b(?:the|a|an)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function roundTo(x: number, digits: number): number {
  const f = Math.pow(10, digits);
  return Math.round(x * f) / f;
}

function squash(s: string): string {
  return s.replace(/\s+/g, '');
}

/** `1 \pm \sqrt{19}` is the list `1 + \sqrt{19}, 1 - \sqrt{19}`; inside sets and lists too. */
function expandPm(a: Answer): Answer {
  const pm = (text: string): string[] => {
    const i = text.search(/\\(?:pm|mp)(?![a-z])/);
    if (i < 0) return [text];
    const rest = text.slice(i + 3);
    return [...pm(`${text.slice(0, i)}+${rest}`), ...pm(`${text.slice(0, i)}-${rest}`)];
  };
  const items = (xs: Answer[]): Answer[] => xs.flatMap((x) => (x.kind === 'scalar' ? pm(x.text).map((t) => ({ kind: 'scalar', text: t }) as Answer) : [x]));
  if (a.kind === 'scalar' && /\\(?:pm|mp)(?![a-z])/.test(a.text)) return { kind: 'list', items: items([a]) };
  if (a.kind === 'set' || a.kind === 'list') return { ...a, items: items(a.items) };
  if (a.kind === 'equation' && a.variable && /\\(?:pm|mp)(?![a-z])/.test(a.rhs)) return { kind: 'list', items: items([{ kind: 'scalar', text: a.rhs }]) };
  return a;
}
