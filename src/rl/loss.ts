// The GRPO loss on Tensors: packs rollouts (prompt + completion) into a right-padded batch, runs the
// policy, and builds -(Σ w · (min(ρA, clip(ρ)A) - β·KL)) with autograd through lmHeadLogprob (lm_head and
// log-softmax in row chunks over the completion positions only: no (B, T, V) logits).
// Not the math (src/rl/grpo.ts holds the per-token functions this mirrors) and not the loop (trainer.ts).
// Equations 1–2 of DeepSeek-R1; per-sequence weights implement TRL's loss types; GSPO sequence ratios, CISPO weights.
import {
  Tensor, tensor, noGrad, tidy, sub, mul, exp, clamp, minimum, sum, neg, lmHeadLogprob, lmHeadObjective,
} from '../tensor/index.js';
import type { Decoder } from '../model/decoder.js';
import {
  LOSS_TYPE_TABLE, clippedRatioSurrogate, cispoSurrogate, klEstimate, type ImportanceSamplingLevel, type LossType,
} from './grpo.js';

/** One sampled completion, ready for the loss. */
export interface Rollout {
  /** Prompt token ids (at least one). */
  prompt: number[];
  /** Completion token ids as sampled (the stop token included when one was hit). */
  completion: number[];
  /** The sampler's (old policy's) logprob of each completion token. */
  oldLogp: Float32Array;
  /** The reference model's logprob of each completion token; null when β = 0. */
  refLogp: Float32Array | null;
  /** Group advantage (equation 3), the same for every token. */
  advantage: number;
  /** Loss weight of each token of this completion (sequenceWeights); 0 masks it. */
  weight: number;
  /** Off-policy correction (correction.ts): each token's surrogate times this weight; absent: 1 (sampled in process). */
  isWeight?: Float32Array | null;
  /** The sampler's logprobs when another process sampled it (the trainer then computes oldLogp itself). */
  samplerLogp?: Float32Array;
}

/** A right-padded batch: input ids (B, T) and, at every position, the next token to score. */
export interface Packed {
  ids: Int32Array; // (B, T)
  targets: Int32Array; // (B, T), -1 where nothing is scored (prompt and padding positions)
  B: number;
  T: number;
  /** Flat index (b*T + t) of each rollout's first completion logit; its j-th token sits at start + j. */
  start: number[];
}

/** Packs rollouts: position t predicts token t+1, so the completion of a prompt of length p starts at t = p - 1. */
export function pack(rollouts: readonly Rollout[], padId: number): Packed {
  const B = rollouts.length;
  const T = Math.max(1, ...rollouts.map((r) => r.prompt.length + r.completion.length - 1));
  const ids = new Int32Array(B * T).fill(padId);
  const targets = new Int32Array(B * T).fill(-1);
  const start: number[] = [];
  rollouts.forEach((r, b) => {
    if (r.prompt.length === 0) throw new Error('pack: a rollout has an empty prompt; every prompt needs at least one token');
    const seq = [...r.prompt, ...r.completion];
    for (let t = 0; t < Math.min(T, seq.length); t++) ids[b * T + t] = seq[t]!;
    const s = b * T + r.prompt.length - 1;
    start.push(s);
    for (let j = 0; j < r.completion.length; j++) targets[s + j] = r.completion[j]!;
  });
  return { ids, targets, B, T, start };
}

/** Per-token logprobs of the completions under a model (no gradient): the reference model's, for the KL term. */
export function completionLogprobs(model: Decoder, rollouts: readonly Rollout[], temperature: number, padId: number): Float32Array[] {
  const p = pack(rollouts, padId);
  return tidy(() => { // the slices are copies, so the forward's buffers can be recycled
    const lp = noGrad(() => lmHeadLogprob(model.hidden(p.ids, p.B, p.T), model.outputWeight(), p.targets, { temperature, precision: model.precision }).logp);
    return rollouts.map((r, b) => lp.data.slice(p.start[b]!, p.start[b]! + r.completion.length));
  });
}

export interface LossOptions {
  epsilon: number;
  epsilonHigh: number;
  beta: number;
  /** Sampling temperature: logits are divided by it, so ρ compares the same distributions the sampler drew from. */
  temperature: number;
  padId: number;
  /** The surrogate comes from this loss type's row of LOSS_TYPE_TABLE (default 'grpo': equation 1's clip). */
  lossType?: LossType;
  /** 'token' (default) or 'sequence' (GSPO: each completion's mean log ratio, shared by its tokens). */
  importanceSamplingLevel?: ImportanceSamplingLevel;
}

