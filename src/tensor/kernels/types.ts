// The kernel interface: every numeric inner loop of the engine, on flat Float32Arrays.
// Two implementations: native (N-API addon over OpenBLAS, both cores) and ts (pure TypeScript fallback).
// Not autograd: ops in src/tensor call these; shapes are passed as plain numbers, arrays are row-major
// and contiguous (use .subarray for offsets). Outputs are written, never allocated, unless a doc says "+=".

/** Elementwise binary ops; `b` is broadcast cyclically (b.length divides n: same shape, or a trailing row). */
export const enum BinaryOp { Add = 0, Sub = 1, Mul = 2, Div = 3, Min = 4, Max = 5 }
/** Elementwise unary ops. */
export const enum UnaryOp { Neg = 0, Exp = 1, Log = 2, Silu = 3, Sqrt = 4, Abs = 5 }

export interface Kernels {
  readonly name: 'native' | 'ts';
  /** Threads the kernels use (1 for ts). */
  readonly threads: number;
  /**
   * BF16 matrix instructions the kernels run on: 'amx' (AMX tiles), 'avx512bf16', or null (none, or the TS
   * kernels): then the BF16 methods below still work, emulated in FP32 (operands rounded to BF16), slowly.
   */
  readonly bf16: 'amx' | 'avx512bf16' | null;

