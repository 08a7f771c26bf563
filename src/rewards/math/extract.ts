// Answer extraction: finds the final answer in a model's completion (or a worked reference) the way
// Math-Verify's parser does, in priority groups: a "final answer is X. I hope" sentence; then the
// last \boxed{} (adjacent boxes joined into one set answer) or "final answer … is X"; then our own
// GSM8K `#### N`; then "answer: X", then "answer … X" (also in French, German, Spanish, Italian,
// Portuguese, Russian, Chinese, Japanese and Korean); then, last, the rightmost complete LaTeX span
// (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`, `\frac{a}{b}`, spans joined by and/or/commas) or complete plain
// expression or number (thousands separators, spaced thousands, decimal commas, mixed numbers).
// Inside a group the match that ends last wins; a match that does not parse gives way to the next,
// and numbers inside a failed LaTeX span are never used. It only finds text: equivalence.ts judges it.

import { boxesIn, lastIndexNear } from './boxes.js';

export { lastBoxed, matchBrace } from './boxes.js';

/**
 * `boxed`, `answerIs` (English answer phrases), `latex` and `lastNumber` are Math-Verify's own;
 * `answerTag` (R1-Zero's <answer>), `hashes` (GSM8K's ####), `answerLanguages` (answer phrases in
 * other languages, also before a number with no space: `答案：24`) and `choice` (a letter A–E after an
 * answer phrase) are ours, and can make us accept where Math-Verify finds no answer.
 */
export type ExtractStrategy = 'boxed' | 'answerTag' | 'hashes' | 'answerIs' | 'answerLanguages' | 'latex' | 'lastNumber' | 'choice';

export interface ExtractOptions {
  /** Strategies to use; the default is all of them, each at its own priority (see above). */
  strategies?: readonly ExtractStrategy[];
  /**
   * Look after the last `</think>` first (default true): a box in the summary wins; otherwise the
   * whole text is read as Math-Verify reads it (so a box in the thinking beats a summary's "the answer
   * is 10", and a summary's plain number is still the last one).
   */
  preferAfterThink?: boolean;
  /** Longest answer returned (default 1000 characters); longer candidates are cut at the front. */
  maxLength?: number;
  /**
   * Boxes apart in prose (`first \boxed{C}, then \boxed{D}`) are one answer listing several (true) or
   * a changed mind whose last box counts (false, the default). Boxes with only `and`, `or`, commas
   * or maths markup between them are always one answer (Math-Verify joins them into a set). A function
   * is asked only when the question arises.
   */
  severalBoxes?: boolean | (() => boolean);
}

export const DEFAULT_STRATEGIES: readonly ExtractStrategy[] = ['boxed', 'answerTag', 'hashes', 'answerIs', 'answerLanguages', 'latex', 'lastNumber', 'choice'];
/** Exactly Math-Verify's extraction (use with `preferAfterThink: false`). */
export const MATH_VERIFY_STRATEGIES: readonly ExtractStrategy[] = ['boxed', 'answerIs', 'latex', 'lastNumber'];

/** The final answer in `text`, or null when none of the strategies finds one. Never throws. */
export function extractAnswer(text: string, opts: ExtractOptions = {}): string | null {
  if (typeof text !== 'string' || text.length === 0) return null;
  try {
    const found = findAnswer(text, opts);
    if (found === null) return null;
    const maxLength = opts.maxLength ?? 1000;
    return found.length > maxLength ? found.slice(found.length - maxLength) : found;
  } catch {
    return null;
  }
}

/** Priority of a candidate's group (lower wins); the numbers follow Math-Verify's where it has one. */
const P_FINAL_HOPE = 0;
const P_BOXED = 50;
const P_HASHES = 75;
const P_ANSWER_COLON = 100;
const P_ANSWER = 200;
const P_PLAIN = 300;
/** How much of the end of a text the plain (unanchored) group searches. */
const PLAIN_WINDOW = 20000;

interface Candidate {
  text: string;
  start: number;
  end: number;
  /** A LaTeX span whose content did not parse: numbers inside it are skipped. */
  failed?: boolean;
}

