// The sampler's cost at a real vocabulary: sampleRow per token with top-p / top-k against plain sampling (top-p 1)
// on the same logit rows, and, given a model, whole generations under both settings; ratios in the same run.
// Not a generation-throughput benchmark across models (r1 bench generate) and not a test of the draws (sampling.test).
import { Rng } from '../util/rng.js';
import type { Decoder } from '../model/decoder.js';
import { generate } from '../generate/index.js';
import { SampleScratch, sampleRow, type SamplingOptions } from '../generate/sampling.js';
import { noGrad } from '../tensor/index.js';

export interface SamplerTiming {
  /** CPU microseconds per sampled token at top-p 1, top-k 0 (same temperature); CPU time, as the sampler is one thread and the machine may be shared. */
  plainUs: number;
  /** Microseconds per sampled token with the truncation asked for. */
  truncatedUs: number;
  ratio: number;
}

/** Logit rows of a model: the last `rows` positions of one forward over random token ids (seeded). */
export function modelLogitRows(model: Decoder, rows: number, seed: number): Float32Array[] {
  const V = model.config.vocab_size;
  const rng = new Rng(seed);
  const ids = Int32Array.from({ length: rows }, () => rng.int(0, V - 1));
  const out = noGrad(() => model.forward(ids, 1, rows)).data; // (1, rows, V)
  return Array.from({ length: rows }, (_, t) => out.slice(t * V, (t + 1) * V));
}

/** Rows of V normal(0, sigma) logits (a random-weight model's flat distributions are sigma ~ 0.1-1). */
export function normalLogitRows(V: number, rows: number, sigma: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: rows }, () => Float32Array.from({ length: V }, () => rng.normal() * sigma));
}

/** sampleRow over every row `repeats` times at plain settings and at `o`, interleaved; the median CPU time of each. */
export function timeSampler(rows: Float32Array[], o: SamplingOptions, repeats: number): SamplerTiming {
  const V = rows[0]!.length;
  const scratch = new SampleScratch(V);
  const plain: SamplingOptions = { temperature: o.temperature };
  const once = (s: SamplingOptions): number => {
    const rng = new Rng(7);
    const t0 = process.cpuUsage();
    for (const r of rows) sampleRow(r, s, rng, scratch);
    const c = process.cpuUsage(t0);
    return (c.user + c.system) / rows.length;
  };
  once(plain);
  once(o); // warm-up
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < repeats; i++) {
    a.push(once(plain));
    b.push(once(o));
  }
  const med = (x: number[]): number => x.sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
  const plainUs = med(a), truncatedUs = med(b);
  return { plainUs, truncatedUs, ratio: truncatedUs / plainUs };
}

export interface GenerateTiming {
  /** Milliseconds per sampled token (all rows' tokens), generation included. */
  plainMs: number;
  truncatedMs: number;
  ratio: number;
  tokens: number;
}

/** Generates batch × newTokens tokens (no EOS stop) at plain settings and at `o`; seconds per token each. */
export function timeGenerate(model: Decoder, batch: number, promptLen: number, newTokens: number, o: SamplingOptions, seed: number): GenerateTiming {
  const V = model.config.vocab_size;
  const rng = new Rng(seed);
  const prompts = Array.from({ length: batch }, () => Array.from({ length: promptLen }, () => rng.int(0, V - 1)));
  const run = (s: SamplingOptions): number => {
    const t0 = performance.now();
    generate(model, prompts, { ...s, maxNewTokens: newTokens, rng: new Rng(seed), eosIds: [] });
    return (performance.now() - t0) / (batch * newTokens);
  };
  const plainMs = run({ temperature: o.temperature });
  const truncatedMs = run(o);
  return { plainMs, truncatedMs, ratio: truncatedMs / plainMs, tokens: batch * newTokens };
}
