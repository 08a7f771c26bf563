// lmHeadLogprob (chunked lm_head + log-softmax + gather, and entropy) against PyTorch (test/fixtures/lmhead, written by
// scripts/ref/lmhead_fixture.py) and against the unchunked path (linear → scale → logprobOfTargets) at every chunk size;
// activation checkpointing (checkpoint / Decoder.gradientCheckpointing) gives the same gradients as the plain tape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as T from '../../src/tensor/index.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { Rng } from '../../src/util/rng.js';

interface Fx { N: number; C: number; V: number; temperature: number; hidden: number[]; weight: number[]; targets: number[]; gout: number[];
  logp: number[]; entropy: number[]; dhidden: number[]; dweight: number[] }
const fx = JSON.parse(readFileSync(new URL('../fixtures/lmhead/lmhead.json', import.meta.url), 'utf8')) as Fx;

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Runs the op on the fixture's inputs; returns logp, entropy and both gradients of sum(logp * gout). */
function run(chunkRows: number | undefined) {
  const h = T.tensor(Float32Array.from(fx.hidden), [fx.N, fx.C], { requiresGrad: true });
  const w = T.tensor(Float32Array.from(fx.weight), [fx.V, fx.C], { requiresGrad: true });
  const { logp, entropy } = T.lmHeadLogprob(h, w, Int32Array.from(fx.targets), { temperature: fx.temperature, chunkRows, entropy: true });
  T.sum(T.mul(logp, T.tensor(Float32Array.from(fx.gout), [fx.N]))).backward();
  return { logp: logp.data, entropy: entropy!, dh: h.grad!, dw: w.grad! };
}

for (const chunkRows of [1, 2, 4, undefined]) {
  test(`lmHeadLogprob matches PyTorch (chunkRows ${chunkRows ?? 'default'}): logp, entropy, dhidden, dweight`, () => {
    const r = run(chunkRows);
    const d = { logp: maxDiff(r.logp, fx.logp), entropy: maxDiff(r.entropy, fx.entropy), dh: maxDiff(r.dh, fx.dhidden), dw: maxDiff(r.dw, fx.dweight) };
    console.log(`chunkRows ${chunkRows ?? 'default'}: max |diff| ${JSON.stringify(d)}`);
    for (const [k, v] of Object.entries(d)) assert.ok(v < 2e-5, `${k} differs by ${v}`);
    for (const i of [0, 4, 8]) { // unscored rows: 0, and no gradient into their hidden state
      assert.equal(r.logp[i], 0);
      assert.equal(r.entropy[i], 0);
      for (let c = 0; c < fx.C; c++) assert.equal(r.dh[i * fx.C + c], 0);
    }
  });
}

test('lmHeadLogprob equals the unchunked path: logprobOfTargets(linear(h, W) / τ) (values bit-identical, grads within 1e-6)', () => {
  const h = T.tensor(Float32Array.from(fx.hidden), [fx.N, fx.C], { requiresGrad: true });
  const w = T.tensor(Float32Array.from(fx.weight), [fx.V, fx.C], { requiresGrad: true });
  const lp = T.logprobOfTargets(T.mul(T.linear(h, w), 1 / fx.temperature), Int32Array.from(fx.targets));
  T.sum(T.mul(lp, T.tensor(Float32Array.from(fx.gout), [fx.N]))).backward();
  const r = run(3);
  for (let i = 0; i < fx.N; i++) if (fx.targets[i]! >= 0) assert.equal(r.logp[i], lp.data[i], `row ${i}`);
  assert.ok(maxDiff(r.dh, h.grad!) < 1e-6, `dh ${maxDiff(r.dh, h.grad!)}`);
  assert.ok(maxDiff(r.dw, w.grad!) < 1e-6, `dw ${maxDiff(r.dw, w.grad!)}`);
});

