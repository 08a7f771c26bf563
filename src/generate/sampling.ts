// Picking the next token from one row of logits: greedy, or temperature + top-k + top-p (nucleus) sampling,
// with the log-probability of the chosen token under softmax(logits / temperature) before any truncation.
// Not batched tensor code: one row at a time on plain arrays. Follows HF's TopK/TopPLogitsWarper semantics.
import type { Rng } from '../util/rng.js';
import { getKernels } from '../tensor/index.js';

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
 * Buckets of the truncation search: 128 per octave of probability (a bucket spans a ratio of 2^(1/128)), 64 octaves;
 * the kernels' sampleBuckets puts x = (logit - max) / T <= 0 in bucket floor(-128 log2 p), the last holding everything
 * below 2^-64.
 */
const NB = 128 * 64;

/** Scratch for sampleRow over a vocabulary of up to V tokens (reuse one per sampler; not shared between threads). */
export class SampleScratch {
  /** (V) exp((logit - max) / T) per token. */
  readonly probs: Float64Array;
  /** (V) bucket of each token: 0 holds the most likely, larger is less likely. */
  readonly bucket: Uint16Array;
  /** (V) token ids of a bucket, sorted: two slots (the top-p boundary's bucket and the draw's, gathered together). */
  private readonly ids: Int32Array;
  private readonly ids2: Int32Array;
  readonly count = new Int32Array(NB);
  readonly mass: Float64Array;
  /** Which bucket ids[0, sortedCount) and ids2[0, sortedCount2) hold now (-1: none). */
  private sortedBucket = -1;
  private sortedCount = 0;
  private sortedBucket2 = -1;
  private sortedCount2 = 0;
  /** Whether count holds this row's counts. */
  private counted = false;

  /** `views`: arrays to work in instead of its own (a SampleBatch's rows: one row each of probs, bucket and mass, ids shared). */
  constructor(readonly V: number, views?: { probs: Float64Array; bucket: Uint16Array; mass: Float64Array; ids: Int32Array; ids2: Int32Array }) {
    this.probs = views?.probs ?? new Float64Array(V);
    this.bucket = views?.bucket ?? new Uint16Array(V);
    this.ids = views?.ids ?? new Int32Array(V);
    this.ids2 = views?.ids2 ?? new Int32Array(V);
    this.mass = views?.mass ?? new Float64Array(NB);
  }

  /**
   * Fills probs (returning their sum, the same as plain sampling's), buckets and each bucket's mass (the kernels'
   * sampleBuckets), and with `counts` its count (top-k needs them; top-p alone finds a bucket's tokens by scanning). Buckets follow x,
   * so they order tokens as their probabilities do (exp is increasing; distinct x that round to one probability
   * straddle a bucket edge only within float rounding, ~1e-7, of it).
   */
  fill(logits: Float32Array, m: number, invT: number, counts: boolean): number {
    const V = logits.length;
    const sum = getKernels().sampleBuckets(logits, this.probs, this.bucket, this.mass, m, invT);
    this.filled(V, counts);
    return sum;
  }

  /** After probs, buckets and mass were filled for a new row (fill, or a SampleBatch's prepare): forgets the last row's sorted buckets, counts with `counts`. */
  filled(V: number, counts: boolean): void {
    this.sortedBucket = this.sortedBucket2 = -1;
    this.counted = counts;
    if (counts) {
      const { count, bucket } = this;
      count.fill(0);
      for (let j = 0; j < V; j++) count[bucket[j]!]!++;
    }
  }

  /** Token ids of bucket b in the order of the full sort (probability descending, then id ascending). */
  sorted(b: number, V: number): Int32Array {
    const { bucket, probs, ids } = this;
    if (this.sortedBucket === b) return ids.subarray(0, this.sortedCount);
    if (this.sortedBucket2 === b) return this.ids2.subarray(0, this.sortedCount2);
    const n = getKernels().bucketIds(bucket, V, b, this.counted ? this.count[b]! : -1, ids);
    const out = ids.subarray(0, n);
    sortIds(out, probs, 0, n - 1);
    this.sortedBucket = b;
    this.sortedCount = n;
    return out;
  }

