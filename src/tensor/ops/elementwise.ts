// Elementwise ops with numpy broadcasting and hand-written backward: add, sub, mul, div, minimum, maximum,
// neg, exp, log, silu, swiglu, clamp, where. Inner loops go through kernels (cyclic broadcast fast path);
// other broadcasts materialise the small input first. Tie-breaking of minimum/maximum grads follows PyTorch (half each).
import { BinaryOp, UnaryOp } from '../kernels/types.js';
import { getKernels } from '../kernels/index.js';
import { Tensor, accumulateGrad, gradBuffer, result, shapeStr, outBuffer } from '../tensor.js';
import { broadcastShape, cyclicOrExpand, expandFull, isCyclic, reduceTo, sameShape } from './broadcast.js';

export type Operand = Tensor | number;

function asTensor(x: Operand): Tensor {
  return typeof x === 'number' ? new Tensor(Float32Array.of(x), []) : x;
}

/** Forward of a broadcasting binary op through the kernel (swapping a commutative op's operands when a is the small one). */
function binaryForward(op: BinaryOp, A: Tensor, B: Tensor, out: number[], n: number): Float32Array {
  const k = getKernels();
  const res = outBuffer(n, false);
  const commutative = op === BinaryOp.Add || op === BinaryOp.Mul || op === BinaryOp.Min || op === BinaryOp.Max;
  if (A.size === n && isCyclic(B.shape, out)) k.binary(op, A.data, B.data, res, n);
  else if (commutative && B.size === n && isCyclic(A.shape, out)) k.binary(op, B.data, A.data, res, n);
  else k.binary(op, expandFull(A.data, A.shape, out), cyclicOrExpand(B.data, B.shape, out), res, n);
  return res;
}

function outShape(name: string, A: Tensor, B: Tensor): number[] {
  return sameShape(A.shape, B.shape) ? A.shape.slice() : broadcastShape(name, A.shape, B.shape);
}

/** g (out shape) reduced to x's shape, as a buffer the caller may hand over (a copy when no reduction happened and g must be kept). */
function reducedOwned(g: Float32Array, out: number[], x: Tensor, keepG: boolean): [Float32Array, boolean] {
  const r = reduceTo(g, out, x.shape);
  return [r, r !== g || !keepG];
}

export function add(a: Operand, b: Operand): Tensor {
  const A = asTensor(a), B = asTensor(b);
  const out = outShape('add', A, B);
  const n = out.reduce((x, y) => x * y, 1);
  return result('add', binaryForward(BinaryOp.Add, A, B, out, n), out, [A, B], (g) => {
    if (B.requiresGrad) accumulateGrad(B, ...reducedOwned(g, out, B, true));
    if (A.requiresGrad) accumulateGrad(A, ...reducedOwned(g, out, A, false));
  });
}

export function sub(a: Operand, b: Operand): Tensor {
  const A = asTensor(a), B = asTensor(b);
  const out = outShape('sub', A, B);
  const n = out.reduce((x, y) => x * y, 1);
  return result('sub', binaryForward(BinaryOp.Sub, A, B, out, n), out, [A, B], (g) => {
    const k = getKernels();
    if (B.requiresGrad) {
      const r = reduceTo(g, out, B.shape);
      const nb = r === g ? gradBuffer(r.length) : r;
      k.unary(UnaryOp.Neg, r, nb, r.length);
      accumulateGrad(B, nb, true);
    }
    if (A.requiresGrad) accumulateGrad(A, ...reducedOwned(g, out, A, false));
  });
}

export function mul(a: Operand, b: Operand): Tensor {
  const A = asTensor(a), B = asTensor(b);
  const out = outShape('mul', A, B);
  const n = out.reduce((x, y) => x * y, 1);
  return result('mul', binaryForward(BinaryOp.Mul, A, B, out, n), out, [A, B], (g) => {
    const k = getKernels();
    if (B.requiresGrad) {
      const db = gradBuffer(n);
      k.binary(BinaryOp.Mul, g, cyclicOrExpand(A.data, A.shape, out), db, n);
      accumulateGrad(B, reduceTo(db, out, B.shape), true);
    }
    if (A.requiresGrad) {
      k.binary(BinaryOp.Mul, g, cyclicOrExpand(B.data, B.shape, out), g, n);
      accumulateGrad(A, reduceTo(g, out, A.shape), true);
    }
  });
}

export function div(a: Operand, b: Operand): Tensor {
  const A = asTensor(a), B = asTensor(b);
  const out = outShape('div', A, B);
  const n = out.reduce((x, y) => x * y, 1);
  const res = binaryForward(BinaryOp.Div, A, B, out, n);
  return result('div', res, out, [A, B], (g) => {
    const k = getKernels();
    k.binary(BinaryOp.Div, g, cyclicOrExpand(B.data, B.shape, out), g, n); // g / b
    if (B.requiresGrad) {
      const db = gradBuffer(n);
      k.binary(BinaryOp.Mul, g, res, db, n); // (g / b) * (a / b)
      k.unary(UnaryOp.Neg, db, db, n);
      accumulateGrad(B, reduceTo(db, out, B.shape), true);
    }
    if (A.requiresGrad) accumulateGrad(A, reduceTo(g, out, A.shape), true);
  });
}

