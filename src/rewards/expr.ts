// A safe recursive-descent parser and exact evaluator for integer arithmetic: + - * / and
// parentheses over non-negative integer literals, with BigInt rationals (no floating point).
// Not a general math parser (no eval, no functions, no variables); the countdown reward uses it.

/** An exact rational number num/den with den > 0 and gcd(|num|, den) = 1. */
export interface Rational {
  num: bigint;
  den: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
};

export function rational(num: bigint, den: bigint = 1n): Rational {
  if (den === 0n) throw new RangeError('division by zero');
  if (den < 0n) [num, den] = [-num, -den];
  const g = gcd(num, den) || 1n;
  return { num: num / g, den: den / g };
}

const add = (a: Rational, b: Rational) => rational(a.num * b.den + b.num * a.den, a.den * b.den);
const sub = (a: Rational, b: Rational) => rational(a.num * b.den - b.num * a.den, a.den * b.den);
const mul = (a: Rational, b: Rational) => rational(a.num * b.num, a.den * b.den);
const div = (a: Rational, b: Rational) => rational(a.num * b.den, a.den * b.num);

export interface ParsedExpr {
  value: Rational;
  /** The integer literals in the order they appear. */
  numbers: bigint[];
}

/** Limits that keep a hostile string cheap (input length, nesting depth, literal length), and the grammar's one switch. */
export interface ExprOptions {
  maxLength: number;
  maxDepth: number;
  maxDigits: number;
  /** Whether a leading sign (`-3`, `-(2+1)`) is allowed; countdown forbids it. */
  allowUnary: boolean;
}
export const DEFAULT_EXPR_OPTIONS: ExprOptions = { maxLength: 1000, maxDepth: 64, maxDigits: 30, allowUnary: true };

export type ExprResult = { ok: true; expr: ParsedExpr } | { ok: false; error: string };

type Token = { kind: 'num'; value: bigint } | { kind: 'op'; value: string };

function tokenize(src: string, limits: ExprOptions): Token[] | string {
  const out: Token[] = [];
  const s = src.replace(/[×·∗]/g, '*').replace(/[÷∕]/g, '/').replace(/[−–]/g, '-');
  for (let i = 0; i < s.length; ) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
    } else if (c >= '0' && c <= '9') {
      let j = i;
      while (j < s.length && s[j] >= '0' && s[j] <= '9') j++;
      if (j - i > limits.maxDigits) return `number too long at ${i}`;
      if (s[j] === '.') return `decimal number at ${i}: only integers are allowed`;
      out.push({ kind: 'num', value: BigInt(s.slice(i, j)) });
      i = j;
    } else if ('+-*/()'.includes(c)) {
      out.push({ kind: 'op', value: c });
      i++;
    } else {
      return `unexpected character ${JSON.stringify(c)} at ${i}`;
    }
  }
  return out;
}

/**
 * Parses and evaluates `src` exactly. Grammar: expr = term (('+'|'-') term)*;
 * term = factor (('*'|'/') factor)*; factor = ('+'|'-') factor | NUMBER | '(' expr ')'.
 * Unary signs only with opts.allowUnary (the default); `×`, `÷`, `−` are
 * read as their ASCII operators. Never throws: errors come back as {ok: false, error}.
 */
export function parseExpr(src: string, opts: Partial<ExprOptions> = {}): ExprResult {
  const limits = { ...DEFAULT_EXPR_OPTIONS, ...opts };
  if (typeof src !== 'string') return { ok: false, error: 'not a string' };
  if (src.length > limits.maxLength) return { ok: false, error: `longer than ${limits.maxLength} characters` };
  const toks = tokenize(src, limits);
  if (typeof toks === 'string') return { ok: false, error: toks };
  if (toks.length === 0) return { ok: false, error: 'empty expression' };
  let pos = 0;
  const numbers: bigint[] = [];
  const peek = () => (pos < toks.length ? toks[pos] : null);
  const isOp = (v: string) => {
    const t = peek();
    return t !== null && t.kind === 'op' && t.value === v;
  };
  class Fail extends Error {}

  const factor = (depth: number): Rational => {
    if (depth > limits.maxDepth) throw new Fail(`nested deeper than ${limits.maxDepth}`);
    const t = peek();
    if (t === null) throw new Fail('unexpected end of expression');
    if (t.kind === 'num') {
      pos++;
      numbers.push(t.value);
      return rational(t.value);
    }
    if ((t.value === '-' || t.value === '+') && limits.allowUnary) {
      pos++;
      const v = factor(depth + 1);
      return t.value === '-' ? rational(-v.num, v.den) : v;
    }
    if (t.value === '(') {
      pos++;
      const v = expr(depth + 1);
      if (!isOp(')')) throw new Fail(`expected ')' at token ${pos}`);
      pos++;
      return v;
    }
    throw new Fail(`unexpected '${t.value}' at token ${pos}`);
  };
  const term = (depth: number): Rational => {
    let v = factor(depth);
    while (isOp('*') || isOp('/')) {
      const op = (toks[pos++] as { value: string }).value;
      const r = factor(depth);
      if (op === '/' && r.num === 0n) throw new Fail('division by zero');
      v = op === '*' ? mul(v, r) : div(v, r);
    }
    return v;
  };
  const expr = (depth: number): Rational => {
    let v = term(depth);
    while (isOp('+') || isOp('-')) {
      const op = (toks[pos++] as { value: string }).value;
      const r = term(depth);
      v = op === '+' ? add(v, r) : sub(v, r);
    }
    return v;
  };

  try {
    const value = expr(0);
    if (pos !== toks.length) return { ok: false, error: `unexpected '${(toks[pos] as { value: unknown }).value}' at token ${pos}` };
    return { ok: true, expr: { value, numbers } };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
