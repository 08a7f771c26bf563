// Reductions (sum, mean, max over one axis or everything) and reshape (a view sharing data), with backward.
// Not general multi-axis reductions: one axis or all. Sums accumulate in double precision.
// Follows torch.sum/mean/max(dim) semantics (max's grad goes to the first maximal element, like its indices).
import { Tensor, accumulateGrad, gradBuffer, numel, result, shapeStr, outBuffer } from '../tensor.js';

function normAxis(op: string, x: Tensor, axis: number): number {
  const r = x.shape.length;
  const a = axis < 0 ? axis + r : axis;
  if (!Number.isInteger(a) || a < 0 || a >= r) throw new Error(`${op}: axis ${axis} out of range for shape ${shapeStr(x.shape)}`);
  return a;
}

/** (outer, n, inner) split of x around axis a, and the output shape. */
function split(x: Tensor, a: number, keepdim: boolean): { outer: number; n: number; inner: number; shape: number[] } {
  const s = x.shape;
  let outer = 1, inner = 1;
  for (let i = 0; i < a; i++) outer *= s[i]!;
  for (let i = a + 1; i < s.length; i++) inner *= s[i]!;
  const shape = keepdim ? s.map((d, i) => (i === a ? 1 : d)) : s.filter((_, i) => i !== a);
  return { outer, n: s[a]!, inner, shape };
}

function reduceSum(op: string, x: Tensor, scale: number, axis: number | undefined, keepdim: boolean): Tensor {
  const xd = x.data;
  if (axis === undefined) {
    let acc = 0;
    for (let i = 0; i < xd.length; i++) acc += xd[i]!;
    const shape = keepdim ? x.shape.map(() => 1) : [];
    return result(op, Float32Array.of(acc * scale), shape, [x], (g) => {
      accumulateGrad(x, gradBuffer(xd.length).fill(g[0]! * scale), true);
    });
  }
  const { outer, n, inner, shape } = split(x, normAxis(op, x, axis), keepdim);
  const res = outBuffer(outer * inner, false);
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    for (let j = 0; j < n; j++) {
      const base = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) acc[i]! += xd[base + i]!;
    }
    for (let i = 0; i < inner; i++) res[o * inner + i] = acc[i]! * scale;
  }
  return result(op, res, shape, [x], (g) => {
    const dx = gradBuffer(xd.length);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < n; j++) {
        const base = (o * n + j) * inner;
        for (let i = 0; i < inner; i++) dx[base + i] = g[o * inner + i]! * scale;
      }
    }
    accumulateGrad(x, dx, true);
  });
}

/** Sum over axis (negative counts from the end), or over everything to a scalar of shape [] when axis is omitted. */
export function sum(x: Tensor, axis?: number, keepdim = false): Tensor {
  return reduceSum('sum', x, 1, axis, keepdim);
}

export function mean(x: Tensor, axis?: number, keepdim = false): Tensor {
  const n = axis === undefined ? x.size : x.shape[normAxis('mean', x, axis)]!;
  if (n === 0) throw new Error(`mean: empty reduction over shape ${shapeStr(x.shape)}`);
  return reduceSum('mean', x, 1 / n, axis, keepdim);
}

/** Max over axis; the grad flows to the first maximal element of each slice. */
export function max(x: Tensor, axis: number, keepdim = false): Tensor {
  const xd = x.data;
  const { outer, n, inner, shape } = split(x, normAxis('max', x, axis), keepdim);
  if (n === 0) throw new Error(`max: empty reduction over shape ${shapeStr(x.shape)}`);
  const res = outBuffer(outer * inner, false);
  const arg = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = xd[o * n * inner + i]!, bj = 0;
      for (let j = 1; j < n; j++) {
        const v = xd[(o * n + j) * inner + i]!;
        if (v > best || (v !== v && best === best)) {
          best = v;
          bj = j;
        }
      }
      res[o * inner + i] = best;
      arg[o * inner + i] = bj;
    }
  }
  return result('max', res, shape, [x], (g) => {
    const dx = gradBuffer(xd.length, true);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) dx[(o * n + arg[o * inner + i]!) * inner + i] = g[o * inner + i]!;
    }
    accumulateGrad(x, dx, true);
  });
}

/** The same data under a new shape (one dim may be -1). The result is a view: writes to one show in the other. */
export function reshape(x: Tensor, shape: number[]): Tensor {
  const neg = shape.indexOf(-1);
  let s = shape;
  if (neg >= 0) {
    if (shape.indexOf(-1, neg + 1) >= 0) throw new Error(`reshape: more than one -1 in ${shapeStr(shape)}`);
    const rest = numel(shape.filter((_, i) => i !== neg));
    if (rest === 0 || x.size % rest !== 0) throw new Error(`reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} elements) to ${shapeStr(shape)}`);
    s = shape.slice();
    s[neg] = x.size / rest;
  }
  if (numel(s) !== x.size) throw new Error(`reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} elements) to ${shapeStr(shape)}`);
  return result('reshape', x.data, s.slice(), [x], (g) => accumulateGrad(x, g, true));
}
