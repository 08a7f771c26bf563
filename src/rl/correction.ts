// Off-policy correction of rollouts sampled elsewhere (an inference server, a BF16 sampler), TRL's "vLLM importance
// sampling": Δ_t = trainer's old logprob − sampler's logprob per token; ρ = exp(Δ_t) per token, or exp(Σ_t Δ_t) per
// sequence; above the cap ρ is truncated to it or the token / sequence masked (ρ = 0). The loss's surrogate of each token
// is multiplied by ρ. Pure functions on numbers; not the loss (loss.ts multiplies) nor the trainer. TRL GRPOTrainer.

export type CorrectionMode = 'sequence_mask' | 'sequence_truncate' | 'token_mask' | 'token_truncate';
export const CORRECTION_MODES: readonly CorrectionMode[] = ['sequence_mask', 'sequence_truncate', 'token_mask', 'token_truncate'];

/** Sums over the tokens corrected, so batches add up: Σ|Δ|, Σρ, Σρ², tokens masked, tokens. */
export interface CorrectionStats {
  absDiffSum: number;
  ratioSum: number;
  ratioSqSum: number;
  masked: number;
  tokens: number;
}

export const emptyCorrectionStats = (): CorrectionStats => ({ absDiffSum: 0, ratioSum: 0, ratioSqSum: 0, masked: 0, tokens: 0 });

/**
 * The weight ρ of each token of one completion, from the trainer's and the sampler's logprobs of its tokens,
 * added into stats. A sequence-level ratio is shared by every token of the completion.
 */
export function correctionWeights(trainerLogp: ArrayLike<number>, samplerLogp: ArrayLike<number>, mode: CorrectionMode, cap: number,
  stats: CorrectionStats = emptyCorrectionStats()): Float32Array {
  const n = trainerLogp.length;
  if (samplerLogp.length !== n) throw new Error(`correctionWeights: ${n} trainer logprobs but ${samplerLogp.length} sampler logprobs`);
  const diff = new Float64Array(n);
  for (let t = 0; t < n; t++) diff[t] = trainerLogp[t]! - samplerLogp[t]!;
  const w = new Float32Array(n);
  const sequence = mode.startsWith('sequence');
  const mask = mode.endsWith('mask');
  const seqRatio = sequence ? Math.exp(diff.reduce((a, b) => a + b, 0)) : 0;
  for (let t = 0; t < n; t++) {
    const rho = sequence ? seqRatio : Math.exp(diff[t]!);
    const over = rho > cap;
    w[t] = over ? (mask ? 0 : cap) : rho;
    stats.absDiffSum += Math.abs(diff[t]!);
    stats.ratioSum += w[t]!;
    stats.ratioSqSum += w[t]! * w[t]!;
    if (over && mask) stats.masked++;
    stats.tokens++;
  }
  return w;
}

/**
 * The logged means: mean |Δ| per token, the share of tokens masked, the mean weight, and the effective sample size of
 * the weights as a share of the tokens, (Σρ)² / (n Σρ²): 1 when every token weighs the same, near 0 when a few carry
 * the update (a sequence ratio far from 1 for most completions; the sign the samples are too stale to learn from).
 */
export function correctionMetrics(s: CorrectionStats): Record<string, number> {
  const n = Math.max(1, s.tokens);
  return {
    'offpolicy/abs_logp_diff': s.absDiffSum / n, 'offpolicy/masked_fraction': s.masked / n, 'offpolicy/is_ratio_mean': s.ratioSum / n,
    'offpolicy/ess_fraction': s.ratioSqSum > 0 ? (s.ratioSum * s.ratioSum) / (n * s.ratioSqSum) : 0,
  };
}
