// matmul (batched, optional transposes, one 2-D operand broadcast over the batch), linear (HF weight layout), embedding.
// Every product is one kernels.gemm call where the layout allows (a 2-D weight folds the batch into M), and
// backward writes straight into the parent's grad with beta = 1 when it already holds one. Not general batch broadcasting.
// In the 'bf16' matmul precision (precision.ts; an argument, 'fp32' when left out) forward and backward products go through gemmBf16.
import { getKernels } from '../kernels/index.js';
import type { Kernels } from '../kernels/types.js';
import type { MatmulPrecision } from '../precision.js';
import { Tensor, gradTarget, numel, result, shapeStr, outBuffer } from '../tensor.js';

export interface MatmulOpts {
  transA?: boolean;
  transB?: boolean;
  /** The products' precision; default 'fp32'. */
  precision?: MatmulPrecision;
}

/** a (..., M, K) (stored (..., K, M) when transA) @ b (..., K, N) or (K, N) (stored (N, K) when transB) → (..., M, N). */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOpts = {}): Tensor {
  const transA = opts.transA ?? false, transB = opts.transB ?? false;
  const ra = a.shape.length, rb = b.shape.length;
  const bad = (why: string): Error =>
    new Error(`matmul: a ${shapeStr(a.shape)}${transA ? ' (transA)' : ''} and b ${shapeStr(b.shape)}${transB ? ' (transB)' : ''}: ${why}`);
  if (ra < 2 || rb < 2) throw bad('both operands need at least 2 dims');
  const M = transA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const K = transA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const Kb = transB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const N = transB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (K !== Kb) throw bad(`inner dims differ (${K} vs ${Kb})`);
  const batchA = a.shape.slice(0, ra - 2), batchB = b.shape.slice(0, rb - 2);
  let batchDims: number[];
  if (rb === 2) batchDims = batchA;
  else if (ra === 2) batchDims = batchB;
  else if (batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i])) batchDims = batchA;
  else throw bad('batch dims must match (or one operand must be 2-D)');
  const batch = numel(batchDims);
  const sA = ra === 2 && batch > 1 ? 0 : M * K, sB = rb === 2 && batch > 1 ? 0 : K * N;
  const k = gemmKernels(getKernels(), opts.precision);
  const res = outBuffer(batch * M * N, false);
  if (sB === 0 && !transA) k.gemm(a.data, b.data, res, 1, batch * M, N, K, false, transB, 1, 0, 0, 0, 0);
  else k.gemm(a.data, b.data, res, batch, M, N, K, transA, transB, 1, 0, sA, sB, M * N);
  return result('matmul', res, [...batchDims, M, N], [a, b], (g) => {
    if (a.requiresGrad) {
      const { buf, beta } = gradTarget(a);
      if (sB === 0 && !transA) {
        k.gemm(g, b.data, buf, 1, batch * M, K, N, false, !transB, 1, beta, 0, 0, 0);
      } else if (sA === 0) {
        for (let i = 0; i < batch; i++) {
          const gi = g.subarray(i * M * N), bi = b.data.subarray(i * sB);
          if (transA) k.gemm(bi, gi, buf, 1, K, M, N, transB, true, 1, i === 0 ? beta : 1, 0, 0, 0);
          else k.gemm(gi, bi, buf, 1, M, K, N, false, !transB, 1, i === 0 ? beta : 1, 0, 0, 0);
        }
      } else if (transA) {
        k.gemm(b.data, g, buf, batch, K, M, N, transB, true, 1, beta, sB, M * N, M * K);
      } else {
        k.gemm(g, b.data, buf, batch, M, K, N, false, !transB, 1, beta, M * N, sB, M * K);
      }
    }
    if (b.requiresGrad) {
      const { buf, beta } = gradTarget(b);
      if (sB === 0 && !transA) {
        if (transB) k.gemm(g, a.data, buf, 1, N, K, batch * M, true, false, 1, beta, 0, 0, 0);
        else k.gemm(a.data, g, buf, 1, K, N, batch * M, true, false, 1, beta, 0, 0, 0);
      } else if (sB === 0) {
        for (let i = 0; i < batch; i++) {
          const gi = g.subarray(i * M * N), ai = a.data.subarray(i * sA);
          if (transB) k.gemm(gi, ai, buf, 1, N, K, M, true, transA, 1, i === 0 ? beta : 1, 0, 0, 0);
          else k.gemm(ai, gi, buf, 1, K, N, M, !transA, false, 1, i === 0 ? beta : 1, 0, 0, 0);
        }
      } else if (transB) {
        k.gemm(g, a.data, buf, batch, N, K, M, true, transA, 1, beta, M * N, sA, N * K);
      } else {
        k.gemm(a.data, g, buf, batch, K, N, M, !transA, false, 1, beta, sA, M * N, K * N);
      }
    }
  });
}

