// The Tensor GRPO loss on a tiny decoder: equals the pure per-token functions aggregated by lossType,
// micro-batches sum to the full batch, and one step's gradient reaches every trainable parameter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { aggregateLoss, perTokenLoss, sequenceWeights, type LossType } from '../../src/rl/grpo.js';
import { completionLogprobs, grpoLoss, pack, type Rollout } from '../../src/rl/loss.js';

function tinyModel(seed = 1): Decoder {
  return new Decoder(makeConfig({ vocab_size: 11, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 1 }), new Rng(seed));
}

function rollouts(model: Decoder, lossType: LossType): Rollout[] {
  const rng = new Rng(7);
  const prompts = [[1, 2, 3], [4, 5], [6, 7, 8, 9]];
  const completions = [[3, 4, 5, 2], [6], [1, 1, 7]];
  const base = prompts.map((p, i) => ({ prompt: p, completion: completions[i]!, oldLogp: new Float32Array(), refLogp: null, advantage: 0, weight: 0 }));
  const lp = completionLogprobs(model, base, 1, 0);
  const w = sequenceWeights(completions.map((c) => c.length), lossType, 5);
  // old logprobs off by a random shift so that ratios land both inside and outside the clip range
  return base.map((r, i) => ({
    ...r,
    oldLogp: lp[i]!.map((x) => x + (rng.next() - 0.5) * 0.8),
    refLogp: lp[i]!.map((x) => x + (rng.next() - 0.5) * 0.4),
    advantage: [1.2, -0.7, 0.4][i]!,
    weight: w[i]!,
  }));
}

test('pack: position t predicts token t+1, completions start at the last prompt position', () => {
  const p = pack([{ prompt: [1, 2], completion: [3, 4], oldLogp: new Float32Array(2), refLogp: null, advantage: 0, weight: 1 },
    { prompt: [5], completion: [6], oldLogp: new Float32Array(1), refLogp: null, advantage: 0, weight: 1 }], 0);
  assert.equal(p.T, 3);
  assert.deepEqual([...p.ids], [1, 2, 3, 5, 6, 0]);
  assert.deepEqual(p.start, [1, 3]);
  assert.deepEqual([...p.targets], [-1, 3, 4, 6, -1, -1]);
});

for (const lossType of ['grpo', 'dr_grpo', 'dapo'] as const) {
  test(`Tensor loss equals the pure functions (${lossType}, β = 0.05)`, () => {
    const model = tinyModel();
    const rs = rollouts(model, lossType);
    const o = { epsilon: 0.2, epsilonHigh: 0.28, beta: 0.05, temperature: 1, padId: 0 };
    const { loss, stats } = grpoLoss(model, rs, o);
    const lp = completionLogprobs(model, rs, 1, 0);
    const per = rs.map((r, i) => perTokenLoss(lp[i]!, r.oldLogp, r.refLogp, r.advantage, o));
    const expected = aggregateLoss(per.map((p) => p.loss), lossType, 5);
    assert.ok(Math.abs(loss.item() - expected) < 1e-5, `${loss.item()} vs ${expected}`);
    assert.equal(stats.tokens, 8);
    assert.equal(stats.clipLow + stats.clipHigh, per.reduce((s, p) => s + p.clipLow + p.clipHigh, 0));
    assert.ok(stats.clipLow + stats.clipHigh > 0, 'the test should exercise clipping');
    assert.ok(Math.abs(stats.klSum - per.reduce((s, p) => s + p.klSum, 0)) < 1e-5);
  });
}

test('micro-batches sum to the full-batch gradient; every parameter gets a gradient', () => {
  const model = tinyModel();
  const rs = rollouts(model, 'grpo');
  const o = { epsilon: 0.2, epsilonHigh: 0.2, beta: 0.05, temperature: 0.7, padId: 0 };
  const params = model.parameters();
  for (const p of params) p.grad = null;
  grpoLoss(model, rs, o).loss.backward();
  const full = params.map((p) => Float32Array.from(p.grad!));
  for (const p of params) p.grad = null;
  grpoLoss(model, rs.slice(0, 1), o).loss.backward();
  grpoLoss(model, rs.slice(1), o).loss.backward();
  params.forEach((p, i) => {
    let maxDiff = 0, norm = 0;
    for (let j = 0; j < p.size; j++) {
      maxDiff = Math.max(maxDiff, Math.abs(p.grad![j]! - full[i]![j]!));
      norm += Math.abs(full[i]![j]!);
    }
    assert.ok(maxDiff < 1e-6, `param ${i}: micro-batch grads differ by ${maxDiff}`);
    assert.ok(norm > 0, `param ${i} got no gradient`);
  });
});

test('masked completions (weight 0) contribute nothing', () => {
  const model = tinyModel();
  const rs = rollouts(model, 'grpo').map((r, i) => (i === 1 ? { ...r, weight: 0 } : r));
  const o = { epsilon: 0.2, epsilonHigh: 0.2, beta: 0, temperature: 1, padId: 0 };
  const all = grpoLoss(model, rs, o).loss.item();
  const without = grpoLoss(model, [rs[0]!, rs[2]!], o).loss.item();
  assert.ok(Math.abs(all - without) < 1e-6);
});
