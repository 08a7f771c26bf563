// The pure-TypeScript kernels: every method of Kernels in plain loops, single-threaded.
// It is the fallback when the native addon cannot load and the readable reference the native code is tested
// against; correct first, then reasonably quick (cache-friendly loop orders), never clever.
import { BinaryOp, UnaryOp, type Kernels } from './types.js';
import { checkArgs as check } from './check.js';
import { emulatedGemmBf16, emulatedGemmBf16Packed, fromBf16, packBf16, packW16, roundBf16, toBf16, unpackW16, w16Stride, widenBf16 } from './bf16.js';

function gemm(a: Float32Array, b: Float32Array, c: Float32Array, batch: number, M: number, N: number, K: number,
  transA: boolean, transB: boolean, alpha: number, beta: number, strideA: number, strideB: number, strideC: number): void {
  check.gemm(a, b, c, batch, M, N, K, strideA, strideB, strideC);
  // element (i, p) of op(A) sits at i*aRs + p*aCs; element (p, j) of op(B) at p*bRs + j*bCs
  const aRs = transA ? 1 : K, aCs = transA ? M : 1;
  const bRs = transB ? 1 : N, bCs = transB ? K : 1;
  for (let bi = 0; bi < batch; bi++) {
    const ao = bi * strideA, bo = bi * strideB, co = bi * strideC;
    for (let i = 0; i < M; i++) {
      const crow = co + i * N;
      if (beta === 0) c.fill(0, crow, crow + N);
      else if (beta !== 1) for (let j = 0; j < N; j++) c[crow + j] *= beta;
    }
    if (bCs === 1) {
      // C[i, :] += alpha * A[i, p] * B[p, :]  (row-streaming, i-p-j order)
      for (let i = 0; i < M; i++) {
        const crow = co + i * N;
        for (let p = 0; p < K; p++) {
          const av = alpha * a[ao + i * aRs + p * aCs];
          if (av === 0) continue;
          const brow = bo + p * bRs;
          for (let j = 0; j < N; j++) c[crow + j] += av * b[brow + j];
        }
      }
    } else {
      // transB: B stored (N, K), so C[i, j] is a dot product of two strided rows
      for (let i = 0; i < M; i++) {
        const crow = co + i * N;
        for (let j = 0; j < N; j++) {
          const brow = bo + j * bCs;
          let s = 0;
          for (let p = 0; p < K; p++) s += a[ao + i * aRs + p * aCs] * b[brow + p];
          c[crow + j] += alpha * s;
        }
      }
    }
  }
}

function binary(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array, n: number): void {
  check.binary(a, b, out, n);
  const bl = b.length;
  for (let o = 0; o < n; o += bl) {
    const m = Math.min(bl, n - o);
    switch (op) {
      case BinaryOp.Add: for (let j = 0; j < m; j++) out[o + j] = a[o + j] + b[j]; break;
      case BinaryOp.Sub: for (let j = 0; j < m; j++) out[o + j] = a[o + j] - b[j]; break;
      case BinaryOp.Mul: for (let j = 0; j < m; j++) out[o + j] = a[o + j] * b[j]; break;
      case BinaryOp.Div: for (let j = 0; j < m; j++) out[o + j] = a[o + j] / b[j]; break;
      case BinaryOp.Min: for (let j = 0; j < m; j++) { const x = a[o + j], y = b[j]; out[o + j] = x !== x || y !== y ? NaN : x < y ? x : y; } break;
      case BinaryOp.Max: for (let j = 0; j < m; j++) { const x = a[o + j], y = b[j]; out[o + j] = x !== x || y !== y ? NaN : x > y ? x : y; } break;
      default: throw new Error(`binary: unknown op ${op as number}`);
    }
  }
}

