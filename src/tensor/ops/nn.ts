// The fused network ops: RMSNorm, rotary embeddings (HF rotate-half), grouped-query causal attention,
// softmax / log-softmax, per-token target log-probs and cross-entropy. Each is one kernel call forward and one backward.
// Not modules with parameters (src/model holds those). References: HF LlamaRMSNorm / LlamaRotaryEmbedding, F.cross_entropy.
// Attention's products follow the matmul precision passed (precision.ts) where the kernels have BF16 instructions.
import { getKernels } from '../kernels/index.js';
import type { Kernels } from '../kernels/types.js';
import type { MatmulPrecision } from '../precision.js';
import { Tensor, accumulateGrad, gradBuffer, gradTarget, numel, result, shapeStr, outBuffer } from '../tensor.js';
import { sameShape } from './broadcast.js';

/** x (..., C) * rsqrt(mean(x^2) + eps) * w (C). */
export function rmsnorm(x: Tensor, w: Tensor, eps: number): Tensor {
  const C = x.shape[x.shape.length - 1]!;
  if (w.shape.length !== 1 || w.shape[0] !== C) throw new Error(`rmsnorm: x ${shapeStr(x.shape)} needs weight (${C}), got ${shapeStr(w.shape)}`);
  const rows = x.size / C;
  const res = outBuffer(x.size, false);
  const rstd = new Float32Array(rows);
  getKernels().rmsnormFwd(x.data, w.data, res, rstd, rows, C, eps);
  return result('rmsnorm', res, x.shape.slice(), [x, w], (g) => {
    const dx = gradBuffer(x.size);
    const dw = w.requiresGrad ? gradTarget(w).buf : new Float32Array(C);
    getKernels().rmsnormBwd(g, x.data, w.data, rstd, dx, dw, rows, C);
    accumulateGrad(x, dx, true);
  });
}

/**
 * cos/sin tables (maxPos, headSize/2) of HF's rotary embedding, computed in float32 steps as HF does: from a base
 * theta (the default rope) or from inverse frequencies a scaled rope computed (src/model/rope.ts), times `scale`.
 */
export class RopeTable {
  readonly cos: Float32Array;
  readonly sin: Float32Array;
  constructor(readonly maxPos: number, readonly headSize: number, freq: number | Float32Array, scale = 1) {
    if (headSize % 2 !== 0) throw new Error(`RopeTable: headSize ${headSize} must be even`);
    const half = headSize / 2;
    const f = Math.fround;
    const inv = typeof freq === 'number' ? Float32Array.from({ length: half }, (_, i) => f(1 / f(Math.pow(f(freq), f((2 * i) / headSize))))) : freq;
    if (inv.length !== half) throw new Error(`RopeTable: ${inv.length} inverse frequencies for head size ${headSize} (needs ${half})`);
    this.cos = new Float32Array(maxPos * half);
    this.sin = new Float32Array(maxPos * half);
    for (let p = 0; p < maxPos; p++) this.write(p, inv, scale);
  }

  /** Rewrites position p's row from inverse frequencies inv (headSize/2) and a cos/sin multiplier. */
  write(p: number, inv: Float32Array, scale = 1): void {
    const half = inv.length;
    const f = Math.fround;
    const s = f(scale);
    for (let i = 0; i < half; i++) {
      const angle = f(p * inv[i]!);
      this.cos[p * half + i] = s === 1 ? Math.cos(angle) : f(Math.cos(angle)) * s;
      this.sin[p * half + i] = s === 1 ? Math.sin(angle) : f(Math.sin(angle)) * s;
    }
  }
}

