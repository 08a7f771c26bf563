// Boxes: the contents of `\boxed{…}` / `\fbox{…}` in a text, read as Math-Verify's normaliser reads
// them (the last box, joined with the boxes just before it when they are close and only joiners stand
// between: one set answer), and brace matching. Pure string work; which box is the answer is decided in extract.ts.

/** Start of the last `\boxed` or `\fbox` in [from, end) (one backwards scan for "box"), or -1. */
export function lastBoxStart(text: string, end: number, from = -1): number {
  if (from >= 0) {
    // A forward search (fast) first: is there any "box" in the window at all?
    const any = text.indexOf('box', from);
    if (any < 0 || any >= end) return -1;
    // A bounded search: backwards scans are slow, so search a slice (O(1) to make) of the window.
    const i = lastBoxStart(text.slice(from, end), end - from);
    return i < 0 ? -1 : i + from;
  }
  for (let i = lastIndexNear(text, 'box', end - 1); i >= 1; i = lastIndexNear(text, 'box', i - 1)) {
    if (text[i - 1] === '\\' && text.startsWith('boxed', i)) return i - 1;
    if (i >= 2 && text[i - 1] === 'f' && text[i - 2] === '\\') return i - 2;
  }
  return -1;
}

/**
 * `text.lastIndexOf(word, from)`, looking at the 64 positions up to `from` in a loop first: V8's
 * lastIndexOf is a runtime call that costs tens of nanoseconds however near the match, and the box or
 * brace looked for is nearly always a few characters back (MATH-500 solutions: a median of 3 and 9).
 */
export function lastIndexNear(text: string, word: string, from: number): number {
  let i = Math.min(Math.max(from, 0), text.length - word.length);
  const first = word.charCodeAt(0);
  for (const stop = i - 64; i >= 0 && i > stop; i--) {
    if (text.charCodeAt(i) === first && text.startsWith(word, i)) return i;
  }
  return i < 0 ? -1 : text.lastIndexOf(word, i);
}

const SEPARATOR = /\b(?:and|or)\b|,|;/;
/** Joiners between boxes that list several values: and/or (a few languages), `x =`, maths markup. */
const JOINERS = /\\[a-zA-Z]+|\b(?:and|or|und|oder|et|ou|y|o|e|и|или)\b|和|或|及|[A-Za-z](?:_\{?\w+\}?)?\s*=|[\s,;.:&$(){}[\]\\=]/g;

/** Text between two boxes that holds words other than joiners. */
function isProse(between: string): boolean {
  return /[\p{L}]{2,}/u.test(between.replace(JOINERS, ' '));
}

/**
 * Box contents in `text`, right to left: `all` joins every box, `last` the last run of close ones;
 * with where the first box of the run starts.
 */
export function boxesIn(text: string, mode: 'all' | 'last', end = text.length, several: boolean | (() => boolean) = false): { content: string; start: number } | null {
  const results: string[] = [];
  let searchEnd = end;
  let maxPos = end;
  let laterStart = -1;
  for (let guard = 0; guard < 1000; guard++) {
    // In `last` mode an earlier box joins only if it closes within 70 characters of the later one (the
    // test on `between` below): with no `}` there (half of MATH-500's solutions) none is looked for. It
    // starts at most 371 before: a box whose content is over 300 characters long is not looked for there.
    if (mode === 'last' && laterStart >= 0 && !braceBefore(text, laterStart, 70)) break;
    const start = lastBoxStart(text, searchEnd, mode === 'last' && laterStart >= 0 ? Math.max(0, laterStart - 371) : -1);
    if (start < 0) break;
    let open = start + (text[start + 1] === 'b' ? 6 : 5);
    while (open < maxPos && text.charCodeAt(open) <= 32) open++;
    if (open >= maxPos || text[open] !== '{') break;
    const close = closingBrace(text, open, maxPos);
    if (close < 0) break;
    const content = text.slice(open + 1, close).trim();
    // The content kept last (not `results[-1]` on an empty array: a slow named-property lookup).
    const previous = results.length > 0 ? results[results.length - 1] : undefined;
    if (mode === 'last' && laterStart >= 0) {
      const between = text.slice(close + 1, laterStart);
      const near = between.length < 10 || (content !== previous && between.length < 70 && SEPARATOR.test(between));
      // Boxes apart in prose ("first \boxed{C}, then \boxed{D}") are a changed mind: the last one,
      // unless the caller says the question asks for several answers.
      if (!near || (isProse(between) && !(typeof several === 'function' ? several() : several))) break;
    }
    if (content.length > 0 && previous !== content) results.push(content);
    laterStart = start;
    maxPos = start;
    searchEnd = start;
  }
  if (results.length === 0) return null;
  return { content: results.length === 1 ? results[0]! : results.reverse().join(', '), start: laterStart };
}

/**
 * Whether one of the `n` characters before `end` is a `}`: one forward search for the character from the
 * start of that window (memchr; a backwards search, or a loop over the window, costs more).
 */
function braceBefore(text: string, end: number, n: number): boolean {
  const i = text.indexOf('}', Math.max(0, end - n));
  return i >= 0 && i < end;
}

/** Index of the `}` closing the `{` at `open` before `limit` (raw braces, as Math-Verify counts), or -1. */
function closingBrace(text: string, open: number, limit: number): number {
  let depth = 0;
  for (let i = open; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return i;
  }
  return -1;
}

/** The contents of the last \boxed{…} / \fbox{…} (nested braces balanced), or `\boxed 5`. */
export function lastBoxed(text: string): string | null {
  if (typeof text !== 'string') return null;
  let i = Math.max(text.lastIndexOf('\\boxed'), text.lastIndexOf('\\fbox'));
  if (i < 0) return null;
  i += text.startsWith('\\boxed', i) ? 6 : 5;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  if (text[i] === '{') {
    const end = matchBrace(text, i);
    // An unclosed box (the completion was cut off) runs to the end of the text.
    return end < 0 ? text.slice(i + 1) : text.slice(i + 1, end);
  }
  return /^[^\s$.,;]+/.exec(text.slice(i))?.[0] ?? null;
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