const DEFAULT_SET: ReadonlySet<ExtractStrategy> = new Set(DEFAULT_STRATEGIES);

function findAnswer(text: string, opts: ExtractOptions): string | null {
  const strategies = opts.strategies === undefined ? DEFAULT_SET : new Set(opts.strategies);
  const several = opts.severalBoxes ?? false;
  const tags = findTags(text);
  // R1-Zero's <answer> tag: the answer is read inside it first.
  if (strategies.has('answerTag') && tags.answer >= 0) {
    const close = text.indexOf('</answer>', tags.answer);
    const inner: string | null = text.slice(tags.answer + 8, close < 0 ? text.length : close).trim();
    if (inner !== null) {
      const found = extractIn(inner, strategies, P_PLAIN, several);
      if (found !== null) return found.text;
      const t = cleanCandidate(inner);
      if (t.length > 0 && t.length <= 80 && !/[.!?]\s+\S/.test(t)) return t;
    }
  }
  if (opts.preferAfterThink ?? true) {
    const end = tags.think;
    if (end >= 0) {
      const summary = text.slice(end + 8);
      const found = summary.trim().length > 0 ? extractIn(summary, strategies, P_BOXED, several) : null;
      if (found !== null) return found.text;
    }
  }
  return extractIn(text, strategies, P_PLAIN, several)?.text ?? null;
}