function minMax(name: string, op: BinaryOp.Min | BinaryOp.Max, a: Operand, b: Operand): Tensor {
  const A = asTensor(a), B = asTensor(b);
  const out = outShape(name, A, B);
  const n = out.reduce((x, y) => x * y, 1);
  return result(name, binaryForward(op, A, B, out, n), out, [A, B], (g) => {
    const ae = expandFull(A.data, A.shape, out), be = expandFull(B.data, B.shape, out);
    const da = gradBuffer(n, true), db = gradBuffer(n, true);
    const sign = op === BinaryOp.Min ? 1 : -1;
    for (let i = 0; i < n; i++) {
      const d = sign * (ae[i]! - be[i]!);
      if (d < 0) da[i] = g[i]!;
      else if (d > 0) db[i] = g[i]!;
      else da[i] = db[i] = g[i]! / 2;
    }
    accumulateGrad(A, reduceTo(da, out, A.shape), true);
    accumulateGrad(B, reduceTo(db, out, B.shape), true);
  });
}

export function minimum(a: Operand, b: Operand): Tensor {
  return minMax('minimum', BinaryOp.Min, a, b);
}

export function maximum(a: Operand, b: Operand): Tensor {
  return minMax('maximum', BinaryOp.Max, a, b);
}

export function neg(x: Tensor): Tensor {
  const k = getKernels();
  const res = outBuffer(x.size, false);
  k.unary(UnaryOp.Neg, x.data, res, x.size);
  return result('neg', res, x.shape.slice(), [x], (g) => {
    k.unary(UnaryOp.Neg, g, g, g.length);
    accumulateGrad(x, g, true);
  });
}

export function exp(x: Tensor): Tensor {
  const res = outBuffer(x.size, false);
  getKernels().unary(UnaryOp.Exp, x.data, res, x.size);
  return result('exp', res, x.shape.slice(), [x], (g) => {
    getKernels().binary(BinaryOp.Mul, g, res, g, g.length);
    accumulateGrad(x, g, true);
  });
}

export function log(x: Tensor): Tensor {
  const res = outBuffer(x.size, false);
  getKernels().unary(UnaryOp.Log, x.data, res, x.size);
  return result('log', res, x.shape.slice(), [x], (g) => {
    getKernels().binary(BinaryOp.Div, g, x.data, g, g.length);
    accumulateGrad(x, g, true);
  });
}

export function silu(x: Tensor): Tensor {
  const res = outBuffer(x.size, false);
  getKernels().unary(UnaryOp.Silu, x.data, res, x.size);
  return result('silu', res, x.shape.slice(), [x], (g) => {
    const xd = x.data;
    for (let i = 0; i < g.length; i++) {
      const s = 1 / (1 + Math.exp(-xd[i]!));
      g[i] = g[i]! * s * (1 + xd[i]! * (1 - s));
    }
    accumulateGrad(x, g, true);
  });
}

/** silu(gate) * up, fused. */
export function swiglu(gate: Tensor, up: Tensor): Tensor {
  if (!sameShape(gate.shape, up.shape)) throw new Error(`swiglu: gate ${shapeStr(gate.shape)} and up ${shapeStr(up.shape)} must have the same shape`);
  const k = getKernels();
  const n = gate.size;
  const res = outBuffer(n, false);
  k.swigluFwd(gate.data, up.data, res, n);
  return result('swiglu', res, gate.shape.slice(), [gate, up], (g) => {
    const dgate = gradBuffer(n), dup = gradBuffer(n);
    getKernels().swigluBwd(g, gate.data, up.data, dgate, dup, n);
    accumulateGrad(gate, dgate, true);
    accumulateGrad(up, dup, true);
  });
}

/** Elementwise clamp to [lo, hi]; the grad passes where lo <= x <= hi (PyTorch's inclusive rule). */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  if (lo > hi) throw new Error(`clamp: lo ${lo} > hi ${hi} (input ${shapeStr(x.shape)})`);
  const xd = x.data;
  const res = outBuffer(x.size, false);
  for (let i = 0; i < xd.length; i++) res[i] = Math.min(Math.max(xd[i]!, lo), hi);
  return result('clamp', res, x.shape.slice(), [x], (g) => {
    for (let i = 0; i < g.length; i++) if (!(xd[i]! >= lo && xd[i]! <= hi)) g[i] = 0;
    accumulateGrad(x, g, true);
  });
}

/** cond ? a : b elementwise; cond is a 0/1 tensor or a Uint8Array of the broadcast shape of a and b. */
export function where(cond: Tensor | Uint8Array, a: Operand, b: Operand): Tensor {
  const A = asTensor(a), B = asTensor(b);
  let out = outShape('where', A, B);
  if (cond instanceof Tensor) out = broadcastShape('where', cond.shape, out);
  const n = out.reduce((x, y) => x * y, 1);
  let c: Uint8Array;
  if (cond instanceof Tensor) {
    const ce = expandFull(cond.data, cond.shape, out);
    c = new Uint8Array(n);
    for (let i = 0; i < n; i++) c[i] = ce[i] !== 0 ? 1 : 0;
  } else {
    if (cond.length !== n) throw new Error(`where: mask has ${cond.length} entries but a ${shapeStr(A.shape)} and b ${shapeStr(B.shape)} broadcast to ${shapeStr(out)} (${n})`);
    c = cond;
  }
  const ae = expandFull(A.data, A.shape, out), be = expandFull(B.data, B.shape, out);
  const res = outBuffer(n, false);
  for (let i = 0; i < n; i++) res[i] = c[i] ? ae[i]! : be[i]!;
  return result('where', res, out, [A, B], (g) => {
    if (B.requiresGrad) {
      const db = gradBuffer(n, true);
      for (let i = 0; i < n; i++) if (!c[i]) db[i] = g[i]!;
      accumulateGrad(B, reduceTo(db, out, B.shape), true);
    }
    if (A.requiresGrad) {
      for (let i = 0; i < n; i++) if (!c[i]) g[i] = 0;
      accumulateGrad(A, reduceTo(g, out, A.shape), true);
    }
  });
}
