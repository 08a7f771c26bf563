// The shape of a cleaned answer: a scalar, a tuple, a set, a bare list of answers, an interval or a
// union of intervals, an inequality (read as intervals), a matrix, an equation, words or a choice.
// Pure string work at bracket depth 0; it does not compare (equivalence.ts) nor evaluate (cas.ts).

import { matrixExpression, nestedRows } from './matrices.js';
import { parsePlainNumber } from './numbers.js';

export type Answer =
  | { kind: 'scalar'; text: string }
  | { kind: 'tuple'; items: Answer[]; brackets: string }
  | { kind: 'set'; items: Answer[] }
  | { kind: 'list'; items: Answer[] }
  | { kind: 'interval'; lo: string; hi: string; loOpen: boolean; hiOpen: boolean; fromRelation?: boolean; variable?: string }
  | { kind: 'relation'; lhs: string; rhs: string; op: '<' | '<=' | '!=' }
  | { kind: 'union'; items: Answer[] }
  | { kind: 'matrix'; rows: string[][] }
  | { kind: 'equation'; lhs: string; rhs: string; variable: boolean; chain?: boolean }
  | { kind: 'words'; text: string }
  | { kind: 'choice'; letter: string };

const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);
const RELATION = /\\le(?![a-z])|\\ge(?![a-z])|\\lt(?![a-z])|\\gt(?![a-z])|\\ne(?![a-z])|<|>/;

/** Splits `s` at `sep` (a regex source) where no bracket is open; `\{`/`\}` count as brackets. */
export function splitTop(s: string, sep: RegExp): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  const re = new RegExp(sep.source, 'y');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\') {
      const next = s[i + 1];
      if (next === '{' || next === '[' || next === '(') depth++;
      else if (next === '}' || next === ']' || next === ')') depth--;
      if (next === '{' || next === '}' || next === '[' || next === ']' || next === '(' || next === ')') {
        i++;
        continue;
      }
      if (s.startsWith('\\\\', i) && depth > 0) {
        i++;
        continue;
      }
    }
    if (OPEN.has(ch)) depth++;
    else if (CLOSE.has(ch)) depth--;
    else if (depth === 0) {
      re.lastIndex = i;
      const m = re.exec(s);
      if (m && m[0].length > 0) {
        out.push(s.slice(start, i));
        start = i + m[0].length;
        i = start - 1;
      }
    }
  }
  out.push(s.slice(start));
  return out.map((x) => x.trim());
}

/** True when the bracket opening `s` at 0 closes at the very end (so `(1,2)+(3,4)` is not one group). */
function wrapped(s: string, openLen: number, closeLen: number): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && /[{}]/.test(s[i + 1] ?? '')) {
      depth += s[i + 1] === '{' ? 1 : -1;
      i++;
    } else if (OPEN.has(ch)) depth++;
    else if (CLOSE.has(ch)) depth--;
    else continue;
    if (depth === 0 && i < s.length - closeLen) return false;
  }
  return depth === 0 && openLen > 0;
}

/** The structure of a cleaned answer. `preferScalar`: read `1,000` / `3,5` as one number first. */
export function parseAnswer(text: string, words: boolean, preferScalar = false): Answer {
  const s = text.trim();
  if (words) return parseWords(s);
  const rows = matrixExpression(s) ?? nestedRows(s);
  if (rows) return { kind: 'matrix', rows };
  const inSet = /^[a-zA-Z]\s*\\in\s*/.exec(s);
  if (inSet) return parseAnswer(s.slice(inSet[0].length), false, preferScalar);
  if (preferScalar && parsePlainNumber(s, true) !== null) return { kind: 'scalar', text: s };

  const union = splitTop(s, /\\cup(?![a-z])|\s+U\s+/);
  if (union.length > 1) return { kind: 'union', items: union.map((u) => parseAnswer(u, false)) };

  // `p=5,q=2;p=7,q=2`: semicolons between groups that hold commas make a list of tuples.
  const groups = splitTop(s, /\s*;\s*/);
  if (groups.length > 1 && groups.some((g) => splitTop(g, /\s*,\s*/).length > 1)) {
    return { kind: 'list', items: groups.filter((g) => g.length > 0).map((g) => (splitTop(g, /\s*,\s*/).length > 1 ? { kind: 'tuple', items: splitTop(g, /\s*,\s*/).map((x) => parseAnswer(x, false)), brackets: '()' } as Answer : parseAnswer(g, false))) };
  }
  const list = splitTop(s, /\s*(?:,|;|\\text\{\s*(?:or|and)\s*\}|\s(?:or|and)\s)\s*/);
  if (list.length > 1 && !(parsePlainNumber(s) !== null && /,\s?\d{3}(?!\d)/.test(s))) {
    const items = list.filter((x) => x.length > 0).map((x) => parseAnswer(x, false));
    if (items.length > 1 && items.every((i) => i.kind === 'interval' || i.kind === 'union')) return { kind: 'union', items };
    return { kind: 'list', items };
  }
  if (s.startsWith('\\{') && s.endsWith('\\}') && wrapped(s, 2, 2)) {
    return { kind: 'set', items: splitTop(s.slice(2, -2), /\s*[,;]\s*/).filter((x) => x.length > 0).map((x) => parseAnswer(x, false)) };
  }
  // `{1,3}` with plain braces (a LaTeX group) is the list inside.
  if (s.startsWith('{') && s.endsWith('}') && wrapped(s, 1, 1)) return parseAnswer(s.slice(1, -1), false, preferScalar);
  const langle = /^\\langle([\s\S]*)\\rangle$/.exec(s);
  if (langle) return { kind: 'tuple', items: splitTop(langle[1]!, /\s*,\s*/).map((x) => parseAnswer(x, false)), brackets: '()' };
  if (/^[([]/.test(s) && /[)\]]$/.test(s) && wrapped(s, 1, 1)) {
    const inner = splitTop(s.slice(1, -1), /\s*[,;]\s*/);
    const brackets = s[0]! + s[s.length - 1]!;
    if (inner.length === 2 && (brackets !== '()' || inner.some((x) => infinite(x) !== 0))) {
      return { kind: 'interval', lo: inner[0]!, hi: inner[1]!, loOpen: s[0] === '(', hiOpen: s.endsWith(')') };
    }
    if (inner.length >= 2) return { kind: 'tuple', items: inner.map((x) => parseAnswer(x, false)), brackets };
  }
  const relation = parseRelation(s);
  if (relation) return relation;
  const eq = splitTop(s, /=/);
  if (eq.length >= 2 && eq.every((x) => x.length > 0)) {
    const lhs = eq[0]!;
    const variable = isSymbolic(lhs);
    // `x = 5`, `k = \frac13`, `a = b = 5`: the right-hand side is the answer.
    return { kind: 'equation', lhs, rhs: eq[eq.length - 1]!, variable, chain: eq.length > 2 };
  }
  return { kind: 'scalar', text: s };
}

