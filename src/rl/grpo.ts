// The GRPO objective as small pure functions on plain numbers: group advantages, the clipped
// surrogate, the KL estimator, loss aggregation, dynamic-sampling filters and clip statistics.
// Not the trainer and not autograd (src/rl/loss.ts wires these onto Tensors). Follows DeepSeek-R1
// (arXiv 2501.12948) equations 1–3, with TRL's GRPOTrainer options (lossType, scaleRewards, epsilonHigh,
// importanceSamplingLevel), GSPO (arXiv 2507.18071) sequence-level ratios and CISPO (MiniMax-M1, arXiv 2506.13585).

/** How per-token losses become one number, and which surrogate each token uses (TRL's `loss_type`). */
export type LossType = 'grpo' | 'dr_grpo' | 'dapo' | 'cispo';

/**
 * One row per loss type: the surrogate of each token and the weight of a completion's tokens in the sum.
 *   grpo    (equation 1): clipped surrogate; 1 / (N · |o_i|)  — the mean over each sequence, then over sequences
 *   dr_grpo (Dr. GRPO):   clipped surrogate; 1 / (N · maxCompletionLength) — a constant, no length bias
 *   dapo    (DAPO):       clipped surrogate; 1 / Σ_i |o_i|   — the mean over all tokens of the batch
 *   cispo   (MiniMax-M1): sg(min(ρ, 1 + εHigh)) · A · log π_θ; 1 / Σ_i |o_i| (token level, as the paper and TRL)
 */
export const LOSS_TYPE_TABLE: Readonly<Record<LossType, {
  surrogate: 'clip' | 'cispo';
  weight: (len: number, N: number, totalTokens: number, maxCompletionLength: number) => number;
}>> = {
  grpo: { surrogate: 'clip', weight: (len, N) => 1 / (N * len) },
  dr_grpo: { surrogate: 'clip', weight: (_len, N, _total, maxLen) => 1 / (N * maxLen) },
  dapo: { surrogate: 'clip', weight: (_len, _N, total) => 1 / total },
  cispo: { surrogate: 'cispo', weight: (_len, _N, total) => 1 / total },
};
export const LOSS_TYPES: readonly LossType[] = Object.keys(LOSS_TYPE_TABLE) as LossType[];

/**
 * Where the importance ratio π_θ / π_θold is taken (TRL's `importance_sampling_level`): per token (the paper's
 * equation 1), or once per sequence as the geometric mean of its token ratios (GSPO), shared by all its tokens.
 */
export type ImportanceSamplingLevel = 'token' | 'sequence';
export const IMPORTANCE_SAMPLING_LEVELS: readonly ImportanceSamplingLevel[] = ['token', 'sequence'];

/** How advantages are scaled (TRL's `scale_rewards`): by the group's std (the paper), the batch's, or not (Dr. GRPO). */
export type ScaleRewards = 'group' | 'batch' | 'none';
export const SCALE_REWARDS: readonly ScaleRewards[] = ['group', 'batch', 'none'];

/** Mean and sample standard deviation (Bessel's n - 1, as torch.std and TRL use); std of one value is 0. */
export function meanStd(xs: ArrayLike<number>): { mean: number; std: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, std: NaN };
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i]!;
  const mean = s / n;
  if (n === 1) return { mean, std: 0 };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (xs[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(ss / (n - 1)) };
}

export interface GroupAdvantages {
  /** One advantage per completion, in the order of `rewards`. */
  advantages: Float64Array;
  /** Per group: the std of its rewards. */
  groupStd: number[];
  /** Share of groups whose rewards are all equal (their advantages are all 0: no learning signal). */
  zeroStdFraction: number;
}

/**
 * Equation 3: A_i = (r_i - mean({r_1..r_G})) / std({r_1..r_G}), for consecutive groups of G completions
 * of the same prompt. eps keeps an all-equal group finite (its advantages are exactly 0).
 * scale 'none' drops the division (Dr. GRPO); 'batch' divides by the std of the whole batch.
 */
