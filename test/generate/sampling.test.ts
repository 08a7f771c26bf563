// sampleRow on hand-made distributions: greedy, temperature, top-k, top-p keep exactly HF's sets, and the
// logprob is the untruncated log-softmax(logits / T) of the chosen token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleRow, checkSampling } from '../../src/generate/sampling.js';
import { Rng } from '../../src/util/rng.js';

const logitsOf = (p: number[]): Float32Array => Float32Array.from(p.map(Math.log));
const scratch = new Float64Array(16);

function counts(p: number[], opts: Parameters<typeof sampleRow>[1], n = 4000): number[] {
  const rng = new Rng(1);
  const c = p.map(() => 0);
  for (let i = 0; i < n; i++) c[sampleRow(logitsOf(p), opts, rng, scratch).id]!++;
  return c;
}

test('greedy picks the argmax; its logprob is the temperature-1 log-softmax', () => {
  const r = sampleRow(logitsOf([0.2, 0.5, 0.3]), { temperature: 0 }, new Rng(0), scratch);
  assert.equal(r.id, 1);
  assert.ok(Math.abs(r.logprob - Math.log(0.5)) < 1e-6);
});

test('top-p keeps the smallest most-likely set reaching p; top-k keeps k; logprobs are untruncated', () => {
  const p = [0.1, 0.5, 0.2, 0.15, 0.05];
  // p = 0.68: 0.5 + 0.2 reaches it → {1, 2}
  const cp = counts(p, { temperature: 1, topP: 0.68 });
  assert.deepEqual(cp.map((c) => c > 0), [false, true, true, false, false]);
  assert.ok(Math.abs(cp[1]! / cp[2]! - 2.5) < 0.3, `ratio ${cp[1]! / cp[2]!}`);
  // p = 0.72 needs a third token (0.15)
  assert.deepEqual(counts(p, { temperature: 1, topP: 0.72 }).map((c) => c > 0), [false, true, true, true, false]);
  assert.deepEqual(counts(p, { temperature: 1, topK: 3 }).map((c) => c > 0), [false, true, true, true, false]);
  // top-k then top-p on the renormalised top-k set: {0.5, 0.2} of 0.7 mass → 0.5/0.7 = 0.714 ≥ 0.7 keeps only token 1
  assert.deepEqual(counts(p, { temperature: 1, topK: 2, topP: 0.7 }).map((c) => c > 0), [false, true, false, false, false]);
  const rng = new Rng(3);
  for (let i = 0; i < 50; i++) {
    const r = sampleRow(logitsOf(p), { temperature: 1, topP: 0.7 }, rng, scratch);
    assert.ok(Math.abs(r.logprob - Math.log(p[r.id]!)) < 1e-6);
  }
});

test('temperature sharpens; its logprob is log-softmax(logits / T)', () => {
  const p = [0.6, 0.4];
  const c = counts(p, { temperature: 0.5 });
  // at T = 0.5 the probabilities become 0.36 : 0.16 → 0.692 : 0.308
  assert.ok(Math.abs(c[0]! / 4000 - 0.692) < 0.03, `freq ${c[0]! / 4000}`);
  const r = sampleRow(logitsOf(p), { temperature: 0.5 }, new Rng(9), scratch);
  const want = Math.log((p[r.id]! ** 2) / (0.36 + 0.16));
  assert.ok(Math.abs(r.logprob - want) < 1e-6);
});

test('bad options name the fix', () => {
  assert.throws(() => checkSampling({ temperature: -1 }), /temperature -1 must be >= 0/);
  assert.throws(() => checkSampling({ temperature: 1, topP: 0 }), /topP 0 must be in \(0, 1\]/);
  assert.throws(() => checkSampling({ temperature: 1, topK: 1.5 }), /topK 1.5/);
});
