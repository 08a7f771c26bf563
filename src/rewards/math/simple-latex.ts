// A fast reader of the plain arithmetic most answers are written in (numbers, letters, + − · × /, ^,
// \frac, \sqrt, \pi, parentheses), giving the MathJSON the compute engine gives for the same text. It is
// not the parser: anything outside that grammar (or ambiguous in it) is null, and cas.ts asks the engine.

import type { Json } from './evaluate.js';

/** MathJSON of `s`, the same tree the engine's non-canonical parse gives, or null outside the grammar. */
export function parseSimpleLatex(s: string): Json | null {
  const p = new Reader(s);
  const e = p.sum();
  return e !== null && p.atEnd() ? e : null;
}

/** Commands the grammar reads; any other backslash word makes the text the engine's. */
const TIMES = new Set(['\\cdot', '\\times']);

class Reader {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    this.space();
    return this.i >= this.s.length;
  }

  private space(): void {
    while (this.s.charCodeAt(this.i) === 32) this.i++;
  }

  private peek(): string {
    this.space();
    return this.s[this.i] ?? '';
  }

  /** The backslash word at the read position (`\frac`), or ''. */
  private command(): string {
    this.space();
    if (this.s[this.i] !== '\\') return '';
    let j = this.i + 1;
    while (j < this.s.length && isLetter(this.s.charCodeAt(j))) j++;
    return this.s.slice(this.i, j);
  }

  /** sum := [+-] product ((+|-) product)*: one Add of the terms, a subtracted one negated. */
  sum(): Json | null {
    let sign = this.peek();
    if (sign === '+' || sign === '-') this.i++;
    else sign = '';
    const first = this.product(sign === '-');
    if (first === null) return null;
    const terms: Json[] = [first];
    for (let op = this.peek(); op === '+' || op === '-'; op = this.peek()) {
      this.i++;
      const t = this.product(op === '-');
      if (t === null) return null;
      terms.push(t);
    }
    return terms.length === 1 ? terms[0]! : ['Add', ...terms];
  }

  /**
   * product := quotient ((· | × | *) quotient)*, quotient := implicit (/ implicit)*: `/` binds tighter than
   * `\cdot`, as the engine groups them. Explicit operators beside juxtaposed factors (`1/2x\cdot 3`,
   * `3\frac{1}{2}\cdot 2`) the engine groups its own way, and `\div` binds looser there: the engine's.
   */
  private product(negate: boolean): Json | null {
    const factors: Json[] = [];
    let single = true;
    for (;;) {
      const q = this.quotient(negate && factors.length === 0);
      if (q === null) return null;
      factors.push(q.value);
      single &&= q.single;
      const c = this.peek();
      if (c === '*') this.i++;
      else if (c === '\\' && TIMES.has(this.command())) this.i += this.command().length;
      else break;
    }
    if (factors.length === 1) return factors[0]!;
    return single ? ['Multiply', ...factors] : null;
  }

  /** A quotient and whether it is one (no juxtaposed factors beside a `/`) the engine groups as we do. */
  private quotient(negate: boolean): { value: Json; single: boolean } | null {
    const first = this.implicit();
    if (first === null) return null;
    // A minus sign negates the first factor group (`-a/b` is (−a)/b), as the engine reads it.
    let acc: Json = negate ? ['Negate', first] : first;
    let single = !juxtaposed(first);
    while (this.peek() === '/') {
      this.i++;
      const rhs = this.implicit();
      if (rhs === null || !single || juxtaposed(rhs)) return null;
      acc = ['Divide', acc, rhs];
    }
    return { value: acc, single };
  }

  /** implicit := power power*: juxtaposed factors, the engine's InvisibleOperator (`2x`, `3\frac{1}{2}`). */
  private implicit(): Json | null {
    const first = this.power();
    if (first === null) return null;
    const items: Json[] = [first];
    while (this.startsFactor()) {
      // Numbers side by side (`2 3`) the engine joins into one: not this grammar's to say.
      if (typeof items[items.length - 1] === 'number' && isDigit(this.s.charCodeAt(this.i))) return null;
      const f = this.power();
      if (f === null) return null;
      items.push(f);
    }
    return items.length === 1 ? first : ['InvisibleOperator', ...items];
  }

  private startsFactor(): boolean {
    const c = this.peek();
    if (c === '' || c === '+' || c === '-' || c === '*' || c === '/' || c === ')' || c === '}' || c === ']') return false;
    if (c === '\\') {
      const cmd = this.command();
      return cmd === '\\frac' || cmd === '\\sqrt' || cmd === '\\pi' || cmd === '\\left';
    }
    return true;
  }

  /** power := base [^ exponent]; a second `^` (`2^x^2`) is not this grammar's. */
  private power(): Json | null {
    const base = this.base();
    if (base === null) return null;
    if (this.peek() !== '^') return base;
    this.i++;
    const exp = this.argument();
    if (exp === null || this.peek() === '^') return null;
    return ['Power', base, exp];
  }

  /** A one-character argument (`\frac12`, `x^2`) or a braced sum. */
  private argument(): Json | null {
    const c = this.peek();
    if (c === '{') return this.braced();
    const code = this.s.charCodeAt(this.i);
    if (isDigit(code)) {
      this.i++;
      return code - 48;
    }
    if (c === '\\' && this.command() === '\\pi') {
      this.i += 3;
      return 'Pi';
    }
    return isLetter(code) ? this.letter() : null;
  }

  private braced(): Json | null {
    this.i++;
    const e = this.sum();
    if (e === null || this.peek() !== '}') return null;
    this.i++;
    return e;
  }

  private base(): Json | null {
    const c = this.peek();
    const code = this.s.charCodeAt(this.i);
    if (isDigit(code) || c === '.') return this.number();
    if (isLetter(code)) return this.letter();
    if (c === '{') return this.braced();
    if (c === '(') return this.delimited(1, ')');
    if (c !== '\\') return null;
    const cmd = this.command();
    if (cmd === '\\pi') {
      this.i += 3;
      return 'Pi';
    }
    if (cmd === '\\left') {
      if (this.s[this.i + 5] !== '(') return null;
      return this.delimited(6, '\\right)');
    }
    if (cmd === '\\frac') {
      this.i += 5;
      const num = this.argument();
      const den = num === null ? null : this.argument();
      return den === null ? null : ['Divide', num!, den];
    }
    if (cmd === '\\sqrt') {
      this.i += 5;
      if (this.peek() === '[') {
        this.i++;
        const index = this.sum();
        if (index === null || this.peek() !== ']') return null;
        this.i++;
        const radicand = this.argument();
        return radicand === null ? null : ['Root', radicand, index];
      }
      const radicand = this.argument();
      return radicand === null ? null : ['Sqrt', radicand];
    }
    return null;
  }

  /** `( sum )` or `\left( sum \right)`: the engine's Delimiter. */
  private delimited(open: number, close: string): Json | null {
    this.i += open;
    const e = this.sum();
    if (e === null) return null;
    this.space();
    if (!this.s.startsWith(close, this.i)) return null;
    this.i += close.length;
    return ['Delimiter', e];
  }

  /** Digits with an optional decimal part; longer than 15 digits (the engine keeps a string): null. */
  private number(): Json | null {
    const m = /^\d*(?:\.\d+)?/.exec(this.s.slice(this.i, this.i + 40));
    const t = m?.[0] ?? '';
    if (t.length === 0 || t.length > 15 || this.s[this.i + t.length] === '.') return null;
    this.i += t.length;
    // `8.60(15)` is a repeating decimal to the engine.
    if (t.includes('.') && this.peek() === '(') return null;
    return Number(t);
  }

  /** One ASCII letter, a variable; `e` and `i` (constants or not, by context) are the engine's. */
  private letter(): Json | null {
    const c = this.s[this.i]!;
    if (c === 'e' || c === 'i' || c === 'E' || c === 'I') return null;
    this.i++;
    return c;
  }
}

function juxtaposed(e: Json): boolean {
  return Array.isArray(e) && e[0] === 'InvisibleOperator';
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
