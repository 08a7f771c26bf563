// attention() follows the matmul precision as PyTorch's CPU autocast does: under 'bf16' on kernels with BF16
// instructions its forward and backward are the kernels' attentionFwdBf16 / attentionBwdBf16, bit for bit (the
// backward in the forward's precision even after the mode changes); under 'fp32', on the TS kernels and with
// R1_BF16=off (no BF16 instructions), exactly the FP32 attentionFwd / attentionBwd.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { Rng } from '../../src/util/rng.js';

const sets = [T.tsKernels, T.loadNativeKernels()].filter((k): k is T.Kernels => k !== null);
const SHAPES = [
  { B: 2, T: 5, S: 8, nh: 4, nkv: 2, hs: 16, causal: true },   // GQA, T < S
  { B: 1, T: 6, S: 4, nh: 3, nkv: 1, hs: 8, causal: false },   // GQA, T > S
  { B: 2, T: 7, S: 7, nh: 2, nkv: 2, hs: 12, causal: true },   // T = S
];

function randn(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal());
}

for (const k of sets) {
  describe(`attention() precision dispatch on the ${k.name} kernels (BF16 instructions: ${k.bf16 ?? 'none'})`, () => {
    for (const precision of ['fp32', 'bf16'] as const) {
      const bf16 = precision === 'bf16' && k.bf16 !== null;
      it(`under '${precision}' runs the ${bf16 ? 'BF16' : 'FP32'} attention kernels, forward and backward`, () => {
        const rng = new Rng(31);
        for (const d of SHAPES) {
          const { B, T: Tq, S, nh, nkv, hs, causal } = d, scale = 1 / Math.sqrt(hs);
          const q = T.tensor(randn(rng, B * Tq * nh * hs), [B, Tq, nh, hs], { requiresGrad: true });
          const kk = T.tensor(randn(rng, B * S * nkv * hs), [B, S, nkv, hs], { requiresGrad: true });
          const v = T.tensor(randn(rng, B * S * nkv * hs), [B, S, nkv, hs], { requiresGrad: true });
          const w = T.tensor(randn(rng, B * Tq * nh * hs), [B, Tq, nh, hs]);
          const y = T.withKernels(k, () => T.attention(q, kk, v, { causal, precision }));
          T.withKernels(k, () => T.sum(T.mul(y, w)).backward()); // dL/dy = w; backward runs in the forward's precision

          const out = new Float32Array(q.size), lse = new Float32Array(B * nh * Tq);
          const dq = new Float32Array(q.size), dk = new Float32Array(kk.size), dv = new Float32Array(v.size);
          const fwd = bf16 ? k.attentionFwdBf16 : k.attentionFwd, bwd = bf16 ? k.attentionBwdBf16 : k.attentionBwd;
          fwd(q.data, kk.data, v.data, out, lse, B, Tq, S, nh, nkv, hs, scale, causal, null);
          bwd(w.data, q.data, kk.data, v.data, out, lse, dq, dk, dv, B, Tq, S, nh, nkv, hs, scale, causal);
          const tag = `${k.name} ${precision} ${JSON.stringify(d)}`;
          assert.deepEqual(y.data, out, `${tag}: out`);
          assert.deepEqual(q.grad, dq, `${tag}: dq`);
          assert.deepEqual(kk.grad, dk, `${tag}: dk`);
          assert.deepEqual(v.grad, dv, `${tag}: dv`);
        }
      });
    }
  });
}
