// GSPO sequence-level importance ratios and CISPO clipped importance weights: hand-computed values of the pure
// functions, the Tensor loss equal to them for every lossType × importanceSamplingLevel, and the gradients each
// variant promises (GSPO: through the sequence ratio; CISPO: the weight held constant, only log π carries it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { logprobOfTargets, mul, neg, sum, tensor } from '../../src/tensor/index.js';
import {
  IMPORTANCE_SAMPLING_LEVELS, LOSS_TYPES, aggregateLoss, cispoSurrogate, logImportanceRatios, perTokenLoss, sequenceWeights,
  type ImportanceSamplingLevel, type LossType,
} from '../../src/rl/grpo.js';
import { completionLogprobs, grpoLoss, pack, type Rollout } from '../../src/rl/loss.js';
import { resolveConfig } from '../../src/rl/config.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('log importance ratios: per token, or every token the sequence mean (GSPO)', () => {
  assert.deepEqual([...logImportanceRatios([-1, -2], [-1.5, -1.5], 'token')], [0.5, -0.5]);
  assert.deepEqual([...logImportanceRatios([-1, -2], [-1.5, -1.5], 'sequence')], [0, 0]);
  // log s = (0.3 + 0.1 + (-0.1)) / 3 = 0.1
  const s = logImportanceRatios([-0.7, -0.9, -1.1], [-1, -1, -1], 'sequence');
  for (const x of s) close(x, 0.1, 1e-12);
  assert.equal(logImportanceRatios([], [], 'sequence').length, 0);
});

test('GSPO: opposite token ratios cancel in the sequence ratio; the whole sequence clips together', () => {
  const o = { epsilon: 0.2, epsilonHigh: 0.2, beta: 0 };
  // token level: ratios e^0.5 = 1.6487 (clipped to 1.2) and e^-0.5 = 0.6065 (min keeps it, A > 0)
  const tok = perTokenLoss([-1, -2], [-1.5, -1.5], null, 1, { ...o, importanceSamplingLevel: 'token' });
  close(tok.loss[0]!, -1.2);
  close(tok.loss[1]!, -Math.exp(-0.5));
  assert.equal(tok.clipHigh, 1);
  // sequence level: s = exp(mean(0.5, -0.5)) = 1 for both tokens, nothing clipped
  const seq = perTokenLoss([-1, -2], [-1.5, -1.5], null, 1, { ...o, importanceSamplingLevel: 'sequence' });
  assert.deepEqual([...seq.loss], [-1, -1]);
  assert.equal(seq.clipHigh, 0);
  // s = exp((0.3 + 0.1) / 2) = e^0.2 = 1.2214 > 1.2: both tokens clipped (token level clips only the first, e^0.3)
  const hi = perTokenLoss([-0.7, -0.9], [-1, -1], null, 1, { ...o, importanceSamplingLevel: 'sequence' });
  assert.deepEqual([...hi.loss].map((x) => Math.round(x * 1e9) / 1e9), [-1.2, -1.2]);
  assert.equal(hi.clipHigh, 2);
  assert.equal(perTokenLoss([-0.7, -0.9], [-1, -1], null, 1, o).clipHigh, 1);
  // A < 0 and s = e^-0.3 = 0.7408 < 0.8: clipped on the low side, objective 0.8 · (-2) per token
  const lo = perTokenLoss([-1.3, -1.3], [-1, -1], null, -2, { ...o, importanceSamplingLevel: 'sequence' });
  close(lo.loss[0]!, 1.6);
  assert.equal(lo.clipLow, 2);
});

test('CISPO: the weight min(ρ, 1 + εHigh) times A times log π; no lower bound', () => {
  // ρ = 1.5, εHigh 0.28: weight 1.28; A = 2, log π = -0.5: objective 1.28 · 2 · (-0.5) = -1.28
  const hi = cispoSurrogate(-0.5, 1.5, 2, 0.28);
  close(hi.weight, 1.28);
  close(hi.objective, -1.28);
  assert.equal(hi.clippedHigh, true);
  // ρ = 0.5, A = -1, log π = -1: weight 0.5 (equation 1 would clip to 0.8 and pass no gradient), objective 0.5
  const lo = cispoSurrogate(-1, 0.5, -1, 0.28);
  close(lo.weight, 0.5);
  close(lo.objective, 0.5);
  assert.equal(lo.clippedHigh, false);
  // through perTokenLoss: the ratio comes from logp - oldLogp, the loss is minus the objective
  const r = perTokenLoss([-0.5, -1], [-0.5 - Math.log(1.5), -1 - Math.log(0.5)], null, 2, { epsilon: 0.2, epsilonHigh: 0.28, beta: 0, lossType: 'cispo' });
  close(r.loss[0]!, 1.28, 1e-12);
  close(r.loss[1]!, 0.5 * 2 * 1, 1e-12);
  assert.equal(r.clipHigh, 1);
  assert.equal(r.clipLow, 0);
  // CISPO aggregates like DAPO: every token of the batch weighs 1 / Σ|o_i|
  assert.deepEqual([...sequenceWeights([2, 3, 0], 'cispo', 8)], [0.2, 0.2, 0]);
  assert.deepEqual([...sequenceWeights([2, 3, 0], 'cispo', 8)], [...sequenceWeights([2, 3, 0], 'dapo', 8)]);
});

