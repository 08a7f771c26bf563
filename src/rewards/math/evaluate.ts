// A small complex-valued evaluator over MathJSON (as @cortex-js/compute-engine parses LaTeX) with
// variables bound to given values: the numeric half of equivalence (compare at seeded random points).
// Not a CAS: no simplification, unknown heads give NaN. Complex so that `e^{i\pi}` and `\sqrt{-4}` work.

export type C = { re: number; im: number };
export type Json = number | string | { num: string } | Json[];

const NAN: C = { re: NaN, im: NaN };
const c = (re: number, im = 0): C => ({ re, im });

const add = (a: C, b: C): C => c(a.re + b.re, a.im + b.im);
const sub = (a: C, b: C): C => c(a.re - b.re, a.im - b.im);
const mul = (a: C, b: C): C => c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
function div(a: C, b: C): C {
  if (b.im === 0) return c(a.re / b.re, a.im === 0 ? 0 : a.im / b.re);
  const d = b.re * b.re + b.im * b.im;
  return c((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
}
const abs = (a: C): number => Math.hypot(a.re, a.im);
const exp = (a: C): C => (a.im === 0 ? c(Math.exp(a.re)) : c(Math.exp(a.re) * Math.cos(a.im), Math.exp(a.re) * Math.sin(a.im)));
const log = (a: C): C => (a.im === 0 && a.re >= 0 ? c(Math.log(a.re)) : c(Math.log(abs(a)), Math.atan2(a.im, a.re)));
function pow(a: C, b: C): C {
  if (a.im === 0 && b.im === 0) {
    if (a.re >= 0 || Number.isInteger(b.re)) return c(Math.pow(a.re, b.re));
    // A real odd root of a negative number stays real: (-8)^(1/3) = -2, as a student means it.
    const inv = 1 / b.re;
    if (Number.isInteger(Math.round(inv)) && Math.abs(inv - Math.round(inv)) < 1e-12 && Math.round(inv) % 2 !== 0) {
      return c(-Math.pow(-a.re, b.re));
    }
  }
  if (a.re === 0 && a.im === 0) return b.re > 0 ? c(0) : NAN;
  if (b.im === 0 && Number.isInteger(b.re) && Math.abs(b.re) <= 64) {
    let r = c(1);
    for (let i = 0; i < Math.abs(b.re); i++) r = mul(r, a);
    return b.re < 0 ? div(c(1), r) : r;
  }
  return exp(mul(b, log(a)));
}
const sqrt = (a: C): C => (a.im === 0 && a.re >= 0 ? c(Math.sqrt(a.re)) : pow(a, c(0.5)));
const real = (f: (x: number) => number) => (a: C): C => (a.im === 0 ? c(f(a.re)) : NAN);
const sin = (a: C): C => (a.im === 0 ? c(Math.sin(a.re)) : c(Math.sin(a.re) * Math.cosh(a.im), Math.cos(a.re) * Math.sinh(a.im)));
const cos = (a: C): C => (a.im === 0 ? c(Math.cos(a.re)) : c(Math.cos(a.re) * Math.cosh(a.im), -Math.sin(a.re) * Math.sinh(a.im)));

function factorial(n: number): number {
  if (!Number.isInteger(n) || n < 0) return NaN;
  if (n > 170) return Infinity;
  let r = 1;
  for (let i = 2; i <= n; i++) r *= i;
  return r;
}
function binomial(n: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || k > n) return Number.isInteger(k) && k >= 0 ? 0 : NaN;
  let r = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) r = (r * (n - Math.min(k, n - k) + i)) / i;
  return Math.round(r);
}
const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));

type Unary = (a: C) => C;
const UNARY: Record<string, Unary> = {
  Negate: (a) => c(-a.re, -a.im),
  Sqrt: sqrt,
  Square: (a) => mul(a, a),
  Exp: exp,
  Ln: log,
  Lb: (a) => div(log(a), c(Math.LN2)),
  Lg: (a) => div(log(a), c(Math.LN10)),
  Sin: sin,
  Cos: cos,
  Tan: (a) => div(sin(a), cos(a)),
  Cot: (a) => div(cos(a), sin(a)),
  Sec: (a) => div(c(1), cos(a)),
  Csc: (a) => div(c(1), sin(a)),
  Arcsin: real(Math.asin),
  Arccos: real(Math.acos),
  Arctan: real(Math.atan),
  Arccot: real((x) => Math.atan(1 / x)),
  Sinh: real(Math.sinh),
  Cosh: real(Math.cosh),
  Tanh: real(Math.tanh),
  Abs: (a) => c(abs(a)),
  Floor: real(Math.floor),
  Ceil: real(Math.ceil),
  Round: real(Math.round),
  Sign: real(Math.sign),
  Factorial: real(factorial),
  Degrees: (a) => mul(a, c(Math.PI / 180)),
  Conjugate: (a) => c(a.re, -a.im),
  Real: (a) => c(a.re),
  Imaginary: (a) => c(a.im),
};