  /** Gathers and sorts buckets b1 and b2 (distinct), for the next sorted() calls. */
  prefetch(b1: number, b2: number, V: number): void {
    const { bucket, ids, ids2, probs } = this;
    const k = getKernels();
    const n1 = k.bucketIds(bucket, V, b1, this.counted ? this.count[b1]! : -1, ids);
    const n2 = k.bucketIds(bucket, V, b2, this.counted ? this.count[b2]! : -1, ids2);
    sortIds(ids, probs, 0, n1 - 1);
    sortIds(ids2, probs, 0, n2 - 1);
    this.sortedBucket = b1;
    this.sortedCount = n1;
    this.sortedBucket2 = b2;
    this.sortedCount2 = n2;
  }
}

/**
 * sampleRow's first half for a whole batch of logit rows at once, rows in parallel (the kernels' sampleRowsPrep):
 * each row's argmax, and its probabilities, buckets and masses in a scratch of its own. sampleRow(…, batch.row(r))
 * then draws from row r as it would from a fresh fill: the same numbers, so the same token.
 */
export class SampleBatch {
  private readonly scratches: SampleScratch[];
  private readonly probs: Float64Array;
  private readonly bucket: Uint16Array;
  private readonly mass: Float64Array;
  private readonly arg: Int32Array;
  private readonly m: Float32Array;
  private readonly sum: Float64Array;
  private truncate = false;
  private counts = false;

  constructor(readonly V: number, readonly rows: number) {
    this.probs = new Float64Array(rows * V);
    this.bucket = new Uint16Array(rows * V);
    this.mass = new Float64Array(rows * NB);
    this.arg = new Int32Array(rows);
    this.m = new Float32Array(rows);
    this.sum = new Float64Array(rows);
    const ids = new Int32Array(V), ids2 = new Int32Array(V); // rows are drawn one after another
    this.scratches = Array.from({ length: rows }, (_, r) => new SampleScratch(V, {
      probs: this.probs.subarray(r * V, (r + 1) * V), bucket: this.bucket.subarray(r * V, (r + 1) * V),
      mass: this.mass.subarray(r * NB, (r + 1) * NB), ids, ids2,
    }));
  }

  /** Fills rows 0..R of logits (R, V) under o. */
  prepare(logits: Float32Array, R: number, o: SamplingOptions): void {
    if (R > this.rows) throw new Error(`SampleBatch.prepare: ${R} rows, the batch holds ${this.rows}`);
    const topK = o.topK ?? 0;
    this.truncate = o.temperature > 0 && (topK > 0 || (o.topP ?? 1) < 1);
    this.counts = this.truncate && topK > 0 && topK < this.V;
    getKernels().sampleRowsPrep(logits, R, this.V, o.temperature > 0 ? 1 / o.temperature : 1, this.truncate, this.arg, this.m, this.sum,
      this.probs, this.bucket, this.mass);
  }

  /** Row r's scratch and its prepared argmax, max and sum, for sampleRow. */
  row(r: number): Prepared {
    const scratch = this.scratches[r]!;
    if (this.truncate) scratch.filled(this.V, this.counts);
    return { scratch, arg: this.arg[r]!, m: this.m[r]!, sum: this.sum[r]! };
  }
}

/** A row SampleBatch.prepare filled: its scratch, argmax, the max and the sum of probabilities. */
export interface Prepared {
  scratch: SampleScratch;
  arg: number;
  m: number;
  sum: number;
}

/** The bucket where plain walking of u over whole buckets stops: the first b with u - mass[b] < 0 (or `limit`). */
function drawBucket(mass: Float64Array, u: number, limit: number): number {
  let b = 0;
  while (b < limit && u - mass[b]! >= 0) u -= mass[b++]!;
  return b;
}