test('config: importanceSamplingLevel and lossType cispo are options, validated', () => {
  const base = { model: 'm', out: 'o', world: 'addition' };
  assert.equal(resolveConfig(base).importanceSamplingLevel, 'token');
  const c = resolveConfig(base, { importanceSamplingLevel: 'sequence', lossType: 'cispo' });
  assert.equal(c.importanceSamplingLevel, 'sequence');
  assert.equal(c.lossType, 'cispo');
  assert.throws(() => resolveConfig(base, { importanceSamplingLevel: 'seq' }), /importanceSamplingLevel must be one of token, sequence/);
  assert.throws(() => resolveConfig(base, { lossType: 'ppo' }), /lossType must be one of grpo, dr_grpo, dapo, cispo/);
});

function tinyModel(seed = 1): Decoder {
  return new Decoder(makeConfig({ vocab_size: 11, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 1 }), new Rng(seed));
}

function rollouts(model: Decoder, lossType: LossType, spread = 0.8): Rollout[] {
  const rng = new Rng(7);
  const prompts = [[1, 2, 3], [4, 5], [6, 7, 8, 9], [2, 2]];
  const completions = [[3, 4, 5, 2], [6], [1, 1, 7], [9, 8]];
  const base = prompts.map((p, i) => ({ prompt: p, completion: completions[i]!, oldLogp: new Float32Array(), refLogp: null, advantage: 0, weight: 0 }));
  const lp = completionLogprobs(model, base, 1, 0);
  const w = sequenceWeights(completions.map((c) => c.length), lossType, 5);
  return base.map((r, i) => ({
    ...r,
    oldLogp: lp[i]!.map((x) => x + (rng.next() - 0.5) * spread),
    refLogp: lp[i]!.map((x) => x + (rng.next() - 0.5) * 0.4),
    advantage: [1.2, -0.7, 0.4, -1.1][i]!,
    weight: w[i]!,
  }));
}

for (const lossType of LOSS_TYPES) {
  for (const level of IMPORTANCE_SAMPLING_LEVELS) {
    test(`Tensor loss equals the pure functions (${lossType}, ${level}, β = 0.05)`, () => {
      const model = tinyModel();
      const rs = rollouts(model, lossType);
      const o = { epsilon: 0.2, epsilonHigh: 0.28, beta: 0.05, temperature: 1, padId: 0, lossType, importanceSamplingLevel: level };
      const { loss, stats } = grpoLoss(model, rs, o);
      const lp = completionLogprobs(model, rs, 1, 0);
      const per = rs.map((r, i) => perTokenLoss(lp[i]!, r.oldLogp, r.refLogp, r.advantage, o));
      const expected = aggregateLoss(per.map((p) => p.loss), lossType, 5);
      assert.ok(Math.abs(loss.item() - expected) < 1e-5, `${loss.item()} vs ${expected}`);
      assert.equal(stats.tokens, 10);
      assert.equal(stats.clipLow, per.reduce((s, p) => s + p.clipLow, 0));
      assert.equal(stats.clipHigh, per.reduce((s, p) => s + p.clipHigh, 0));
    });
  }
}

function gradsOfLoss(model: Decoder, rs: Rollout[], lossType: LossType, level: ImportanceSamplingLevel): Float32Array[] {
  const params = model.parameters();
  for (const q of params) q.grad = null;
  grpoLoss(model, rs, { epsilon: 0.2, epsilonHigh: 0.28, beta: 0, temperature: 1, padId: 0, lossType, importanceSamplingLevel: level }).loss.backward();
  return params.map((q) => Float32Array.from(q.grad!));
}

