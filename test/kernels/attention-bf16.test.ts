// BF16 attention (attentionFwdBf16 / attentionBwdBf16: BF16 products, FP32 accumulation, FP32 softmax) of both kernel
// sets: within BF16 error of the FP32 attention, exactly the FP32 lse on BF16-rounded inputs, blind to the bits the
// rounding drops, really rounded, and the native tiles against the TS emulation. GQA, causal and not, T != S, kvLen.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';
import { tsKernels, loadNativeKernels, nativeKernelsError } from '../../src/tensor/kernels/index.js';
import { bf16Bits } from '../../src/tensor/kernels/bf16.js';
import type { Kernels } from '../../src/tensor/kernels/types.js';
import { assertClose, randn, type AttnDims } from './ref.js';

const native = loadNativeKernels();

type Case = AttnDims & { label: string };
const dims = (label: string, B: number, T: number, S: number, nh: number, nkv: number, hs: number, causal: boolean, kvLen: number[] | null = null): Case =>
  ({ label, B, T, S, nh, nkv, hs, scale: 1 / Math.sqrt(hs), causal, kvLen: kvLen && Int32Array.from(kvLen) });
const CASES: Case[] = [
  dims('causal GQA T<S', 2, 5, 9, 4, 2, 8, true),
  dims('causal T=S', 1, 7, 7, 2, 1, 16, true),
  dims('non-causal GQA T<S kvLen', 2, 6, 11, 6, 2, 12, false, [11, 4]),
  dims('non-causal T>S, row blocks, ragged hs', 1, 70, 40, 4, 2, 40, false),
  dims('causal T=S, parallel, several row blocks', 2, 130, 130, 4, 2, 64, true),
  dims('decode T=1', 2, 1, 9, 4, 2, 8, true),
];
const NAMES = ['out', 'lse', 'dq', 'dk', 'dv'] as const;
type Result = Record<(typeof NAMES)[number], Float32Array>;
interface Inputs { q: Float32Array; k: Float32Array; v: Float32Array; dout: Float32Array }

function inputs(d: Case, gen: (n: number) => Float32Array): Inputs {
  return { q: gen(d.B * d.T * d.nh * d.hs), k: gen(d.B * d.S * d.nkv * d.hs), v: gen(d.B * d.S * d.nkv * d.hs), dout: gen(d.B * d.T * d.nh * d.hs) };
}

/** Forward then backward (on the forward's own out and lse), FP32 or BF16. */
function run(kern: Kernels, bf16: boolean, d: Case, x: Inputs): Result {
  const { B, T, S, nh, nkv, hs, scale, causal, kvLen } = d;
  const out = new Float32Array(x.q.length), lse = new Float32Array(B * nh * T);
  const dq = new Float32Array(x.q.length), dk = new Float32Array(x.k.length).fill(NaN), dv = new Float32Array(x.v.length).fill(NaN);
  if (bf16) kern.attentionFwdBf16(x.q, x.k, x.v, out, lse, B, T, S, nh, nkv, hs, scale, causal, kvLen);
  else kern.attentionFwd(x.q, x.k, x.v, out, lse, B, T, S, nh, nkv, hs, scale, causal, kvLen);
  if (bf16) kern.attentionBwdBf16(x.dout, x.q, x.k, x.v, out, lse, dq, dk, dv, B, T, S, nh, nkv, hs, scale, causal, kvLen);
  else kern.attentionBwd(x.dout, x.q, x.k, x.v, out, lse, dq, dk, dv, B, T, S, nh, nkv, hs, scale, causal, kvLen);
  return { out, lse, dq, dk, dv };
}

const roundAll = (kern: Kernels, x: Inputs): Inputs => {
  const r = (a: Float32Array) => { const o = new Float32Array(a.length); kern.roundBf16(a, o, a.length); return o; };
  return { q: r(x.q), k: r(x.k), v: r(x.v), dout: x.dout };
};

