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
const NB = 128 * 64;
/** Bucket of x = (logit - max) / T <= 0: floor(-x * K), i.e. floor(-128 log2 p); the last holds everything below 2^-64. */
const K = 128 * Math.LOG2E;

/** Scratch for sampleRow over a vocabulary of up to V tokens (reuse one per sampler; not shared between threads). */
export class SampleScratch {
  /** (V) exp((logit - max) / T) per token. */
  readonly probs: Float64Array;
  /** (V) bucket of each token: 0 holds the most likely, larger is less likely. */
  readonly bucket: Uint16Array;
  /** (V) token ids of the bucket being walked, sorted. */
  readonly ids: Int32Array;
  readonly count = new Int32Array(NB);
  readonly mass = new Float64Array(NB);
  /** Which bucket ids[0, sortedCount) holds now (-1: none). */
  private sortedBucket = -1;
  private sortedCount = 0;
  /** Whether count holds this row's counts. */
  private counted = false;

  constructor(readonly V: number) {
    this.probs = new Float64Array(V);
    this.bucket = new Uint16Array(V);
    this.ids = new Int32Array(V);
  }

  /**
   * Fills probs (returning their sum, added in token order as plain sampling adds them), buckets, each bucket's mass,
   * and with `counts` its count (top-k needs them; top-p alone finds a bucket's tokens by scanning). Buckets follow x,
   * so they order tokens as their probabilities do (exp is increasing; distinct x that round to one probability
   * straddle a bucket edge only within ~1e-16 of it). Separate loops: a histogram inside the exp loop runs 2x slower.
   */
  fill(logits: Float32Array, m: number, invT: number, counts: boolean): number {
    const { probs, bucket, count, mass } = this;
    const V = logits.length;
    this.sortedBucket = -1;
    this.counted = counts;
    let sum = 0;
    for (let i = 0; i < V; i++) {
      const x = (logits[i]! - m) * invT;
      const e = Math.exp(x);
      probs[i] = e;
      sum += e;
      const y = -x * K;
      bucket[i] = y < NB - 1 ? y | 0 : NB - 1; // -Infinity and NaN logits land in the last bucket
    }
    mass.fill(0);
    for (let i = 0; i < V; i++) mass[bucket[i]!]! += probs[i]!;
    if (counts) {
      count.fill(0);
      for (let i = 0; i < V; i++) count[bucket[i]!]!++;
    }
    return sum;
  }

  /** Token ids of bucket b in the order of the full sort (probability descending, then id ascending). */
  sorted(b: number, V: number): Int32Array {
    const { bucket, probs, ids } = this;
    if (this.sortedBucket === b) return ids.subarray(0, this.sortedCount);
    let n = 0;
    if (this.counted) {
      const want = this.count[b]!;
      for (let i = 0; n < want; i++) if (bucket[i] === b) ids[n++] = i;
    } else {
      for (let i = 0; i < V; i++) if (bucket[i] === b) ids[n++] = i;
    }
    const out = ids.subarray(0, n);
    if (n > 1) out.sort((x, y) => probs[y]! - probs[x]! || x - y);
    this.sortedBucket = b;
    this.sortedCount = n;
    return out;
  }
}

/**
 * Chooses a token from logits (V) and returns it with its logprob: log-softmax(logits / temperature)[id]
 * (temperature 1 when greedy). Uses exactly one rng draw when sampling. Top-k / top-p never sort the vocabulary:
 * tokens are bucketed by probability (128 buckets an octave), whole buckets are skipped by their masses (and counts), and
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
  if (truncate) sum = scratch.fill(logits, m, invT, topK > 0 && topK < V);
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
  let kn = V;
  let keptMass = sum;
  if (topK > 0 && topK < V) {
    let before = 0;
    keptMass = 0;
    for (let b = 0; ; b++) {
      if (before + count[b]! >= topK) {
        kb = b;
        kn = topK - before;
        const ids = scratch.sorted(b, V);
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
      const ids = scratch.sorted(b, V);
      const n = b === kb ? Math.min(kn, ids.length) : ids.length;
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
  const lastIds = scratch.sorted(kb, V);
  kn = Math.min(kn, lastIds.length);
  for (let j = 0; j < kn; j++) kept += probs[lastIds[j]!]!;
  let u = rng.next() * kept;
  for (let b = 0; b <= kb; b++) {
    if (b < kb && u - mass[b]! >= 0) {
      u -= mass[b]!;
      continue;
    }
    const ids = scratch.sorted(b, V);
    const n = b === kb ? kn : ids.length;
    for (let j = 0; j < n; j++) {
      u -= probs[ids[j]!]!;
      if (u < 0) return { id: ids[j]!, logprob: logprobOf(ids[j]!) };
    }
  }
  // rounding left u >= 0: the last kept token, as the full sort returned
  for (let b = kb; b >= 0; b--) {
    const ids = scratch.sorted(b, V);
    if (ids.length > 0) {
      const id = ids[b === kb ? kn - 1 : ids.length - 1]!;
      return { id, logprob: logprobOf(id) };
    }
  }
  return { id: arg, logprob: logprobOf(arg) };
}