/**
 * The left side of an assignment: symbols only, no numbers outside subscripts and no arithmetic
 * but products, ratios and tuples of symbols (`x`, `AB`, `(x, y)`, `f(x)`, `\frac{NO}{BO}`, `V_1:V_2`).
 */
export function isSymbolic(s: string): boolean {
  let t = s.trim();
  if (t.length === 0 || t.length > 80) return false;
  t = t.replace(/_\{[^{}]*\}|_[A-Za-z0-9]/g, '').replace(/\\(?:text|mathrm|operatorname)\{([A-Za-z ]*)\}/g, '$1');
  t = t.replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, '($1)/($2)');
  t = t.replace(/\\(?:alpha|beta|gamma|delta|epsilon|varepsilon|zeta|eta|theta|vartheta|iota|kappa|lambda|mu|nu|xi|rho|sigma|tau|upsilon|phi|varphi|chi|psi|omega|Gamma|Delta|Theta|Lambda|Xi|Sigma|Phi|Psi|Omega|angle|overline|vec|hat|bar)(?![a-zA-Z])/g, 'a');
  t = t.replace(/\\(?:left|right)/g, '').replace(/[{}]/g, '');
  return /[A-Za-z]/.test(t) && /^[A-Za-z\s(),:/'|]+$/.test(t);
}

/** A lone variable or function name on the left of `=`: `x`, `k`, `x_1`, `f(x)`, `\theta`. */
export function isVariable(s: string): boolean {
  return /^(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?[a-zA-Z0-9]+\}?)?(?:\([a-z]\))?'?$/.test(s.trim());
}

function parseWords(s: string): Answer {
  const choice = /^\(?([A-Ea-e])\)?$/.exec(s.trim());
  if (choice) return { kind: 'choice', letter: choice[1]!.toUpperCase() };
  return { kind: 'words', text: s };
}

const INF = /^\+?\\infty$/;
const NEG_INF = /^-\\infty$/;

/**
 * `x < 3`, `3 \ge x`, `-2 \le x < 5`, `x > 1` as an interval in the variable (marked as written as a
 * relation); other single relations (`-x > -1`, `x \ne 3`) as `lhs op rhs` with op `<`, `<=` or `!=`
 * (a greater-than is turned round); null otherwise.
 */
function parseRelation(s: string): Answer | null {
  const ops: string[] = [];
  const parts = splitTop(s, RELATION);
  if (parts.length < 2 || parts.some((p) => p.length === 0)) return null;
  for (const m of s.matchAll(new RegExp(RELATION.source, 'g'))) ops.push(m[0]);
  if (ops.length !== parts.length - 1) return null;
  if (ops.some((o) => o === '\\ne') && parts.length > 2) return null;
  const strict = (op: string) => op === '<' || op === '>' || op === '\\lt' || op === '\\gt';
  const less = (op: string) => op === '<' || op === '\\le' || op === '\\lt';
  if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    const op = ops[0]!;
    if (op === '\\ne') return { kind: 'relation', lhs: a, rhs: b, op: '!=' };
    // Normalise to `variable op bound`.
    const [bound, lt, variable] = isVariable(a) ? [b, less(op), a] : isVariable(b) ? [a, !less(op), b] : [null, false, ''];
    if (bound === null) {
      const [lhs, rhs] = less(op) ? [a, b] : [b, a];
      return { kind: 'relation', lhs, rhs, op: strict(op) ? '<' : '<=' };
    }
    return lt
      ? { kind: 'interval', lo: '-\\infty', hi: bound, loOpen: true, hiOpen: strict(op), fromRelation: true, variable }
      : { kind: 'interval', lo: bound, hi: '\\infty', loOpen: strict(op), hiOpen: true, fromRelation: true, variable };
  }
  if (parts.length === 3 && isVariable(parts[1]!) && less(ops[0]!) === less(ops[1]!)) {
    const [lo, hi] = less(ops[0]!) ? [parts[0]!, parts[2]!] : [parts[2]!, parts[0]!];
    const [loOp, hiOp] = less(ops[0]!) ? [ops[0]!, ops[1]!] : [ops[1]!, ops[0]!];
    return { kind: 'interval', lo, hi, loOpen: strict(loOp), hiOpen: strict(hiOp), fromRelation: true };
  }
  return null;
}

/** True for `\infty`-like endpoints (they are always open). */
export function infinite(s: string): 1 | -1 | 0 {
  const t = s.replace(/\s+/g, '');
  return INF.test(t) || t === 'inf' || t === '+inf' ? 1 : NEG_INF.test(t) || t === '-inf' ? -1 : 0;
}