const CONSTANTS: Record<string, C> = {
  Pi: c(Math.PI),
  pi: c(Math.PI),
  ExponentialE: c(Math.E),
  e: c(Math.E),
  ImaginaryUnit: c(0, 1),
  i: c(0, 1),
  PositiveInfinity: c(Infinity),
  NegativeInfinity: c(-Infinity),
  Half: c(0.5),
  GoldenRatio: c((1 + Math.sqrt(5)) / 2),
};

/** Evaluates `expr` with `vars` bound; NaN parts for anything it cannot evaluate. Never throws. */
export function evaluate(expr: Json, vars: Record<string, number>): C {
  try {
    return ev(expr, vars, 0);
  } catch {
    return NAN;
  }
}

function ev(e: Json, vars: Record<string, number>, depth: number): C {
  if (depth > 200) return NAN;
  if (typeof e === 'number') return c(e);
  if (typeof e === 'string') {
    if (e in vars) return c(vars[e]!);
    return CONSTANTS[e] ?? NAN;
  }
  if (!Array.isArray(e)) return c(Number(e.num.replace(/[^\d.eE+-]/g, '')));
  const [head, ...args] = e;
  const a = (i: number) => ev(args[i]!, vars, depth + 1);
  const all = () => args.map((x) => ev(x, vars, depth + 1));
  switch (head) {
    case 'Add':
      return all().reduce(add, c(0));
    case 'Subtract':
      return args.length === 1 ? c(-a(0).re, -a(0).im) : sub(a(0), a(1));
    case 'InvisibleOperator':
      if (isMixedNumber(args)) return add(a(0), a(1));
      return all().reduce(mul, c(1));
    case 'Multiply':
      return all().reduce(mul, c(1));
    case 'Divide':
    case 'Rational':
      return div(a(0), a(1));
    case 'Power':
      return pow(a(0), a(1));
    case 'Root':
      return pow(a(0), div(c(1), a(1)));
    case 'Log':
      return args.length > 1 ? div(log(a(0)), log(a(1))) : div(log(a(0)), c(Math.LN10));
    case 'Complex':
      return c(a(0).re, a(1).re);
    case 'Binomial':
    case 'Choose':
      return c(binomial(a(0).re, a(1).re));
    case 'Max':
      return c(Math.max(...all().map((x) => (x.im === 0 ? x.re : NaN))));
    case 'Min':
      return c(Math.min(...all().map((x) => (x.im === 0 ? x.re : NaN))));
    case 'GCD':
      return c(all().reduce((g, x) => gcd(g, x.re), 0));
    case 'LCM':
      return c(all().reduce((l, x) => (l * x.re) / gcd(l, x.re), 1));
    case 'Mod':
      return c(((a(0).re % a(1).re) + a(1).re) % a(1).re);
    case 'Delimiter':
      return args.length >= 1 && !(Array.isArray(args[0]) && args[0][0] === 'Sequence') ? a(0) : NAN;
    case 'Sequence':
      return args.length === 1 ? a(0) : NAN;
    case 'Apply':
      return applyInverse(args, vars, depth);
  }
  const f = typeof head === 'string' ? UNARY[head] : undefined;
  return f && args.length === 1 ? f(a(0)) : NAN;
}

/** `1\frac{4}{5}` is the mixed number 9/5, not 4/5 (as in MATH answers such as `137 \frac{1}{2}`). */
function isMixedNumber(args: Json[]): boolean {
  const [whole, frac] = args;
  const int = (x: Json | undefined) => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  return args.length === 2 && int(whole) && Array.isArray(frac) && (frac[0] === 'Divide' || frac[0] === 'Rational') && int(frac[1]) && int(frac[2]);
}

/** `\sin^{-1} x` parses as Apply(InverseFunction(Sin), x). */
function applyInverse(args: Json[], vars: Record<string, number>, depth: number): C {
  const [fn, x] = args;
  if (!Array.isArray(fn) || fn[0] !== 'InverseFunction' || x === undefined) return NAN;
  const name = `Arc${String(fn[1]).toLowerCase()}`;
  const f = UNARY[name];
  return f ? f(ev(x, vars, depth + 1)) : NAN;
}

/** The free variables of `expr` (symbols that are not known constants), sorted. */
export function freeVariables(expr: Json, out = new Set<string>()): string[] {
  if (typeof expr === 'string') {
    if (!(expr in CONSTANTS) && /^[A-Za-z][A-Za-z0-9_]*$/.test(expr)) out.add(expr);
  } else if (Array.isArray(expr)) {
    for (const x of expr.slice(1)) freeVariables(x, out);
  }
  return [...out].sort();
}

/** Nodes in `expr`, to bound the work spent on it. */
export function size(expr: Json): number {
  return Array.isArray(expr) ? expr.reduce<number>((n, x) => n + size(x), 1) : 1;
}

/** True when two complex values agree to relative tolerance `tol`. */
export function closeC(a: C, b: C, tol: number): boolean {
  if (![a.re, a.im, b.re, b.im].every(Number.isFinite)) {
    return a.re === b.re && (a.im === b.im || (Number.isNaN(a.im) && Number.isNaN(b.im)));
  }
  const d = Math.hypot(a.re - b.re, a.im - b.im);
  return d <= tol * Math.max(abs(a), abs(b)) || d < 1e-12;
}