/** Counts over the scored (weight > 0) tokens of a micro-batch, summed so micro-batches add up. */
export interface LossStats {
  tokens: number;
  clipLow: number;
  clipHigh: number;
  klSum: number;
  entropySum: number;
  /** Σ |log ratio|: at the first of the μ updates, where the old logprobs are the sampler's, |trainer − sampler| logprob. */
  absLogRatioSum: number;
}

/**
 * The loss of a micro-batch as a scalar Tensor to backpropagate, and its statistics. With the
 * weights of sequenceWeights over the whole batch, the micro-batch losses sum to the batch loss.
 */
export function grpoLoss(model: Decoder, rollouts: readonly Rollout[], o: LossOptions): { loss: Tensor; stats: LossStats } {
  const p = pack(rollouts, o.padId);
  const n = p.B * p.T;
  const old = new Float32Array(n), adv = new Float32Array(n), w = new Float32Array(n);
  const ref = o.beta > 0 ? new Float32Array(n) : null;
  rollouts.forEach((r, b) => {
    if (o.beta > 0 && !r.refLogp) throw new Error('grpoLoss: beta > 0 needs reference logprobs on every rollout');
    for (let j = 0; j < r.completion.length; j++) {
      const i = p.start[b]! + j;
      old[i] = r.oldLogp[j]!;
      adv[i] = r.advantage;
      w[i] = r.weight;
      if (ref) ref[i] = r.refLogp![j]!;
    }
  });
  const shape = [p.B, p.T];
  for (let i = 0; i < n; i++) if (w[i] === 0) p.targets[i] = -1; // masked tokens: no logits computed (logp 0, weight 0)
  if ((o.importanceSamplingLevel ?? 'token') === 'token') return tokenLevelLoss(model, rollouts, p, old, adv, w, ref, o);
  const { logp, entropy: ent } = lmHeadLogprob(model.hidden(p.ids, p.B, p.T), model.outputWeight(), p.targets, { temperature: o.temperature, entropy: true, precision: model.precision }); // (B, T)
  const A = tensor(adv, shape);
  const logRatio = importanceLogRatio(logp, old, p, rollouts, o.importanceSamplingLevel ?? 'token'); // (B, T) or (B, 1)
  const ratio = exp(logRatio); // ρ = π_θ / π_θold, per token or per sequence
  let objective: Tensor;
  if (LOSS_TYPE_TABLE[o.lossType ?? 'grpo'].surrogate === 'cispo') {
    // CISPO: sg(min(ρ, 1 + εHigh)) · A · log π_θ, the weight a constant so only log π_θ carries the gradient
    const coef = new Float32Array(n);
    for (let i = 0; i < n; i++) coef[i] = Math.min(ratio.data[ratio.size === n ? i : Math.floor(i / p.T)]!, 1 + o.epsilonHigh) * adv[i]!;
    objective = mul(logp, tensor(coef, shape));
  } else {
    objective = minimum(mul(ratio, A), mul(clamp(ratio, 1 - o.epsilon, 1 + o.epsilonHigh), A)); // equation 1
  }
  if (rollouts.some((r) => r.isWeight)) { // TRL: the surrogate times the sampler correction, before the KL term
    const iw = new Float32Array(n).fill(1);
    rollouts.forEach((r, b) => { if (r.isWeight) iw.set(r.isWeight, p.start[b]!); });
    objective = mul(objective, tensor(iw, shape));
  }
  if (ref) {
    const d = sub(tensor(ref, shape), logp); // log(π_ref / π_θ)
    objective = sub(objective, mul(sub(sub(exp(d), d), 1), o.beta)); // equation 2, weighted by β
  }
  const loss = neg(sum(mul(objective, tensor(w, shape))));
  return { loss, stats: tokenStats(logp.data, ent!, ratio.data, p, adv, w, ref, o) };
}

/**
 * grpoLoss with token-level ratios, where each token's term depends on its own logprob alone: lmHeadObjective sums
 * the terms and takes their slopes while it has each chunk's logits (one product over the vocabulary fewer than
 * autograd through lmHeadLogprob). The same function as grpoLoss's Tensor path, in double precision per token:
 * -w · (min(ρA, clip(ρ)A) · iw - β · KL), or CISPO's -w · (sg(min(ρ, 1 + εHigh)) · A · log π_θ · iw - β · KL).
 */
