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

/** Buckets of the truncation search: 128 per octave of probability (a bucket spans a ratio of 2^(1/128)), 64 octaves. */
const SHIFT = 13; // of a double's high word: sign, 11 exponent bits and the top 7 mantissa bits remain
const NB = 64 << (20 - SHIFT);
const TOP = 0x3ff00000 >>> SHIFT; // the key of probability 1 (the max token's)

/** Scratch for sampleRow over a vocabulary of up to V tokens (reuse one per sampler; not shared between threads). */
export class SampleScratch {
  /** (V) exp((logit - max) / T) per token. */
  readonly probs: Float64Array;
  /** The high 32 bits of each probs entry (little-endian view). */
  private readonly hi: Uint32Array;
  /** (V) bucket of each token: 0 holds probability 1, larger is smaller. */
  readonly bucket: Uint16Array;
  /** (V) token ids of the bucket being walked, sorted. */
  readonly ids: Int32Array;
  readonly count = new Int32Array(NB);
  readonly mass = new Float64Array(NB);
  /** Which bucket ids[0, count[b]) holds now (-1: none). */
  sortedBucket = -1;

  constructor(readonly V: number) {
    this.probs = new Float64Array(V);
    this.hi = new Uint32Array(this.probs.buffer);
    this.bucket = new Uint16Array(V);
    this.ids = new Int32Array(V);
  }

  /** Fills probs (returning their sum, added in token order), buckets, and each bucket's count and mass. */
  fill(logits: Float32Array, m: number, invT: number): number {
    const { probs, hi, bucket, count, mass } = this;
    count.fill(0);
    mass.fill(0);
    this.sortedBucket = -1;
    let sum = 0;
    for (let i = 0; i < logits.length; i++) {
      const e = Math.exp((logits[i]! - m) * invT);
      probs[i] = e;
      sum += e;
      let b = TOP - (hi[2 * i + 1]! >>> SHIFT);
      if (b > NB - 1) b = NB - 1;
      bucket[i] = b;
      count[b]!++;
      mass[b]! += e;
    }
    return sum;
  }

  /** Token ids of bucket b in the order of the full sort (probability descending, then id ascending). */
  sorted(b: number): Int32Array {
    const n = this.count[b]!;
    const ids = this.ids.subarray(0, n);
    if (this.sortedBucket === b) return ids;
    const { bucket, probs } = this;
    for (let i = 0, k = 0; k < n; i++) if (bucket[i] === b) ids[k++] = i;
    if (n > 1) ids.sort((x, y) => probs[y]! - probs[x]! || x - y);
    this.sortedBucket = b;
    return ids;
  }
}

/**
 * Chooses a token from logits (V) and returns it with its logprob: log-softmax(logits / temperature)[id]
 * (temperature 1 when greedy). Uses exactly one rng draw when sampling. Top-k / top-p never sort the vocabulary:
 * tokens are bucketed by probability (its float bits), whole buckets are skipped by their counts and masses, and
 * only the bucket where the k-th token, the top-p boundary or the draw falls is sorted. The kept set and the draw are
 * the full sort's (same order, same inverse CDF), except that masses are added per bucket: a draw within rounding
 * (~1e-15 relative) of a boundary may land one token over.
 */
export function sampleRow(logits: Float32Array, o: SamplingOptions, rng: Rng, scratch: SampleScratch): { id: number; logprob: number } {
  const V = logits.length;
  if (scratch.V < V) throw new Error(`sampleRow: scratch is for ${scratch.V} tokens, logits have ${V}`);
  const probs = scratch.probs;
  const invT = o.temperature > 0 ? 1 / o.temperature : 1;
  let m = -Infinity;
  let arg = 0;
  for (let i = 0; i < V; i++) {
    const v = logits[i]!;
    if (v > m) { m = v; arg = i; }
  }
  const topK = o.topK ?? 0;
  const topP = o.topP ?? 1;
  const truncate = o.temperature > 0 && (topK > 0 || topP < 1);
  let sum = 0;
  if (truncate) sum = scratch.fill(logits, m, invT);
  else {
    for (let i = 0; i < V; i++) {
      const e = Math.exp((logits[i]! - m) * invT);
      probs[i] = e;
      sum += e;
    }
  }
  const logZ = Math.log(sum);
  const logprobOf = (id: number): number => (logits[id]! - m) * invT - logZ;
  if (o.temperature === 0) return { id: arg, logprob: logprobOf(arg) };
  if (!truncate) {
    // plain sampling: inverse CDF over the unnormalised probabilities
    let u = rng.next() * sum;
    for (let i = 0; i < V; i++) {
      u -= probs[i]!;
      if (u < 0) return { id: i, logprob: logprobOf(i) };
    }
    return { id: arg, logprob: logprobOf(arg) };
  }
  const { count, mass } = scratch;
  // The kept set, in the full sort's order: every token of buckets < kb, and the first kn of bucket kb.
  let kb = NB - 1;
  while (count[kb] === 0) kb--;
  let kn = count[kb]!;
  let keptMass = sum;
  if (topK > 0 && topK < V) {
    let before = 0;
    keptMass = 0;
    for (let b = 0; ; b++) {
      if (before + count[b]! >= topK) {
        kb = b;
        kn = topK - before;
        const ids = scratch.sorted(b);
        for (let j = 0; j < kn; j++) keptMass += probs[ids[j]!]!;
        break;
      }
      before += count[b]!;
      keptMass += mass[b]!;
    }
  }
  if (topP < 1) {
    // HF: after top-k, renormalise over the kept set; keep the smallest prefix with mass >= topP (at least one)
    const target = topP * keptMass;
    let acc = 0;
    search: for (let b = 0; b <= kb; b++) {
      if (b < kb && acc + mass[b]! < target) {
        acc += mass[b]!;
        continue;
      }
      const ids = scratch.sorted(b);
      const n = b === kb ? kn : ids.length;
      for (let j = 0; j < n; j++) {
        acc += probs[ids[j]!]!;
        if (acc >= target) {
          kb = b;
          kn = j + 1;
          break search;
        }
      }
    }
  }
  let kept = 0;
  for (let b = 0; b < kb; b++) kept += mass[b]!;
  const last = scratch.sorted(kb);
  for (let j = 0; j < kn; j++) kept += probs[last[j]!]!;
  let u = rng.next() * kept;
  for (let b = 0; b <= kb; b++) {
    if (b < kb && u - mass[b]! >= 0) {
      u -= mass[b]!;
      continue;
    }
    const ids = scratch.sorted(b);
    const n = b === kb ? kn : ids.length;
    for (let j = 0; j < n; j++) {
      u -= probs[ids[j]!]!;
      if (u < 0) return { id: ids[j]!, logprob: logprobOf(ids[j]!) };
    }
  }
  const id = scratch.sorted(kb)[kn - 1]!;
  return { id, logprob: logprobOf(id) };
}
