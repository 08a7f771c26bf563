// The BF16 kernels of both implementations (and the native addon with BF16 instructions forced off) against a
// float64 product of BF16-rounded operands: rounding to nearest-even, transposes, batches, broadcast B, alpha/beta,
// ragged sizes around the 16/32 tile edges, the packed-weight layout (identical in TS and C) and gemmBf16Packed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Rng } from '../../src/util/rng.js';
import { tsKernels, loadNativeKernels, nativeKernelsError } from '../../src/tensor/kernels/index.js';
import { fromBf16, toBf16 } from '../../src/tensor/kernels/bf16.js';
import type { Kernels } from '../../src/tensor/kernels/types.js';
import { assertClose, randn, refGemm } from './ref.js';

const native = loadNativeKernels();
const sets: [string, Kernels | null][] = [['ts', tsKernels], ['native', native]];

const rounded = (x: Float32Array): Float32Array => x.map((v) => fromBf16(toBf16(v)));

describe('bf16 rounding', () => {
  it('rounds to nearest, ties to even, keeps NaN and infinities', () => {
    // 1 + 2^-8 is exactly halfway between BF16 neighbours 1 and 1 + 2^-7: ties go to the even mantissa (1)
    assert.equal(fromBf16(toBf16(1 + 2 ** -8)), 1);
    // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): goes up
    assert.equal(fromBf16(toBf16(1 + 3 * 2 ** -8)), 1 + 2 ** -6);
    assert.equal(fromBf16(toBf16(1 + 2 ** -8 + 2 ** -12)), 1 + 2 ** -7); // above the tie: up
    assert.equal(fromBf16(toBf16(-3.140625)), -3.140625); // exactly representable
    assert.ok(Number.isNaN(fromBf16(toBf16(NaN))));
    assert.equal(fromBf16(toBf16(Infinity)), Infinity);
    assert.equal(fromBf16(toBf16(3.4e38)), Infinity); // above the largest BF16: rounds to infinity like FP32 → BF16 casts
  });
});

for (const [label, maybeK] of sets) {
  const skip = maybeK ? false : `native addon unavailable: ${nativeKernelsError()}`;
  describe(`${label} bf16 kernels (${maybeK?.bf16 ?? 'emulated'})`, { skip }, () => {
    const k = maybeK ?? tsKernels;

    it('roundBf16 agrees with the TS reference rounding', () => {
      const x = randn(new Rng(3), 1000, 10);
      x[0] = 1 + 2 ** -8;
      x[1] = 1 + 3 * 2 ** -8;
      const out = new Float32Array(x.length);
      k.roundBf16(x, out, x.length);
      assert.deepEqual(out, rounded(x));
    });

    it('gemmBf16: transposes, batches, broadcast B, alpha/beta, tile edges; products of rounded operands in FP32', () => {
      const rng = new Rng(11);
      const cases = [[1, 1, 1, 1], [1, 5, 7, 3], [3, 17, 33, 45], [2, 31, 16, 32], [1, 33, 65, 70], [1, 130, 96, 257], [2, 64, 40, 31], [1, 64, 64, 300]];
      for (const [batch, M, N, K] of cases) for (const transA of [false, true]) for (const transB of [false, true]) for (const bcastB of [false, true]) {
        const sA = M! * K!, sB = bcastB ? 0 : K! * N!, sC = M! * N!;
        const a = randn(rng, batch! * sA), b = randn(rng, Math.max(sB * batch!, K! * N!)), c = randn(rng, batch! * sC);
        for (const [alpha, beta] of [[1, 0], [1, 1], [0.5, 1], [-2, 0.25]]) {
          const got = c.slice();
          if (beta === 0) got[0] = NaN;
          k.gemmBf16(a, b, got, batch!, M!, N!, K!, transA, transB, alpha!, beta!, sA, sB, sC);
          const want = refGemm(rounded(a), rounded(b), c, batch!, M!, N!, K!, transA, transB, alpha!, beta!, sA, sB, sC);
          // FP32 accumulation of exact BF16 products: only summation-order error remains
          assertClose(got, want, `gemmBf16 batch=${batch} M=${M} N=${N} K=${K} tA=${transA} tB=${transB} bcast=${bcastB} a=${alpha} b=${beta}`, 1e-4, 1e-4);
        }
      }
    });

    it('gemmBf16 differs from FP32 gemm by BF16 rounding (the operands really are rounded)', () => {
      const a = Float32Array.from([1 + 2 ** -9]), b = Float32Array.from([1]), c = new Float32Array(1);
      k.gemmBf16(a, b, c, 1, 1, 1, 1, false, false, 1, 0, 0, 0, 0);
      assert.equal(c[0], 1);
      k.gemm(a, b, c, 1, 1, 1, 1, false, false, 1, 0, 0, 0, 0);
      assert.equal(c[0], 1 + 2 ** -9);
    });

    it('packBf16 writes the layout the TS reference writes; gemmBf16Packed matches gemmBf16', () => {
      const rng = new Rng(5);
      for (const [M, N, K] of [[1, 1, 1], [3, 17, 45], [64, 100, 70], [40, 64, 64]]) for (const transB of [false, true]) {
        const a = randn(rng, M! * K!), b = randn(rng, K! * N!);
        const p = k.packBf16(b, K!, N!, transB);
        assert.deepEqual(p, tsKernels.packBf16(b, K!, N!, transB), `packed layout M=${M} N=${N} K=${K} transB=${transB}`);
        const want = new Float32Array(M! * N!).fill(1), got = want.slice();
        k.gemmBf16(a, b, want, 1, M!, N!, K!, false, transB, 0.5, 2, 0, 0, 0);
        k.gemmBf16Packed(a, p, got, M!, N!, K!, 0.5, 2);
        assertClose(got, want, `gemmBf16Packed M=${M} N=${N} K=${K} transB=${transB}`, 1e-5, 1e-5);
      }
    });

    it('bad arguments throw one line naming the kernel', () => {
      assert.throws(() => k.gemmBf16(new Float32Array(3), new Float32Array(4), new Float32Array(4), 1, 2, 2, 2, false, false, 1, 0, 0, 0, 0), /gemm\w*: A has length 3/);
      assert.throws(() => k.gemmBf16Packed(new Float32Array(4), new Uint16Array(7), new Float32Array(4), 2, 2, 2, 1, 0), /gemmBf16Packed: packed has length 7/);
    });
  });
}

describe('native addon with BF16 instructions forced off (R1_BF16=off)', { skip: native ? false : 'native addon unavailable' }, () => {
  it('reports no BF16 instructions and still computes gemmBf16 (emulated)', () => {
    const script = `
      import { loadNativeKernels } from './src/tensor/kernels/index.js';
      const k = loadNativeKernels();
      const a = Float32Array.from([1 + 2 ** -9, 2, 3, 4]), b = Float32Array.from([1, 0, 0, 1]), c = new Float32Array(4);
      k.gemmBf16(a, b, c, 1, 2, 2, 2, false, false, 1, 0, 0, 0, 0);
      const p = k.packBf16(b, 2, 2, false), c2 = new Float32Array(4);
      k.gemmBf16Packed(a, p, c2, 2, 2, 2, 1, 0);
      console.log(JSON.stringify({ bf16: k.bf16, c: Array.from(c), c2: Array.from(c2) }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script],
      { env: { ...process.env, R1_BF16: 'off' }, encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { bf16: string | null; c: number[]; c2: number[] };
    assert.equal(out.bf16, null);
    assert.deepEqual(out.c, [1, 2, 3, 4]);
    assert.deepEqual(out.c2, [1, 2, 3, 4]);
  });
});