function tokenLevelLoss(model: Decoder, rollouts: readonly Rollout[], p: Packed, old: Float32Array, adv: Float32Array, w: Float32Array,
  ref: Float32Array | null, o: LossOptions): { loss: Tensor; stats: LossStats } {
  const n = p.B * p.T;
  const cispo = LOSS_TYPE_TABLE[o.lossType ?? 'grpo'].surrogate === 'cispo';
  const iw = new Float32Array(n).fill(1);
  rollouts.forEach((r, b) => { if (r.isWeight) iw.set(r.isWeight, p.start[b]!); });
  const ratio = new Float32Array(n);
  const { objective, logp, entropy } = lmHeadObjective(model.hidden(p.ids, p.B, p.T), model.outputWeight(), p.targets, (i, lp) => {
    const rho = Math.exp(lp - old[i]!), a = adv[i]!;
    ratio[i] = rho;
    let value: number, slope: number;
    if (cispo) {
      const c = Math.min(rho, 1 + o.epsilonHigh) * a; // a constant: only log π_θ carries the gradient
      value = c * lp;
      slope = c;
    } else {
      const unclipped = rho * a, clipped = Math.min(Math.max(rho, 1 - o.epsilon), 1 + o.epsilonHigh) * a;
      value = Math.min(unclipped, clipped);
      slope = unclipped <= clipped ? unclipped : 0; // d(ρA)/d log π = ρA; the clipped branch is flat
    }
    value *= iw[i]!;
    slope *= iw[i]!;
    if (ref) {
      const d = ref[i]! - lp, e = Math.exp(d);
      value -= o.beta * (e - d - 1);
      slope += o.beta * (e - 1);
    }
    return { value: -w[i]! * value, slope: -w[i]! * slope };
  }, { temperature: o.temperature, entropy: true, precision: model.precision });
  return { loss: objective, stats: tokenStats(logp, entropy!, ratio, p, adv, w, ref, o) };
}

/**
 * log ρ as a Tensor: per token (B, T), or per sequence (B, 1) for GSPO, the mean of the completion's token log
 * ratios (the mask divides by each completion's length and zeroes prompt and padding positions).
 */
function importanceLogRatio(logp: Tensor, old: Float32Array, p: Packed, rollouts: readonly Rollout[], level: ImportanceSamplingLevel): Tensor {
  const perToken = sub(logp, tensor(old, [p.B, p.T])); // (B, T)
  if (level === 'token') return perToken;
  const mask = new Float32Array(p.B * p.T);
  rollouts.forEach((r, b) => {
    for (let j = 0; j < r.completion.length; j++) mask[p.start[b]! + j] = 1 / r.completion.length;
  });
  return sum(mul(perToken, tensor(mask, [p.B, p.T])), 1, true); // (B, 1)
}

function tokenStats(logp: Float32Array, ent: Float32Array, ratio: Float32Array, p: Packed, adv: Float32Array, w: Float32Array,
  ref: Float32Array | null, o: LossOptions): LossStats {
  const perSequence = ratio.length !== w.length;
  const cispo = LOSS_TYPE_TABLE[o.lossType ?? 'grpo'].surrogate === 'cispo';
  const s: LossStats = { tokens: 0, clipLow: 0, clipHigh: 0, klSum: 0, entropySum: 0, absLogRatioSum: 0 };
  for (let i = 0; i < w.length; i++) {
    if (w[i] === 0) continue;
    s.tokens++;
    const rho = ratio[perSequence ? Math.floor(i / p.T) : i]!;
    const c = cispo ? { ...cispoSurrogate(logp[i]!, rho, adv[i]!, o.epsilonHigh), clippedLow: false }
      : clippedRatioSurrogate(rho, adv[i]!, o.epsilon, o.epsilonHigh);
    s.absLogRatioSum += Math.abs(Math.log(rho));
    if (c.clippedLow) s.clipLow++;
    if (c.clippedHigh) s.clipHigh++;
    if (ref) s.klSum += klEstimate(logp[i]!, ref[i]!);
    s.entropySum += ent[i]!;
  }
  return s;
}
