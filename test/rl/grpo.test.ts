// Hand-computed checks of the GRPO pure functions (equations 1–3 and the TRL variants).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aggregateLoss, clippedSurrogate, groupAdvantages, informativeGroups, klEstimate, meanStd, perTokenLoss,
  sequenceWeights, truncationMask,
} from '../../src/rl/grpo.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('meanStd uses the sample std (n - 1), as torch.std does', () => {
  const { mean, std } = meanStd([1, 0, 0, 0]);
  close(mean, 0.25);
  close(std, 0.5); // sqrt((0.5625 + 3 * 0.0625) / 3)
  assert.deepEqual(meanStd([3]), { mean: 3, std: 0 });
});

test('equation 3: group advantages, with a zero-std group', () => {
  const r = [1, 0, 0, 0, 1, 1, 1, 1];
  const a = groupAdvantages(r, 4, 'group', 0);
  assert.deepEqual([...a.advantages], [1.5, -0.5, -0.5, -0.5, 0, 0, 0, 0]);
  assert.equal(a.zeroStdFraction, 0.5);
  assert.deepEqual(a.groupStd, [0.5, 0]);
  // the default eps keeps the division finite and slightly shrinks it
  const e = groupAdvantages(r, 4);
  close(e.advantages[0]!, 0.75 / 0.5001);
  assert.equal(e.advantages[4], 0);
});

test('scaleRewards none (Dr. GRPO) only centres; batch divides by the batch std', () => {
  const r = [1, 0, 0, 0, 1, 1, 1, 1];
  assert.deepEqual([...groupAdvantages(r, 4, 'none').advantages], [0.75, -0.25, -0.25, -0.25, 0, 0, 0, 0]);
  // batch: mean 0.625, sum of squares 5·0.375² + 3·0.625² = 1.875, std = sqrt(1.875 / 7)
  const b = groupAdvantages(r, 4, 'batch', 0);
  close(b.advantages[0]!, 0.75 / Math.sqrt(1.875 / 7));
  assert.throws(() => groupAdvantages([1, 2, 3], 2), /groups of 2/);
});

test('dynamic sampling keeps only groups with unequal rewards', () => {
  assert.deepEqual(informativeGroups([1, 1, 0, 1, 0, 0, 0.5, 0.5], 2), [1]);
});

test('equation 1: the clipped surrogate on both sides', () => {
  const up = Math.log(1.5), down = Math.log(0.5);
  // ratio 1.5, A > 0: clipped to 1.2 (high side)
  let s = clippedSurrogate(up, 0, 1, 0.2);
  close(s.ratio, 1.5);
  close(s.objective, 1.2);
  assert.equal(s.clippedHigh, true);
  assert.equal(s.clippedLow, false);
  // ratio 1.5, A < 0: the unclipped term is smaller, no clipping counted
  s = clippedSurrogate(up, 0, -1, 0.2);
  close(s.objective, -1.5);
  assert.equal(s.clippedHigh || s.clippedLow, false);
  // ratio 0.5, A < 0: clipped to 0.8 (low side)
  s = clippedSurrogate(down, 0, -1, 0.2);
  close(s.objective, -0.8);
  assert.equal(s.clippedLow, true);
  // ratio 0.5, A > 0: min picks the ratio, no clip
  s = clippedSurrogate(down, 0, 1, 0.2);
  close(s.objective, 0.5);
  assert.equal(s.clippedLow, false);
  // clip-higher: epsilonHigh 0.28 lets ratio 1.25 through
  close(clippedSurrogate(Math.log(1.25), 0, 1, 0.2, 0.28).objective, 1.25);
  close(clippedSurrogate(Math.log(1.25), 0, 1, 0.2).objective, 1.2);
});

test('equation 2: the KL estimator', () => {
  // π_θ = 0.5, π_ref = 0.25: 0.5 - ln 0.5 - 1
  close(klEstimate(Math.log(0.5), Math.log(0.25)), 0.5 + Math.log(2) - 1);
  assert.equal(klEstimate(-1.3, -1.3), 0);
  assert.ok(klEstimate(-2, -0.1) > 0);
});

test('loss aggregation: grpo, dr_grpo, dapo, with a masked completion', () => {
  const perToken = [[1, 2, 3], [4]];
  close(aggregateLoss(perToken, 'grpo', 4), 3); // (2 + 4) / 2
  close(aggregateLoss(perToken, 'dr_grpo', 4), 1.25); // 10 / (2 · 4)
  close(aggregateLoss(perToken, 'dapo', 4), 2.5); // 10 / 4
  const masked = [false, true];
  close(aggregateLoss(perToken, 'grpo', 4, masked), 1); // (2 + 0) / 2: still two sequences
  close(aggregateLoss(perToken, 'dr_grpo', 4, masked), 0.75);
  close(aggregateLoss(perToken, 'dapo', 4, masked), 2);
  assert.deepEqual([...sequenceWeights([2, 0], 'grpo', 4)], [0.25, 0]);
});

test('truncation mask', () => {
  assert.deepEqual(truncationMask(['stop', 'length'], true), [false, true]);
  assert.deepEqual(truncationMask(['stop', 'length'], false), [false, false]);
});

test('per-token loss: -(surrogate - β·KL), with clip counts', () => {
  const r = perTokenLoss([Math.log(1.5), Math.log(0.5), 0], [0, 0, 0], [0, 0, 0], 1, { epsilon: 0.2, epsilonHigh: 0.2, beta: 0.1 });
  const kl0 = Math.exp(-Math.log(1.5)) + Math.log(1.5) - 1;
  close(r.loss[0]!, -(1.2 - 0.1 * kl0));
  close(r.loss[1]!, -(0.5 - 0.1 * (2 - Math.log(2) - 1)));
  close(r.loss[2]!, -1);
  assert.equal(r.clipHigh, 1);
  assert.equal(r.clipLow, 0);
  const noRef = perTokenLoss([0], [0], null, -2, { epsilon: 0.2, epsilonHigh: 0.2, beta: 0 });
  close(noRef.loss[0]!, 2);
  assert.equal(noRef.klSum, 0);
});