/** Rotates x (B, T, nh, hs) by the angles of positions pos (B*T), HF rotate-half convention. */
export function rope(x: Tensor, table: RopeTable, pos: Int32Array): Tensor {
  if (x.shape.length !== 4) throw new Error(`rope: x must be (B, T, nh, hs), got ${shapeStr(x.shape)}`);
  const [B, T, nh, hs] = x.shape as [number, number, number, number];
  if (hs !== table.headSize) throw new Error(`rope: x ${shapeStr(x.shape)} has head size ${hs} but the table was built for ${table.headSize}`);
  if (pos.length !== B * T) throw new Error(`rope: ${pos.length} positions for x ${shapeStr(x.shape)} (needs B*T = ${B * T})`);
  for (let i = 0; i < pos.length; i++) {
    if (pos[i]! < 0 || pos[i]! >= table.maxPos) throw new Error(`rope: position ${pos[i]} at index ${i} is outside the table [0, ${table.maxPos})`);
  }
  const res = outBuffer(x.size, false);
  getKernels().rope(x.data, res, table.cos, table.sin, pos, B, T, nh, hs, false);
  return result('rope', res, x.shape.slice(), [x], (g) => {
    const dx = gradBuffer(x.size);
    getKernels().rope(g, dx, table.cos, table.sin, pos, B, T, nh, hs, true);
    accumulateGrad(x, dx, true);
  });
}

export interface AttentionOpts {
  causal: boolean;
  /** Score scale; default 1/sqrt(hs). */
  scale?: number;
  /** The matmul precision (BF16 products only where the kernels have BF16 instructions, see bf16Attention); default 'fp32'. */
  precision?: MatmulPrecision;
}

/** softmax(q k^T * scale, masked) v with grouped-query heads: q (B, T, nh, hs), k, v (B, S, nkv, hs) → (B, T, nh, hs). */
export function attention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOpts): Tensor {
  const shapes = `q ${shapeStr(q.shape)}, k ${shapeStr(k.shape)}, v ${shapeStr(v.shape)}`;
  if (q.shape.length !== 4 || k.shape.length !== 4 || !sameShape(k.shape, v.shape)) {
    throw new Error(`attention: needs q (B, T, nh, hs) and k, v of one shape (B, S, nkv, hs); got ${shapes}`);
  }
  const [B, T, nh, hs] = q.shape as [number, number, number, number];
  const [Bk, S, nkv, hsk] = k.shape as [number, number, number, number];
  if (Bk !== B || hsk !== hs) throw new Error(`attention: batch and head size of q and k differ: ${shapes}`);
  if (nh % nkv !== 0) throw new Error(`attention: ${nh} query heads is not a multiple of ${nkv} kv heads: ${shapes}`);
  if (opts.causal && T > S) throw new Error(`attention: causal with more queries (${T}) than keys (${S}): ${shapes}`);
  const scale = opts.scale ?? 1 / Math.sqrt(hs);
  const res = outBuffer(q.size, false);
  const lse = new Float32Array(B * nh * T);
  const kern = getKernels(), bf16 = bf16Attention(kern, opts.precision); // captured here: backward runs in the forward's precision
  if (bf16) kern.attentionFwdBf16(q.data, k.data, v.data, res, lse, B, T, S, nh, nkv, hs, scale, opts.causal, null);
  else kern.attentionFwd(q.data, k.data, v.data, res, lse, B, T, S, nh, nkv, hs, scale, opts.causal, null);
  return result('attention', res, q.shape.slice(), [q, k, v], (g) => {
    const dq = gradBuffer(q.size), dk = gradBuffer(k.size), dv = gradBuffer(v.size);
    if (bf16) kern.attentionBwdBf16(g, q.data, k.data, v.data, res, lse, dq, dk, dv, B, T, S, nh, nkv, hs, scale, opts.causal);
    else kern.attentionBwd(g, q.data, k.data, v.data, res, lse, dq, dk, dv, B, T, S, nh, nkv, hs, scale, opts.causal);
    accumulateGrad(q, dq, true);
    accumulateGrad(k, dk, true);
    accumulateGrad(v, dv, true);
  });
}

/**
 * Whether attention's products run in BF16 (FP32 accumulation; softmax and lse stay FP32), as under PyTorch's CPU
 * autocast: in the 'bf16' matmul precision on kernels with BF16 instructions. Elsewhere FP32, also under 'bf16' with
 * the TS kernels or R1_BF16=off: their attentionFwdBf16 is an emulation that would only be slower.
 */
export function bf16Attention(k: Kernels, p: MatmulPrecision = 'fp32'): boolean {
  return p === 'bf16' && k.bf16 !== null;
}

