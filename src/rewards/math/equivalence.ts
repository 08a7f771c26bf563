// Equivalence of a predicted answer to a trusted gold answer: plain numbers on a fast path, then
// clean-up (latex.ts), structure (structure.ts) read in the light of the gold, then element-wise
// comparison with the CAS (cas.ts). Asymmetric: the gold decides how the prediction is read. It
// extracts nothing (extract.ts). Modelled on Math-Verify's `verify` and the PRM800K grader.

import { compareExpressions, constantValue, parseExpression, proportional, type CasOptions } from './cas.js';
import { cleanAnswer } from './latex.js';
import { closeTo, isRoundingOf, parsePlainNumber, plainEqual } from './numbers.js';
import { infinite, parseAnswer, type Answer } from './structure.js';

export interface EquivalenceOptions {
  /** Relative tolerance for numbers that are not integers (default 1e-8). */
  relTol?: number;
  /**
   * A decimal prediction with at least this many digits after the point is accepted when it is the
   * gold's exact value correctly rounded (`0.33` for `\frac13`, `3.14` for `\pi`). Plain-decimal golds
   * are never rounded. Default 2; Infinity turns rounding off.
   */
  roundingDigits?: number;
  /**
   * Compare numbers rounded to this many decimal places (default: off, exact up to relTol):
   * with 2, `3.14159` = `3.14`. Applies to numeric values on both sides, gold included.
   */
  precision?: number;
  /** Accept x for x% and x/100 for x% (default true): `28\%` = `28` = `0.28`. */
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
  roundingDigits: number;
  percentEither: boolean;
  unordered: boolean;
}