function assertSameGrads(a: Float32Array[], b: Float32Array[]): void {
  let maxDiff = 0, norm = 0;
  a.forEach((g, i) => g.forEach((x, j) => { maxDiff = Math.max(maxDiff, Math.abs(x - b[i]![j]!)); norm = Math.max(norm, Math.abs(x)); }));
  assert.ok(norm > 1e-4, 'the gradient should not vanish');
  assert.ok(maxDiff < 1e-5 * Math.max(1, norm), `gradients differ by ${maxDiff} (largest ${norm})`);
}

test('CISPO gradient: w_i · min(ρ, 1 + εHigh) · A · ∇log π, the ratio held constant, clipped tokens included', () => {
  const model = tinyModel();
  const rs = rollouts(model, 'cispo', 1.6);
  const lp = completionLogprobs(model, rs, 1, 0);
  let capped = 0;
  const expected = gradsOfWeightedLogp(model, rs, (b, j) => {
    const rho = Math.exp(lp[b]![j]! - rs[b]!.oldLogp[j]!);
    if (rho > 1.28) capped++;
    return rs[b]!.weight * Math.min(rho, 1.28) * rs[b]!.advantage;
  });
  assert.ok(capped > 0, 'the test should exercise the cap');
  assertSameGrads(gradsOfLoss(model, rs, 'cispo', 'token'), expected);
});

test('GSPO gradient: w_i · |o_i| · A · s_i / |o_i| on every token of an unclipped sequence, none on a clipped one', () => {
  const model = tinyModel();
  const rs = rollouts(model, 'grpo', 1.6);
  const lp = completionLogprobs(model, rs, 1, 0);
  const s = rs.map((r, b) => Math.exp(logImportanceRatios(lp[b]!, r.oldLogp, 'sequence')[0]!));
  const clipped = rs.map((r, b) => (r.advantage > 0 ? s[b]! > 1.28 : s[b]! < 0.8));
  assert.ok(clipped.some(Boolean) && !clipped.every(Boolean), `the test should have clipped and unclipped sequences: ${s.map((x) => x.toFixed(3))}`);
  const expected = gradsOfWeightedLogp(model, rs, (b) => (clipped[b] ? 0 : rs[b]!.weight * rs[b]!.advantage * s[b]!));
  assertSameGrads(gradsOfLoss(model, rs, 'grpo', 'sequence'), expected);
});

test('token-level GRPO gradient (β = 0.05, clipped and unclipped tokens): each token\'s slope of the pure per-token loss times ∇log π', () => {
  const model = tinyModel();
  const rs = rollouts(model, 'grpo', 1.6);
  const lp = completionLogprobs(model, rs, 1, 0);
  const o = { epsilon: 0.2, epsilonHigh: 0.28, beta: 0.05, importanceSamplingLevel: 'token' as const };
  let flat = 0;
  const expected = gradsOfWeightedLogp(model, rs, (b, j) => { // central difference of perTokenLoss in log π_θ(o_j)
    const r = rs[b]!, at = (x: number) => perTokenLoss([x], [r.oldLogp[j]!], [r.refLogp![j]!], r.advantage, o).loss[0]!;
    const h = 1e-6, slope = (at(lp[b]![j]! + h) - at(lp[b]![j]! - h)) / (2 * h);
    if (Math.abs(slope + 0.05 * (Math.exp(r.refLogp![j]! - lp[b]![j]!) - 1)) < 1e-6) flat++; // only the KL term moves it: clipped
    return -r.weight * slope;
  });
  assert.ok(flat > 0 && flat < 10, `the test should have clipped and unclipped tokens (${flat} of 10 clipped)`);
  const params = model.parameters();
  for (const q of params) q.grad = null;
  grpoLoss(model, rs, { ...o, temperature: 1, padId: 0 }).loss.backward();
  assertSameGrads(params.map((q) => Float32Array.from(q.grad!)), expected);
});

/** Parameter gradients of -Σ coef · log π(target) over completion tokens: the gradient a variant promises. */
function gradsOfWeightedLogp(model: Decoder, rs: Rollout[], coef: (b: number, j: number) => number): Float32Array[] {
  const p = pack(rs, 0);
  const c = new Float32Array(p.B * p.T);
  rs.forEach((r, b) => { for (let j = 0; j < r.completion.length; j++) c[p.start[b]! + j] = coef(b, j); });
  const params = model.parameters();
  for (const q of params) q.grad = null;
  neg(sum(mul(logprobOfTargets(model.forward(p.ids, p.B, p.T), p.targets), tensor(c, [p.B, p.T])))).backward();
  return params.map((q) => Float32Array.from(q.grad ?? new Float32Array(q.size)));
}