function unary(op: UnaryOp, x: Float32Array, out: Float32Array, n: number): void {
  check.unary(x, out, n);
  switch (op) {
    case UnaryOp.Neg: for (let i = 0; i < n; i++) out[i] = -x[i]; break;
    case UnaryOp.Exp: for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]); break;
    case UnaryOp.Log: for (let i = 0; i < n; i++) out[i] = Math.log(x[i]); break;
    case UnaryOp.Silu: for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v / (1 + Math.exp(-v)); } break;
    case UnaryOp.Sqrt: for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]); break;
    case UnaryOp.Abs: for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]); break;
    default: throw new Error(`unary: unknown op ${op as number}`);
  }
}

function rowMax(x: Float32Array, o: number, cols: number): number {
  let m = -Infinity;
  for (let j = 0; j < cols; j++) if (x[o + j] > m) m = x[o + j];
  return m;
}

/** log(sum(exp(x[o .. o+cols)))), stable. */
function rowLse(x: Float32Array, o: number, cols: number): number {
  const m = rowMax(x, o, cols);
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let j = 0; j < cols; j++) s += Math.exp(x[o + j] - m);
  return m + Math.log(s);
}

/** Index of the last key query t of row b may see (-1: none). */
function lastKey(t: number, T: number, S: number, causal: boolean, kvLen: Int32Array | null | undefined, b: number): number {
  let last = causal ? S - T + t : S - 1;
  if (kvLen) last = Math.min(last, kvLen[b] - 1);
  return Math.min(last, S - 1);
}

/** x rounded to the nearest BF16 (as a number): the probabilities P and dS before their products in BF16 mode. */
const bf = (x: number): number => fromBf16(toBf16(x));

function rounded(x: Float32Array, n: number): Float32Array {
  const r = new Float32Array(n);
  roundBf16(x, r, n);
  return r;
}

/**
 * The fused attention, FP32 or (bf16) with BF16 products emulated as the native kernels compute them: q, k, v and
 * the probabilities P rounded to BF16 before their products, float64 sums; softmax and lse on the exact scores.
 */
function attentionForward(bf16: boolean, q: Float32Array, k: Float32Array, v: Float32Array, out: Float32Array, lse: Float32Array,
  B: number, T: number, S: number, nh: number, nkv: number, hs: number, scale: number, causal: boolean,
  kvLen: Int32Array | null): void {
  check.attention(bf16 ? 'attentionFwdBf16' : 'attentionFwd', [q, out], [k, v], lse, B, T, S, nh, nkv, hs, kvLen);
  if (bf16) {
    q = rounded(q, B * T * nh * hs);
    k = rounded(k, B * S * nkv * hs);
    v = rounded(v, B * S * nkv * hs);
  }
  const group = nh / nkv;
  const p = new Float64Array(S);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      const kh = Math.floor(h / group);
      for (let t = 0; t < T; t++) {
        const qo = ((b * T + t) * nh + h) * hs;
        const last = lastKey(t, T, S, causal, kvLen, b);
        out.fill(0, qo, qo + hs);
        if (last < 0) { lse[(b * nh + h) * T + t] = -Infinity; continue; }
        let m = -Infinity;
        for (let j = 0; j <= last; j++) {
          const ko = ((b * S + j) * nkv + kh) * hs;
          let s = 0;
          for (let d = 0; d < hs; d++) s += q[qo + d] * k[ko + d];
          p[j] = s * scale;
          if (p[j] > m) m = p[j];
        }
        let sum = 0;
        for (let j = 0; j <= last; j++) { p[j] = Math.exp(p[j] - m); sum += p[j]; }
        for (let j = 0; j <= last; j++) {
          const w = bf16 ? bf(p[j] / sum) : p[j] / sum, vo = ((b * S + j) * nkv + kh) * hs;
          for (let d = 0; d < hs; d++) out[qo + d] += w * v[vo + d];
        }
        lse[(b * nh + h) * T + t] = m + Math.log(sum);
      }
    }
  }
}

