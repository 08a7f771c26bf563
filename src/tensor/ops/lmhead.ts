// lm_head + log-softmax + gather of each row's target (and the entropy of its distribution) as one op over chunks
// of rows: hidden (..., C) and the output weight (V, C) → logp (...), never holding the whole (rows, V) logits;
// backward recomputes each chunk's logits and writes dhidden and dweight chunk by chunk. Rows whose target is < 0
// cost nothing (logp 0, entropy 0, no gradient). Not a general fused linear: only reductions of the logits leave it.
// Reference: Liger-Kernel's fused linear cross-entropy; the same value as logprobOfTargets(linear(h, W) / τ, t).
import { getKernels } from '../kernels/index.js';
import type { MatmulPrecision } from '../precision.js';
import { Tensor, recycleBuffer, gradBuffer, gradTarget, accumulateGrad, result, shapeStr, needsGrad } from '../tensor.js';
import { mul } from './elementwise.js';
import { sum } from './reduce.js';

export interface LmHeadOpts {
  /** Logits are divided by it (the sampling temperature); default 1. */
  temperature?: number;
  /** Rows per chunk; default: as many as keep one chunk's logits near 256 MB (at least 16). */
  chunkRows?: number;
  /** Also compute each scored row's entropy (nats), no gradient; default false. */
  entropy?: boolean;
  /** The logits' products in this matmul precision; default 'fp32'. */
  precision?: MatmulPrecision;
}

/**
 * The default chunk: about 256 MB of FP32 logits (441 rows at V = 151,936). Each chunk of the backward reads and
 * writes all of dweight (V, C), so fewer, larger chunks are faster: 32-row chunks took 2x the time of 1000-row ones.
 */
export function defaultChunkRows(V: number): number {
  return Math.max(16, Math.floor((256 * 1024 * 1024) / (4 * V)));
}

/** What both ops share: the checked sizes, the scored rows (target >= 0), 1 / τ, rows per chunk and the gemm. */
interface Head {
  hidden: Tensor;
  weight: Tensor;
  targets: Int32Array;
  C: number;
  V: number;
  N: number;
  scored: number[];
  alpha: number;
  R: number;
  gemm: ReturnType<typeof getKernels>['gemm'];
}

/** A chunk's scratch: its hidden rows (R, C), its logits or dlogits (R, V, from the pool), its dhidden rows (R, C). */
interface Chunk { h: Float32Array; logits: Float32Array; dh: Float32Array }

function setup(op: string, hidden: Tensor, weight: Tensor, targets: Int32Array, opts: LmHeadOpts): Head {
  const C = hidden.shape[hidden.shape.length - 1]!;
  if (weight.shape.length !== 2 || weight.shape[1] !== C) {
    throw new Error(`${op}: hidden ${shapeStr(hidden.shape)} needs weight (V, ${C}), got ${shapeStr(weight.shape)}`);
  }
  const V = weight.shape[0]!;
  const N = hidden.size / C;
  if (targets.length !== N) throw new Error(`${op}: ${targets.length} targets for hidden ${shapeStr(hidden.shape)} (needs ${N})`);
  const scored: number[] = [];
  for (let r = 0; r < N; r++) {
    const t = targets[r]!;
    if (t >= V) throw new Error(`${op}: target ${t} at row ${r} is outside [0, ${V})`);
    if (t >= 0) scored.push(r);
  }
  const tau = opts.temperature ?? 1;
  if (!(tau > 0)) throw new Error(`${op}: temperature must be > 0, got ${tau}`);
  const k = getKernels();
  return { hidden, weight, targets, C, V, N, scored, alpha: 1 / tau, R: Math.max(1, opts.chunkRows ?? defaultChunkRows(V)),
    gemm: opts.precision === 'bf16' ? k.gemmBf16 : k.gemm };
}

function newChunk(hd: Head): Chunk {
  const m = Math.min(hd.R, hd.scored.length);
  return { h: new Float32Array(m * hd.C), logits: gradBuffer(Math.max(m, 1) * hd.V), dh: new Float32Array(m * hd.C) };
}

