// The math verifier's public face: extractAnswer, isEquivalent, verify, normalizeAnswer and the `accuracy`
// reward (R1 paper §2.2.2). Extraction and equivalence are separate steps; POLICIES.md states what is
// decided where graders disagree. No model imports; nothing here throws on model output.

import type { RewardContext, RewardFn } from '../types.js';
import { constantValue, parseExpression } from './cas.js';
import { choiceLetter, isEquivalent as equivalent, type EquivalenceOptions } from './equivalence.js';
import { extractAnswer, lastBoxed, type ExtractOptions } from './extract.js';
import { cleanAnswer } from './latex.js';
import { parsePlainNumber } from './numbers.js';
import { isBareAnswer, questionWantsOrder, questionWantsSeveral, unescapeLatex, unglueSpacing, wholeAnswer, type TextKind } from './read.js';
import { parseAnswer, type Answer } from './structure.js';

export { extractAnswer, lastBoxed };
export { TEXT_KINDS, type TextKind } from './read.js';

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
  /**
   * What the prediction is (default `auto`): `answer` is parsed whole, `completion` is searched for its
   * final answer, `auto` parses it whole when it is one bare answer (read.ts: isBareAnswer) and searches
   * it otherwise.
   */
  predKind?: TextKind;
  /** The same for the gold field (default `auto`; a solution or "the answer is X" is searched). */
  goldKind?: TextKind;
  /**
   * The question, when known: "in increasing order" makes lists ordered; "all", "each", "list" makes
   * several boxes one answer (otherwise boxes apart in prose give the last one).
   */
  question?: string;
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
  if (typeof gold !== 'string') return { correct: false, extracted: null };
  const extracted = readPrediction(completion, opts, gold);
  if (extracted === null) return { correct: false, extracted };
  // The common case (a box holding the dataset's answer as written) needs no reading of the gold.
  if (extracted === gold) return { correct: true, extracted };
  const g = goldAnswer(gold, opts.goldKind);
  if (extracted === g) return { correct: true, extracted };
  return { correct: equivalent(g, extracted, equivalenceOptions(opts)), extracted };
}

/** The equivalence options with the question's policies applied (an explicit option wins). */
function equivalenceOptions(opts: VerifyOptions): EquivalenceOptions {
  const eq = opts.equivalence ?? {};
  if (eq.unorderedLists !== undefined || !questionWantsOrder(opts.question)) return eq;
  return { ...eq, unorderedLists: false };
}

/**
 * The answer a prediction gives, read as `opts.predKind` says (see VerifyOptions), or null when a
 * searched text holds none. `gold` tells whether several boxes may be one answer.
 */
export function readPrediction(text: string, opts: VerifyOptions = {}, gold?: string): string | null {
  if (typeof text !== 'string') return null;
  const kind = opts.predKind ?? 'auto';
  const t = unescapeLatex(text);
  if (kind === 'answer' || (kind === 'auto' && isBareAnswer(t))) {
    const w = wholeAnswer(unglueSpacing(t));
    return w.length > 0 ? w : null;
  }
  // Asked only when boxes stand apart in prose.
  const several = opts.extract?.severalBoxes ?? (() => questionWantsSeveral(opts.question) || (gold !== undefined && isSeveral(gold)));
  // No spread of an absent `opts.extract` (the common call): a literal is cheaper.
  const found = extractAnswer(t, opts.extract === undefined ? { severalBoxes: several } : { ...opts.extract, severalBoxes: several });
  return found === null ? null : unglueSpacing(found);
}

/** A gold answer listing several values (`1, 3`, `\{2, 5\}`, `x = 1 \text{ or } x = 2`). */
function isSeveral(gold: string): boolean {
  if (!/[,;]|\\cup|\b(?:and|or)\b/.test(gold)) return false;
  try {
    const c = cleanAnswer(goldAnswer(gold));
    const a = parseAnswer(c.text, c.words, true);
    return (a.kind === 'list' || a.kind === 'set') && a.items.length > 1;
  } catch {
    return false;
  }
}

/**
 * The answer in a gold field, read as Math-Verify reads its reference: a bare answer (`18`,
 * `\frac{1}{3}`, `(3, \frac{\pi}{2})`) is kept as it is; one in maths delimiters (`$x \ge 5$`, several
 * spans `$1$ and $2$`), in boxes (one or several: a set), after GSM8K's `####`, or a whole worked
 * solution gives its final answer.
 */
export function goldAnswer(gold: string, kind: TextKind = 'auto'): string {
  if (typeof gold !== 'string') return '';
  // A plain number (most golds: GSM8K, AIME, two thirds of MATH) is its own answer: no reading needed.
  if (PLAIN_NUMBER.test(gold)) return gold;
  const t = unglueSpacing(unescapeLatex(gold.trim()));
  if (t.length === 0) return t;
  if (kind === 'answer' || (kind === 'auto' && isBareAnswer(t))) return wholeAnswer(t);
  if (kind === 'completion' || /\\boxed|\\fbox|####|<answer>|(?<!\\)\$|\\\(|\\\[/.test(t) || isSolution(t) || ANSWER_PHRASE.test(t)) {
    return extractAnswer(t, { preferAfterThink: false, severalBoxes: true }) ?? t;
  }
  return t;
}

const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;

/** A gold written as a phrase: "answer is 0.75", "The answer: 12", "so x = 3". */
const ANSWER_PHRASE = /\b(?:answer|therefore|thus|hence|so)\b/i;

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
