// Every kernel of both implementations (pure TS, native addon) against the naive float64 references in
// ref.ts, with gradients checked by central differences: GQA groups, causal with T < S, kvLen masking,
// transposes, strideB = 0, targets < 0, cyclic broadcasts, sizes that take the native parallel paths.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';
import { tsKernels, loadNativeKernels, nativeKernelsError } from '../../src/tensor/kernels/index.js';
import { BinaryOp, UnaryOp, type Kernels } from '../../src/tensor/kernels/types.js';
import { assertClose, f64, numGrad, randn, refAttention, refGemm, refLogSoftmax, refRmsnorm, refRope, silu, type AttnDims } from './ref.js';

const native = loadNativeKernels();
const sets: [string, Kernels | null][] = [['ts', tsKernels], ['native', native]];

for (const [label, maybeK] of sets) {
  const skip = maybeK ? false : `native addon unavailable: ${nativeKernelsError()}`;
  describe(`${label} kernels`, { skip }, () => {
    const k = maybeK ?? tsKernels;

    it('gemm: transposes, batches, strideB = 0, alpha/beta, NaN ignored at beta = 0', () => {
      const rng = new Rng(1);
      const cases = [
        // [batch, M, N, K, sAmode] ; strides derived below
        [1, 5, 7, 3], [3, 4, 6, 5], [2, 1, 9, 8], [1, 33, 1, 17], [2, 70, 90, 64], [1, 300, 40, 50], [1, 8, 400, 120],
      ];
      for (const [batch, M, N, K] of cases) for (const transA of [false, true]) for (const transB of [false, true]) for (const bcastB of [false, true]) {
        const sA = M * K, sB = bcastB ? 0 : K * N, sC = M * N;
        const a = randn(rng, batch * sA), b = randn(rng, Math.max(sB * batch, K * N)), c = randn(rng, batch * sC);
        for (const [alpha, beta] of [[1, 0], [0.5, 1], [-2, 0.25], [0.75, 0]]) {
          const c0 = c.slice();
          if (beta === 0) c0[0] = NaN;
          const want = refGemm(a, b, c0, batch, M, N, K, transA, transB, alpha, beta, sA, sB, sC);
          k.gemm(a, b, c0, batch, M, N, K, transA, transB, alpha, beta, sA, sB, sC);
          assertClose(c0, want, `gemm b${batch} ${M}x${N}x${K} tA=${transA} tB=${transB} bcast=${bcastB} a=${alpha} b=${beta}`, 1e-5 * Math.max(1, K / 40)); // FP32 sums: error grows with K
        }
      }
      // strideA = 0 broadcasts A; K = 0 leaves beta * C
      const a = randn(rng, 12), b = randn(rng, 3 * 20), c = new Float32Array(3 * 15);
      k.gemm(a, b, c, 3, 3, 5, 4, false, false, 1, 0, 0, 20, 15);
      assertClose(c, refGemm(a, b, new Float32Array(45), 3, 3, 5, 4, false, false, 1, 0, 0, 20, 15), 'gemm strideA=0');
      const c2 = Float32Array.from([1, 2, 3, 4]);
      k.gemm(new Float32Array(0), new Float32Array(0), c2, 1, 2, 2, 0, false, false, 1, 0.5, 0, 0, 0);
      assertClose(c2, [0.5, 1, 1.5, 2], 'gemm K=0');
    });

    it('binary: every op, same shape, scalar and cyclic rows, NaN through min/max, out aliasing a', () => {
      const rng = new Rng(2);
      const ops: [BinaryOp, (x: number, y: number) => number][] = [
        [BinaryOp.Add, (x, y) => x + y], [BinaryOp.Sub, (x, y) => x - y], [BinaryOp.Mul, (x, y) => x * y],
        [BinaryOp.Div, (x, y) => x / y], [BinaryOp.Min, (x, y) => Math.min(x, y)], [BinaryOp.Max, (x, y) => Math.max(x, y)],
      ];
      for (const [n, bl] of [[12, 12], [12, 1], [12, 4], [70007, 7], [140000, 1], [131072, 131072], [0, 3]]) {
        const a = randn(rng, n), b = randn(rng, bl);
        if (n > 3) { a[1] = NaN; b[2 % bl] = NaN; }
        for (const [op, f] of ops) {
          const out = new Float32Array(n);
          k.binary(op, a, b, out, n);
          const want = Array.from(a, (x, i) => Math.fround(f(x, b[i % bl]!)));
          assertClose(out, want, `binary op ${op} n=${n} bl=${bl}`, 1e-6, 1e-6);
        }
        const alias = a.slice();
        k.binary(BinaryOp.Mul, alias, b, alias, n);
        assertClose(alias, Array.from(a, (x, i) => Math.fround(x * b[i % bl]!)), 'binary aliased', 0, 1e-6);
      }
    });

    it('unary: every op, small and large', () => {
      const rng = new Rng(3);
      const ops: [UnaryOp, (x: number) => number][] = [
        [UnaryOp.Neg, (x) => -x], [UnaryOp.Exp, Math.exp], [UnaryOp.Log, Math.log], [UnaryOp.Silu, silu],
        [UnaryOp.Sqrt, Math.sqrt], [UnaryOp.Abs, Math.abs],
      ];
      for (const n of [9, 100003]) {
        const x = randn(rng, n, 3);
        x[0] = -200; x[1] = 100; x[2] = NaN;
        for (const [op, f] of ops) {
          const out = new Float32Array(n);
          k.unary(op, x, out, n);
          assertClose(out, Float32Array.from(x, f), `unary op ${op} n=${n}`, 1e-6, 3e-6);
        }
      }
    });

    it('gemmRows: A B^T + beta C, and a row\'s result is the same bits whatever rows are beside it', () => {
      const rng = new Rng(44);
      for (const [M, N, K] of [[1, 7, 3], [5, 1003, 100], [16, 150, 40], [37, 4099, 120], [3, 9, 0]]) {
        const a = randn(rng, M * K), b = randn(rng, N * K), c = randn(rng, M * N);
        for (const beta of [0, 0.5]) {
          const c0 = c.slice();
          if (beta === 0) c0[0] = NaN;
          const want = refGemm(a, b, c0, 1, M, N, K, false, true, 1, beta, 0, 0, 0);
          k.gemmRows(a, b, c0, M, N, K, beta);
          assertClose(c0, want, `gemmRows ${M}x${N}x${K} beta=${beta}`, 1e-5 * Math.max(1, K / 40));
          if (beta !== 0 || M < 2) continue;
          for (const r of [0, M - 1]) { // the same row alone
            const one = new Float32Array(N);
            k.gemmRows(a.subarray(r * K, r * K + K), b, one, 1, N, K, 0);
            assert.deepEqual(one, c0.subarray(r * N, r * N + N), `gemmRows row ${r} of ${M} alone`);
          }
        }
      }
    });

    it('gemmRowsW16: exactly gemmRows on the BF16-rounded weights, whatever the rows beside; packW16 rounds to nearest even and repacks in place', () => {
      const rng = new Rng(45);
      for (const [M, N, K] of [[1, 7, 3], [5, 1003, 100], [16, 150, 64], [6, 4099, 120], [3, 9, 31], [2, 5, 33]]) {
        const a = randn(rng, M * K), b = randn(rng, N * K), c = randn(rng, M * N);
        const rounded = new Float32Array(N * K);
        k.roundBf16(b, rounded, N * K);
        const p = k.packW16(b, N, K);
        assert.equal(p.length, N * Math.ceil(K / 32) * 32);
        for (const beta of [0, 0.5]) {
          const want = c.slice(), got = c.slice();
          if (beta === 0) got[0] = NaN;
          k.gemmRows(a, rounded, want, M, N, K, beta);
          k.gemmRowsW16(a, p, got, M, N, K, beta);
          assert.deepEqual(got, want, `gemmRowsW16 ${M}x${N}x${K} beta=${beta}`);
          const ref = refGemm(a, rounded, c.slice(), 1, M, N, K, false, true, 1, beta, 0, 0, 0);
          assertClose(got, ref, `gemmRowsW16 ${M}x${N}x${K} vs the float64 product`, 1e-5 * Math.max(1, K / 40));
        }
        b.fill(0.5); // the weights changed: the same array repacked in place
        assert.equal(k.packW16(b, N, K, p), p);
        const one = new Float32Array(M * N);
        k.gemmRowsW16(a, p, one, M, N, K, 0);
        for (let i = 0; i < M; i++) {
          let s = 0;
          for (let x = 0; x < K; x++) s += a[i * K + x]!;
          assert.ok(Math.abs(one[i * N]! - 0.5 * s) <= 1e-5 * K, `after the repack row ${i}: ${one[i * N]} vs ${0.5 * s}`);
        }
      }
      // rounding: ties to even (1 + 2^-8 is halfway between two BF16 values), in either half of a group of 32
      const w = Float32Array.from({ length: 32 }, (_, i) => 1 + (i % 4) * 2 ** -8);
      const r = new Float32Array(32);
      k.roundBf16(w, r, 32);
      assert.equal(r[1], 1, 'a tie rounds to the even neighbour');
      const lone = (v: Float32Array, i: number) => {
        const x = new Float32Array(32), o = new Float32Array(1);
        x[i] = 1;
        k.gemmRowsW16(x, k.packW16(v, 1, 32), o, 1, 1, 32, 0);
        return o[0]!;
      };
      for (let i = 0; i < 32; i++) assert.equal(lone(w, i), r[i], `value ${i}: ${w[i]} rounds to ${r[i]}`);
      w[20] = NaN;
      assert.ok(Number.isNaN(lone(w, 0)), 'a NaN weight stays NaN');
    });

    it('alignedFloat32: zeroed and n long (its 64-byte alignment is the native addon\'s; JS cannot see addresses)', () => {
      for (const n of [0, 1, 17, 100003]) {
        const x = k.alignedFloat32(n);
        assert.ok(x instanceof Float32Array && x.length === n && x.every((v) => v === 0));
      }
    });

    it('expShift: the sampler\'s exp((x - m) / T) at float precision, 0 far below the max, and their sum', () => {
      const rng = new Rng(41);
      for (const n of [9, 151937]) {
        const x = randn(rng, n, 4);
        x[0] = -Infinity; x[1] = -300; x[2] = 5;
        const m = 5, invT = 1 / 0.7, out = new Float64Array(n + 3).fill(-1);
        const sum = k.expShift(x, out, m, invT);
        const want = Array.from(x, (v) => Math.exp((v - m) * invT));
        assert.equal(out[0], 0);
        assert.equal(out[1], 0, 'exp(-428) is below the float floor: 0');
        assert.ok(Math.abs(out[2]! - 1) <= 1e-7, `the max gives exp(0) = 1, got ${out[2]}`);
        for (let i = 0; i < n; i++) { // the FP32 argument's rounding (an ulp of |a|) sets the relative error
          if (want[i] === 0) continue; // x = -Infinity: asserted 0 above
          const a = Math.abs((x[i]! - m) * invT);
          assert.ok(Math.abs(out[i]! - want[i]!) <= 3e-7 * (1 + a) * want[i]! + 1e-37, `expShift n=${n} at ${i}: ${out[i]} vs ${want[i]}`);
        }
        assert.equal(out[n], -1, 'nothing written past x.length');
        const s = want.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - s) <= 1e-6 * s, `expShift sum n=${n}: ${sum} vs ${s}`);
      }
    });

    it('argmax, cdfIndex, bucketIds: the sampler\'s scans, as a plain loop does them', () => {
      const rng = new Rng(9);
      for (const n of [1, 5, 63, 64, 65, 1000, 151936]) {
        const x = Float32Array.from({ length: n }, () => rng.int(0, 40) / 4); // ties: the first index of the max wins
        let arg = 0;
        for (let i = 1; i < n; i++) if (x[i]! > x[arg]!) arg = i;
        assert.equal(k.argmax(x), arg, `argmax n=${n}`);
        const p = Float64Array.from(x, (v) => Math.exp(v - 10));
        let total = 0;
        for (const v of p) total += v;
        for (const f of [0, 1e-9, 0.3, 0.5, 0.999, 1 - 1e-12]) {
          let u = f * total, want = -1;
          for (let i = 0; i < n; i++) if ((u -= p[i]!) < 0) { want = i; break; }
          assert.equal(k.cdfIndex(p, n, f * total), want, `cdfIndex n=${n} at ${f}`);
        }
        assert.equal(k.cdfIndex(p, n, 2 * total), -1, 'past the end');
        const bucket = Uint16Array.from(x, (v) => v * 4);
        const ids = new Int32Array(n);
        for (const b of [0, 7, 40]) {
          const want = [...bucket.keys()].filter((i) => bucket[i] === b);
          assert.deepEqual([...ids.subarray(0, k.bucketIds(bucket, n, b, -1, ids))], want, `bucketIds n=${n} b=${b}`);
          const two = Math.min(2, want.length);
          assert.deepEqual([...ids.subarray(0, k.bucketIds(bucket, n, b, two, ids))], want.slice(0, two), 'stops at want');
        }
      }
      assert.equal(k.argmax(Float32Array.from([NaN, -Infinity, NaN])), 0, 'no x > -inf: 0');
      assert.equal(k.argmax(Float32Array.from([NaN, 2, NaN, 3, 3])), 3, 'NaN never wins');
    });

    it('sampleBuckets: expShift\'s probabilities, each token\'s bucket floor(-128 log2 p), and each bucket\'s mass', () => {
      const rng = new Rng(43);
      const n = 20011, x = randn(rng, n, 6);
      x[0] = -Infinity; x[1] = 40 - 300; x[2] = 40; x[3] = 40 - 200; // the sampler's m is the row's max
      const m = 40, invT = 1 / 1.3, probs = new Float64Array(n), bucket = new Uint16Array(n), mass = new Float64Array(8192).fill(7);
      const sum = k.sampleBuckets(x, probs, bucket, mass, m, invT);
      const ref = new Float64Array(n);
      assert.equal(sum, k.expShift(x, ref, m, invT));
      assert.deepEqual(probs, ref, 'the same probabilities as expShift');
      assert.equal(bucket[0], 8191, '-inf: the last bucket');
      assert.equal(bucket[1], 8191, 'a probability of 0: the last bucket');
      const nan = new Uint16Array(2);
      k.sampleBuckets(Float32Array.from([0, NaN]), new Float64Array(2), nan, new Float64Array(8192), 0, 1);
      assert.deepEqual([...nan], [0, 8191], 'NaN: the last bucket');
      assert.equal(bucket[2], 0, 'the max: bucket 0');
      assert.equal(bucket[3], 8191, 'below 2^-64: the last bucket');
      const want = new Float64Array(8192);
      for (let i = 0; i < n; i++) {
        const a = (x[i]! - m) * invT, b = Math.min(8191, Math.floor(-a * 128 * Math.LOG2E));
        if (Math.abs(-a * 128 * Math.LOG2E - Math.round(-a * 128 * Math.LOG2E)) > 1e-3) assert.equal(bucket[i], b, `bucket of token ${i}`); // away from an edge
        want[bucket[i]!] += probs[i]!;
      }
      for (let b = 0; b < 8192; b++) assert.ok(Math.abs(mass[b]! - want[b]!) <= 1e-12 * sum, `mass of bucket ${b}: ${mass[b]} vs ${want[b]}`);
    });

    it('sampleRowsPrep: each row\'s argmax, max and sampleBuckets (or expShift), as the per-row kernels give them', () => {
      const rng = new Rng(44);
      const R = 5, n = 3001, x = randn(rng, R * n, 4);
      x.fill(-Infinity, 2 * n, 3 * n); // a row with no finite logit: arg 0, m -inf
      x[4 * n + 17] = NaN;
      for (const buckets of [true, false]) {
        const arg = new Int32Array(R), m = new Float32Array(R), sum = new Float64Array(R);
        const probs = new Float64Array(R * n), bucket = new Uint16Array(R * n), mass = new Float64Array(R * 8192);
        k.sampleRowsPrep(x, R, n, 1 / 0.6, buckets, arg, m, sum, probs, bucket, mass);
        for (let r = 0; r < R; r++) {
          const row = x.subarray(r * n, (r + 1) * n), a = k.argmax(row), mr = row[a]! > -Infinity ? row[a]! : -Infinity;
          assert.equal(arg[r], a, `row ${r} argmax`);
          assert.equal(m[r], mr, `row ${r} max`);
          const p = new Float64Array(n), b = new Uint16Array(n), ms = new Float64Array(8192);
          const s = buckets ? k.sampleBuckets(row, p, b, ms, mr, 1 / 0.6) : k.expShift(row, p, mr, 1 / 0.6);
          assert.ok(Object.is(sum[r], s), `row ${r} sum ${sum[r]} vs ${s}`);
          assert.deepEqual(probs.subarray(r * n, (r + 1) * n), p, `row ${r} probs`);
          if (buckets) {
            assert.deepEqual(bucket.subarray(r * n, (r + 1) * n), b, `row ${r} buckets`);
            assert.deepEqual(mass.subarray(r * 8192, (r + 1) * 8192), ms, `row ${r} masses`);
          }
        }
      }
      assert.throws(() => k.sampleRowsPrep(x, R, n, 1, true, new Int32Array(R), new Float32Array(R), new Float64Array(R), new Float64Array(R * n),
        new Uint16Array(R * n), new Float64Array(8192)), /sampleRowsPrep/);
    });

    it('axpy, sumSquares, adamw against their formulas', () => {
      const rng = new Rng(4);
      for (const n of [5, 100001]) {
        const x = randn(rng, n), y = randn(rng, n), y0 = f64(y);
        k.axpy(-0.7, x, y, n);
        assertClose(y, Array.from(y0, (v, i) => v - 0.7 * x[i]!), `axpy n=${n}`);
        const ss = Array.from(x).reduce((s, v) => s + v * v, 0);
        assert.ok(Math.abs(k.sumSquares(x, n) - ss) <= 1e-5 * ss, `sumSquares n=${n}`);
        const p = randn(rng, n), m = randn(rng, n, 0.1), v = Float32Array.from(randn(rng, n, 0.1), Math.abs);
        const [P, Mm, V] = [f64(p), f64(m), f64(v)];
        for (let step = 1; step <= 3; step++) {
          const g = randn(rng, n), lr = 1e-2, b1 = 0.9, b2 = 0.95, eps = 1e-8, wd = 0.1;
          const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
          k.adamw(p, g, m, v, n, lr, b1, b2, eps, wd, bc1, bc2);
          for (let i = 0; i < n; i++) {
            P[i] *= 1 - lr * wd;
            Mm[i] = b1 * Mm[i]! + (1 - b1) * g[i]!;
            V[i] = b2 * V[i]! + (1 - b2) * g[i]! ** 2;
            P[i] -= (lr * (Mm[i]! / bc1)) / (Math.sqrt(V[i]! / bc2) + eps);
          }
        }
        assertClose(p, P, `adamw p n=${n}`, 2e-5, 1e-4);
        assertClose(m, Mm, `adamw m n=${n}`);
        assertClose(v, V, `adamw v n=${n}`);
      }
    });

    it('swiglu forward and backward', () => {
      const rng = new Rng(5);
      for (const n of [17, 80000]) {
        const g = randn(rng, n, 2), u = randn(rng, n), d = randn(rng, n), out = new Float32Array(n);
        k.swigluFwd(g, u, out, n);
        assertClose(out, Array.from(g, (x, i) => silu(x) * u[i]!), `swigluFwd n=${n}`);
        const dg = new Float32Array(n), du = new Float32Array(n);
        k.swigluBwd(d, g, u, dg, du, n);
        // silu'(x) = s(x) (1 + x (1 - s(x)))
        const sg = (x: number) => 1 / (1 + Math.exp(-x));
        assertClose(dg, Array.from(g, (x, i) => d[i]! * u[i]! * sg(x) * (1 + x * (1 - sg(x)))), `swigluBwd dgate n=${n}`);
        assertClose(du, Array.from(g, (x, i) => d[i]! * silu(x)), `swigluBwd dup n=${n}`);
      }
      const g = f64(randn(rng, 6)), u = f64(randn(rng, 6)), d = randn(rng, 6), dg = new Float32Array(6), du = new Float32Array(6);
      k.swigluBwd(d, Float32Array.from(g), Float32Array.from(u), dg, du, 6);
      assertClose(dg, numGrad((x) => x.map((v, i) => silu(v) * u[i]!), f64(Float32Array.from(g)), d), 'swiglu dgate vs finite differences', 1e-5, 1e-3);
    });

    it('rmsnorm forward and backward (dw accumulates), small and parallel-sized', () => {
      const rng = new Rng(6);
      for (const [rows, C] of [[3, 8], [600, 128]]) {
        const x = randn(rng, rows * C), w = randn(rng, C), out = new Float32Array(rows * C), rstd = new Float32Array(rows);
        k.rmsnormFwd(x, w, out, rstd, rows, C, 1e-5);
        assertClose(out, refRmsnorm(x, w, rows, C, 1e-5), `rmsnormFwd ${rows}x${C}`);
        const d = randn(rng, rows * C), dx = new Float32Array(rows * C), dw = new Float32Array(C).fill(1);
        k.rmsnormBwd(d, x, w, rstd, dx, dw, rows, C);
        if (rows * C > 100) {
          // analytic references for the big case (finite differences would be slow)
          const wantDw = new Float64Array(C).fill(1);
          for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) wantDw[c] += d[r * C + c]! * x[r * C + c]! * rstd[r]!;
          assertClose(dw, wantDw, 'rmsnormBwd dw (big)', 1e-4, 1e-4);
          continue;
        }
        assertClose(dx, numGrad((xx) => refRmsnorm(xx, w, rows, C, 1e-5), f64(x), d), 'rmsnormBwd dx', 1e-5, 1e-3);
        const ndw = numGrad((ww) => refRmsnorm(x, ww, rows, C, 1e-5), f64(w), d);
        assertClose(dw, ndw.map((v) => v + 1), 'rmsnormBwd dw (+= onto ones)', 1e-5, 1e-3);
      }
    });

    it('rope: HF rotate-half against the reference, inverse undoes it, in place works', () => {
      const rng = new Rng(7);
      const [B, T, nh, hs, maxPos] = [2, 5, 3, 8, 16];
      const cos = new Float32Array(maxPos * hs / 2), sin = new Float32Array(maxPos * hs / 2);
      for (let p = 0; p < maxPos; p++) for (let j = 0; j < hs / 2; j++) {
        const ang = p / 10000 ** ((2 * j) / hs);
        cos[p * hs / 2 + j] = Math.cos(ang);
        sin[p * hs / 2 + j] = Math.sin(ang);
      }
      const pos = Int32Array.from({ length: B * T }, (_, i) => (i * 3) % maxPos);
      const x = randn(rng, B * T * nh * hs), out = new Float32Array(x.length);
      k.rope(x, out, cos, sin, pos, B, T, nh, hs, false);
      assertClose(out, refRope(x, cos, sin, pos, B, T, nh, hs), 'rope');
      const back = new Float32Array(x.length);
      k.rope(out, back, cos, sin, pos, B, T, nh, hs, true);
      assertClose(back, x, 'rope inverse');
      const inPlace = x.slice();
      k.rope(inPlace, inPlace, cos, sin, pos, B, T, nh, hs, false);
      assertClose(inPlace, out, 'rope in place', 0, 0);
    });

    const attnCases: (Omit<AttnDims, 'scale' | 'kvLen'> & { kvLen?: number[] })[] = [
      { B: 2, T: 5, S: 5, nh: 4, nkv: 2, hs: 8, causal: true },
      { B: 1, T: 4, S: 4, nh: 2, nkv: 2, hs: 4, causal: false },
      { B: 2, T: 3, S: 7, nh: 3, nkv: 1, hs: 6, causal: true },          // T < S: a KV-cache chunk
      { B: 2, T: 1, S: 6, nh: 4, nkv: 2, hs: 4, causal: true, kvLen: [3, 6] }, // batched decode, unequal lengths
      { B: 2, T: 4, S: 6, nh: 2, nkv: 1, hs: 4, causal: false, kvLen: [2, 5] },
      { B: 1, T: 4, S: 2, nh: 2, nkv: 1, hs: 4, causal: true },          // T > S: the first rows see no key
      { B: 1, T: 3, S: 3, nh: 2, nkv: 2, hs: 4, causal: false, kvLen: [0] }, // no valid key at all
      { B: 2, T: 2, S: 5, nh: 2, nkv: 1, hs: 8, causal: true, kvLen: [0, 4] }, // decode-sized block, one empty row
    ];
    it('attention forward and backward vs the reference and finite differences (GQA, causal, T < S, kvLen)', () => {
      const rng = new Rng(8);
      for (const c of attnCases) {
        const d: AttnDims = { ...c, scale: 1 / Math.sqrt(c.hs), kvLen: c.kvLen ? Int32Array.from(c.kvLen) : null };
        const { B, T, S, nh, nkv, hs } = d;
        const q = randn(rng, B * T * nh * hs), kk = randn(rng, B * S * nkv * hs), v = randn(rng, B * S * nkv * hs);
        const out = new Float32Array(q.length), lse = new Float32Array(B * nh * T);
        k.attentionFwd(q, kk, v, out, lse, B, T, S, nh, nkv, hs, d.scale, d.causal, d.kvLen);
        const ref = refAttention(q, kk, v, d);
        const tag = JSON.stringify(c);
        assertClose(out, ref.out, `attentionFwd out ${tag}`);
        assertClose(lse, ref.lse, `attentionFwd lse ${tag}`);
        const dout = randn(rng, q.length), dq = new Float32Array(q.length), dk = new Float32Array(kk.length).fill(9), dv = new Float32Array(v.length).fill(9);
        k.attentionBwd(dout, q, kk, v, out, lse, dq, dk, dv, B, T, S, nh, nkv, hs, d.scale, d.causal, d.kvLen);
        const Q = f64(q), K = f64(kk), V = f64(v);
        assertClose(dq, numGrad((x) => refAttention(x, K, V, d).out, Q, dout), `attentionBwd dq ${tag}`, 1e-5, 1e-3);
        assertClose(dk, numGrad((x) => refAttention(Q, x, V, d).out, K, dout), `attentionBwd dk ${tag}`, 1e-5, 1e-3);
        assertClose(dv, numGrad((x) => refAttention(Q, K, x, d).out, V, dout), `attentionBwd dv ${tag}`, 1e-5, 1e-3);
      }
    });

    it('attentionDecode: the reference\'s decode step on an FP32 cache, a row\'s bits whatever rows are beside it', () => {
      const rng = new Rng(10);
      // hs 64: the native vector path (g = 1, 3, 7: up to Qwen2.5-0.5B's groups); hs 12: its scalar loop; a row with no key
      for (const [B, S, nh, nkv, hs, lens] of [[3, 40, 9, 3, 64, [40, 17, 1]], [2, 30, 14, 2, 64, [29, 0]], [2, 9, 2, 2, 12, [9, 5]]] as const) {
        const q = randn(rng, B * nh * hs), kc = randn(rng, B * S * nkv * hs), vc = randn(rng, B * S * nkv * hs);
        const kvLen = Int32Array.from(lens), scale = 1 / Math.sqrt(hs);
        const out = new Float32Array(q.length).fill(NaN), lse = new Float32Array(B * nh);
        k.attentionDecode(q, kc, vc, out, lse, B, S, nh, nkv, hs, scale, kvLen);
        const ref = refAttention(q, kc, vc, { B, T: 1, S, nh, nkv, hs, scale, causal: false, kvLen });
        const label = `B=${B} S=${S} nh=${nh} nkv=${nkv} hs=${hs}`;
        assertClose(out, ref.out, `${label} out`);
        assertClose(lse, ref.lse, `${label} lse`);
        for (let b = 0; b < B; b++) { // row b alone, its cache slot copied to slot 0
          const one = new Float32Array(nh * hs), oneLse = new Float32Array(nh), span = S * nkv * hs;
          k.attentionDecode(q.subarray(b * nh * hs, (b + 1) * nh * hs), kc.subarray(b * span, (b + 1) * span), vc.subarray(b * span, (b + 1) * span),
            one, oneLse, 1, S, nh, nkv, hs, scale, kvLen.subarray(b, b + 1));
          assert.deepEqual(one, out.subarray(b * nh * hs, (b + 1) * nh * hs), `${label}: row ${b} alone`);
        }
      }
    });

    it('attention at training size (several row blocks, parallel) matches the TS kernels', () => {
      const rng = new Rng(9);
      const [B, T, S, nh, nkv, hs] = [2, 130, 130, 4, 2, 40]; // hs 40: one 32-wide tile and one 8-wide tail
      const q = randn(rng, B * T * nh * hs), kk = randn(rng, B * S * nkv * hs), v = randn(rng, B * S * nkv * hs);
      const run = (kern: Kernels) => {
        const out = new Float32Array(q.length), lse = new Float32Array(B * nh * T);
        kern.attentionFwd(q, kk, v, out, lse, B, T, S, nh, nkv, hs, 0.25, true, null);
        const dout = Float32Array.from(out, (x, i) => Math.sin(i) * x);
        const dq = new Float32Array(q.length), dk = new Float32Array(kk.length), dv = new Float32Array(v.length);
        kern.attentionBwd(dout, q, kk, v, out, lse, dq, dk, dv, B, T, S, nh, nkv, hs, 0.25, true);
        return { out, lse, dq, dk, dv };
      };
      const a = run(k), b = run(tsKernels);
      for (const key of ['out', 'lse', 'dq', 'dk', 'dv'] as const) assertClose(a[key], b[key], `attention big ${key}`, 1e-5, 1e-4);
    });

    it('softmax and log-softmax forward and backward', () => {
      const rng = new Rng(10);
      for (const [rows, cols] of [[3, 5], [1000, 70]]) {
        const x = randn(rng, rows * cols, 3), y = new Float32Array(x.length), ly = new Float32Array(x.length);
        k.softmaxFwd(x, y, rows, cols);
        k.logSoftmaxFwd(x, ly, rows, cols);
        const lref = refLogSoftmax(x, rows, cols);
        assertClose(ly, lref, `logSoftmaxFwd ${rows}x${cols}`);
        assertClose(y, lref.map(Math.exp), `softmaxFwd ${rows}x${cols}`);
        const d = randn(rng, x.length), dx = new Float32Array(x.length), ldx = new Float32Array(x.length);
        k.softmaxBwd(d, y, dx, rows, cols);
        k.logSoftmaxBwd(d, ly, ldx, rows, cols);
        if (rows > 10) continue;
        assertClose(dx, numGrad((xx) => refLogSoftmax(xx, rows, cols).map(Math.exp), f64(x), d), 'softmaxBwd', 1e-5, 1e-3);
        assertClose(ldx, numGrad((xx) => refLogSoftmax(xx, rows, cols), f64(x), d), 'logSoftmaxBwd', 1e-5, 1e-3);
      }
    });

    it('logprob (fused log-softmax + gather): targets < 0 give 0 and zero gradient', () => {
      const rng = new Rng(11);
      for (const [rows, V] of [[5, 7], [2048, 64]]) {
        const x = randn(rng, rows * V, 2), t = Int32Array.from({ length: rows }, (_, r) => (r % 4 === 3 ? -100 : rng.int(0, V - 1)));
        const out = new Float32Array(rows), lse = new Float32Array(rows);
        k.logprobFwd(x, t, out, lse, rows, V);
        const ls = refLogSoftmax(x, rows, V);
        assertClose(out, Array.from(t, (tt, r) => (tt < 0 ? 0 : ls[r * V + tt]!)), `logprobFwd ${rows}x${V}`);
        const out2 = new Float32Array(rows), lse2 = new Float32Array(rows), ent = new Float32Array(rows).fill(NaN);
        k.logprobFwd(x, t, out2, lse2, rows, V, ent);
        assert.deepEqual([out2, lse2], [out, lse], 'asking for the entropy leaves logp and lse as they were');
        const wantH = Array.from({ length: rows }, (_, r) => { let h = 0; for (let c = 0; c < V; c++) h -= Math.exp(ls[r * V + c]!) * ls[r * V + c]!; return h; });
        assertClose(ent, wantH, `logprobFwd entropy ${rows}x${V}`, 1e-5, 1e-4);
        const d = randn(rng, rows), dl = new Float32Array(rows * V).fill(5);
        k.logprobBwd(d, x, t, lse, dl, rows, V);
        if (rows > 10) {
          // analytic reference for the big case: dout * (onehot - softmax)
          const want = new Float64Array(rows * V);
          for (let r = 0; r < rows; r++) {
            if (t[r]! < 0) continue;
            for (let c = 0; c < V; c++) want[r * V + c] = -d[r]! * Math.exp(ls[r * V + c]!) + (c === t[r] ? d[r]! : 0);
          }
          assertClose(dl, want, `logprobBwd ${rows}x${V}`);
          continue;
        }
        const want = numGrad((xx) => {
          const l = refLogSoftmax(xx, rows, V);
          return Float64Array.from(t, (tt, r) => (tt < 0 ? 0 : l[r * V + tt]!));
        }, f64(x), d);
        assertClose(dl, want, 'logprobBwd', 1e-5, 1e-3);
      }
    });

    it('embedding forward and backward with repeated ids', () => {
      const rng = new Rng(12);
      const [Vv, C] = [6, 5];
      const w = randn(rng, Vv * C), ids = Int32Array.from([2, 0, 2, 5]), out = new Float32Array(ids.length * C);
      k.embeddingFwd(w, ids, out, ids.length, C);
      assertClose(out, Array.from(ids).flatMap((i) => Array.from(w.subarray(i * C, i * C + C))), 'embeddingFwd', 0, 0);
      const d = randn(rng, ids.length * C), dw = new Float32Array(Vv * C).fill(1);
      k.embeddingBwd(d, ids, dw, ids.length, C);
      const want = new Float64Array(Vv * C).fill(1);
      ids.forEach((id, i) => { for (let c = 0; c < C; c++) want[id * C + c] += d[i * C + c]!; });
      assertClose(dw, want, 'embeddingBwd');
    });

    it('bad arguments throw an Error naming the kernel and the sizes, never crash', () => {
      const f = (n: number) => new Float32Array(n);
      const cases: [string, () => void, RegExp][] = [
        ['gemm short A', () => k.gemm(f(5), f(6), f(4), 1, 2, 2, 3, false, false, 1, 0, 0, 0, 0), /gemm: A has length 5/],
        ['gemm short C batch', () => k.gemm(f(6), f(6), f(4), 2, 2, 2, 3, false, false, 1, 0, 0, 0, 4), /gemm: C has length 4/],
        ['binary non-dividing b', () => k.binary(BinaryOp.Add, f(6), f(4), f(6), 6), /binary: b has length 4/],
        ['unary short out', () => k.unary(UnaryOp.Exp, f(6), f(5), 6), /unary/],
        ['axpy short y', () => k.axpy(1, f(6), f(5), 6), /axpy/],
        ['rmsnormFwd short rstd', () => k.rmsnormFwd(f(12), f(4), f(12), f(2), 3, 4, 1e-5), /rmsnormFwd/],
        ['rope odd hs', () => k.rope(f(6), f(6), f(6), f(6), new Int32Array(2), 1, 2, 1, 3, false), /rope: head size 3/],
        ['rope pos out of table', () => k.rope(f(8), f(8), f(4), f(4), Int32Array.from([0, 9]), 1, 2, 1, 4, false), /rope: pos\[1\] = 9/],
        ['attentionDecode short kCache', () => k.attentionDecode(f(8), f(4), f(16), f(8), f(2), 1, 2, 2, 1, 4, 1, new Int32Array(1)), /attentionDecode: .*length 4/],
        ['attentionFwd short k', () => k.attentionFwd(f(16), f(7), f(8), f(16), f(4), 1, 2, 2, 2, 1, 4, 1, true, null), /attentionFwd: .*length 7/],
        ['attentionFwd nh not multiple', () => k.attentionFwd(f(24), f(16), f(16), f(24), f(6), 1, 2, 2, 3, 2, 4, 1, true, null), /attentionFwd: nh=3 must be a multiple of nkv=2/],
        ['attentionBwd short dv', () => k.attentionBwd(f(16), f(16), f(8), f(8), f(16), f(4), f(16), f(8), f(7), 1, 2, 2, 2, 1, 4, 1, true), /attentionBwd: .*length 7/],
        ['softmaxFwd short out', () => k.softmaxFwd(f(6), f(5), 2, 3), /softmaxFwd/],
        ['logSoftmaxBwd short dx', () => k.logSoftmaxBwd(f(6), f(6), f(5), 2, 3), /logSoftmaxBwd/],
        ['logprobFwd target >= V', () => k.logprobFwd(f(6), Int32Array.from([0, 3]), f(2), f(2), 2, 3), /logprobFwd: targets\[1\] = 3/],
        ['logprobBwd short dlogits', () => k.logprobBwd(f(2), f(6), Int32Array.from([0, 1]), f(2), f(5), 2, 3), /logprobBwd/],
        ['embeddingFwd id out of range', () => k.embeddingFwd(f(6), Int32Array.from([3]), f(2), 1, 2), /embeddingFwd: ids\[0\] = 3/],
        ['embeddingBwd negative id', () => k.embeddingBwd(f(2), Int32Array.from([-1]), f(6), 1, 2), /embeddingBwd: ids\[0\] = -1/],
        ['adamw short v', () => k.adamw(f(4), f(4), f(4), f(3), 4, 1, 0.9, 0.99, 1e-8, 0, 1, 1), /adamw/],
        ['sumSquares short x', () => k.sumSquares(f(3), 4), /sumSquares/],
        ['gemmRows short C', () => k.gemmRows(f(6), f(6), f(3), 2, 2, 3, 0), /gemmRows/],
        ['gemmRowsW16 B not packW16\'s length', () => k.gemmRowsW16(f(6), new Uint16Array(6), f(4), 2, 2, 3, 0), /gemmRowsW16/],
        ['packW16 out of another shape', () => k.packW16(f(6), 2, 3, new Uint16Array(6)), /packW16/],
        ['expShift short out', () => k.expShift(f(4), new Float64Array(3), 0, 1), /expShift/],
        ['cdfIndex short p', () => k.cdfIndex(new Float64Array(3), 4, 1), /cdfIndex/],
        ['bucketIds short bucket', () => k.bucketIds(new Uint16Array(3), 4, 0, -1, new Int32Array(4)), /bucketIds/],
        ['sampleBuckets short mass', () => k.sampleBuckets(f(4), new Float64Array(4), new Uint16Array(4), new Float64Array(100), 0, 1), /sampleBuckets/],
        ['negative dimension', () => k.softmaxFwd(f(6), f(6), -1, 3), /softmaxFwd: rows = -1 must be/],
        ['dims whose product wraps 64 bits', () => k.softmaxFwd(f(6), f(6), 2 ** 39, 2 ** 39), /softmaxFwd/],
        ['attention dims whose product wraps', () => k.attentionFwd(f(16), f(16), f(16), f(16), f(4), 2 ** 30, 2 ** 30, 2 ** 30, 2 ** 30, 2 ** 30, 2 ** 30, 1, true, null), /attentionFwd/],
        ['gemm huge stride', () => k.gemm(f(4), f(4), f(8), 2, 2, 2, 1, false, false, 1, 0, 2 ** 62, 0, 4), /gemm/],
      ];
      for (const [what, fn, re] of cases) assert.throws(fn, re, what);
    });
  });
}

describe('native kernels reject wrong array types', { skip: native ? false : 'native addon unavailable' }, () => {
  it('a Float64Array or a plain array where a Float32Array belongs is a TypeError-like Error, not a crash', () => {
    const k = native!;
    assert.throws(() => k.axpy(1, new Float64Array(4) as unknown as Float32Array, new Float32Array(4), 4), /axpy: argument 2 \(x\) must be a Float32Array/);
    assert.throws(() => k.embeddingFwd(new Float32Array(4), [0] as unknown as Int32Array, new Float32Array(2), 1, 2), /embeddingFwd: argument 2 \(ids\) must be an Int32Array/);
    assert.throws(() => k.gemm(new Float32Array(4), new Float32Array(4), new Float32Array(4), 1, 2, 2, 2, false, false, 1, 0, 0, 0, 0.5), /gemm: strideC = 0.5/);
  });
});