/** The scored rows of the chunk starting at s. */
function rowsAt(hd: Head, s: number): Int32Array {
  return Int32Array.from(hd.scored.slice(s, s + hd.R));
}

/** Copies the rows' hidden states into ch.h (m, C) and their logits into ch.logits (m, V); returns their targets. */
function chunkLogits(hd: Head, rows: Int32Array, ch: Chunk): Int32Array {
  const { C, V, hidden, targets } = hd, m = rows.length;
  const t = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    ch.h.set(hidden.data.subarray(rows[i]! * C, rows[i]! * C + C), i * C);
    t[i] = targets[rows[i]!]!;
  }
  hd.gemm(ch.h, hd.weight.data, ch.logits, 1, m, V, C, false, true, hd.alpha, 0, 0, 0, 0); // (m, V)
  return t;
}

/** From the rows' dlogits in ch.logits: their dhidden rows into dh (N, C), and dweight into dw (= with beta 0, += with 1). */
function chunkGrads(hd: Head, rows: Int32Array, ch: Chunk, dh: Float32Array | null, dw: Float32Array | null, beta: number): void {
  const { C, V, weight, alpha } = hd, m = rows.length;
  if (dh) {
    hd.gemm(ch.logits, weight.data, ch.dh, 1, m, C, V, false, false, alpha, 0, 0, 0, 0); // (m, C) = dl (m, V) @ W (V, C)
    for (let i = 0; i < m; i++) dh.set(ch.dh.subarray(i * C, i * C + C), rows[i]! * C);
  }
  if (dw) hd.gemm(ch.logits, ch.h, dw, 1, V, C, m, true, false, alpha, beta, 0, 0, 0); // (V, C) += dl^T (V, m) @ h (m, C)
}

/**
 * logp[r] = log softmax(hidden[r] @ weight^T / τ)[targets[r]] for each row r of hidden (..., C) whose target is >= 0
 * (0 elsewhere), with autograd to hidden and weight; entropy[r] likewise when asked (a plain array, no gradient).
 */
export function lmHeadLogprob(hidden: Tensor, weight: Tensor, targets: Int32Array, opts: LmHeadOpts = {}): { logp: Tensor; entropy: Float32Array | null } {
  const hd = setup('lmHeadLogprob', hidden, weight, targets, opts);
  const { V, N, R } = hd, n = hd.scored.length;
  const k = getKernels();
  const logp = new Float32Array(N);
  const ent = opts.entropy ? new Float32Array(N) : null;
  const lse = new Float32Array(n); // per scored row, saved for backward
  if (n > 0) {
    const ch = newChunk(hd);
    for (let s = 0; s < n; s += R) {
      const rows = rowsAt(hd, s), m = rows.length;
      const t = chunkLogits(hd, rows, ch);
      const out = new Float32Array(m), h = ent ? new Float32Array(m) : null;
      k.logprobFwd(ch.logits, t, out, lse.subarray(s, s + m), m, V, h); // and the entropy, straight from the chunk's logits
      for (let i = 0; i < m; i++) {
        logp[rows[i]!] = out[i]!;
        if (h) ent![rows[i]!] = h[i]!;
      }
    }
    recycleBuffer(ch.logits);
  }
  const res = result('lmHeadLogprob', logp, hidden.shape.slice(0, -1), [hidden, weight], (g) => {
    const ch = newChunk(hd);
    const dh = hidden.requiresGrad ? gradBuffer(hidden.size, true) : null; // (N, C), zero on unscored rows
    const dw = weight.requiresGrad ? gradTarget(weight) : null;
    let beta = dw?.beta ?? 0;
    for (let s = 0; s < n; s += R) {
      const rows = rowsAt(hd, s), m = rows.length;
      const t = chunkLogits(hd, rows, ch);
      const d = new Float32Array(m);
      for (let i = 0; i < m; i++) d[i] = g[rows[i]!]!;
      k.logprobBwd(d, ch.logits, t, lse.subarray(s, s + m), ch.logits, m, V); // dlogits in place (m, V)
      chunkGrads(hd, rows, ch, dh, dw?.buf ?? null, beta);
      beta = 1;
    }
    recycleBuffer(ch.logits);
    if (dh) accumulateGrad(hidden, dh, true);
  });
  return { logp: res, entropy: ent };
}

