// Naive float64 references for the kernel tests, written independently of src/tensor/kernels (plain
// formulas, full score matrices), plus random inputs, a closeness assertion and an elementwise
// central-difference gradient. Not a kernel implementation; not fast.
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';

export function randn(rng: Rng, n: number, std = 1): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.normal() * std;
  return x;
}

export function f64(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x);
}

/** Asserts |a - e| <= atol + rtol*|e| elementwise (NaN only matches NaN); reports the worst element. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-4): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  let worst = -1, worstErr = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      assert.ok(Number.isNaN(a) && Number.isNaN(e), `${what}[${i}]: ${a} vs ${e}`);
      continue;
    }
    if (a === e) continue;
    const err = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (err > worstErr || !Number.isFinite(err)) { worstErr = err; worst = i; }
  }
  assert.ok(worst < 0, `${what}[${worst}]: got ${actual[worst]}, expected ${expected[worst]}`);
}

/** d/dx_i of sum(dout * f(x)) for every i, by central differences in float64. */
export function numGrad(f: (x: Float64Array) => Float64Array, x: Float64Array, dout: ArrayLike<number>, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  const dot = (y: Float64Array) => y.reduce((s, v, i) => s + v * dout[i]!, 0);
  for (let i = 0; i < x.length; i++) {
    const old = x[i]!;
    x[i] = old + h;
    const up = dot(f(x));
    x[i] = old - h;
    const down = dot(f(x));
    x[i] = old;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

export function refGemm(a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>, batch: number, M: number, N: number, K: number,
  transA: boolean, transB: boolean, alpha: number, beta: number, sA: number, sB: number, sC: number): Float64Array {
  const out = f64(c);
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let p = 0; p < K; p++) {
          const av = a[bi * sA + (transA ? p * M + i : i * K + p)]!;
          const bv = b[bi * sB + (transB ? j * K + p : p * N + j)]!;
          s += av * bv;
        }
        const ci = bi * sC + i * N + j;
        out[ci] = alpha * s + (beta === 0 ? 0 : beta * out[ci]!);
      }
    }
  }
  return out;
}

export interface AttnDims { B: number; T: number; S: number; nh: number; nkv: number; hs: number; scale: number; causal: boolean; kvLen: Int32Array | null }

/** out (B, T, nh, hs) and lse (B, nh, T) from the full score matrix. */
export function refAttention(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, d: AttnDims): { out: Float64Array; lse: Float64Array } {
  const { B, T, S, nh, nkv, hs, scale, causal, kvLen } = d;
  const out = new Float64Array(B * T * nh * hs), lse = new Float64Array(B * nh * T);
  for (let b = 0; b < B; b++) for (let h = 0; h < nh; h++) for (let t = 0; t < T; t++) {
    const kh = Math.floor(h / (nh / nkv));
    const allowed = (j: number) => (!causal || j <= S - T + t) && (!kvLen || j < kvLen[b]!);
    const scores: number[] = [];
    for (let j = 0; j < S; j++) {
      let s = 0;
      for (let x = 0; x < hs; x++) s += q[((b * T + t) * nh + h) * hs + x]! * k[((b * S + j) * nkv + kh) * hs + x]!;
      scores.push(allowed(j) ? s * scale : -Infinity);
    }
    const m = Math.max(...scores);
    const e = scores.map((s) => (m === -Infinity ? 0 : Math.exp(s - m)));
    const z = e.reduce((a, c) => a + c, 0);
    lse[(b * nh + h) * T + t] = m === -Infinity ? -Infinity : m + Math.log(z);
    for (let j = 0; j < S; j++) {
      if (e[j] === 0) continue;
      for (let x = 0; x < hs; x++) out[((b * T + t) * nh + h) * hs + x] += (e[j]! / z) * v[((b * S + j) * nkv + kh) * hs + x]!;
    }
  }
  return { out, lse };
}

export function refRmsnorm(x: ArrayLike<number>, w: ArrayLike<number>, rows: number, C: number, eps: number): Float64Array {
  const out = new Float64Array(rows * C);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let c = 0; c < C; c++) ss += x[r * C + c]! ** 2;
    const rs = 1 / Math.sqrt(ss / C + eps);
    for (let c = 0; c < C; c++) out[r * C + c] = x[r * C + c]! * rs * w[c]!;
  }
  return out;
}

export function refLogSoftmax(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: cols }, (_, c) => x[r * cols + c]!);
    const m = Math.max(...row);
    const l = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    for (let c = 0; c < cols; c++) out[r * cols + c] = row[c]! - l;
  }
  return out;
}

export function refRope(x: ArrayLike<number>, cos: ArrayLike<number>, sin: ArrayLike<number>, pos: Int32Array,
  B: number, T: number, nh: number, hs: number): Float64Array {
  const out = new Float64Array(B * T * nh * hs), half = hs / 2;
  for (let bt = 0; bt < B * T; bt++) for (let h = 0; h < nh; h++) {
    const o = (bt * nh + h) * hs;
    for (let j = 0; j < hs; j++) {
      // rotate_half: (-x2, x1)
      const rot = j < half ? -x[o + j + half]! : x[o + j - half]!;
      const f = pos[bt]! * half + (j % half);
      out[o + j] = x[o + j]! * cos[f]! + rot * sin[f]!;
    }
  }
  return out;
}

export const silu = (x: number): number => x / (1 + Math.exp(-x));