/** The best candidate of the first priority group (up to `maxPriority`) that has a valid one. */
function extractIn(text: string, strategies: ReadonlySet<ExtractStrategy>, maxPriority: number, several: boolean | (() => boolean)): { text: string; priority: number } | null {
  if (maxPriority < P_BOXED) return null;
  const phrases = strategies.has('answerIs');
  if (phrases && text.includes('I hope') && FINAL_ANSWER_GATE.test(text)) {
    const c = best(matchAll(text, RE.finalHopeLatex, latexCandidate).concat(matchAll(text, RE.finalHopeExpr, exprCandidate)));
    if (c) return { text: c.text, priority: P_FINAL_HOPE };
  }
  const boxed: Candidate[] = [];
  if (strategies.has('boxed')) {
    const b = boxedCandidate(text, several);
    if (b) boxed.push(b);
  }
  // "final answer … is X" ties with the box: only a match ending at or after the box can beat it, so
  // with a box only the text near it is searched.
  const tail = boxed.length > 0 ? Math.max(0, boxed[0]!.start - 200) : 0;
  if (phrases && hasAnswerWord(text, tail) && FINAL_ANSWER_GATE.test(tail > 0 ? text.slice(tail) : text)) {
    boxed.push(...matchAll(text, RE.finalIsLatex, latexCandidate), ...matchAll(text, RE.finalIsExpr, exprCandidate));
  }
  const b = boxed.length === 1 ? boxed[0]! : best(boxed);
  if (b) return { text: b.text, priority: P_BOXED };
  if (maxPriority <= P_BOXED) return null;
  if (strategies.has('hashes')) {
    const m = lastMatch(text, /####\s*([^\n]+)/g);
    if (m) {
      const t = cleanCandidate(m[1]!);
      if (t.length > 0) return { text: t, priority: P_HASHES };
    }
  }
  const en = phrases && ANSWER_GATE_EN.test(text);
  const other = strategies.has('answerLanguages') && ANSWER_GATE_OTHER.test(text);
  if (en || other) {
    const find = (latex: RegExp, expr: RegExp) => matchAll(text, latex, latexCandidate).concat(matchAll(text, expr, exprCandidate));
    const colon = best([...(en ? find(RE.answerColonLatex, RE.answerColonExpr) : []), ...(other ? find(RE.otherColonLatex, RE.otherColonExpr) : [])]);
    if (colon) return { text: colon.text, priority: P_ANSWER_COLON };
    const cjk = other ? matchAll(text, RE.cjkAnswer, cjkCandidate) : [];
    const word = best([...(en ? find(RE.answerLatex, RE.answerExpr) : []), ...(other ? find(RE.otherLatex, RE.otherExpr) : []), ...cjk]);
    if (word) return { text: word.text, priority: P_ANSWER };
  }
  if (maxPriority < P_PLAIN) return null;
  // The last span, expression or number wins: only the end of a very long text is searched.
  if (text.length > PLAIN_WINDOW) text = text.slice(text.length - PLAIN_WINDOW);
  const plain: Candidate[] = [];
  if (strategies.has('latex')) plain.push(...matchAll(text, RE.chain, latexCandidate));
  if (strategies.has('lastNumber')) {
    plain.push(...matchAll(text, RE.plainExpr, exprCandidate), ...matchAll(text, RE.plainMixed, exprCandidate), ...matchAll(text, RE.plainNumber, exprCandidate));
  }
  const p = best(plain);
  if (p) return { text: p.text, priority: P_PLAIN };
  // Not in Math-Verify: a multiple-choice letter named after an answer phrase ("Answer: (C)").
  if (strategies.has('choice')) {
    const m = lastMatch(text, CHOICE_AFTER_ANSWER);
    if (m) return { text: m[1]!, priority: P_PLAIN + 100 };
  }
  return null;
}

/**
 * Whether `nswer` or `NSWER` occurs at or after `from`: the lower case found through `wer`, whose first
 * letter is rarer than `n` in prose and LaTeX (a search stops at every occurrence of a pattern's first letter).
 */
function hasAnswerWord(text: string, from: number): boolean {
  for (let i = text.indexOf('wer', from + 2); i >= 0; i = text.indexOf('wer', i + 3)) {
    if (text.charCodeAt(i - 1) === 115 && text.charCodeAt(i - 2) === 110) return true;
  }
  return text.indexOf('NSWER', from) >= 0;
}

/**
 * The candidate tried first: the match that ends last (and, among those, starts first), skipping
 * invalid ones and plain numbers inside a LaTeX span that failed to parse.
 */
function best(cands: Candidate[]): Candidate | null {
  if (cands.length === 0) return null;
  cands.sort((a, b) => b.end - a.end || a.start - b.start);
  const failed: Candidate[] = [];
  for (const c of cands) {
    if (c.failed) {
      failed.push(c);
      continue;
    }
    if (failed.some((f) => c.start < f.end && c.end > f.start)) continue;
    return c;
  }
  return null;
}

type Build = (m: RegExpExecArray) => Candidate | null;

function matchAll(text: string, re: RegExp, build: Build): Candidate[] {
  const out: Candidate[] = [];
  re.lastIndex = 0;
  let guard = 0;
  for (let m = re.exec(text); m !== null && guard < 10000; m = re.exec(text), guard++) {
    if (m[0].length === 0) re.lastIndex++;
    const c = build(m);
    if (c) out.push(c);
  }
  re.lastIndex = 0;
  return out;
}

function lastMatch(text: string, re: RegExp): RegExpExecArray | null {
  let last: RegExpExecArray | null = null;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    last = m;
    if (m[0].length === 0) re.lastIndex++;
  }
  re.lastIndex = 0;
  return last;
}

// ---------------------------------------------------------------------------------------------
// Patterns. Written from Math-Verify's documented behaviour (its parser's rules and tests).

