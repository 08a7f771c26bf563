// Answer extraction: finds the final answer in a model's completion, in a fixed priority order
// (last \boxed{…} or \fbox{…}; <answer>…</answer>; GSM8K `#### N`; "the answer is …"; a final number).
// It only finds text: judging it is equivalence.ts. Follows the conventions of Math-Verify and lm-eval.

export type ExtractStrategy = 'boxed' | 'answerTag' | 'hashes' | 'answerIs' | 'lastNumber';

export interface ExtractOptions {
  /** Strategies to try, in order; the default is all five in the priority order above. */
  strategies?: readonly ExtractStrategy[];
  /** Look after the last `</think>` first (default true): guesses inside the reasoning lose to the summary. */
  preferAfterThink?: boolean;
  /** Longest answer returned (default 1000 characters); longer candidates are cut at the front. */
  maxLength?: number;
}

export const DEFAULT_STRATEGIES: readonly ExtractStrategy[] = ['boxed', 'answerTag', 'hashes', 'answerIs', 'lastNumber'];

/** The final answer in `text`, or null when none of the strategies finds one. Never throws. */
export function extractAnswer(text: string, opts: ExtractOptions = {}): string | null {
  if (typeof text !== 'string' || text.length === 0) return null;
  const strategies = opts.strategies ?? DEFAULT_STRATEGIES;
  const maxLength = opts.maxLength ?? 1000;
  const scopes: string[] = [];
  if (opts.preferAfterThink ?? true) {
    const end = text.lastIndexOf('</think>');
    if (end >= 0 && text.slice(end + 8).trim().length > 0) scopes.push(text.slice(end + 8));
  }
  scopes.push(text);
  for (const scope of scopes) {
    const found = extractIn(scope, strategies);
    if (found !== null) {
      const t = cleanCandidate(found);
      if (t.length > 0) return t.length > maxLength ? t.slice(t.length - maxLength) : t;
    }
  }
  return null;
}

function extractIn(text: string, strategies: readonly ExtractStrategy[]): string | null {
  for (const s of strategies) {
    const found = STRATEGIES[s](text, strategies);
    if (found !== null && found.trim().length > 0) return found;
  }
  return null;
}

type Finder = (text: string, strategies: readonly ExtractStrategy[]) => string | null;

const STRATEGIES: Record<ExtractStrategy, Finder> = {
  boxed: (t) => lastBoxed(t),
  answerTag: (t, strategies) => {
    const inner = lastAnswerTag(t);
    if (inner === null) return null;
    // A short tag content is the answer; prose inside it goes through the later strategies.
    if (inner.length <= 80 && !/[.!?]\s+\S/.test(inner)) return inner;
    const rest = strategies.filter((s) => s !== 'answerTag' && s !== 'boxed');
    return extractIn(inner, rest) ?? inner;
  },
  hashes: (t) => {
    const m = [...t.matchAll(/####\s*([^\n]+)/g)].pop();
    return m ? m[1]! : null;
  },
  answerIs: (t) => answerIs(t),
  lastNumber: (t) => lastNumber(t),
};

/** The contents of the last \boxed{…} / \fbox{…} (nested braces balanced), or `\boxed 5`. */
export function lastBoxed(text: string): string | null {
  const re = /\\(?:boxed|fbox)\s*(\{|\s+(?=\S))/g;
  let last: string | null = null;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const start = m.index + m[0].length;
    if (m[1] === '{') {
      const end = matchBrace(text, start - 1);
      // An unclosed box (the completion was cut off) runs to the end of the text.
      last = end < 0 ? text.slice(start) : text.slice(start, end);
    } else {
      last = /^[^\s$.,;]+/.exec(text.slice(start))?.[0] ?? null;
    }
  }
  return last;
}

/** Index of the `}` that closes the `{` at `open`, or -1. Skips escaped braces `\{` `\}`. */
export function matchBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

function lastAnswerTag(text: string): string | null {
  const open = text.lastIndexOf('<answer>');
  if (open < 0) return null;
  const close = text.indexOf('</answer>', open);
  return text.slice(open + 8, close < 0 ? text.length : close).trim();
}

const ANSWER_IS =
  /\b(?:final\s+answer|the\s+answer|answer)\**\s*(?:is\b|would\s+be|will\s+be|should\s+be|=|:)\s*:?\s*/gi;

/** The text after the last "the answer is" / "final answer:" up to the end of its sentence. */
function answerIs(text: string): string | null {
  let last: RegExpExecArray | null = null;
  for (let m = ANSWER_IS.exec(text); m !== null; m = ANSWER_IS.exec(text)) last = m;
  ANSWER_IS.lastIndex = 0;
  if (last === null) return null;
  return sentence(text.slice(last.index + last[0].length));
}

/** The first sentence of `s`: up to a newline or a sentence-ending period outside math. */
function sentence(s: string): string {
  let inMath = false;
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      if (s[i + 1] === '(' || s[i + 1] === '[') inMath = true;
      else if (s[i + 1] === ')' || s[i + 1] === ']') inMath = false;
      i++;
      continue;
    }
    if (c === '$') inMath = !inMath;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === '\n' && !inMath && depth <= 0 && s.slice(0, i).trim().length > 0) return s.slice(0, i);
    else if (/[.!?;]/.test(c) && !inMath && depth <= 0) {
      const next = s[i + 1];
      // A period between digits is a decimal point, not a full stop.
      if (c === '.' && next !== undefined && /\d/.test(next) && /\d/.test(s[i - 1] ?? '')) continue;
      if (next === undefined || /\s/.test(next)) return s.slice(0, i);
    }
  }
  return s;
}

const NUMBER = /-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*\/\s*\d+)?|-?\.\d+/g;

/** The last number in the text (thousands separators, decimals, a/b fractions). */
function lastNumber(text: string): string | null {
  const all = text.match(NUMBER);
  return all ? all[all.length - 1]! : null;
}

/** Strips math delimiters and trailing punctuation that surround an extracted answer. */
function cleanCandidate(s: string): string {
  let t = s.trim();
  for (let changed = true; changed; ) {
    const before = t;
    t = t.replace(/^\*\*|\*\*$/g, '').trim();
    t = t.replace(/^\$+|\$+$/g, '').trim();
    t = t.replace(/^\\[([]|\\[)\]]$/g, '').trim();
    t = t.replace(/[.,;:!]+$/, '').trim();
    changed = t !== before;
  }
  return t;
}
