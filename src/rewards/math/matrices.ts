// Matrices as answers: a LaTeX matrix environment, sums, differences, scalar multiples and products
// of them (`\begin{pmatrix}1\\2\end{pmatrix} + \begin{pmatrix}3\\4\end{pmatrix}`), and rows written
// as nested square brackets (`[[1, 2], [3, 4]]`, as Python graders print them). Entries stay LaTeX strings
// (sums are written out for the CAS to compare); no evaluation here. Follows Math-Verify's matrix tests.

const BLOCK = /\\begin\{([pbBvV]?matrix|smallmatrix|array)\}(?:\{[^}]*\})?([\s\S]*?)\\end\{\1\}/g;

/** The rows of one environment's body: `1 & 2 \\ 3 & 4` → [['1','2'],['3','4']]. */
export function matrixRows(body: string): string[][] {
  return body
    .split(/\\\\/)
    .map((r) => r.trim())
    .filter((r) => r.length > 0)
    .map((r) => r.split('&').map((x) => x.trim()));
}

type Rows = string[][];

/**
 * A text made only of matrix environments joined by `+`, `-`, scalar factors and juxtaposition
 * (a product), evaluated to one matrix of entry strings; null when it is anything else or the shapes
 * do not fit.
 */
export function matrixExpression(s: string): Rows | null {
  const t = s.trim();
  if (!t.includes('\\begin{')) return null;
  const terms: { sign: string; factors: (Rows | string)[] }[] = [];
  let at = 0;
  let current: { sign: string; factors: (Rows | string)[] } = { sign: '+', factors: [] };
  BLOCK.lastIndex = 0;
  for (let m = BLOCK.exec(t); m !== null; m = BLOCK.exec(t)) {
    const gap = t.slice(at, m.index).replace(/^[\s([]*|[\s)\]]*$/g, '').trim();
    // What stands between two matrices: nothing (a product), `\cdot`, a sign, or a scalar factor.
    const op = /^(.*?)\s*([+-])\s*(.*)$/.exec(gap);
    if (op && current.factors.length > 0) {
      if (op[1]!.trim().length > 0) return null;
      terms.push(current);
      current = { sign: op[2]!, factors: [] };
      if (op[3]!.trim().length > 0) current.factors.push(scalar(op[3]!));
    } else if (gap.length > 0) {
      const lead = /^([+-]?)\s*(.*)$/.exec(gap)!;
      if (current.factors.length === 0 && lead[1]) current.sign = lead[1];
      const k = lead[2]!.replace(/\\(?:cdot|times)$/, '').trim();
      if (k.length > 0) current.factors.push(scalar(k));
    }
    current.factors.push(matrixRows(m[2]!));
    at = m.index + m[0].length;
  }
  if (t.slice(at).replace(/[\s)\].]/g, '').length > 0 || current.factors.length === 0) return null;
  terms.push(current);
  let sum: Rows | null = null;
  for (const term of terms) {
    const product = multiplyAll(term.factors);
    if (product === null) return null;
    const signed = term.sign === '-' ? product.map((r) => r.map((x) => `-(${x})`)) : product;
    if (sum === null) sum = signed;
    else {
      if (sum.length !== signed.length || sum.some((r, i) => r.length !== signed[i]!.length)) return null;
      sum = sum.map((r, i) => r.map((x, j) => `(${x})+(${signed[i]![j]})`));
    }
  }
  return sum;
}

/** A scalar factor's text, or a marker that makes the product fail (prose, another operator). */
function scalar(k: string): string {
  return /[=<>&]|\\\\/.test(k) ? '\u0000' : k.replace(/\\(?:cdot|times)\s*$/, '').trim();
}

function multiplyAll(factors: (Rows | string)[]): Rows | null {
  const scale: string[] = [];
  let acc: Rows | null = null;
  for (const f of factors) {
    if (typeof f === 'string') {
      if (f.includes('\u0000')) return null;
      scale.push(f);
      continue;
    }
    if (acc === null) acc = f;
    else {
      const a: Rows = acc;
      const n = a[0]!.length;
      if (f.length !== n || a.some((r) => r.length !== n)) return null;
      acc = a.map((r) => f[0]!.map((_, j) => r.map((x, k) => `(${x})*(${f[k]![j]})`).join('+')));
    }
  }
  if (acc === null) return null;
  if (scale.length > 0) {
    const k = scale.map((x) => `(${x})`).join('*');
    acc = acc.map((r) => r.map((x) => `${k}*(${x})`));
  }
  return acc;
}

/**
 * Rows written as nested brackets: `[[1, 2], [3, 4]]`, `((1,2),(3,4))`; null unless every row is
 * bracketed and all have one length.
 */
export function nestedRows(s: string): Rows | null {
  const t = s.trim();
  if (!/^\[\s*\[/.test(t) || !/\]\s*\]$/.test(t)) return null;
  const inner = t.slice(1, -1).trim();
  const rows: Rows = [];
  for (const m of inner.matchAll(/\[([^[\]]*)\]\s*(?:,|$)/g)) rows.push(m[1]!.split(',').map((x) => x.trim()));
  if (rows.length === 0 || rows.some((r) => r.length !== rows[0]!.length || r.some((x) => x.length === 0))) return null;
  // Every bracket of the text was one row: nothing else hides between them.
  return (inner.match(/\[/g)?.length ?? 0) === rows.length ? rows : null;
}