/** ids[lo..hi] by probability descending, then id ascending (quicksort with the comparison inline: 5-10x faster than Array.sort's callback). */
function sortIds(ids: Int32Array, probs: Float64Array, lo: number, hi: number): void {
  while (hi - lo > 16) {
    const mid = ids[(lo + hi) >>> 1]!, pm = probs[mid]!;
    let i = lo, j = hi;
    while (i <= j) {
      // before(a, mid): probs[a] > pm, or equal with a smaller id
      while (probs[ids[i]!]! > pm || (probs[ids[i]!] === pm && ids[i]! < mid)) i++;
      while (probs[ids[j]!]! < pm || (probs[ids[j]!] === pm && ids[j]! > mid)) j--;
      if (i <= j) {
        const t = ids[i]!; ids[i] = ids[j]!; ids[j] = t;
        i++; j--;
      }
    }
    if (j - lo < hi - i) { sortIds(ids, probs, lo, j); lo = i; } else { sortIds(ids, probs, i, hi); hi = j; }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const a = ids[i]!, pa = probs[a]!;
    let j = i - 1;
    while (j >= lo && (probs[ids[j]!]! < pa || (probs[ids[j]!] === pa && ids[j]! > a))) { ids[j + 1] = ids[j]!; j--; }
    ids[j + 1] = a;
  }
}

/**
 * Chooses a token from logits (V) and returns it with its logprob: log-softmax(logits / temperature)[id]
 * (temperature 1 when greedy). Uses exactly one rng draw when sampling. Top-k / top-p never sort the vocabulary:
 * tokens are bucketed by probability (128 buckets an octave), whole buckets are skipped by their masses (and counts), and
 * only the bucket where the k-th token, the top-p boundary or the draw falls is sorted. The kept set and the draw are
 * the full sort's (same order, same inverse CDF), except that masses are added per bucket: a draw within rounding
 * (~1e-15 relative) of a boundary may land one token over. Plain sampling walks the CDF in the kernels' cdfIndex, which
 * skips whole blocks of 64 tokens by their sums, with the same caveat. Probabilities are the kernels' expShift: FP32
 * exps, summed in double. `from`: a scratch to fill, or a row a SampleBatch prepared (the same draw).
 */
export function sampleRow(logits: Float32Array, o: SamplingOptions, rng: Rng, from: SampleScratch | Prepared): { id: number; logprob: number } {
  const V = logits.length;
  const prepared = from instanceof SampleScratch ? null : from;
  const scratch = prepared?.scratch ?? (from as SampleScratch);
  if (scratch.V < V) throw new Error(`sampleRow: scratch is for ${scratch.V} tokens, logits have ${V}`);
  const probs = scratch.probs;
  const invT = o.temperature > 0 ? 1 / o.temperature : 1;
  const k = getKernels();
  const arg = prepared?.arg ?? k.argmax(logits);
  const m = prepared?.m ?? (logits[arg]! > -Infinity ? logits[arg]! : -Infinity);
  const topK = o.topK ?? 0;
  const topP = o.topP ?? 1;
  const truncate = o.temperature > 0 && (topK > 0 || topP < 1);
  let sum = 0;
  if (prepared) sum = prepared.sum;
  else if (truncate) sum = scratch.fill(logits, m, invT, topK > 0 && topK < V);
  else sum = k.expShift(logits, probs, m, invT);
  const logZ = Math.log(sum);
  const logprobOf = (id: number): number => (logits[id]! - m) * invT - logZ;
  if (o.temperature === 0) return { id: arg, logprob: logprobOf(arg) };
  if (!truncate) {
    // plain sampling: inverse CDF over the unnormalised probabilities
    const id = k.cdfIndex(probs, V, rng.next() * sum);
    return id >= 0 ? { id, logprob: logprobOf(id) } : { id: arg, logprob: logprobOf(arg) };
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
  const r = rng.next(); // the one draw
  if (topP < 1) {
    // HF: after top-k, renormalise over the kept set; keep the smallest prefix with mass >= topP (at least one)
    const target = topP * keptMass;
    let acc = 0;
    let first = true;
    search: for (let b = 0; b <= kb; b++) {
      if (b < kb && acc + mass[b]! < target) {
        acc += mass[b]!;
        continue;
      }
      if (first) {
        // the draw's bucket, if the kept mass's range [acc, acc + mass[b]] leaves one: gather it with this one
        first = false;
        const lo = drawBucket(mass, r * acc, b), hi = drawBucket(mass, r * (acc + mass[b]!), b);
        if (lo === hi && lo < b) scratch.prefetch(b, lo, V);
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
  let u = r * kept;
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