test('lmHeadObjective: PyTorch\'s gradients for a linear term; for any per-row term, autograd through lmHeadLogprob, scaled and accumulated', () => {
  const targets = Int32Array.from(fx.targets);
  for (const chunkRows of [1, 3, undefined]) { // Σ gout · logp, the fixture's loss
    const h = T.tensor(Float32Array.from(fx.hidden), [fx.N, fx.C], { requiresGrad: true });
    const w = T.tensor(Float32Array.from(fx.weight), [fx.V, fx.C], { requiresGrad: true });
    const { objective, logp, entropy } = T.lmHeadObjective(h, w, targets, (r, lp) => ({ value: fx.gout[r]! * lp, slope: fx.gout[r]! }),
      { temperature: fx.temperature, chunkRows, entropy: true });
    objective.backward();
    let want = 0;
    fx.targets.forEach((t, r) => { if (t >= 0) want += fx.gout[r]! * fx.logp[r]!; });
    assert.ok(Math.abs(objective.item() - want) < 1e-4, `value ${objective.item()} vs ${want}`);
    for (const [name, got, ref] of [['logp', logp, fx.logp], ['entropy', entropy!, fx.entropy], ['dh', h.grad!, fx.dhidden], ['dw', w.grad!, fx.dweight]] as const) {
      assert.ok(maxDiff(got, ref) < 2e-5, `chunkRows ${chunkRows}: ${name} differs by ${maxDiff(got, ref)}`);
    }
  }
  // a nonlinear term, the objective times 3 downstream, onto gradients already there (two micro-batches)
  const term = (r: number, lp: number) => ({ value: Math.exp(lp) * (r % 3 - 1), slope: Math.exp(lp) * (r % 3 - 1) });
  const grads = (fused: boolean) => {
    const h = T.tensor(Float32Array.from(fx.hidden), [fx.N, fx.C], { requiresGrad: true });
    const w = T.tensor(Float32Array.from(fx.weight), [fx.V, fx.C], { requiresGrad: true });
    for (let pass = 0; pass < 2; pass++) {
      if (fused) T.mul(T.lmHeadObjective(h, w, targets, term, { temperature: fx.temperature, chunkRows: 2 }).objective, 3).backward();
      else {
        const { logp } = T.lmHeadLogprob(h, w, targets, { temperature: fx.temperature, chunkRows: 2 });
        const c = Float32Array.from({ length: fx.N }, (_, r) => r % 3 - 1);
        T.mul(T.sum(T.mul(T.exp(logp), T.tensor(c, [fx.N]))), 3).backward(); // unscored rows: exp(0) · c, no gradient
      }
    }
    return [h.grad!, w.grad!];
  };
  const [a, b] = [grads(true), grads(false)];
  for (let i = 0; i < 2; i++) assert.ok(maxDiff(a[i]!, b[i]!) < 1e-5, `${['dh', 'dw'][i]} differs by ${maxDiff(a[i]!, b[i]!)}`);
  const h = T.tensor(Float32Array.from(fx.hidden), [fx.N, fx.C], { requiresGrad: true });
  const none = T.noGrad(() => T.lmHeadObjective(h, T.tensor(Float32Array.from(fx.weight), [fx.V, fx.C]), targets, term).objective);
  assert.equal(none.requiresGrad, false, 'without the tape: the value alone');
});

test('lmHeadLogprob: a target outside the vocabulary and a weight of the wrong width are refused by name', () => {
  const h = T.zeros([2, 4]), w = T.zeros([5, 4]);
  assert.throws(() => T.lmHeadLogprob(h, w, Int32Array.of(0, 5)), /target 5 at row 1 is outside \[0, 5\)/);
  assert.throws(() => T.lmHeadLogprob(h, T.zeros([5, 3]), Int32Array.of(0, 1)), /needs weight \(V, 4\)/);
});

function decoderGrads(ckpt: boolean, tied: boolean): Float32Array[] {
  const m = new Decoder(makeConfig({ vocab_size: 37, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 3, num_attention_heads: 4,
    num_key_value_heads: 2, model_type: 'qwen2', tie_word_embeddings: tied }), new Rng(3));
  m.gradientCheckpointing = ckpt;
  const B = 2, T_ = 5;
  const ids = Int32Array.from({ length: B * T_ }, (_, i) => (i * 7) % 37);
  const targets = Int32Array.from({ length: B * T_ }, (_, i) => (i % 5 === 0 ? -1 : (i * 3) % 37));
  T.tidy(() => {
    const { logp } = T.lmHeadLogprob(m.hidden(ids, B, T_), m.outputWeight(), targets, { chunkRows: 3 });
    T.neg(T.sum(logp)).backward();
  });
  return m.parameters().map((p) => p.grad!.slice());
}

for (const tied of [true, false]) {
  test(`gradient checkpointing: every parameter's gradient bit-identical to the plain tape (tied embeddings ${tied})`, () => {
    const a = decoderGrads(false, tied), b = decoderGrads(true, tied);
    assert.equal(a.length, b.length);
    a.forEach((g, i) => assert.deepEqual(b[i], g, `parameter ${i}`));
  });
}

test('checkpoint: without the tape it is the function itself; with it, x and the params get the plain gradients', () => {
  const x = T.tensor([0.5, -1, 2, 0.25], [2, 2], { requiresGrad: true });
  const w = T.tensor([1, 2, 3, 4], [2, 2], { requiresGrad: true });
  const f = (xi: T.Tensor) => T.mul(T.silu(T.linear(xi, w)), xi);
  T.sum(f(x)).backward();
  const gx = x.grad!.slice(), gw = w.grad!.slice();
  x.grad = null; w.grad = null;
  T.sum(T.checkpoint(f, x, [w])).backward();
  assert.deepEqual(x.grad, gx);
  assert.deepEqual(w.grad, gw);
  assert.equal(T.noGrad(() => T.checkpoint(f, x, [w])).node, null);
});

test('lmHeadLogprob in the bf16 matmul precision: BF16 products, the same values as the unchunked bf16 path', () => {
  {
    const h = T.tensor(Float32Array.from(fx.hidden), [fx.N, fx.C]);
    const w = T.tensor(Float32Array.from(fx.weight), [fx.V, fx.C]);
    const t = Int32Array.from(fx.targets);
    const lp = T.logprobOfTargets(T.mul(T.linear(h, w, null, 'bf16'), 1 / fx.temperature), t);
    const ours = T.lmHeadLogprob(h, w, t, { temperature: fx.temperature, chunkRows: 2, precision: 'bf16' }).logp;
    for (let i = 0; i < fx.N; i++) if (t[i]! >= 0) assert.equal(ours.data[i], lp.data[i], `row ${i}`);
    assert.ok(maxDiff(ours.data, fx.logp) > 1e-5, 'BF16 products differ from the FP32 reference'); // the precision took effect
  }
});
