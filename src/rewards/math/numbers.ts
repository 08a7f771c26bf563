// The fast path: plain number literals (`1,234.5`, `1 000`, `3{,}5`, `.5`, `-7`, `1e-3`) read
// without the CAS, so verifying GSM8K-style answers costs microseconds. Not for expressions
// (`\frac`, `\sqrt`, π go to cas.ts). Separator rules follow Math-Verify's number normaliser.

/** A plain number: its value, and its decimal digits when written as a finite decimal. */
export interface PlainNumber {
  value: number;
  /** Digits after the decimal point as written (`3.50` → 2), 0 for integers. */
  decimals: number;
  /** Exact digits without sign, separators or leading zeros, for integers (big ones stay exact). */
  integerDigits: string | null;
  negative: boolean;
}

const SIMPLE = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const GROUPED = /^[-+]?[1-9]\d{0,2}(?:(?:,|\s|\{,\}|'|\u2009|\u202f)\d{3})+(?:\.\d+)?$/;
const DECIMAL_COMMA = /^[-+]?\d+(?:\{,\}|,)\d+$/;
/**
 * A decimal comma that cannot be a list of two numbers (Math-Verify reads `d,dd` as a decimal):
 * two or more decimals, or a leading `0,`, or four or more integer digits (`1000,99`).
 */
const SURE_DECIMAL_COMMA = /^[-+]?(?:\d+,\d{2,}|0,\d+|\d{4,},\d+)$/;

/**
 * Reads `s` as a plain number, or null. `1,000`, `1 000`, `12,\! 000` group thousands; `1000,99`,
 * `1,22`, `0,111` have a decimal comma; `decimalComma` also allows `3,5` = 3.5 (otherwise a list).
 * `{,}` is a decimal comma (LaTeX's German style) unless it groups thousands.
 */
export function parsePlainNumber(s: string, decimalComma = false): PlainNumber | null {
  let t = s.trim();
  if (t.length === 0 || t.length > 60) return null;
  if (SIMPLE.test(t)) return make(t);
  if (GROUPED.test(t)) return make(t.replace(/,|\s|\{,\}|'|\u2009|\u202f/g, ''));
  if (/^[-+]?\d+\{,\}\d+$/.test(t)) return make(t.replace('{,}', '.'));
  if ((decimalComma && DECIMAL_COMMA.test(t)) || SURE_DECIMAL_COMMA.test(t)) return make(t.replace(/\{,\}|,/, '.'));
  t = t.replace(/\\!\s*/g, '').replace(/\\,/g, '');
  if (t !== s.trim()) return parsePlainNumber(t, decimalComma);
  return null;
}

function make(t: string): PlainNumber | null {
  const value = Number(t);
  if (!Number.isFinite(value)) return null;
  const negative = t.startsWith('-');
  const body = t.replace(/^[-+]/, '');
  const point = body.indexOf('.');
  const hasExp = /[eE]/.test(body);
  const decimals = point < 0 || hasExp ? 0 : body.length - point - 1;
  const integerDigits = point < 0 && !hasExp ? body.replace(/^0+(?=\d)/, '') : null;
  return { value, decimals, integerDigits, negative: negative && value !== 0 };
}

/** Equality of two plain numbers: exact for integers (any size), relative 1e-9 otherwise. */
export function plainEqual(gold: PlainNumber, pred: PlainNumber, relTol = 1e-9): boolean {
  if (gold.integerDigits !== null && pred.integerDigits !== null) {
    return gold.integerDigits === pred.integerDigits && gold.negative === pred.negative;
  }
  return closeTo(gold.value, pred.value, relTol);
}

/** |a - b| <= relTol * max(|a|, |b|), with an absolute floor for values near zero. */
export function closeTo(a: number, b: number, relTol = 1e-9): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= relTol * Math.max(Math.abs(a), Math.abs(b), 1e-12) || Math.abs(a - b) < 1e-12;
}

/** True when `pred`, written with `decimals` digits after the point, is `gold` correctly rounded. */
export function isRoundingOf(gold: number, pred: number, decimals: number): boolean {
  const half = 0.5 * Math.pow(10, -decimals);
  return Math.abs(gold - pred) <= half * (1 + 1e-9) + 1e-12;
}

/**
 * An integer, fraction or mixed number written simply (`7`, `-\frac{3}{8}`, `\frac{-3}{8}`, `2/3`,
 * `15\frac{39}{40}`, `137 \frac{1}{2}`) as an exact [numerator, denominator], or null. Lets the
 * common MATH answers be compared without the CAS.
 */
export function simpleFraction(s: string): [bigint, bigint] | null {
  const t = s.replace(/\s+/g, ' ').trim();
  if (t.length === 0 || t.length > 60) return null;
  let m = /^([-+]?)\\frac\{([-+]?\d+)\}\{([-+]?\d+)\}$/.exec(t) ?? /^([-+]?)(\d+) ?\/ ?(\d+)$/.exec(t);
  if (m) return make3(m[1] === '-', BigInt(m[2]!), BigInt(m[3]!));
  // A mixed number, positive only (`-3\frac{8}{9}` is ambiguous and left to the CAS).
  m = /^(\+?)(\d+) ?\\frac\{(\d+)\}\{(\d+)\}$/.exec(t);
  if (m) {
    const den = BigInt(m[4]!);
    if (den === 0n) return null;
    return make3(m[1] === '-', BigInt(m[2]!) * den + BigInt(m[3]!), den);
  }
  m = /^([-+]?)(\d+)$/.exec(t);
  if (m) return make3(m[1] === '-', BigInt(m[2]!), 1n);
  return null;
}

function make3(negative: boolean, num: bigint, den: bigint): [bigint, bigint] | null {
  if (den === 0n) return null;
  return negative ? [-num, den] : [num, den];
}

/** Exact equality of two simple fractions. */
export function fractionsEqual(a: [bigint, bigint], b: [bigint, bigint]): boolean {
  return a[0] * b[1] === b[0] * a[1];
}
