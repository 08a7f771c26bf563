// Batched sampling with a KV cache: prompts of any lengths in one batch (left-aligned, per-row cache lengths),
// identical prompts prefilled once (GRPO's groups), greedy or temperature/top-k/top-p, EOS ids and stop strings,
// per-token logprobs of the sampled tokens. Finished rows are compacted out so they stop costing compute.
// Not a server or a beam search. Follows HF generate()'s sampling semantics; each row draws from its own forked Rng.
import type { Decoder } from '../model/decoder.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { eosIds as configEos } from '../model/config.js';
import type { Rng } from '../util/rng.js';
import { KVDecoder, type Bf16WeightCopies } from './kvdecoder.js';
import { type SamplingOptions, type Prepared, SampleBatch, checkSampling, sampleRow } from './sampling.js';

export { sampleRow, checkSampling, SampleScratch, SampleBatch } from './sampling.js';
export type { SamplingOptions, Prepared } from './sampling.js';
export { KVDecoder, Bf16WeightCopies } from './kvdecoder.js';

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  rng: Rng;
  /** Tokens that end a completion (kept in it). Default: the model config's eos_token_id(s). */
  eosIds?: number[];
  /** Texts that end a completion once the decoded completion contains one (the completing token is kept). */
  stopStrings?: string[];
  /** Needed for stopStrings. */
  tokenizer?: Tokenizer;
  /** Most prompt tokens per prefill call (bounds scratch memory). Default 2048. */
  prefillTokens?: number;
  /** BF16 copies of the weights for the decode steps to read instead of the FP32 weights (weight-only BF16). */
  bf16Weights?: Bf16WeightCopies;
}

export interface GenerateResult {
  /** Completion only; the stop token is included when one was hit. */
  tokens: number[];
  /** Per completion token: log-softmax(logits / temperature) of it, before top-k/top-p (temperature 1 when greedy). */
  logprobs: Float32Array;
  finishReason: 'stop' | 'length';
}

/** Samples a completion for every prompt (token ids). One rng draw per row is made up front (row forks). */
export function generate(model: Decoder, prompts: number[][], opts: GenerateOptions): GenerateResult[] {
  const V = model.config.vocab_size;
  checkSampling(opts);
  if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 0) throw new Error(`generate: maxNewTokens ${opts.maxNewTokens} must be a non-negative integer`);
  const stops = opts.stopStrings ?? [];
  if (stops.length > 0 && !opts.tokenizer) throw new Error('generate: stopStrings need a tokenizer to decode completions; pass opts.tokenizer');
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new Error(`generate: prompt ${i} is empty; give at least one token (e.g. the BOS id)`);
    for (const id of p) {
      if (!Number.isInteger(id) || id < 0 || id >= V) throw new Error(`generate: prompt ${i} has token id ${id} outside the vocabulary [0, ${V})`);
    }
  });
  const B = prompts.length;
  const eos = new Set(opts.eosIds ?? configEos(model.config));
  const rngs = prompts.map(() => opts.rng.fork());
  const results: { tokens: number[]; logprobs: number[]; finishReason: 'stop' | 'length' | null }[] =
    prompts.map(() => ({ tokens: [], logprobs: [], finishReason: null }));
  if (B === 0) return [];
  if (opts.maxNewTokens === 0) return results.map(() => ({ tokens: [], logprobs: new Float32Array(0), finishReason: 'length' }));

  const maxPrompt = Math.max(...prompts.map((p) => p.length));
  const dec = new KVDecoder(model, B, maxPrompt + opts.maxNewTokens, Math.max(opts.prefillTokens ?? 2048, maxPrompt), opts.bf16Weights ?? null);
  const batch = new SampleBatch(V, B); // the rows of a prefill call or a decode step are prepared together, in parallel

  /** Appends a token sampled from logits (batch row `from`) to row r; returns true when the row is finished. */
  const take = (r: number, logits: Float32Array, from: Prepared): boolean => {
    const res = results[r]!;
    const { id, logprob } = sampleRow(logits, opts, rngs[r]!, from);
    res.tokens.push(id);
    res.logprobs.push(logprob);
    if (eos.has(id)) res.finishReason = 'stop';
    else if (stops.length > 0 && stopHit(opts.tokenizer!.decode(res.tokens), stops)) res.finishReason = 'stop';
    else if (res.tokens.length >= opts.maxNewTokens) res.finishReason = 'length';
    return res.finishReason !== null;
  };

  // prefill: unique prompts grouped by length, chunked to the scratch size; duplicates copy the first one's cache
  const firstOf = new Map<string, number>();
  const dupes = new Map<number, number[]>();
  prompts.forEach((p, r) => {
    const key = p.join(',');
    const f = firstOf.get(key);
    if (f === undefined) firstOf.set(key, r);
    else if (dupes.has(f)) dupes.get(f)!.push(r);
    else dupes.set(f, [r]);
  });
  const byLen = new Map<number, number[]>();
  for (const r of firstOf.values()) {
    const L = prompts[r]!.length;
    if (byLen.has(L)) byLen.get(L)!.push(r);
    else byLen.set(L, [r]);
  }
  for (const [L, rows] of byLen) {
    const per = Math.max(1, Math.floor(dec.prefillTokens / L));
    for (let s = 0; s < rows.length; s += per) {
      const chunk = rows.slice(s, s + per);
      const ids = new Int32Array(chunk.length * L);
      chunk.forEach((r, j) => ids.set(prompts[r]!, j * L));
      dec.prefill(ids, chunk.length, L, chunk);
      batch.prepare(dec.logits, chunk.length, opts);
      chunk.forEach((r, j) => {
        const row = dec.logits.subarray(j * V, (j + 1) * V);
        take(r, row, batch.row(j));
        for (const d of dupes.get(r) ?? []) {
          dec.copySlot(r, d);
          take(d, row, batch.row(j));
        }
      });
    }
  }

  // decode: slot j holds row slotRow[j]; finished rows are compacted away before each step
  let slotRow = prompts.map((_, r) => r);
  const ids = new Int32Array(B);
  for (;;) {
    const keep: number[] = [];
    slotRow.forEach((r, j) => { if (results[r]!.finishReason === null) keep.push(j); });
    if (keep.length === 0) break;
    if (keep.length !== slotRow.length) {
      dec.compact(keep);
      slotRow = keep.map((j) => slotRow[j]!);
    }
    const Ba = slotRow.length;
    slotRow.forEach((r, j) => { ids[j] = results[r]!.tokens[results[r]!.tokens.length - 1]!; });
    dec.step(ids, Ba);
    batch.prepare(dec.logits, Ba, opts);
    slotRow.forEach((r, j) => take(r, dec.logits.subarray(j * V, (j + 1) * V), batch.row(j)));
  }
  return results.map((r) => ({ tokens: r.tokens, logprobs: Float32Array.from(r.logprobs), finishReason: r.finishReason! }));
}

function stopHit(text: string, stops: string[]): boolean {
  return stops.some((s) => s.length > 0 && text.includes(s));
}