/** Backward of attentionForward; in bf16 the products take rounded q, k, v, dout, P and dS (D = rowsum(dout * out) exact). */
function attentionBackward(bf16: boolean, dout: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, out: Float32Array,
  lse: Float32Array, dq: Float32Array, dk: Float32Array, dv: Float32Array,
  B: number, T: number, S: number, nh: number, nkv: number, hs: number, scale: number, causal: boolean,
  kvLen: Int32Array | null = null): void {
  check.attention(bf16 ? 'attentionBwdBf16' : 'attentionBwd', [dout, q, out, dq], [k, v, dk, dv], lse, B, T, S, nh, nkv, hs, kvLen);
  const group = nh / nkv;
  const dor = bf16 ? rounded(dout, B * T * nh * hs) : dout;
  if (bf16) {
    q = rounded(q, B * T * nh * hs);
    k = rounded(k, B * S * nkv * hs);
    v = rounded(v, B * S * nkv * hs);
  }
  dq.fill(0, 0, B * T * nh * hs);
  dk.fill(0, 0, B * S * nkv * hs);
  dv.fill(0, 0, B * S * nkv * hs);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      const kh = Math.floor(h / group);
      for (let t = 0; t < T; t++) {
        const qo = ((b * T + t) * nh + h) * hs;
        const last = lastKey(t, T, S, causal, kvLen, b);
        if (last < 0) continue;
        const l = lse[(b * nh + h) * T + t];
        let D = 0;
        for (let d = 0; d < hs; d++) D += dout[qo + d] * out[qo + d];
        for (let j = 0; j <= last; j++) {
          const ko = ((b * S + j) * nkv + kh) * hs;
          let s = 0, dp = 0;
          for (let d = 0; d < hs; d++) { s += q[qo + d] * k[ko + d]; dp += dor[qo + d] * v[ko + d]; }
          const pj = Math.exp(s * scale - l);
          const ds = bf16 ? bf(pj * (dp - D) * scale) : pj * (dp - D) * scale, pw = bf16 ? bf(pj) : pj;
          for (let d = 0; d < hs; d++) {
            dq[qo + d] += ds * k[ko + d];
            dk[ko + d] += ds * q[qo + d];
            dv[ko + d] += pw * dor[qo + d];
          }
        }
      }
    }
  }
}