export function groupAdvantages(rewards: ArrayLike<number>, G: number, scale: ScaleRewards = 'group', eps = 1e-4): GroupAdvantages {
  const n = rewards.length;
  if (G < 1 || n % G !== 0) throw new Error(`groupAdvantages: ${n} rewards do not split into groups of ${G}`);
  const advantages = new Float64Array(n);
  const groupStd: number[] = [];
  let zero = 0;
  const batchStd = meanStd(rewards).std;
  for (let g = 0; g < n / G; g++) {
    const r = Array.from({ length: G }, (_, j) => rewards[g * G + j]!);
    const { mean, std } = meanStd(r);
    groupStd.push(std);
    if (isZeroStd(r)) {
      zero++;
      continue; // all advantages exactly 0 (already), whatever eps is
    }
    const denom = scale === 'group' ? std + eps : scale === 'batch' ? batchStd + eps : 1;
    for (let j = 0; j < G; j++) advantages[g * G + j] = (r[j]! - mean) / denom;
  }
  return { advantages, groupStd, zeroStdFraction: n === 0 ? 0 : zero / (n / G) };
}

function isZeroStd(r: number[]): boolean {
  return r.every((x) => x === r[0]);
}

/**
 * Dynamic sampling (DAPO): the indices of groups worth training on, i.e. whose rewards are not all
 * equal. A group of equal rewards has zero advantages and only adds noise through the KL term.
 */
export function informativeGroups(rewards: ArrayLike<number>, G: number): number[] {
  const keep: number[] = [];
  for (let g = 0; g < rewards.length / G; g++) {
    const r = Array.from({ length: G }, (_, j) => rewards[g * G + j]!);
    if (!isZeroStd(r)) keep.push(g);
  }
  return keep;
}

/**
 * Equation 1, one token: min(ρ·A, clip(ρ, 1 - ε, 1 + εHigh)·A) with ρ = π_θ / π_θold = exp(logp - oldLogp).
 * Returns the objective (to maximise) and whether the clip was active on the low or the high side
 * (TRL's definition: low when ρ < 1 - ε and A < 0, high when ρ > 1 + εHigh and A > 0).
 */
export function clippedSurrogate(logp: number, oldLogp: number, advantage: number, epsilon: number, epsilonHigh = epsilon):
  { objective: number; ratio: number; clippedLow: boolean; clippedHigh: boolean } {
  return clippedRatioSurrogate(Math.exp(logp - oldLogp), advantage, epsilon, epsilonHigh);
}

/** clippedSurrogate from a ratio already formed (a token's, or a GSPO sequence's shared by its tokens). */
export function clippedRatioSurrogate(ratio: number, advantage: number, epsilon: number, epsilonHigh = epsilon):
  { objective: number; ratio: number; clippedLow: boolean; clippedHigh: boolean } {
  const clipped = Math.min(Math.max(ratio, 1 - epsilon), 1 + epsilonHigh);
  return {
    objective: Math.min(ratio * advantage, clipped * advantage),
    ratio,
    clippedLow: ratio < 1 - epsilon && advantage < 0,
    clippedHigh: ratio > 1 + epsilonHigh && advantage > 0,
  };
}

/**
 * The log importance ratio each token of one completion uses. 'token': log π_θ(o_t) - log π_θold(o_t).
 * 'sequence' (GSPO, arXiv 2507.18071): every token gets the sequence's
 * (1/|o|) Σ_t (log π_θ(o_t) - log π_θold(o_t)), the log of the length-normalised sequence ratio s_i(θ).
 */
export function logImportanceRatios(logp: ArrayLike<number>, oldLogp: ArrayLike<number>, level: ImportanceSamplingLevel): Float64Array {
  const n = logp.length;
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) out[t] = logp[t]! - oldLogp[t]!;
  if (level === 'sequence' && n > 0) out.fill(out.reduce((a, b) => a + b, 0) / n);
  return out;
}

/**
 * CISPO (MiniMax-M1, arXiv 2506.13585), one token: the objective sg(ŵ) · A · log π_θ(o_t) with the importance weight
 * ŵ = min(ρ, 1 + εHigh) held constant (stop-gradient). Its gradient is ŵ · A · ∇log π_θ(o_t): unlike equation 1 a
 * clipped token still gets a gradient, only a bounded one. No lower bound (the paper sets ε_low large).
 * Returns the objective, the weight (= ∂objective / ∂log π_θ(o_t) divided by A) and whether the cap was active.
 */
export function cispoSurrogate(logp: number, ratio: number, advantage: number, epsilonHigh: number):
  { objective: number; weight: number; clippedHigh: boolean } {
  const weight = Math.min(ratio, 1 + epsilonHigh);
  return { objective: weight * advantage * logp, weight, clippedHigh: ratio > 1 + epsilonHigh };
}

