// TRL's off-policy correction of server-sampled tokens, hand-computed: Δ = trainer − sampler logprob, the ratio per
// sequence (exp ΣΔ) or token (exp Δ), masked (0) or truncated (cap) above the cap; and the loss multiplies it in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correctionMetrics, correctionWeights, emptyCorrectionStats } from '../../src/rl/correction.js';
import { grpoLoss, type Rollout } from '../../src/rl/loss.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { Rng } from '../../src/util/rng.js';

const close = (a: ArrayLike<number>, b: number[], what: string) => b.forEach((x, i) => assert.ok(Math.abs(a[i]! - x) < 1e-6, `${what}[${i}]: ${a[i]} vs ${x}`));

test('token ratios: exp(Δ) per token, above the cap masked to 0 or truncated to the cap', () => {
  const trainer = [-1, -2, -0.5], sampler = [-1.5, -2, -2]; // Δ = 0.5, 0, 1.5 → ρ = 1.6487, 1, 4.4817
  const s = emptyCorrectionStats();
  close(correctionWeights(trainer, sampler, 'token_mask', 3, s), [Math.exp(0.5), 1, 0], 'token_mask');
  assert.deepEqual({ masked: s.masked, tokens: s.tokens }, { masked: 1, tokens: 3 });
  assert.ok(Math.abs(s.absDiffSum - 2) < 1e-12); // |0.5| + 0 + |1.5|
  close(correctionWeights(trainer, sampler, 'token_truncate', 3), [Math.exp(0.5), 1, 3], 'token_truncate');
  // effective sample size of the weights e^0.5, 1, 0 as a share of the 3 tokens: (Σw)² / (3 Σw²)
  const w = [Math.exp(0.5), 1, 0];
  const ess = w.reduce((a, b) => a + b) ** 2 / (3 * w.reduce((a, b) => a + b * b, 0)); // = 0.6466…
  assert.ok(Math.abs(correctionMetrics(s)['offpolicy/ess_fraction']! - ess) < 1e-6);
  const even = emptyCorrectionStats();
  correctionWeights([-1, -2], [-1, -2], 'token_mask', 3, even);
  assert.equal(correctionMetrics(even)['offpolicy/ess_fraction'], 1, 'equal weights: every token counts');
});

test('sequence ratios: exp(ΣΔ) shared by every token; the whole sequence masked or truncated', () => {
  const trainer = [-1, -1], sampler = [-1.2, -1.3]; // ΣΔ = 0.5 → ρ = 1.6487 for both tokens
  close(correctionWeights(trainer, sampler, 'sequence_mask', 3), [Math.exp(0.5), Math.exp(0.5)], 'under the cap');
  const far = [-0.1, -0.1], s = emptyCorrectionStats(); // Δ = 1.1, 1.2: ΣΔ = 2.3 → ρ = 9.97 > 3
  close(correctionWeights(far, sampler, 'sequence_mask', 3, s), [0, 0], 'sequence_mask');
  close(correctionWeights(far, sampler, 'sequence_truncate', 3), [3, 3], 'sequence_truncate');
  const m = correctionMetrics(s);
  assert.equal(m['offpolicy/masked_fraction'], 1);
  assert.ok(Math.abs(m['offpolicy/abs_logp_diff']! - 1.15) < 1e-9); // (1.1 + 1.2) / 2
  assert.equal(m['offpolicy/is_ratio_mean'], 0);
  assert.equal(m['offpolicy/ess_fraction'], 0, 'every token masked: nothing left to learn from');
});

test('the loss multiplies each token\'s surrogate by its weight: weight 0 removes the token, weight 2 doubles it', () => {
  const model = new Decoder(makeConfig({ vocab_size: 5, hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 2 }), new Rng(1));
  const base: Rollout = { prompt: [1, 2], completion: [3, 4], oldLogp: new Float32Array([-1.5, -1.7]), refLogp: null, advantage: 1, weight: 0.5 };
  const o = { epsilon: 0.2, epsilonHigh: 0.2, beta: 0, temperature: 1, padId: 0 };
  const loss = (r: Rollout) => grpoLoss(model, [r], o).loss.item();
  const plain = loss(base);
  const first = loss({ ...base, completion: [3], oldLogp: base.oldLogp.slice(0, 1) });
  assert.ok(Math.abs(loss({ ...base, isWeight: new Float32Array([1, 1]) }) - plain) < 1e-6, 'weight 1: unchanged');
  // masking token 2 leaves token 1's term, which is the loss of the one-token completion
  assert.ok(Math.abs(loss({ ...base, isWeight: new Float32Array([1, 0]) }) - first) < 1e-6);
  assert.ok(Math.abs(loss({ ...base, isWeight: new Float32Array([2, 2]) }) - 2 * plain) < 1e-6);
});