/** Case-insensitive spelling of a phrase in a pattern (JS has no inline (?i:…)). */
function ci(word: string): string {
  return word.replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`).replace(/ /g, '\\s');
}

const ANSWER_EN = ci('answer');
/** "answer" in other languages (R1 answers in the question's language). */
const ANSWER_OTHER = [
  `${ci('r')}[éeÉE]${ci('ponse')}`, // French
  ci('respuesta'), // Spanish
  ci('antwort'), // German
  ci('risposta'), // Italian
  ci('resposta'), // Portuguese
  '[Оо]твет|ОТВЕТ', // Russian
  '答案|答え|解答|정답', // Chinese, Japanese, Korean
].join('|');
const ANSWER_WORD = `(?:${ANSWER_EN}|${ANSWER_OTHER})`;
const FINAL_ANSWER = ci('final answer');
const FINAL_ANSWER_GATE = new RegExp(FINAL_ANSWER);
const ANSWER_GATE_EN = new RegExp(ANSWER_EN);
const ANSWER_GATE_OTHER = new RegExp(ANSWER_OTHER);

const CURRENCY = '[$€£¥₹₽₪₩₫฿₡₢₣₤₥₦₧₨₭₮₯₰₱₲₳₴₵₶₷₸₺₻₼₾₿]';
const PERCENT = `(\\s*(?:%|${ci('percentage')}|${ci('percent')}|${ci('pct')}))?`;
/** Numbers: 1,234.5 / 1 234 (groups of three), 12.5 / 12,5, .5, 12. Groups 1-6, then the percent. */
const NUMBER = `(?<!\\d)(?:(-?[1-9]\\d{0,2}(?:[ ,]\\d{3})+)(\\.\\d+)?|(-?\\d+)([.,]\\d+)|(\\.\\d+)|(-?\\d+))${PERCENT}`;
/** Mixed numbers `4 4/9`, `-1 000 4/9` (one line): groups 1-4, then the percent. */
const MIXED = `(?<![\\d./)])(-?)((?:[1-9]\\d{0,2}(?: \\d{3})+|\\d+)) +(\\d+)\\/(\\d+)(?![\\d/])${PERCENT}`;
const EXPR_CHARS = '[\\d.\\s+\\-*×/^()÷]';
const OPERATORS = '[+\\-*×/^()÷]';
/**
 * A plain expression: starts with a digit, holds at least one operator (`1/3`; `2^{10}` is not one).
 * Bounded in length (Math-Verify's is not) so that a long run of numbers cannot take quadratic time.
 */
const EXPR = `(-?\\(?-?\\d${EXPR_CHARS}{0,300}${OPERATORS}${EXPR_CHARS}{1,300}\\)?)`;
const PREFIX = '(?:^|\\s|=)(?:\\*\\*)?';
/** After "答案是", "答案：" a number may follow with no space. */
const PREFIX_CJK = '(?:^|\\s|=|[是为為：:は])(?:\\*\\*)?';
const SUFFIX = '(?:\\*\\*)?(?:[.,:\\s)$]|$)';

function exprOrNumber(prefix: string): string {
  return `(?:${prefix}${EXPR}${SUFFIX}|${prefix}${MIXED}|${prefix}${CURRENCY}?${NUMBER})`;
}
const EXPR_OR_NUMBER = exprOrNumber(PREFIX);
/** A pattern that never matches: stands in for an alternative to keep its groups in place. */
const NEVER = '(?!)';
/** Groups of EXPR_OR_NUMBER: EXPR 1, MIXED 5, NUMBER 7. */
const EXPR_GROUPS = 13;

const PCT_AFTER_LATEX = `(?:\\s*(\\\\?%|${ci('percentage')}|${ci('percent')}|${ci('pct')}))?`;
/**
 * One LaTeX span: 6 content groups (one per delimiter kind) and a percent group. The `[…]` span stands at
 * the start or after a space, and before a space, punctuation or the end: written `(?<!\S)` and
 * `(?![^\s.,;:!?])`, which mean `(?<=^|\s)` and `(?=[\s.,;:!?]|$)` (an anchor in the lookbehind made the
 * answer patterns three times slower).
 */
const ENV = [
  '(?<!\\\\)\\$\\$((?:[^$]|\\$(?!\\$))+?)(?<!\\\\)\\$\\$',
  '(?<!\\\\)\\\\\\[((?:[^\\\\]|\\\\(?!\\]))+?)(?<!\\\\)\\\\\\]',
  '(?<![\\\\\\d])\\$((?:\\\\[$]|[^\\n$])+?)(?<!\\\\)\\$',
  '(?<!\\\\)\\\\\\(((?:[^\\\\\\n]|\\\\(?!\\)))+?)(?<!\\\\)\\\\\\)',
  '(?<!\\S)\\[([^\\n\\]\\[]+?)\\](?![^\\s.,;:!?])',
  '(-?\\\\frac\\{-?\\d+(?:[.,]\\d+)?\\}\\{-?\\d+(?:[.,]\\d+)?\\})',
];
const ENV_GROUPS = ENV.length + 1;
const ONE_ENV = `(?:(?:${ENV.join('|')})${PCT_AFTER_LATEX})`;
/** Up to six spans joined by "and", "or" or commas: one answer listing several values. */
const CHAIN = `(?:${ONE_ENV}${`(?:\\s*(?:,?and|,?or|,)\\s*${ONE_ENV})?`.repeat(5)})`;
const CHAIN_GROUPS = ENV_GROUPS * 6;

/** "answer", or (other) an answer word of another language, then a plain expression or number. */
function answerExpr(colon: boolean, other: boolean): string {
  if (!other) return `${ANSWER_EN}${colon ? ':' : ''}(?:.{0,100}=\\s*|.{0,50}?)${EXPR_OR_NUMBER}(?!\\s*=)`;
  return `(?:${ANSWER_OTHER})${colon ? '\\s*[:：]' : ''}(?:.{0,100}=\\s*|.{0,50}?)${exprOrNumber(PREFIX_CJK)}(?!\\s*=)`;
}

const RE = {
  finalHopeLatex: new RegExp(`${ci('final answer is')}:?\\s*${CHAIN}\\.?\\s?I hope`, 'gs'),
  finalHopeExpr: new RegExp(`${ci('final answer is')}:?\\s*${EXPR_OR_NUMBER}\\.?\\s?I hope`, 'g'),
  finalIsLatex: new RegExp(`${FINAL_ANSWER}.{0,100}?\\s+${ci('is')}:?\\s*${CHAIN}`, 'gs'),
  finalIsExpr: new RegExp(`${FINAL_ANSWER}.{0,100}?\\s+${ci('is')}:?${EXPR_OR_NUMBER}`, 'g'),
  answerColonLatex: new RegExp(`${ANSWER_EN}:.{0,50}?${CHAIN}`, 'gs'),
  answerColonExpr: new RegExp(answerExpr(true, false), 'g'),
  answerLatex: new RegExp(`${ANSWER_EN}.{0,50}?${CHAIN}`, 'gs'),
  answerExpr: new RegExp(answerExpr(false, false), 'g'),
  otherColonLatex: new RegExp(`(?:${ANSWER_OTHER})\\s*[:：].{0,50}?${CHAIN}`, 'gs'),
  otherColonExpr: new RegExp(answerExpr(true, true), 'g'),
  otherLatex: new RegExp(`(?:${ANSWER_OTHER}).{0,50}?${CHAIN}`, 'gs'),
  otherExpr: new RegExp(answerExpr(false, true), 'g'),
  chain: new RegExp(CHAIN, 'g'),
  // "答案是x^2", "答えは 2x+1": the rest of the clause after a CJK answer word, when it is maths.
  cjkAnswer: /(?:答案|答え|解答|정답)\s*(?:是|为|為|は|은|는)?\s*[:：]?\s*([^\n。，,；;！？!?]{1,80})/g,
  // One alternative each (the others never match), so that the groups keep the common layout.
  plainExpr: new RegExp(`(?:${PREFIX}${EXPR}${SUFFIX}|${NEVER}${MIXED}|${NEVER}${NUMBER})`, 'g'),
  plainMixed: new RegExp(`(?:${NEVER}${EXPR}|${PREFIX}${MIXED}|${NEVER}${NUMBER})`, 'g'),
  plainNumber: new RegExp(`(?:${NEVER}${EXPR}|${NEVER}${MIXED}|${PREFIX}${CURRENCY}?${NUMBER})`, 'g'),
};

const CHOICE_AFTER_ANSWER = new RegExp(`${ANSWER_WORD}[^\\n]{0,20}?(?<![A-Za-z])\\(?([A-E])\\)?(?![A-Za-z])`, 'g');

// ---------------------------------------------------------------------------------------------
// Building candidates from matches.

/**
 * A LaTeX chain match: its spans' contents (boxes inside taken out), joined as one list when there
 * are several. Every LaTeX pattern ends with CHAIN and has no group after it.
 */
function latexCandidate(m: RegExpExecArray): Candidate | null {
  const base = m.length - 1 - CHAIN_GROUPS;
  const parts: string[] = [];
  let failed = false;
  for (let k = 0; k < 6; k++) {
    const g = base + 1 + k * ENV_GROUPS;
    let content: string | undefined;
    for (let j = 0; j < ENV.length; j++) content ??= m[g + j];
    if (content === undefined) continue;
    const pct = m[g + ENV.length];
    let t = content.includes('box') ? boxesIn(content, 'all')?.content ?? content : content;
    t = cleanCandidate(t);
    if (!latexParses(t)) {
      if (k === 0) failed = true;
      break;
    }
    parts.push(pct ? `${t}\\%` : t);
  }
  const start = m.index;
  const end = m.index + m[0].length;
  if (failed || parts.length === 0) return { text: '', start, end, failed: true };
  return { text: parts.join(', '), start, end };
}

/** The maths after a CJK answer word: no CJK letters in it and braces balanced, else nothing. */
function cjkCandidate(m: RegExpExecArray): Candidate | null {
  const t = cleanCandidate(m[1]!);
  if (t.length === 0 || /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/.test(t) || !latexParses(t) || /\$/.test(t)) return null;
  return { text: t, start: m.index, end: m.index + m[0].length };
}

/** A plain expression, mixed number or number match (whichever of the alternatives matched). */
function exprCandidate(m: RegExpExecArray): Candidate | null {
  const start = m.index;
  const end = m.index + m[0].length;
  const text = exprText(m);
  return text === null ? null : { text, start, end };
}

/**
 * The value text of an expression/number match. Every such pattern is one or more EXPR_OR_NUMBER
 * blocks of 13 groups (EXPR 1, MIXED 5, NUMBER 7) and no other group: the block that took part is read.
 */
function exprText(m: RegExpExecArray): string | null {
  let at = 1;
  while (at + EXPR_GROUPS <= m.length && m.slice(at, at + EXPR_GROUPS).every((x) => x === undefined)) at += EXPR_GROUPS;
  const g = m.slice(at, at + EXPR_GROUPS);
  const [expr, mSign, mWhole, mNum, mDen, mPct, i1, d1, i2, d2, d3, i3, nPct] = g as (string | undefined)[];
  if (i1 !== undefined || d1 !== undefined || i2 !== undefined || d2 !== undefined || d3 !== undefined || i3 !== undefined) {
    const int = (i1 ?? i2 ?? i3 ?? '').replace(/[ ,]/g, '');
    const dec = (d1 ?? d2 ?? d3 ?? '').replace(',', '.');
    const neg = int.startsWith('-');
    let digits = int.replace(/^-/, '').replace(/^0+(?=\d)/, '');
    if (digits.length === 0) digits = '0';
    return `${neg ? '-' : ''}${digits}${dec}${nPct ? '%' : ''}`;
  }
  if (mWhole !== undefined) {
    const whole = mWhole.replace(/ /g, '');
    // Not a proper fraction (`11 6/6`, `4 4/0`): kept as written, which has no value (cleanAnswer).
    if (Number(mNum) >= Number(mDen)) return `${mSign ? '-' : ''}${whole} ${mNum}/${mDen}`;
    return `${mSign ? '-' : ''}(${whole}+\\frac{${mNum}}{${mDen}})${mPct ? '%' : ''}`;
  }
  if (expr !== undefined) return exprParses(expr) ? normaliseExpr(expr) : null;
  return null;
}

/** `11 5/6` read by a plain expression match is a mixed number; anything else as written. */
function normaliseExpr(expr: string): string {
  const t = expr.replace(/\s+/g, ' ').trim();
  const mixed = /^(-?)(\d+) (\d+)\/(\d+)$/.exec(t);
  if (mixed) return `${mixed[1]}(${mixed[2]}+\\frac{${mixed[3]}}{${mixed[4]}})`;
  return t;
}

/**
 * Whether a plain expression reads as Python/SymPy arithmetic (Math-Verify's test): ASCII only,
 * balanced parentheses, no two operands side by side (except a mixed number on one line), not
 * ending in an operator.
 */
function exprParses(expr: string): boolean {
  if (/[×÷]/.test(expr)) return false;
  const t = expr.trim();
  if (/[+\-*/^]$/.test(t) || /^[*/^]/.test(t)) return false;
  let depth = 0;
  for (const c of t) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  if (depth !== 0) return false;
  if (/\*{3}|\/{3}|\^\s*\^|[+\-*/^]\s*[*/^)]|\(\s*[*/^)]/.test(t)) return false;
  // Two operands side by side: `11 5/6` is a mixed number only on one line.
  if (/[\d.)]\s+[\d.(]/.test(t) && !/^-?\d+ +\d+\/\d+$/.test(t)) return false;
  return true;
}

/** Whether a LaTeX span's content can be an answer: not empty, braces balanced. */
function latexParses(t: string): boolean {
  if (t.length === 0 || t.length > 2000) return false;
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 92) {
      i++;
      continue;
    }
    if (c === 123) depth++;
    else if (c === 125 && --depth < 0) return false;
  }
  return depth === 0 && (/[A-Za-z0-9]/.test(t) || /[\p{L}\p{N}]/u.test(t));
}

// ---------------------------------------------------------------------------------------------
// Boxes.

/**
 * The boxed answer of a text, as Math-Verify reads it: from the first `\boxed{` to the last `}`, the
 * last box, with the boxes before it joined while they are close (under 10 characters apart, or under
 * 70 with "and", "or", a comma or a semicolon between them and a different content). Null when there
 * is no closed box.
 */
function boxedCandidate(text: string, several: boolean | (() => boolean)): Candidate | null {
  // No `}` at all (most texts without LaTeX): one forward search, which stops early in LaTeX, is far
  // cheaper than looking back over the whole text.
  if (!text.includes('}')) return null;
  const close = lastIndexNear(text, '}', text.length); // found: the text holds one
  const run = boxesIn(text, 'last', close + 1, several);
  if (run === null) return null;
  const t = cleanCandidate(run.content);
  if (!latexParses(t)) return null;
  return { text: t, start: run.start, end: close + 1 };
}


/** Where the last `<answer>` and the last `</think>` start (-1 when absent). */
const NO_TAGS = { answer: -1, think: -1 } as const;

function findTags(text: string): { answer: number; think: number } {
  // A forward search first: it is much faster than a backwards one when the tag is absent. No `>` at all
  // (most texts that are not R1 completions) is one search for both tags.
  if (!text.includes('>')) return NO_TAGS;
  const answer = text.indexOf('<answer>') < 0 ? -1 : text.lastIndexOf('<answer>');
  const think = text.indexOf('</think>') < 0 ? -1 : text.lastIndexOf('</think>');
  return { answer, think };
}

/**
 * Whether `t` may start or end with what cleanCandidate strips: it starts with `*`, `$` or `\`, or ends with
 * `*`, `$`, `)`, `]`, `.,;:!` or the `d` of `\quad`. A test by character codes before its pattern: most
 * answers (`9`, `p - q`) have none of these.
 */
function mayWrap(t: string): boolean {
  switch (t.charCodeAt(0)) {
    case 42: case 36: case 92: // * $ \
      return true;
  }
  switch (t.charCodeAt(t.length - 1)) {
    case 42: case 36: case 41: case 93: case 46: case 44: case 59: case 58: case 33: case 100: // * $ ) ] . , ; : ! d
      return true;
  }
  return false;
}

/** Strips math delimiters, markdown bold and sentence punctuation around an extracted answer. */
function cleanCandidate(s: string): string {
  let t = s.trim();
  if (!mayWrap(t) || !/^(?:\*\*|\$|\\[([])|(?:\*\*|\$|\\[)\]]|[.,;:!]|\\q?quad)$/.test(t)) return t;
  for (let changed = true; changed; ) {
    const before = t;
    t = t.replace(/^\*\*|\*\*$/g, '').trim();
    t = t.replace(/^\$+|(?<!\\)\$+$/g, '').trim();
    t = t.replace(/^\\[([]|\\[)\]]$/g, '').trim();
    // Sentence punctuation, but not an ellipsis: `1, 2, 3, ...` is an endless list, not three numbers.
    if (!/\.\.$/.test(t)) t = t.replace(/(?:[.,;:!]|\\[,;:!]|\\q?quad)+$/, '').trim();
    changed = t !== before;
  }
  return t;
}