function lastDim(op: string, x: Tensor): number {
  if (x.shape.length === 0) throw new Error(`${op}: needs at least one dim, got a scalar`);
  return x.shape[x.shape.length - 1]!;
}

/** Softmax over the last axis. */
export function softmax(x: Tensor): Tensor {
  const cols = lastDim('softmax', x);
  const rows = cols === 0 ? 0 : x.size / cols;
  const res = outBuffer(x.size, false);
  getKernels().softmaxFwd(x.data, res, rows, cols);
  return result('softmax', res, x.shape.slice(), [x], (g) => {
    const dx = gradBuffer(x.size);
    getKernels().softmaxBwd(g, res, dx, rows, cols);
    accumulateGrad(x, dx, true);
  });
}

/** Log-softmax over the last axis. */
export function logSoftmax(x: Tensor): Tensor {
  const cols = lastDim('logSoftmax', x);
  const rows = cols === 0 ? 0 : x.size / cols;
  const res = outBuffer(x.size, false);
  getKernels().logSoftmaxFwd(x.data, res, rows, cols);
  return result('logSoftmax', res, x.shape.slice(), [x], (g) => {
    const dx = gradBuffer(x.size);
    getKernels().logSoftmaxBwd(g, res, dx, rows, cols);
    accumulateGrad(x, dx, true);
  });
}

function checkTargets(op: string, logits: Tensor, targets: Int32Array, ignore: number | null): { rows: number; V: number } {
  const V = lastDim(op, logits);
  const rows = numel(logits.shape.slice(0, -1));
  if (targets.length !== rows) throw new Error(`${op}: ${targets.length} targets for logits ${shapeStr(logits.shape)} (needs ${rows})`);
  for (let i = 0; i < rows; i++) {
    const t = targets[i]!;
    if (t === ignore) continue;
    if (t >= V || (ignore !== null && t < 0)) throw new Error(`${op}: target ${t} at position ${i} is outside [0, ${V}) for logits ${shapeStr(logits.shape)}`);
  }
  return { rows, V };
}

/** log softmax(logits)[target] per row, fused: logits (..., V) → (...). A negative target gives 0 (and no grad). */
export function logprobOfTargets(logits: Tensor, targets: Int32Array): Tensor {
  const { rows, V } = checkTargets('logprobOfTargets', logits, targets, null);
  const res = new Float32Array(rows);
  const lse = new Float32Array(rows);
  getKernels().logprobFwd(logits.data, targets, res, lse, rows, V);
  return result('logprobOfTargets', res, logits.shape.slice(0, -1), [logits], (g) => {
    const dl = gradBuffer(logits.size);
    getKernels().logprobBwd(g, logits.data, targets, lse, dl, rows, V);
    accumulateGrad(logits, dl, true);
  });
}

/**
 * Mean cross-entropy over the targets that are not ignoreIndex: logits (..., V) → scalar [].
 * When every target is ignored the loss is 0 with zero grad (PyTorch gives NaN there).
 */
export function crossEntropy(logits: Tensor, targets: Int32Array, ignoreIndex = -100): Tensor {
  const { rows, V } = checkTargets('crossEntropy', logits, targets, ignoreIndex);
  const t = new Int32Array(rows);
  let count = 0;
  for (let i = 0; i < rows; i++) {
    const valid = targets[i] !== ignoreIndex;
    t[i] = valid ? targets[i]! : -1;
    if (valid) count++;
  }
  const lp = new Float32Array(rows);
  const lse = new Float32Array(rows);
  const k = getKernels();
  k.logprobFwd(logits.data, t, lp, lse, rows, V);
  let acc = 0;
  for (let i = 0; i < rows; i++) acc += lp[i]!;
  const loss = count === 0 ? 0 : -acc / count;
  return result('crossEntropy', Float32Array.of(loss), [], [logits], (g) => {
    const dout = new Float32Array(rows);
    if (count > 0) dout.fill(-g[0]! / count);
    const dl = gradBuffer(logits.size);
    getKernels().logprobBwd(dout, logits.data, t, lse, dl, rows, V);
    accumulateGrad(logits, dl, true);
  });
}
