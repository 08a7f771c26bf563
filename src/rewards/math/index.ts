// The math verifier's public face: extractAnswer, isEquivalent, verify, normalizeAnswer, and the
// `accuracy` reward built on them (R1 paper §2.2.2, accuracy rewards). Extraction and equivalence are
// separate steps with separate options. No model imports; nothing here throws on model output.

import type { RewardContext, RewardFn } from '../types.js';
import { constantValue, parseExpression } from './cas.js';
import { choiceLetter, isEquivalent as equivalent, type EquivalenceOptions } from './equivalence.js';
import { extractAnswer, lastBoxed, type ExtractOptions } from './extract.js';
import { cleanAnswer } from './latex.js';
import { parsePlainNumber } from './numbers.js';
import { parseAnswer, type Answer } from './structure.js';

export { extractAnswer, lastBoxed };

/**
 * True when `pred` (an extracted answer) means the same as `gold`, a reference in any form datasets
 * use (bare, `$…$`, `\boxed{}`, a worked solution: see goldAnswer). Never throws; false when undecided.
 */
export function isEquivalent(gold: string, pred: string, opts: EquivalenceOptions = {}): boolean {
  return equivalent(typeof gold === 'string' ? goldAnswer(gold) : gold, pred, opts);
}
export type { EquivalenceOptions, ExtractOptions };
export { DEFAULT_STRATEGIES, MATH_VERIFY_STRATEGIES, type ExtractStrategy } from './extract.js';

export interface VerifyOptions {
  extract?: ExtractOptions;
  equivalence?: EquivalenceOptions;
}

export interface Verdict {
  correct: boolean;
  /** The answer found in the completion, or null when there was none (then `correct` is false). */
  extracted: string | null;
}

/**
 * Extracts the final answer of `completion` and judges it against the trusted `gold` answer, which may
 * be written in any of the forms datasets use (see goldAnswer).
 */
export function verify(gold: string, completion: string, opts: VerifyOptions = {}): Verdict {
  const extracted = extractAnswer(completion, opts.extract);
  if (extracted === null || typeof gold !== 'string') return { correct: false, extracted };
  if (extracted === gold) return { correct: true, extracted };
  return { correct: equivalent(goldAnswer(gold), extracted, opts.equivalence), extracted };
}

/**
 * The answer in a gold field, read as Math-Verify reads its reference: a bare answer (`18`,
 * `\frac{1}{3}`, `(3, \frac{\pi}{2})`) is kept as it is; one in maths delimiters (`$x \ge 5$`, several
 * spans `$1$ and $2$`), in boxes (one or several: a set), after GSM8K's `####`, or a whole worked
 * solution gives its final answer.
 */
export function goldAnswer(gold: string): string {
  if (typeof gold !== 'string') return '';
  const t = gold.trim();
  if (t.length === 0) return t;
  if (/\\boxed|\\fbox|####|<answer>|(?<!\\)\$|\\\(|\\\[/.test(t) || isSolution(t)) {
    return extractAnswer(t, { preferAfterThink: false }) ?? t;
  }
  return t;
}

/** Prose rather than an answer: four or more words outside LaTeX commands and \text{…}. */
function isSolution(t: string): boolean {
  if (t.length < 20) return false;
  const prose = t.replace(/\\[a-zA-Z]+(?:\{[^{}]*\})?/g, ' ');
  return (prose.match(/(?<![\\\w])[A-Za-z\u00C0-\u024F]{2,}(?![\w])/g)?.length ?? 0) >= 4;
}

/**
 * The `accuracy` reward: 1 when the completion's answer is equivalent to ctx.gold[i], 0 when not, and
 * null where there is no gold answer (cannot be scored, never a silent 0). `ctx.verifyOptions` (a
 * VerifyOptions) tunes extraction and equivalence. For a hard per-check timeout use pool.ts.
 */
export const accuracyReward: RewardFn = (completions: string[], ctx: RewardContext) => {
  const gold = Array.isArray(ctx.gold) ? ctx.gold : [];
  const opts = (ctx.verifyOptions ?? {}) as VerifyOptions;
  return completions.map((c, i) => {
    const g = gold[i];
    if (typeof g !== 'string' || g.trim().length === 0) return null;
    return verify(g, typeof c === 'string' ? c : '', opts).correct ? 1 : 0;
  });
};

/**
 * A canonical string for an answer, the key of majority voting (cons@k): plain and constant values
 * become their number (`\frac12`, `0.5`, `50\%`→`0.5` are one key), lists and sets are sorted, prose is
 * lowercased. Two answers with one key are equivalent; equivalent answers usually, not always, share one.
 */
export function normalizeAnswer(s: string): string {
  if (typeof s !== 'string') return '';
  try {
    const c = cleanAnswer(s);
    if (c.words) return choiceLetter(c.text) ?? c.text.toLowerCase().replace(/\s+/g, ' ');
    const key = canonical(parseAnswer(c.text, false, true));
    return c.percent ? canonicalNumber(Number(key) / 100) ?? `${key}%` : key;
  } catch {
    return s.trim();
  }
}

function canonical(a: Answer): string {
  switch (a.kind) {
    case 'scalar':
      return canonicalScalar(a.text);
    case 'equation':
      return a.variable ? canonicalScalar(a.rhs) : `${canonicalScalar(a.lhs)}=${canonicalScalar(a.rhs)}`;
    case 'tuple':
      return `(${a.items.map(canonical).join(',')})`;
    case 'set':
    case 'list':
    case 'union':
      return `{${a.items.map(canonical).sort().join(',')}}`;
    case 'interval':
      return `${a.loOpen ? '(' : '['}${canonicalScalar(a.lo)},${canonicalScalar(a.hi)}${a.hiOpen ? ')' : ']'}`;
    case 'relation':
      return `${canonicalScalar(a.lhs)}${a.op}${canonicalScalar(a.rhs)}`;
    case 'matrix':
      return `[${a.rows.map((r) => r.map(canonicalScalar).join(',')).join(';')}]`;
    case 'choice':
      return a.letter;
    case 'words':
      return a.text.toLowerCase();
  }
}

function canonicalScalar(t: string): string {
  const n = parsePlainNumber(t, true);
  if (n !== null) return n.integerDigits !== null ? `${n.negative ? '-' : ''}${n.integerDigits}` : canonicalNumber(n.value)!;
  const e = parseExpression(t);
  const v = e === null ? null : constantValue(e);
  if (v !== null && Math.abs(v.im) < 1e-12) return canonicalNumber(v.re) ?? t.replace(/\s+/g, '');
  return t.replace(/\s+/g, '');
}

function canonicalNumber(x: number): string | null {
  return Number.isFinite(x) ? String(Number(x.toPrecision(12))) : null;
}