/** ||a - e|| / ||e|| over the finite entries (lse of a row that sees no key is -Infinity in both). */
function relErr(a: Float32Array, e: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < e.length; i++) {
    if (!Number.isFinite(e[i]!)) { assert.equal(a[i], e[i]); continue; }
    num += (a[i]! - e[i]!) ** 2;
    den += e[i]! ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

/** Multiples of 1/8 in ±[1/4, 2] (exact in BF16; Q K^T sums exact in FP32 in any order) plus noise BF16 rounding removes. */
function dyadicPlusNoise(rng: Rng): (n: number) => Float32Array {
  return (n) => Float32Array.from({ length: n }, () => {
    const d = (rng.int(2, 16) / 8) * (rng.next() < 0.5 ? -1 : 1);
    return d + (rng.next() - 0.5) * 2 ** -12; // well under half a BF16 ulp at |d| >= 1/4 (2^-10)
  });
}

const sets: [string, Kernels | null, string | false][] = [
  ['ts (emulated: rounded operands, float64 math)', tsKernels, false],
  ['native', native, !native ? `native addon unavailable: ${nativeKernelsError()}`
    : native.bf16 === null ? 'the native kernels have no BF16 instructions here (no AMX / AVX512-BF16, or R1_BF16=off): attention stays FP32, its BF16 path is not used' : false],
];

for (const [label, maybeK, skip] of sets) {
  describe(`${label} BF16 attention`, { skip }, () => {
    const k = maybeK ?? tsKernels;

    it('agrees with the FP32 attention within BF16 error, and differs from it (operands really rounded)', () => {
      const rng = new Rng(21);
      for (const d of CASES) {
        const x = inputs(d, (n) => randn(rng, n));
        const bf = run(k, true, d, x), fp = run(k, false, d, x);
        for (const n of NAMES) {
          const err = relErr(bf[n], fp[n]);
          assert.ok(err < 1e-2, `${d.label} ${n}: relative error ${err.toExponential(2)} vs FP32 (BF16 allows ~1e-2)`);
          assertClose(bf[n], fp[n], `${d.label} ${n} vs FP32`, 5e-2, 2e-2);
        }
        assert.ok(relErr(bf.out, fp.out) > 1e-5, `${d.label}: BF16 out equals FP32 out; were the operands rounded?`);
      }
    });

    it('equals the FP32 attention on BF16-rounded inputs where the products are exact (lse), and ignores the dropped bits', () => {
      const rng = new Rng(22);
      for (const d of CASES) {
        const x = inputs(d, dyadicPlusNoise(rng)), xr = roundAll(k, x);
        const bf = run(k, true, d, x), bfr = run(k, true, d, xr), fpr = run(k, false, d, xr);
        // the scores Q K^T are exact here, so lse (softmax stays FP32) is the FP32 attention's on rounded inputs,
        // bit for bit; decode-sized blocks (T <= 2) take a different FP32 code path in the native kernels
        if (d.T > 2 || k === tsKernels) assert.deepEqual(bf.lse, fpr.lse, `${d.label}: lse of BF16 vs FP32 on rounded inputs`);
        // out and the grads also round P and dS, so they are FP32-on-rounded-inputs only to BF16 error
        for (const n of NAMES) assert.ok(relErr(bf[n], fpr[n]) < 1e-2, `${d.label} ${n} vs FP32 on rounded inputs`);
        // q, k, v enter only through their BF16 roundings: pre-rounding them changes no bit of any output
        for (const n of NAMES) assert.deepEqual(bf[n], bfr[n], `${d.label} ${n}: BF16 of x vs BF16 of round(x)`);
      }
    });

    if (k !== tsKernels) {
      it('native BF16 tiles match the TS emulation (same rounding points; FP32 vs float64 sums)', () => {
        const rng = new Rng(23);
        for (const d of CASES) {
          const x = inputs(d, (n) => randn(rng, n));
          const got = run(k, true, d, x), want = run(tsKernels, true, d, x);
          // a P or dS entry within ~1e-7 of a BF16 rounding tie may round the other way: 1 BF16 ulp in one term
          for (const n of NAMES) assertClose(got[n], want[n], `${d.label} ${n} native vs TS emulation`, 1e-3, 1e-3);
        }
      });
    }

    it('attentionDecodeBf16 on a cache of BF16 bits gives attentionFwdBf16\'s decode step on the FP32 cache', () => {
      const rng = new Rng(24);
      // hs 64 and 32: the native vector path; hs 12: its scalar loop. g = nh / nkv of 1, 2 and 4; a row with no key.
      for (const [B, S, nh, nkv, hs, lens] of [[3, 40, 4, 2, 64, [40, 17, 1]], [2, 30, 4, 1, 32, [29, 0]], [2, 9, 2, 2, 12, [9, 5]]] as const) {
        const q = randn(rng, B * nh * hs), kf = randn(rng, B * S * nkv * hs), vf = randn(rng, B * S * nkv * hs);
        const kb = new Uint16Array(kf.length), vb = new Uint16Array(vf.length);
        bf16Bits(kf, kb, kf.length);
        bf16Bits(vf, vb, vf.length);
        const kvLen = Int32Array.from(lens), scale = 1 / Math.sqrt(hs);
        const got = new Float32Array(q.length).fill(NaN), gotLse = new Float32Array(B * nh);
        k.attentionDecodeBf16(q, kb, vb, got, gotLse, B, S, nh, nkv, hs, scale, kvLen);
        const want = new Float32Array(q.length), wantLse = new Float32Array(B * nh);
        k.attentionFwdBf16(q, kf, vf, want, wantLse, B, 1, S, nh, nkv, hs, scale, false, kvLen);
        const label = `B=${B} S=${S} nh=${nh} nkv=${nkv} hs=${hs}`;
        assertClose(got, want, `${label} out`, 1e-3, 1e-3);
        assertClose(gotLse, wantLse, `${label} lse`, 1e-5, 1e-5);
        if ((lens as readonly number[]).includes(0)) assert.equal(gotLse[B * nh - 1], -Infinity, `${label}: a row that sees no key`);
        if (k !== tsKernels) {
          const ts = new Float32Array(q.length), tsLse = new Float32Array(B * nh);
          tsKernels.attentionDecodeBf16(q, kb, vb, ts, tsLse, B, S, nh, nkv, hs, scale, kvLen);
          assertClose(got, ts, `${label} native vs TS`, 1e-3, 1e-3);
        }
      }
      assert.throws(() => k.attentionDecodeBf16(new Float32Array(8), new Uint16Array(4), new Uint16Array(16), new Float32Array(8), new Float32Array(2), 1, 2, 2, 1, 4, 1, new Int32Array(1)),
        /attentionDecodeBf16: .*length 4/);
    });

    it('bad arguments throw one line naming the kernel', () => {
      const a = new Float32Array(8);
      assert.throws(() => k.attentionFwdBf16(a, a, a, a, new Float32Array(1), 1, 2, 2, 3, 2, 2, 1, true, null), /attentionFwdBf16: nh=3 must be a multiple of nkv=2/);
      assert.throws(() => k.attentionBwdBf16(a, a, a, a, a, new Float32Array(1), a, a, a, 1, 2, 2, 1, 1, 4, 1, true), /attentionBwdBf16: lse/);
    });
  });
}
