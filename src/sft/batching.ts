// Batches for next-token training: sequences grouped by length (length bucketing), right-padded, with
// targets set to -100 where the loss must not look (padding, and prompt tokens in SFT). Positions are
// 0..T-1 in every row, so the Decoder needs no padding mask. Not packing: one sequence per row.
import type { Rng } from '../util/rng.js';

/** A token sequence and the index of the first token whose prediction is trained (1 = all of them). */
export interface TrainSeq {
  ids: number[];
  /** Tokens at indices < lossFrom are context only (the prompt in SFT); at least 1. */
  lossFrom: number;
}

export interface Batch {
  B: number;
  T: number;
  /** (B, T) input ids, right-padded. */
  ids: Int32Array;
  /** (B, T) next-token targets; -100 where ignored. */
  targets: Int32Array;
  /** Targets that count (not -100). */
  tokens: number;
}

export const IGNORE = -100;

/** One batch from sequences: inputs ids[0..L-2], targets ids[1..L-1] masked before lossFrom. */
export function makeBatch(seqs: TrainSeq[], padId: number): Batch {
  const B = seqs.length;
  const T = Math.max(...seqs.map((s) => s.ids.length)) - 1;
  if (T < 1) throw new Error('makeBatch: every sequence needs at least 2 tokens');
  const ids = new Int32Array(B * T).fill(padId); // (B, T)
  const targets = new Int32Array(B * T).fill(IGNORE); // (B, T)
  let tokens = 0;
  seqs.forEach((s, b) => {
    for (let t = 0; t < s.ids.length - 1; t++) {
      ids[b * T + t] = s.ids[t]!;
      if (t + 1 >= s.lossFrom) {
        targets[b * T + t] = s.ids[t + 1]!;
        tokens++;
      }
    }
  });
  return { B, T, ids, targets, tokens };
}

/**
 * Length bucketing: sorts sequences by length, cuts batches of at most `batchSize` rows and at most
 * `maxTokens` padded tokens, then shuffles the batch order. Each sequence lands in exactly one batch.
 */
export function bucketBatches(seqs: TrainSeq[], opts: { batchSize: number; maxTokens?: number; padId: number; rng: Rng }): Batch[] {
  const order = seqs.map((_, i) => i);
  opts.rng.shuffle(order); // ties in length end up in random rows
  order.sort((a, b) => seqs[a]!.ids.length - seqs[b]!.ids.length);
  const batches: Batch[] = [];
  let cur: TrainSeq[] = [];
  for (const i of order) {
    const s = seqs[i]!;
    const rows = cur.length + 1;
    const tooMany = rows > opts.batchSize || (opts.maxTokens !== undefined && rows * s.ids.length > opts.maxTokens && cur.length > 0);
    if (tooMany) {
      batches.push(makeBatch(cur, opts.padId));
      cur = [];
    }
    cur.push(s);
  }
  if (cur.length) batches.push(makeBatch(cur, opts.padId));
  return opts.rng.shuffle(batches);
}
