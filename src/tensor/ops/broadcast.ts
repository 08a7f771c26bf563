// Numpy broadcasting helpers for the elementwise ops: the result shape, the cyclic fast-path test
// (b repeats along a: same shape or a trailing row), materialising a broadcast input, and summing a grad back.
// Not an op: no tape here. Follows numpy's broadcasting rules (align trailing dims; 1 stretches).
import { numel, shapeStr } from '../tensor.js';

export function broadcastShape(op: string, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${shapeStr(a)} and ${shapeStr(b)} do not broadcast (dim ${i} of the result: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether x (shape xs) repeats cyclically to fill out: xs without leading 1s is a trailing part of out. */
export function isCyclic(xs: readonly number[], out: readonly number[]): boolean {
  let start = 0;
  while (start < xs.length && xs[start] === 1) start++;
  const k = xs.length - start;
  if (k > out.length) return false;
  for (let i = 0; i < k; i++) if (xs[start + i] !== out[out.length - k + i]) return false;
  return true;
}

/** Strides of x viewed in the out shape (0 along broadcast dims). */
function broadcastStrides(xs: readonly number[], out: readonly number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let s = 1;
  for (let i = xs.length - 1; i >= 0; i--) {
    const j = out.length - xs.length + i;
    strides[j] = xs[i] === 1 ? 0 : s;
    s *= xs[i]!;
  }
  return strides;
}

/** x laid out at full out size (a copy unless x already has out's size). */
export function expandFull(x: Float32Array, xs: readonly number[], out: readonly number[]): Float32Array {
  const n = numel(out);
  if (x.length === n) return x;
  if (isCyclic(xs, out)) {
    const r = new Float32Array(n);
    for (let o = 0; o < n; o += x.length) r.set(x, o);
    return r;
  }
  const r = new Float32Array(n);
  const strides = broadcastStrides(xs, out);
  const idx = new Array<number>(out.length).fill(0);
  let src = 0;
  for (let i = 0; i < n; i++) {
    r[i] = x[src]!;
    for (let d = out.length - 1; d >= 0; d--) {
      idx[d]!++;
      src += strides[d]!;
      if (idx[d]! < out[d]!) break;
      src -= strides[d]! * out[d]!;
      idx[d] = 0;
    }
  }
  return r;
}

/** x in a form kernels.binary accepts as its cyclic b for the out shape: x itself when cyclic, else expanded. */
export function cyclicOrExpand(x: Float32Array, xs: readonly number[], out: readonly number[]): Float32Array {
  return isCyclic(xs, out) ? x : expandFull(x, xs, out);
}

/** Sums g (out shape) down to shape xs, the inverse of broadcasting x to out. Returns g itself when no reduction is needed. */
export function reduceTo(g: Float32Array, out: readonly number[], xs: readonly number[]): Float32Array {
  const m = numel(xs);
  if (m === g.length) return g;
  const r = new Float32Array(m);
  if (isCyclic(xs, out)) {
    for (let o = 0; o < g.length; o += m) {
      for (let j = 0; j < m; j++) r[j]! += g[o + j]!;
    }
    return r;
  }
  const strides = broadcastStrides(xs, out);
  const idx = new Array<number>(out.length).fill(0);
  let dst = 0;
  for (let i = 0; i < g.length; i++) {
    r[dst]! += g[i]!;
    for (let d = out.length - 1; d >= 0; d--) {
      idx[d]!++;
      dst += strides[d]!;
      if (idx[d]! < out[d]!) break;
      dst -= strides[d]! * out[d]!;
      idx[d] = 0;
    }
  }
  return r;
}
