// AdamW against a hand-computed step, state save/restore, global grad-norm clipping, and the LR schedules,
// on both kernel sets where kernels are involved. The whole-model AdamW check against PyTorch is test/tensor/llama.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { AdamW, clipGradNorm, lrAt } from '../../src/optim/index.js';

const kernelSets = [T.tsKernels, T.loadNativeKernels()].filter((k): k is T.Kernels => k !== null);

for (const k of kernelSets) {
  test(`AdamW: one step by hand, decoupled decay then bias-corrected update (${k.name})`, () => {
    T.withKernels(k, () => {
      const p = T.tensor([1, -2], [2], { requiresGrad: true });
      const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.1 });
      p.grad = Float32Array.of(0.5, 0);
      opt.step();
      // p = 1 - 0.1*0.1*1 = 0.99; m_hat = 0.5, v_hat = 0.25: update 0.1 * 0.5 / (0.5 + 1e-8)
      assert.ok(Math.abs(p.data[0]! - (0.99 - 0.1 * 0.5 / (0.5 + 1e-8))) < 1e-6, `got ${p.data[0]}`);
      assert.ok(Math.abs(p.data[1]! - -2 * 0.99) < 1e-6, 'zero grad: only the decay moves it');
    });
  });

  test(`clipGradNorm scales to maxNorm and returns the norm before (${k.name})`, () => {
    T.withKernels(k, () => {
      const a = T.tensor([0, 0], [2], { requiresGrad: true }), b = T.tensor([0], [1], { requiresGrad: true });
      a.grad = Float32Array.of(3, 0);
      b.grad = Float32Array.of(4);
      assert.ok(Math.abs(clipGradNorm([a, b], 1) - 5) < 1e-6);
      assert.ok(Math.abs(a.grad[0]! - 0.6) < 1e-6 && Math.abs(b.grad[0]! - 0.8) < 1e-6);
      assert.ok(Math.abs(clipGradNorm([a, b], 10) - 1) < 1e-5, 'under the limit: unchanged');
      assert.ok(Math.abs(a.grad[0]! - 0.6) < 1e-6);
    });
  });
}

test('AdamW state round-trips: a restored optimizer continues identically', () => {
  const mk = (): T.Tensor => T.tensor([0.5, -0.3, 0.2], [3], { requiresGrad: true });
  const grads = [[0.1, -0.2, 0.3], [0.05, 0.4, -0.1], [-0.3, 0.1, 0.2]];
  const p1 = mk(), o1 = new AdamW([p1], { lr: 0.01, betas: [0.9, 0.95] });
  for (const g of grads) {
    p1.grad = Float32Array.from(g);
    o1.step();
  }
  const p2 = mk(), o2 = new AdamW([p2], { lr: 0.01, betas: [0.9, 0.95] });
  p2.grad = Float32Array.from(grads[0]!);
  o2.step();
  const p3 = T.tensor(p2.data.slice(), [3], { requiresGrad: true }), o3 = new AdamW([p3], { lr: 0.01, betas: [0.9, 0.95] });
  o3.loadStateDict(o2.stateDict());
  for (const g of grads.slice(1)) {
    p3.grad = Float32Array.from(g);
    o3.step();
  }
  assert.deepEqual([...p3.data], [...p1.data]);
  assert.throws(() => new AdamW([mk(), mk()], { lr: 1 }).loadStateDict(o2.stateDict()), /state has 1 parameters, the optimizer 2/);
});

test('zeroGrad drops grads; parameters without a grad are skipped', () => {
  const p = T.tensor([1], [1], { requiresGrad: true });
  const opt = new AdamW([p], { lr: 0.1 });
  p.grad = Float32Array.of(1);
  opt.zeroGrad();
  assert.equal(p.grad, null);
  opt.step();
  assert.deepEqual([...p.data], [1]);
});

test('lrAt: linear warm-up, then cosine to minLr or constant (HF conventions)', () => {
  const s = { kind: 'cosine' as const, peak: 1, warmupSteps: 10, totalSteps: 110, minLr: 0.1 };
  assert.equal(lrAt(0, s), 0);
  assert.equal(lrAt(5, s), 0.5);
  assert.equal(lrAt(10, s), 1);
  assert.ok(Math.abs(lrAt(60, s) - 0.55) < 1e-12, 'halfway: (peak + minLr) / 2');
  assert.ok(Math.abs(lrAt(110, s) - 0.1) < 1e-12);
  assert.ok(Math.abs(lrAt(500, s) - 0.1) < 1e-12, 'past the end: minLr');
  const c = { kind: 'constant' as const, peak: 2, warmupSteps: 4, totalSteps: 10 };
  assert.equal(lrAt(2, c), 1);
  assert.equal(lrAt(9, c), 2);
  assert.equal(lrAt(3, { ...s, warmupSteps: 0 }), 0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * 3) / 110)));
  assert.throws(() => lrAt(0, { ...c, kind: 'linear' as never }), /kind must be 'cosine' or 'constant'/);
});