/**
 * Equation 2, one token: D_KL(π_θ || π_ref) ≈ π_ref/π_θ - log(π_ref/π_θ) - 1 (Schulman's k3 estimator),
 * from log-probabilities. Always ≥ 0, and 0 exactly when the two agree.
 */
export function klEstimate(logp: number, refLogp: number): number {
  const d = refLogp - logp;
  return Math.exp(d) - d - 1;
}

/**
 * The weight of each completion's tokens in the loss, so that loss = Σ_i w_i Σ_t ℓ_{i,t} over unmasked
 * tokens, from LOSS_TYPE_TABLE (grpo 1/(N·|o_i|), dr_grpo 1/(N·maxCompletionLength), dapo and cispo 1/Σ|o_i|).
 * With these weights a batch split into micro-batches (gradient accumulation) sums to exactly the loss of the
 * whole batch. lengths are the unmasked token counts (0 for a masked completion, which then gets weight 0 but
 * still counts in N, as in TRL).
 */
export function sequenceWeights(lengths: ArrayLike<number>, lossType: LossType, maxCompletionLength: number): Float64Array {
  const N = lengths.length;
  const w = new Float64Array(N);
  let total = 0;
  for (let i = 0; i < N; i++) total += lengths[i]!;
  const row = LOSS_TYPE_TABLE[lossType];
  for (let i = 0; i < N; i++) if (lengths[i]! > 0) w[i] = row.weight(lengths[i]!, N, total, maxCompletionLength);
  return w;
}

/** Aggregates per-token losses (one array per completion) with sequenceWeights; masked completions count as length 0. */
export function aggregateLoss(perToken: ArrayLike<number>[], lossType: LossType, maxCompletionLength: number, masked?: boolean[]): number {
  const lengths = perToken.map((t, i) => (masked?.[i] ? 0 : t.length));
  const w = sequenceWeights(lengths, lossType, maxCompletionLength);
  let loss = 0;
  perToken.forEach((t, i) => {
    for (let j = 0; j < lengths[i]!; j++) loss += w[i]! * t[j]!;
  });
  return loss;
}

/**
 * Which completions are left out of the loss: with maskTruncated, those that hit the length limit
 * without finishing (their reward judges an unfinished answer; DAPO's overlong filtering).
 */
export function truncationMask(finishReasons: readonly ('stop' | 'length')[], maskTruncated: boolean): boolean[] {
  return finishReasons.map((f) => maskTruncated && f === 'length');
}

/** The options of one completion's per-token loss; lossType and importanceSamplingLevel default to 'grpo' and 'token'. */
export interface PerTokenOptions {
  epsilon: number;
  epsilonHigh: number;
  beta: number;
  lossType?: LossType;
  importanceSamplingLevel?: ImportanceSamplingLevel;
}

/**
 * The per-token loss of one completion, -(surrogate - β·KL), and its clip / KL counts. The surrogate is the
 * loss type's (equation 1's clip, or CISPO's weighted log-likelihood) on the ratio of the importance level.
 * refLogp null means β = 0 (no reference model).
 */
export function perTokenLoss(logp: ArrayLike<number>, oldLogp: ArrayLike<number>, refLogp: ArrayLike<number> | null,
  advantage: number, o: PerTokenOptions):
  { loss: Float64Array; clipLow: number; clipHigh: number; klSum: number } {
  const n = logp.length;
  const loss = new Float64Array(n);
  const logRatio = logImportanceRatios(logp, oldLogp, o.importanceSamplingLevel ?? 'token');
  const cispo = LOSS_TYPE_TABLE[o.lossType ?? 'grpo'].surrogate === 'cispo';
  let clipLow = 0, clipHigh = 0, klSum = 0;
  for (let t = 0; t < n; t++) {
    const ratio = Math.exp(logRatio[t]!);
    const s = cispo
      ? { ...cispoSurrogate(logp[t]!, ratio, advantage, o.epsilonHigh), clippedLow: false }
      : clippedRatioSurrogate(ratio, advantage, o.epsilon, o.epsilonHigh);
    const kl = refLogp ? klEstimate(logp[t]!, refLogp[t]!) : 0;
    loss[t] = -(s.objective - o.beta * kl);
    if (s.clippedLow) clipLow++;
    if (s.clippedHigh) clipHigh++;
    klSum += kl;
  }
  return { loss, clipLow, clipHigh, klSum };
}
