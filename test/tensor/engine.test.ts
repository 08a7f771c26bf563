// Behaviour of the tape and the engine context: noGrad, grad accumulation, the tape freed after backward,
// reshape as a view, errors that name the op and the shapes, and the NaN/Inf check mode (forward and backward).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';

test('noGrad records nothing and restores the flag, even after a throw', () => {
  const x = T.tensor([1, 2], [2], { requiresGrad: true });
  const y = T.noGrad(() => {
    assert.equal(T.isGradEnabled(), false);
    return T.mul(x, 3);
  });
  assert.equal(y.requiresGrad, false);
  assert.equal(T.isGradEnabled(), true);
  assert.throws(() => T.noGrad(() => { throw new Error('boom'); }), /boom/);
  assert.equal(T.isGradEnabled(), true);
  assert.equal(T.mul(x, 3).requiresGrad, true);
});

test('grads accumulate across backward passes; a used input feeds both paths', () => {
  const x = T.tensor([2], [1], { requiresGrad: true });
  T.sum(T.mul(x, x)).backward(); // d(x^2) = 2x = 4
  T.sum(T.mul(x, 3)).backward(); // + 3
  assert.deepEqual([...x.grad!], [7]);
});

test('the tape is freed by backward: a second backward through it is an error', () => {
  const x = T.tensor([1, 2, 3], [3], { requiresGrad: true });
  const h = T.exp(x);
  const loss = T.sum(h);
  loss.backward();
  assert.equal(h.node?.op, 'freed', 'the node (closure, parents) is replaced by the freed marker');
  assert.equal(h.grad, null, 'intermediate grads are dropped');
  assert.throws(() => loss.backward(), /already freed/);
  assert.throws(() => T.sum(T.mul(h, 2)).backward(), /already freed/);
});

test('reshape is a view and its grad flows back unchanged', () => {
  const x = T.tensor([1, 2, 3, 4, 5, 6], [2, 3], { requiresGrad: true });
  const y = T.reshape(x, [3, -1]);
  assert.deepEqual(y.shape, [3, 2]);
  assert.equal(y.data, x.data);
  T.sum(T.mul(y, T.tensor([1, 2], [2]))).backward();
  assert.deepEqual([...x.grad!], [1, 2, 1, 2, 1, 2]);
  assert.throws(() => T.reshape(x, [4, -1]), /reshape: cannot reshape \[2, 3\].*\[4, -1\]/);
});

test('shape mismatches name the op and both shapes', () => {
  const a = T.zeros([2, 3]), b = T.zeros([4]);
  assert.throws(() => T.add(a, b), /add: shapes \[2, 3\] and \[4\] do not broadcast/);
  assert.throws(() => T.matmul(a, T.zeros([4, 5])), /matmul: a \[2, 3\] and b \[4, 5\]: inner dims differ/);
  assert.throws(() => T.linear(a, T.zeros([5, 4])), /linear: x \[2, 3\] needs weight \(out, 3\), got weight \[5, 4\]/);
  assert.throws(() => T.swiglu(a, T.zeros([3, 2])), /swiglu: gate \[2, 3\] and up \[3, 2\]/);
  assert.throws(() => T.rmsnorm(a, T.zeros([4]), 1e-6), /rmsnorm: x \[2, 3\] needs weight \(3\)/);
  assert.throws(() => T.attention(T.zeros([1, 2, 3, 4]), T.zeros([1, 2, 2, 4]), T.zeros([1, 2, 2, 4]), { causal: true }), /3 query heads is not a multiple of 2/);
  assert.throws(() => T.embedding(T.zeros([5, 2]), Int32Array.of(1, 7), [2]), /id 7 at position 1 is outside the vocabulary \[0, 5\)/);
  assert.throws(() => T.crossEntropy(T.zeros([2, 5]), Int32Array.of(1, 5)), /crossEntropy: target 5 at position 1/);
  assert.throws(() => T.sum(a, 2), /sum: axis 2 out of range for shape \[2, 3\]/);
});

test('NaN/Inf check mode names the op, in forward and in backward', () => {
  const prev = T.setCheckNan(true);
  try {
    assert.throws(() => T.log(T.tensor([1, -1], [2])), /log: produced NaN at flat index 1 \(inputs of shapes \[2\]\)/);
    const x = T.tensor([1e-30], [1], { requiresGrad: true });
    const z = T.tensor([1e-30], [1], { requiresGrad: true });
    const loss = T.sum(T.mul(T.div(x, z), 1e10)); // forward 1e10, backward 1e10 / 1e-30 overflows float32
    assert.throws(() => loss.backward(), /backward of div: produced Infinity/);
  } finally {
    T.setCheckNan(prev);
  }
  assert.doesNotThrow(() => T.log(T.tensor([-1], [1])), 'off again: NaN passes silently');
});

test('backward needs a scalar that requires grad', () => {
  assert.throws(() => T.exp(T.tensor([1, 2], [2], { requiresGrad: true })).backward(), /needs a scalar, got shape \[2\]/);
  assert.throws(() => T.sum(T.tensor([1], [1])).backward(), /does not require grad/);
});

test('crossEntropy ignores ignoreIndex targets and gives 0 when all are ignored', () => {
  const logits = T.tensor([0, 0, 0, 0, 10, 0], [2, 3], { requiresGrad: true });
  const l = T.crossEntropy(logits, Int32Array.of(-100, 1));
  assert.ok(Math.abs(l.item() - (-Math.log(Math.exp(10) / (Math.exp(10) + 2)))) < 1e-6);
  const all = T.crossEntropy(logits, Int32Array.of(-100, -100));
  assert.equal(all.item(), 0);
  all.backward();
  assert.ok(logits.grad!.every((v) => v === 0));
});