export const tsKernels: Kernels = {
  name: 'ts',
  threads: 1,
  bf16: null,
  gemm,
  gemmRows(a, b, c, M, N, K, beta) {
    if (a.length < M * K || b.length < N * K || c.length < M * N) {
      throw new Error(`gemmRows: A (${M}, ${K}), B (${N}, ${K}) and C (${M}, ${N}) need ${M * K}, ${N * K} and ${M * N} floats; got ${a.length}, ${b.length}, ${c.length}`);
    }
    gemm(a, b, c, 1, M, N, K, false, true, 1, beta, 0, 0, 0);
  },
  packW16,
  gemmRowsW16(a, b, c, M, N, K, beta) {
    if (a.length < M * K || b.length !== N * w16Stride(K) || c.length < M * N) {
      throw new Error(`gemmRowsW16: A (${M}, ${K}), B (packW16 of N=${N} K=${K}: ${N * w16Stride(K)} values) and C (${M}, ${N}); got ${a.length}, ${b.length}, ${c.length}`);
    }
    gemm(a, unpackW16(b, N, K), c, 1, M, N, K, false, true, 1, beta, 0, 0, 0);
  },
  alignedFloat32: (n) => new Float32Array(n), // alignment is the native kernels' concern
  gemmBf16: emulatedGemmBf16(gemm),
  packBf16,
  gemmBf16Packed: emulatedGemmBf16Packed(gemm),
  roundBf16,
  binary,
  unary,

  axpy(alpha, x, y, n) {
    check.sizes('axpy', n, [x, y]);
    for (let i = 0; i < n; i++) y[i] += alpha * x[i];
  },

  swigluFwd(gate, up, out, n) {
    check.sizes('swigluFwd', n, [gate, up, out]);
    for (let i = 0; i < n; i++) { const g = gate[i]; out[i] = (g / (1 + Math.exp(-g))) * up[i]; }
  },

  swigluBwd(dout, gate, up, dgate, dup, n) {
    check.sizes('swigluBwd', n, [dout, gate, up, dgate, dup]);
    for (let i = 0; i < n; i++) {
      const g = gate[i], sg = 1 / (1 + Math.exp(-g)), d = dout[i], u = up[i];
      dgate[i] = d * u * sg * (1 + g * (1 - sg));
      dup[i] = d * g * sg;
    }
  },

  rmsnormFwd(x, w, out, rstd, rows, C, eps) {
    check.rows('rmsnormFwd', rows, C, [x, out], [w], [rstd]);
    for (let r = 0; r < rows; r++) {
      const o = r * C;
      let ss = 0;
      for (let j = 0; j < C; j++) ss += x[o + j] * x[o + j];
      const rs = 1 / Math.sqrt(ss / C + eps);
      rstd[r] = rs;
      for (let j = 0; j < C; j++) out[o + j] = x[o + j] * rs * w[j];
    }
  },

  rmsnormBwd(dout, x, w, rstd, dx, dw, rows, C) {
    check.rows('rmsnormBwd', rows, C, [dout, x, dx], [w, dw], [rstd]);
    for (let r = 0; r < rows; r++) {
      const o = r * C, rs = rstd[r];
      let dot = 0;
      for (let j = 0; j < C; j++) dot += dout[o + j] * w[j] * x[o + j];
      const c = (dot / C) * rs * rs * rs;
      for (let j = 0; j < C; j++) {
        dx[o + j] = dout[o + j] * w[j] * rs - x[o + j] * c;
        dw[j] += dout[o + j] * x[o + j] * rs;
      }
    }
  },

  rope(x, out, cos, sin, pos, B, T, nh, hs, inverse) {
    check.rope(x, out, cos, sin, pos, B, T, nh, hs);
    const half = hs / 2, sgn = inverse ? -1 : 1;
    for (let bt = 0; bt < B * T; bt++) {
      const po = pos[bt] * half;
      for (let h = 0; h < nh; h++) {
        const o = (bt * nh + h) * hs;
        for (let j = 0; j < half; j++) {
          const c = cos[po + j], s = sgn * sin[po + j], x1 = x[o + j], x2 = x[o + j + half];
          out[o + j] = x1 * c - x2 * s;
          out[o + j + half] = x2 * c + x1 * s;
        }
      }
    }
  },

  attentionFwd: (q, k, v, out, lse, B, T, S, nh, nkv, hs, scale, causal, kvLen) =>
    attentionForward(false, q, k, v, out, lse, B, T, S, nh, nkv, hs, scale, causal, kvLen),
  attentionBwd: (dout, q, k, v, out, lse, dq, dk, dv, B, T, S, nh, nkv, hs, scale, causal, kvLen) =>
    attentionBackward(false, dout, q, k, v, out, lse, dq, dk, dv, B, T, S, nh, nkv, hs, scale, causal, kvLen),
  attentionFwdBf16: (q, k, v, out, lse, B, T, S, nh, nkv, hs, scale, causal, kvLen) =>
    attentionForward(true, q, k, v, out, lse, B, T, S, nh, nkv, hs, scale, causal, kvLen),
  attentionBwdBf16: (dout, q, k, v, out, lse, dq, dk, dv, B, T, S, nh, nkv, hs, scale, causal, kvLen) =>
    attentionBackward(true, dout, q, k, v, out, lse, dq, dk, dv, B, T, S, nh, nkv, hs, scale, causal, kvLen),
  attentionDecode(q, kCache, vCache, out, lse, B, S, nh, nkv, hs, scale, kvLen) {
    check.attention('attentionDecode', [q, out], [], lse, B, 1, S, nh, nkv, hs, kvLen);
    check.sizes('attentionDecode', B * S * nkv * hs, [kCache, vCache]);
    attentionForward(false, q, kCache, vCache, out, lse, B, 1, S, nh, nkv, hs, scale, false, kvLen);
  },
  attentionDecodeBf16(q, kCache, vCache, out, lse, B, S, nh, nkv, hs, scale, kvLen) {
    const n = B * S * nkv * hs;
    check.attention('attentionDecodeBf16', [q, out], [], lse, B, 1, S, nh, nkv, hs, kvLen);
    check.sizes('attentionDecodeBf16', n, [kCache, vCache]);
    attentionForward(true, q, widenBf16(kCache, n), widenBf16(vCache, n), out, lse, B, 1, S, nh, nkv, hs, scale, false, kvLen);
  },

  softmaxFwd(x, out, rows, cols) {
    check.rows('softmaxFwd', rows, cols, [x, out]);
    for (let r = 0; r < rows; r++) {
      const o = r * cols, m = rowMax(x, o, cols);
      let s = 0;
      for (let j = 0; j < cols; j++) { const e = Math.exp(x[o + j] - m); out[o + j] = e; s += e; }
      const inv = 1 / s;
      for (let j = 0; j < cols; j++) out[o + j] *= inv;
    }
  },

  softmaxBwd(dout, y, dx, rows, cols) {
    check.rows('softmaxBwd', rows, cols, [dout, y, dx]);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += dout[o + j] * y[o + j];
      for (let j = 0; j < cols; j++) dx[o + j] = y[o + j] * (dout[o + j] - dot);
    }
  },

  logSoftmaxFwd(x, out, rows, cols) {
    check.rows('logSoftmaxFwd', rows, cols, [x, out]);
    for (let r = 0; r < rows; r++) {
      const o = r * cols, l = rowLse(x, o, cols);
      for (let j = 0; j < cols; j++) out[o + j] = x[o + j] - l;
    }
  },

  logSoftmaxBwd(dout, y, dx, rows, cols) {
    check.rows('logSoftmaxBwd', rows, cols, [dout, y, dx]);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let s = 0;
      for (let j = 0; j < cols; j++) s += dout[o + j];
      for (let j = 0; j < cols; j++) dx[o + j] = dout[o + j] - Math.exp(y[o + j]) * s;
    }
  },

  logprobFwd(logits, targets, out, lse, rows, V, entropy) {
    check.logprob('logprobFwd', logits, targets, entropy ? [out, lse, entropy] : [out, lse], rows, V);
    for (let r = 0; r < rows; r++) {
      const l = rowLse(logits, r * V, V), t = targets[r];
      lse[r] = l;
      out[r] = t < 0 ? 0 : logits[r * V + t] - l;
      if (entropy) {
        let pl = 0; // Σ p (x - lse) = -H
        if (l !== -Infinity) for (let j = 0; j < V; j++) { const d = logits[r * V + j] - l, p = Math.exp(d); if (p > 0) pl += p * d; }
        entropy[r] = -pl;
      }
    }
  },

  logprobBwd(dout, logits, targets, lse, dlogits, rows, V) {
    check.logprob('logprobBwd', logits, targets, [dout, lse], rows, V, dlogits);
    for (let r = 0; r < rows; r++) {
      const o = r * V, t = targets[r];
      if (t < 0) { dlogits.fill(0, o, o + V); continue; }
      const d = dout[r], l = lse[r];
      for (let j = 0; j < V; j++) dlogits[o + j] = -d * Math.exp(logits[o + j] - l);
      dlogits[o + t] += d;
    }
  },

  embeddingFwd(weight, ids, out, n, C) {
    check.embedding('embeddingFwd', weight, ids, out, n, C);
    for (let i = 0; i < n; i++) out.set(weight.subarray(ids[i] * C, ids[i] * C + C), i * C);
  },

  embeddingBwd(dout, ids, dweight, n, C) {
    check.embedding('embeddingBwd', dweight, ids, dout, n, C);
    for (let i = 0; i < n; i++) {
      const wo = ids[i] * C, o = i * C;
      for (let j = 0; j < C; j++) dweight[wo + j] += dout[o + j];
    }
  },

  sumSquares(x, n) {
    check.sizes('sumSquares', n, [x]);
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i] * x[i];
    return s;
  },

  expShift(x, out, m, invT) {
    if (out.length < x.length) throw new Error(`expShift: out has length ${out.length}, needs at least ${x.length}`);
    const mf = Math.fround(m), tf = Math.fround(invT);
    let s = 0;
    for (let i = 0; i < x.length; i++) {
      const a = Math.fround(Math.fround(x[i]! - mf) * tf);
      out[i] = a < -87.3 ? 0 : Math.fround(Math.exp(a)); // the native kernel's floor
      s += out[i]!;
    }
    return s;
  },

  argmax(x) {
    let m = -Infinity, arg = 0;
    for (let i = 0; i < x.length; i++) if (x[i]! > m) { m = x[i]!; arg = i; }
    return arg;
  },

  cdfIndex(p, n, u) {
    if (p.length < n) throw new Error(`cdfIndex: p has length ${p.length}, needs ${n}`);
    let i = 0;
    for (; i + 64 <= n; i += 64) {
      const l = [0, 0, 0, 0, 0, 0, 0, 0];
      for (let k = 0; k < 8; k++) l[k] = p[i + k]!;
      for (let j = 8; j < 64; j += 8) for (let k = 0; k < 8; k++) l[k]! += p[i + j + k]!;
      const s = ((l[0]! + l[1]!) + (l[2]! + l[3]!)) + ((l[4]! + l[5]!) + (l[6]! + l[7]!));
      if (u - s >= 0) { u -= s; continue; }
      for (let j = i; j < i + 64; j++) if ((u -= p[j]!) < 0) return j;
    }
    for (; i < n; i++) if ((u -= p[i]!) < 0) return i;
    return -1;
  },

  bucketIds(bucket, n, b, want, ids) {
    if (bucket.length < n) throw new Error(`bucketIds: bucket has length ${bucket.length}, needs ${n}`);
    let found = 0;
    const limit = want < 0 ? Infinity : want;
    for (let i = 0; i < n && found < limit; i++) if (bucket[i] === b) ids[found++] = i;
    return found;
  },

  sampleBuckets(x, probs, bucket, mass, m, invT) {
    const n = x.length, NB = 8192, K = Math.fround(128 * Math.LOG2E), mf = Math.fround(m), tf = Math.fround(invT);
    if (bucket.length < n || mass.length < NB) throw new Error(`sampleBuckets: bucket has length ${bucket.length} (needs ${n}), mass ${mass.length} (needs ${NB})`);
    const sum = tsKernels.expShift(x, probs, m, invT);
    mass.fill(0, 0, NB);
    for (let i = 0; i < n; i++) {
      const y = Math.fround(-Math.fround(Math.fround(x[i]! - mf) * tf) * K);
      const b = y < NB - 1 ? y | 0 : NB - 1; // -Infinity and NaN land in the last bucket
      bucket[i] = b;
      mass[b]! += probs[i]!;
    }
    return sum;
  },

  sampleRowsPrep(x, R, n, invT, buckets, arg, m, sum, probs, bucket, mass) {
    if (x.length < R * n || arg.length < R || m.length < R || sum.length < R || probs.length < R * n || (buckets && (bucket.length < R * n || mass.length < R * 8192))) {
      throw new Error(`sampleRowsPrep: an array is shorter than R = ${R} rows of n = ${n} need`);
    }
    for (let r = 0; r < R; r++) {
      const row = x.subarray(r * n, (r + 1) * n);
      const a = tsKernels.argmax(row);
      arg[r] = a;
      m[r] = row[a]! > -Infinity ? row[a]! : -Infinity;
      const p = probs.subarray(r * n, (r + 1) * n);
      sum[r] = buckets ? tsKernels.sampleBuckets(row, p, bucket.subarray(r * n, (r + 1) * n), mass.subarray(r * 8192, (r + 1) * 8192), m[r]!, invT)
        : tsKernels.expShift(row, p, m[r]!, invT);
    }
  },

  adamw(p, g, m, v, n, lr, b1, b2, eps, wd, bc1, bc2) {
    check.sizes('adamw', n, [p, g, m, v]);
    const decay = 1 - lr * wd, step = lr / bc1, rbc2 = 1 / Math.sqrt(bc2);
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const mi = b1 * m[i] + (1 - b1) * gi;
      const vi = b2 * v[i] + (1 - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i] * decay - step * mi / (Math.sqrt(vi) * rbc2 + eps);
    }
  },
};