  /**
   * Batched GEMM, row-major: for i < batch, C_i = alpha * op(A_i) @ op(B_i) + beta * C_i,
   * op(A_i) (M, K), op(B_i) (K, N), C_i (M, N). A_i = a[i*strideA ...], stored (M, K), or (K, M) when transA.
   * B_i stored (K, N), or (N, K) when transB. strideB = 0 broadcasts one B over the batch (likewise A).
   * beta = 0 ignores C's old contents (NaN included).
   */
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, batch: number, M: number, N: number, K: number,
    transA: boolean, transB: boolean, alpha: number, beta: number, strideA: number, strideB: number, strideC: number): void;

  /**
   * C (M, N) = A (M, K) @ B^T + beta * C, B stored (N, K): a KV-cache step's linear. Each element of C is one row of A
   * against one row of B, summed in one order whatever M, so a row's result does not depend on the rows beside it
   * (natively a kernel for few rows; its sums may differ from gemm's in the last bits).
   */
  gemmRows(a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number, beta: number): void;
  /**
   * B (N, K) rounded to BF16 (nearest-even) for gemmRowsW16, into `out` (an earlier packW16 of the same shape, reused
   * after the weights changed) or a new array: rows padded to a multiple of 32 values, each group of 32 stored so
   * that its 32-bit lane i holds k = i (low half) and k = 16 + i (high half).
   */
  packW16(b: Float32Array, N: number, K: number, out?: Uint16Array): Uint16Array;
  /** gemmRows with B as packW16's BF16 copy: the products of A and the rounded weights, in FP32 (weight-only BF16). */
  gemmRowsW16(a: Float32Array, b: Uint16Array, c: Float32Array, M: number, N: number, K: number, beta: number): void;
  /** A zeroed Float32Array of n whose data starts on a 64-byte boundary, so vector loads never span two cache lines. */
  alignedFloat32(n: number): Float32Array;

  /**
   * gemm with both operands rounded to BF16 (nearest-even) and FP32 accumulation, C in FP32 (the matmul of
   * PyTorch's CPU autocast). Same arguments and layouts as gemm.
   */
  gemmBf16(a: Float32Array, b: Float32Array, c: Float32Array, batch: number, M: number, N: number, K: number,
    transA: boolean, transB: boolean, alpha: number, beta: number, strideA: number, strideB: number, strideC: number): void;
  /** B (K, N), stored (N, K) when transB, as BF16 in the kernels' packed layout (same layout in both implementations). */
  packBf16(b: Float32Array, K: number, N: number, transB: boolean): Uint16Array;
  /** C (M, N) = alpha * bf16(A) (M, K) @ B + beta * C, B packed by packBf16(b, K, N, ·) (a weight packed once). */
  gemmBf16Packed(a: Float32Array, packed: Uint16Array, c: Float32Array, M: number, N: number, K: number, alpha: number, beta: number): void;
  /** out[i] = x[i] rounded to the nearest BF16 (as FP32). out may alias x. */
  roundBf16(x: Float32Array, out: Float32Array, n: number): void;

  /** out[i] = a[i] op b[i % b.length], i < n. out may alias a. */
  binary(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array, n: number): void;
  /** out[i] = op(x[i]), i < n. out may alias x. */
  unary(op: UnaryOp, x: Float32Array, out: Float32Array, n: number): void;
  /** y[i] += alpha * x[i] (gradient accumulation). */
  axpy(alpha: number, x: Float32Array, y: Float32Array, n: number): void;

  /** SwiGLU: out = silu(gate) * up. */
  swigluFwd(gate: Float32Array, up: Float32Array, out: Float32Array, n: number): void;
  /** dgate = dout * up * silu'(gate), dup = dout * silu(gate) (both written). */
  swigluBwd(dout: Float32Array, gate: Float32Array, up: Float32Array, dgate: Float32Array, dup: Float32Array, n: number): void;

  /** RMSNorm over rows of C: out = x * rstd * w, rstd = 1/sqrt(mean(x^2) + eps) saved per row (rows). */
  rmsnormFwd(x: Float32Array, w: Float32Array, out: Float32Array, rstd: Float32Array, rows: number, C: number, eps: number): void;
  /** dx written, dw += (accumulated over rows). */
  rmsnormBwd(dout: Float32Array, x: Float32Array, w: Float32Array, rstd: Float32Array, dx: Float32Array, dw: Float32Array, rows: number, C: number): void;

  /**
   * Rotary embedding, HF rotate-half convention, on x (B, T, nh, hs): for j < hs/2,
   * out[j] = x[j]*cos - x[j+hs/2]*sin, out[j+hs/2] = x[j+hs/2]*cos + x[j]*sin, with cos/sin tables
   * (maxPos, hs/2) indexed by pos[b*T + t]. inverse = true rotates by -angle (the backward pass).
   */
  rope(x: Float32Array, out: Float32Array, cos: Float32Array, sin: Float32Array, pos: Int32Array,
    B: number, T: number, nh: number, hs: number, inverse: boolean): void;

  /**
   * Fused attention with grouped-query heads. q (B, T, nh, hs), k and v (B, S, nkv, hs), out (B, T, nh, hs),
   * lse (B, nh, T) = log-sum-exp of each row of scaled scores (saved for backward). Head h reads kv head
   * floor(h / (nh / nkv)). causal: query t sits at absolute position S - T + t and sees keys <= it
   * (T = S for training; T = 1, S = past + 1 for a KV-cache step). kvLen (B) or null: per-row number of
   * valid keys (keys >= kvLen[b] are masked; used for batched decoding of unequal lengths).
   */
  attentionFwd: AttentionFwd;
  /** dq, dk, dv written (not accumulated). Same layout and masking as attentionFwd (kvLen optional, default none). */
  attentionBwd: AttentionBwd;
  /**
   * attentionFwd / attentionBwd with BF16 products and FP32 accumulation (PyTorch CPU autocast's attention): the
   * operands of every product (q, k, v, dout, and the probabilities P and dS) are rounded to BF16 (nearest-even);
   * the softmax, lse, masking and D = rowsum(dout * out) stay FP32. Same arguments and layouts. The TS kernels
   * emulate it (rounded operands, float64 math), as they do gemmBf16.
   */
  attentionFwdBf16: AttentionFwd;
  attentionBwdBf16: AttentionBwd;
  /**
   * One KV-cache decode step: q (B, nh, hs), kCache and vCache (B, S, nkv, hs), out (B, nh, hs), lse (B, nh); row b
   * sees keys [0, kvLen[b]). The g = nh / nkv query heads of a kv head read each key and value once; a row's numbers
   * do not depend on the rows beside it. attentionFwd's values, summed in another order.
   */
  attentionDecode(q: Float32Array, kCache: Float32Array, vCache: Float32Array, out: Float32Array, lse: Float32Array,
    B: number, S: number, nh: number, nkv: number, hs: number, scale: number, kvLen: Int32Array): void;
  /**
   * One KV-cache decode step on a cache kept as BF16 bits (bf16Bits): q (B, nh, hs), kCache and vCache
   * (B, S, nkv, hs), out (B, nh, hs), lse (B, nh); row b sees keys [0, kvLen[b]). attentionFwdBf16's numerics
   * (its k and v are rounded to BF16 anyway) with half the bytes read per step.
   */
  attentionDecodeBf16(q: Float32Array, kCache: Uint16Array, vCache: Uint16Array, out: Float32Array, lse: Float32Array,
    B: number, S: number, nh: number, nkv: number, hs: number, scale: number, kvLen: Int32Array): void;

  /** Row softmax over the last axis (rows, cols). */
  softmaxFwd(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /** dx = y * (dout - sum(dout * y)) per row. */
  softmaxBwd(dout: Float32Array, y: Float32Array, dx: Float32Array, rows: number, cols: number): void;
  /** Row log-softmax. */
  logSoftmaxFwd(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /** dx = dout - exp(y) * sum(dout) per row (y is the log-softmax output). */
  logSoftmaxBwd(dout: Float32Array, y: Float32Array, dx: Float32Array, rows: number, cols: number): void;

  /**
   * Fused log-softmax + gather: out[r] = logits[r, t[r]] - lse[r]; lse (rows) saved. Targets < 0 give out 0. With
   * `entropy`, also each row's entropy -Σ p log p of softmax(logits[r]) (nats); logp and lse are the same either way.
   */
  logprobFwd(logits: Float32Array, targets: Int32Array, out: Float32Array, lse: Float32Array, rows: number, V: number, entropy?: Float32Array | null): void;
  /** dlogits[r, :] = dout[r] * (onehot(t[r]) - softmax(logits[r])) (written; a row with target < 0 is zero). */
  logprobBwd(dout: Float32Array, logits: Float32Array, targets: Int32Array, lse: Float32Array, dlogits: Float32Array, rows: number, V: number): void;

  /** out (n, C) = weight[ids[i]] rows. */
  embeddingFwd(weight: Float32Array, ids: Int32Array, out: Float32Array, n: number, C: number): void;
  /** dweight[ids[i]] += dout[i] (accumulated). */
  embeddingBwd(dout: Float32Array, ids: Int32Array, dweight: Float32Array, n: number, C: number): void;

  /** Sum of squares of x (for global grad-norm clipping), in double precision. */
  sumSquares(x: Float32Array, n: number): number;
  /**
   * The sampler's unnormalised probabilities: out[i] = exp((x[i] - m) * invT) for i < x.length, at float precision
   * (FP32 argument and exp, 0 below exp(-87.3)); returns their sum (double).
   */
  expShift(x: Float32Array, out: Float64Array, m: number, invT: number): number;
  /** The first index of the largest x[i] (NaN never wins; 0 when no x[i] > -Infinity). */
  argmax(x: Float32Array): number;
  /**
   * Plain sampling's inverse CDF: the first i < n where u - p[0] - ... - p[i] < 0, or -1. Blocks of 64 are skipped by
   * their sums (eight lanes of stride 8, then pairs), so a u within rounding (~1e-16 relative) of a block's edge may
   * land one token over the token-by-token walk's.
   */
  cdfIndex(p: Float64Array, n: number, u: number): number;
  /** The ids i < n with bucket[i] === b, ascending, into ids; stops once `want` are found (-1: all). Returns how many. */
  bucketIds(bucket: Uint16Array, n: number, b: number, want: number, ids: Int32Array): number;
  /**
   * expShift into probs, plus the sampler's buckets of probability: bucket[i] = floor(-a · 128 · log2 e) for the FP32
   * a = (x[i] - m) · invT (128 buckets an octave; the last, 8191, also holds -inf and NaN), and mass (8192) the sum of
   * probs in each bucket. Returns the sum of probs.
   */
  sampleBuckets(x: Float32Array, probs: Float64Array, bucket: Uint16Array, mass: Float64Array, m: number, invT: number): number;
  /**
   * R rows of n logits x (R, n) at once (rows in parallel on the native kernels): arg[r] = argmax of row r, m[r] its
   * value (-inf when no x > -inf), and sum[r] = sampleBuckets of the row into probs, bucket and mass rows r ((R, n),
   * (R, n), (R, 8192)) when `buckets`, else expShift into probs row r: each row the numbers those kernels give it.
   */
  sampleRowsPrep(x: Float32Array, R: number, n: number, invT: number, buckets: boolean, arg: Int32Array, m: Float32Array, sum: Float64Array,
    probs: Float64Array, bucket: Uint16Array, mass: Float64Array): void;
  /**
   * One AdamW step in place (decoupled weight decay, PyTorch's torch.optim.AdamW order):
   * p -= lr*wd*p; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; p -= lr * (m/bc1) / (sqrt(v/bc2) + eps),
   * where bc1 = 1 - b1^step, bc2 = 1 - b2^step.
   */
  adamw(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, n: number,
    lr: number, b1: number, b2: number, eps: number, wd: number, bc1: number, bc2: number): void;
}

/** The fused attention forward's signature (Kernels.attentionFwd and its BF16 twin). */
export type AttentionFwd = (q: Float32Array, k: Float32Array, v: Float32Array, out: Float32Array, lse: Float32Array,
  B: number, T: number, S: number, nh: number, nkv: number, hs: number, scale: number, causal: boolean,
  kvLen: Int32Array | null) => void;

/** The fused attention backward's signature (Kernels.attentionBwd and its BF16 twin). */
export type AttentionBwd = (dout: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, out: Float32Array, lse: Float32Array,
  dq: Float32Array, dk: Float32Array, dv: Float32Array,
  B: number, T: number, S: number, nh: number, nkv: number, hs: number, scale: number, causal: boolean,
  kvLen?: Int32Array | null) => void;