/** A row's term of lmHeadObjective and its slope at the row's logp. */
export type RowTerm = (row: number, logp: number) => { value: number; slope: number };

/**
 * Σ over scored rows r of term(r, logp[r]) as a scalar with autograd to hidden and weight, where logp[r] is
 * lmHeadLogprob's, and each term depends on its own row's logp alone (a per-token loss). The gradient is computed
 * in the forward pass, from the chunk's logits while they are at hand (dlogits = slope · d logp / d logits, then
 * dhidden and dweight): three products over the vocabulary instead of lmHeadLogprob's four (its backward recomputes
 * the logits), at the cost of holding dweight (V, C) from the forward to the backward. Also returns logp and entropy.
 */
export function lmHeadObjective(hidden: Tensor, weight: Tensor, targets: Int32Array, term: RowTerm, opts: LmHeadOpts = {}):
  { objective: Tensor; logp: Float32Array; entropy: Float32Array | null } {
  const hd = setup('lmHeadObjective', hidden, weight, targets, opts);
  const { V, N, R } = hd, n = hd.scored.length;
  const k = getKernels();
  const grads = needsGrad(hidden, weight); // without the tape: the value alone
  const logp = new Float32Array(N);
  const ent = opts.entropy ? new Float32Array(N) : null;
  const dh = grads && hidden.requiresGrad ? gradBuffer(hidden.size, true) : null; // (N, C), zero on unscored rows
  const dw = grads && weight.requiresGrad && n > 0 ? gradBuffer(weight.size, false) : null; // (V, C), written by the first chunk
  const ch = newChunk(hd);
  let total = 0;
  for (let s = 0; s < n; s += R) {
    const rows = rowsAt(hd, s), m = rows.length;
    const t = chunkLogits(hd, rows, ch);
    const out = new Float32Array(m), lse = new Float32Array(m), h = ent ? new Float32Array(m) : null, d = new Float32Array(m);
    k.logprobFwd(ch.logits, t, out, lse, m, V, h);
    for (let i = 0; i < m; i++) {
      logp[rows[i]!] = out[i]!;
      if (h) ent![rows[i]!] = h[i]!;
      const { value, slope } = term(rows[i]!, out[i]!);
      total += value;
      d[i] = slope;
    }
    if (!dh && !dw) continue;
    k.logprobBwd(d, ch.logits, t, lse, ch.logits, m, V); // dlogits in place (m, V)
    chunkGrads(hd, rows, ch, dh, dw, s === 0 ? 0 : 1);
  }
  recycleBuffer(ch.logits);
  const objective = result('lmHeadObjective', Float32Array.of(total), [], [hidden, weight], (g) => {
    const scale = g[0]!;
    for (const [x, buf] of [[hidden, dh], [weight, dw]] as const) {
      if (!buf) continue;
      if (scale !== 1) for (let i = 0; i < buf.length; i++) buf[i]! *= scale;
      accumulateGrad(x, buf, true);
    }
  });
  return { objective, logp, entropy: ent };
}

/**
 * Mean cross-entropy of the targets that are not ignoreIndex, from hidden states: crossEntropy(linear(hidden, weight),
 * targets, ignoreIndex) without the (rows, V) logits. Every target ignored: 0 with zero gradient (as crossEntropy).
 */
export function lmHeadCrossEntropy(hidden: Tensor, weight: Tensor, targets: Int32Array, ignoreIndex = -100, opts: LmHeadOpts = {}): Tensor {
  const t = new Int32Array(targets.length);
  let count = 0;
  for (let i = 0; i < targets.length; i++) {
    const ignored = targets[i] === ignoreIndex;
    if (!ignored && targets[i]! < 0) throw new Error(`lmHeadCrossEntropy: target ${targets[i]} at row ${i} is negative and not ignoreIndex ${ignoreIndex}`);
    t[i] = ignored ? -1 : targets[i]!;
    if (!ignored) count++;
  }
  const { logp } = lmHeadLogprob(hidden, weight, t, opts);
  return mul(sum(logp), count === 0 ? 0 : -1 / count);
}
