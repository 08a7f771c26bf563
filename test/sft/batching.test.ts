import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';
import { makeBatch, bucketBatches, IGNORE } from '../../src/sft/batching.js';

test('makeBatch right-pads and masks targets before lossFrom and on padding', () => {
  const b = makeBatch([{ ids: [1, 2, 3, 4], lossFrom: 2 }, { ids: [5, 6], lossFrom: 1 }], 0);
  assert.equal(b.B, 2);
  assert.equal(b.T, 3);
  assert.deepEqual([...b.ids], [1, 2, 3, 5, 0, 0]);
  // row 0: predicting ids[1]=2 is prompt (masked), 3 and 4 count; row 1: 6 counts, padding masked
  assert.deepEqual([...b.targets], [IGNORE, 3, 4, 6, IGNORE, IGNORE]);
  assert.equal(b.tokens, 3);
});

test('bucketBatches puts every sequence in one batch and groups by length', () => {
  const rng = new Rng(1);
  const seqs = Array.from({ length: 100 }, (_, i) => ({ ids: Array.from({ length: 2 + (i * 7) % 40 }, (_, k) => k + 1), lossFrom: 1 }));
  const batches = bucketBatches(seqs, { batchSize: 8, padId: 0, rng });
  assert.equal(batches.reduce((s, b) => s + b.B, 0), 100);
  assert.equal(batches.reduce((s, b) => s + b.tokens, 0), seqs.reduce((s, q) => s + q.ids.length - 1, 0));
  const padded = batches.reduce((s, b) => s + b.B * b.T, 0);
  const real = seqs.reduce((s, q) => s + q.ids.length - 1, 0);
  assert.ok(padded / real < 1.1, `padding overhead ${padded / real}`);
  const capped = bucketBatches(seqs, { batchSize: 64, maxTokens: 200, padId: 0, rng });
  assert.ok(capped.every((b) => b.B === 1 || b.B * (b.T + 1) <= 200));
});
