// The matmul precision is the model's, not the process's (issue 24): loadCheckpoint sets it, two models in different
// precisions forward side by side, and the KV-cached sampler follows the model it samples. On the qwen2-tiny fixture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/model/checkpoint.js';
import { generate } from '../../src/generate/index.js';
import { Rng } from '../../src/util/rng.js';
import { noGrad } from '../../src/tensor/index.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'model', 'qwen2-tiny');
const ids = Int32Array.from([1, 5, 9, 14, 3, 7]);

test('a bf16 model and an fp32 model forward side by side, each in its own precision', async () => {
  const fp = (await loadCheckpoint(DIR)).model, bf = (await loadCheckpoint(DIR, 'bf16')).model, fp2 = (await loadCheckpoint(DIR, 'fp32')).model;
  assert.equal(fp.precision, 'fp32', 'fp32 unless asked');
  assert.equal(bf.precision, 'bf16');
  const logits = (m: typeof fp) => noGrad(() => m.forward(ids, 1, ids.length)).data.slice();
  const a = logits(fp), b = logits(bf), c = logits(fp2); // bf16 runs between the two fp32 forwards
  assert.deepEqual(c, a, 'the fp32 model is untouched by a bf16 model used before it');
  let worst = 0;
  a.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - b[i]!)); });
  assert.ok(worst > 0, 'BF16 products change the logits');
  assert.ok(worst < 0.05, `bf16 vs fp32 logits differ by ${worst}`);
});

test('the KV-cached sampler runs in the precision of the model it samples', async () => {
  const fp = (await loadCheckpoint(DIR)).model, bf = (await loadCheckpoint(DIR, 'bf16')).model;
  const sample = (m: typeof fp) => generate(m, [[1, 5, 9]], { maxNewTokens: 4, temperature: 0, rng: new Rng(1), eosIds: [] })[0]!.logprobs;
  const lpFp = sample(fp), lpBf = sample(bf);
  assert.notDeepEqual(Array.from(lpBf), Array.from(lpFp), 'the bf16 model samples with BF16 products');
  bf.precision = 'fp32'; // the same weights, switched back: the fp32 sampler's logprobs exactly
  assert.deepEqual(Array.from(sample(bf)), Array.from(lpFp));
});