/** The gemm of matmul precision p (captured at forward time, so backward runs in the same one). */
function gemmKernels(k: Kernels, p: MatmulPrecision = 'fp32'): { gemm: Kernels['gemm'] } {
  return p === 'bf16' ? { gemm: k.gemmBf16 } : k;
}

/** x (..., in) @ w^T + bias, with w (out, in) in HF layout and bias (out) → (..., out); products in precision. */
export function linear(x: Tensor, w: Tensor, bias?: Tensor | null, precision: MatmulPrecision = 'fp32'): Tensor {
  const r = x.shape.length;
  const inF = x.shape[r - 1]!;
  if (r < 1 || w.shape.length !== 2 || w.shape[1] !== inF) {
    throw new Error(`linear: x ${shapeStr(x.shape)} needs weight (out, ${inF}), got weight ${shapeStr(w.shape)}`);
  }
  const outF = w.shape[0]!;
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== outF)) {
    throw new Error(`linear: bias ${shapeStr(bias.shape)} must be (${outF}) for weight ${shapeStr(w.shape)}`);
  }
  const rows = x.size / inF;
  const res = outBuffer(rows * outF, false);
  if (bias) for (let i = 0; i < rows; i++) res.set(bias.data, i * outF);
  const k = gemmKernels(getKernels(), precision);
  k.gemm(x.data, w.data, res, 1, rows, outF, inF, false, true, 1, bias ? 1 : 0, 0, 0, 0);
  const parents = bias ? [x, w, bias] : [x, w];
  return result('linear', res, [...x.shape.slice(0, -1), outF], parents, (g) => {
    if (x.requiresGrad) {
      const { buf, beta } = gradTarget(x); // (rows, in) = g (rows, out) @ w (out, in)
      k.gemm(g, w.data, buf, 1, rows, inF, outF, false, false, 1, beta, 0, 0, 0);
    }
    if (w.requiresGrad) {
      const { buf, beta } = gradTarget(w); // (out, in) = g^T (out, rows) @ x (rows, in)
      k.gemm(g, x.data, buf, 1, outF, inF, rows, true, false, 1, beta, 0, 0, 0);
    }
    if (bias && bias.requiresGrad) {
      const { buf } = gradTarget(bias);
      for (let i = 0; i < rows; i++) {
        const o = i * outF;
        for (let j = 0; j < outF; j++) buf[j]! += g[o + j]!;
      }
    }
  });
}

/** Rows of weight (V, C) picked by ids → (...idsShape, C). */
export function embedding(weight: Tensor, ids: Int32Array, idsShape: number[]): Tensor {
  if (weight.shape.length !== 2) throw new Error(`embedding: weight must be (V, C), got ${shapeStr(weight.shape)}`);
  const [V, C] = weight.shape as [number, number];
  const n = numel(idsShape);
  if (ids.length !== n) throw new Error(`embedding: ${ids.length} ids but idsShape ${shapeStr(idsShape)} needs ${n}`);
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    if (id < 0 || id >= V) throw new Error(`embedding: id ${id} at position ${i} is outside the vocabulary [0, ${V}) of weight ${shapeStr(weight.shape)}`);
  }
  const res = outBuffer(n * C, false);
  getKernels().embeddingFwd(weight.data, ids, res, n, C);
  return result('embedding', res, [...idsShape, C], [weight], (g) => {
    getKernels().embeddingBwd(g, ids, gradTarget(weight).buf, n, C);
  });
}
