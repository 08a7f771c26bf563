// Picking the next token from one row of logits: greedy, or temperature + top-k + top-p (nucleus) sampling,
// with the log-probability of the chosen token under softmax(logits / temperature) before any truncation.
// Not batched tensor code: one row at a time on plain arrays. Follows HF's TopK/TopPLogitsWarper semantics.
import type { Rng } from '../util/rng.js';

export interface SamplingOptions {
  /** 0 = greedy (argmax); otherwise logits are divided by it. */
  temperature: number;
  /** Nucleus: keep the smallest set of most likely tokens whose mass reaches topP (1 or undefined = off). */
  topP?: number;
  /** Keep only the topK most likely tokens (0 or undefined = off). */
  topK?: number;
}

/** Validates options, with messages that name the fix. */
export function checkSampling(o: SamplingOptions): void {
  if (!(o.temperature >= 0) || !Number.isFinite(o.temperature)) throw new Error(`generate: temperature ${o.temperature} must be >= 0 (0 = greedy)`);
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) throw new Error(`generate: topP ${o.topP} must be in (0, 1]`);
  if (o.topK !== undefined && !(Number.isInteger(o.topK) && o.topK >= 0)) throw new Error(`generate: topK ${o.topK} must be a non-negative integer (0 = off)`);
}

/**
 * Chooses a token from logits (V) and returns it with its logprob: log-softmax(logits / temperature)[id]
 * (temperature 1 when greedy). `probs` is scratch of length >= V. Uses exactly one rng draw when sampling.
 */
export function sampleRow(logits: Float32Array, o: SamplingOptions, rng: Rng, probs: Float64Array): { id: number; logprob: number } {
  const V = logits.length;
  const invT = o.temperature > 0 ? 1 / o.temperature : 1;
  let m = -Infinity;
  let arg = 0;
  for (let i = 0; i < V; i++) {
    const v = logits[i]!;
    if (v > m) { m = v; arg = i; }
  }
  let sum = 0;
  for (let i = 0; i < V; i++) {
    const e = Math.exp((logits[i]! - m) * invT);
    probs[i] = e;
    sum += e;
  }
  const logZ = Math.log(sum);
  const logprobOf = (id: number): number => (logits[id]! - m) * invT - logZ;
  if (o.temperature === 0) return { id: arg, logprob: logprobOf(arg) };

  const topK = o.topK ?? 0;
  const topP = o.topP ?? 1;
  if (topK <= 0 && topP >= 1) {
    // plain sampling: inverse CDF over the unnormalised probabilities
    let u = rng.next() * sum;
    for (let i = 0; i < V; i++) {
      u -= probs[i]!;
      if (u < 0) return { id: i, logprob: logprobOf(i) };
    }
    return { id: arg, logprob: logprobOf(arg) };
  }
  // Candidates: tokens top-p cannot remove. Any token with p < (1 - topP) / V lies in the removed tail
  // (all such tokens together weigh < 1 - topP and come first in ascending order), so skip sorting them.
  // With top-k too, the renormalisation needs the whole top-k set, so every token is a candidate.
  const floor = topP < 1 && topK <= 0 ? ((1 - topP) / V) * sum : 0;
  const cand: number[] = [];
  for (let i = 0; i < V; i++) if (probs[i]! >= floor) cand.push(i);
  cand.sort((a, b) => probs[b]! - probs[a]! || a - b);
  let keep = topK > 0 ? Math.min(topK, cand.length) : cand.length;
  if (topP < 1) {
    // HF: after top-k, renormalise over the kept set, keep the smallest prefix with mass >= topP (at least one)
    let keptMass = sum; // without top-k: the whole distribution (candidates omit part of the tail)
    if (topK > 0) {
      keptMass = 0;
      for (let j = 0; j < keep; j++) keptMass += probs[cand[j]!]!;
    }
    let acc = 0;
    for (let j = 0; j < keep; j++) {
      acc += probs[cand[j]!]!;
      if (acc >= topP * keptMass) { keep = j + 1; break; }
    }
  }
  let mass = 0;
  for (let j = 0; j < keep; j++) mass += probs[cand[j]!]!;
  let u = rng.next() * mass;
  for (let j = 0; j < keep; j++) {
    u -= probs[cand[j]!]!;
    if (u < 0) return { id: cand[j]!, logprob: logprobOf(cand[j]!) };
  }
  return { id: cand[keep - 1]!, logprob: logprobOf(cand[keep - 1]!) };
}