/** True when `pred` means the same answer as `gold`. Never throws; false when undecided. */
export function isEquivalent(gold: string, pred: string, opts: EquivalenceOptions = {}): boolean {
  const quick = quickEquivalent(gold, pred, opts);
  if (quick !== null) return quick;
  try {
    return judge(gold.trim(), pred.trim(), opts);
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
  return plainEqual(gn, pn, opts.relTol ?? 1e-8);
}

function judge(gold: string, pred: string, opts: EquivalenceOptions): boolean {
  const ctx: Ctx = {
    cas: {
      relTol: opts.relTol ?? 1e-8,
      points: opts.points ?? 6,
      seed: opts.seed ?? 0,
      deadline: performance.now() + (opts.timeoutMs ?? 1000),
      maxSimplifyNodes: opts.maxSimplifyNodes ?? 80,
    },
    precision: opts.precision,
    roundingDigits: opts.roundingDigits ?? 2,
    percentEither: opts.percentEither ?? true,
    unordered: opts.unorderedLists ?? true,
  };
  const cg = cleanAnswer(gold);
  const cp = cleanAnswer(pred);
  if (cp.text.length === 0) return false;
  if (!cg.words && !cp.words && cg.text.replace(/\s+/g, '') === cp.text.replace(/\s+/g, '')) return true;
  const G = expandPm(parseAnswer(cg.text, cg.words));
  const P = expandPm(parseAnswer(cp.text, cp.words, G.kind === 'scalar'));
  if (G.kind === 'scalar' && P.kind === 'scalar') return scalarEq(G.text, P.text, ctx, cg.percent || cp.percent);
  if (G.kind === 'choice' || G.kind === 'words') return wordsEq(G, cp.text);
  return answerEq(G, P, ctx);
}

function answerEq(G: Answer, P: Answer, ctx: Ctx): boolean {
  switch (G.kind) {
    case 'scalar':
      if (P.kind === 'equation' && P.variable) return scalarEq(G.text, P.rhs, ctx, false);
      if ((P.kind === 'set' || P.kind === 'list') && P.items.length === 1) return answerEq(G, P.items[0]!, ctx);
      return false;
    case 'equation':
      if (P.kind === 'scalar') return G.variable && scalarEq(G.rhs, P.text, ctx, false);
      if (P.kind !== 'equation') return false;
      if (G.variable && P.variable && squash(G.lhs) === squash(P.lhs)) return scalarEq(G.rhs, P.rhs, ctx, false);
      return equationEq(G.lhs, G.rhs, P.lhs, P.rhs, ctx);
    case 'tuple':
      if (P.kind === 'tuple' || (P.kind === 'list' && G.brackets === '()')) return ordered(G.items, P.items, ctx);
      if (P.kind === 'matrix') return vectorEq(P.rows, G.items, ctx);
      // `(2, 4)` is an ordered pair or an open interval: the gold does not say which.
      if (P.kind === 'interval' && G.brackets === '()' && G.items.length === 2 && P.loOpen && P.hiOpen) {
        return itemEq(G.items[0]!, { kind: 'scalar', text: P.lo }, ctx) && itemEq(G.items[1]!, { kind: 'scalar', text: P.hi }, ctx);
      }
      return false;
    case 'set':
    case 'list':
      if (P.kind === 'set' || P.kind === 'list') return collectionEq(G.items, P.items, ctx, G.kind === 'set' || ctx.unordered);
      if (P.kind === 'tuple' && G.kind === 'list' && P.brackets === '()') return collectionEq(G.items, P.items, ctx, ctx.unordered);
      if (G.items.length === 1) return answerEq(G.items[0]!, P, ctx);
      return false;
    case 'interval':
      if (P.kind === 'union' && P.items.length === 1) return answerEq(G, P.items[0]!, ctx);
      return P.kind === 'interval' && intervalEq(G, P, ctx);
    case 'union':
      if (P.kind === 'union' || P.kind === 'list') return collectionEq(G.items, P.items, ctx, true);
      return false;
    case 'matrix':
      if (P.kind === 'matrix') {
        return G.rows.length === P.rows.length && G.rows.every((r, i) => r.length === P.rows[i]!.length && r.every((x, j) => scalarEq(x, P.rows[i]![j]!, ctx, false)));
      }
      if (P.kind === 'tuple') return vectorEq(G.rows, P.items, ctx);
      return false;
    case 'choice':
    case 'words':
      return false;
  }
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
  if (g.kind === 'scalar' && p.kind === 'equation' && p.variable) return scalarEq(g.text, p.rhs, ctx, false);
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

/** Two scalar answers (numbers, expressions). `percent`: either side carried a percent sign. */
export function scalarEq(g: string, p: string, ctx: Ctx, percent: boolean): boolean {
  if (squash(g) === squash(p)) return true;
  const gn = parsePlainNumber(g);
  const pn = parsePlainNumber(p, true);
  if (gn !== null && pn !== null) {
    if (plainEqual(gn, pn, ctx.cas.relTol)) return true;
    if (ctx.precision !== undefined && roundTo(gn.value, ctx.precision) === roundTo(pn.value, ctx.precision)) return true;
    return percent && ctx.percentEither && (closeTo(gn.value, pn.value / 100, ctx.cas.relTol) || closeTo(gn.value / 100, pn.value, ctx.cas.relTol));
  }
  const base = /^([0-9A-Za-z]+)_\{?(\d+)\}?$/.exec(squash(g));
  if (base) {
    const digits = squash(p).replace(/_\{?(\d+)\}?$/, (_, b: string) => (b === base[2] ? '' : '#'));
    return digits.toUpperCase() === base[1]!.toUpperCase();
  }
  if (performance.now() > ctx.cas.deadline) return false;
  const ge = parseExpression(g);
  const pe = parseExpression(p);
  if (ge === null || pe === null) return false;
  if (pn !== null && gn === null && (pn.decimals >= ctx.roundingDigits || ctx.precision !== undefined)) {
    const v = constantValue(ge);
    if (v !== null && Math.abs(v.im) < 1e-12) {
      if (pn.decimals >= ctx.roundingDigits && isRoundingOf(v.re, pn.value, pn.decimals)) return true;
      if (ctx.precision !== undefined && roundTo(v.re, ctx.precision) === roundTo(pn.value, ctx.precision)) return true;
    }
  }
  if (compareExpressions(ge, pe, ctx.cas) === true) return true;
  if (percent && ctx.percentEither) {
    return compareExpressions(ge, ['Divide', pe, 100], ctx.cas) === true || compareExpressions(['Divide', ge, 100], pe, ctx.cas) === true;
  }
  return false;
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
