// Continuous batching into the KV-cache sampler: requests from any number of callers join one running batch
// of cache slots as soon as a slot is free (prefilled on arrival, stepped with everyone else), and leave it when
// they finish or are cancelled. Not HTTP (server.ts) and not a scheduler with preemption or paged memory.
// Each choice samples from its own Rng seeded from the request's seed, so a seeded request gives the same tokens
// whoever else is in the batch (vLLM's per-request seed semantics; BLAS may change logits in the last bits with the
// batch's size, which flips a token only when a draw lands within ~1e-9 of a boundary). Sampling is sampleRow.
import { randomInt } from 'node:crypto';
import type { Decoder } from '../model/decoder.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { eosIds as configEos, headSize, type ModelConfig } from '../model/config.js';
import { Bf16WeightCopies, KVDecoder, kvCacheBytesPerValue } from '../generate/kvdecoder.js';
import { SampleScratch, checkSampling, sampleRow } from '../generate/sampling.js';
import { Rng } from '../util/rng.js';
import type { MatmulPrecision } from '../tensor/index.js';

export interface EngineRequest {
  /** Prompt token ids (at least one). */
  prompt: number[];
  /** Choices sampled from the prompt (default 1). */
  n?: number;
  maxTokens: number;
  temperature: number;
  topP?: number;
  topK?: number;
  /** Texts that end a choice; the text returned stops before the first one (OpenAI semantics). */
  stop?: string[];
  /** Seed of the request: choice j samples from the j-th fork of Rng(seed). Default: a random seed. */
  seed?: number;
  /** Called with each choice's newly decoded text as it grows (stop strings held back until they cannot match). */
  onText?: (choice: number, delta: string) => void;
  /** Aborting drops the request's choices from the batch at the next step and rejects with an AbortError. */
  signal?: AbortSignal;
}

export interface EngineChoice {
  index: number;
  text: string;
  /** Completion tokens, the EOS token included when one ended it. */
  tokens: number[];
  logprobs: number[];
  finishReason: 'stop' | 'length';
  /** The weights' version when the request was queued (replaceWeights), null before any update. */
  weightVersion: string | null;
}

/** A request the engine cannot take (bad prompt, too long for the context): the server answers 400. */
export class EngineInputError extends Error {}

export interface EngineOptions {
  /** Cache slots: choices decoded together (default 32). */
  slots?: number;
  /** Context per slot, prompt plus completion (default: the model's max_position_embeddings, at most 8192). */
  maxLen?: number;
  /** Most prompt tokens prefilled per call (default 2048). */
  prefillTokens?: number;
  /** Decode steps read BF16 copies of the weights (Bf16WeightCopies; repacked after replaceWeights). */
  bf16Weights?: boolean;
}

interface Seq {
  req: EngineRequest;
  index: number;
  rng: Rng;
  maxNew: number;
  tokens: number[];
  logprobs: number[];
  finish: 'stop' | 'length' | null;
  text: string;
  sent: number;
  /** Incremental detokenising: `prefix` is the text of tokens[0, off). */
  off: number;
  prefix: string;
  weightVersion: string | null;
  done: (c: EngineChoice | Error) => void;
}

/** Bytes of KV cache one slot of maxLen positions takes (K and V, every layer; 4 bytes a value in FP32, 2 in BF16). */
export function slotBytes(c: ModelConfig, maxLen: number, bytesPerValue = 4): number {
  return c.num_hidden_layers * 2 * c.num_key_value_heads * headSize(c) * bytesPerValue * maxLen;
}

/** The most slots (up to `most`) whose KV cache, in a model of that precision, fits in `budget` bytes (default 2 GiB); at least 1. */
export function slotsFor(c: ModelConfig, maxLen: number, most: number, budget = 2 ** 31, precision: MatmulPrecision = 'fp32'): number {
  return Math.max(1, Math.min(most, Math.floor(budget / slotBytes(c, maxLen, kvCacheBytesPerValue(precision)))));
}

export class Engine {
  readonly slots: number;
  readonly maxLen: number;
  private readonly dec: KVDecoder;
  private readonly eos: Set<number>;
  private readonly scratch: SampleScratch;
  /** Whether text can be decoded piecewise at token boundaries (byte-level BPE, character tokenizers). */
  private readonly incremental: boolean;
  private readonly waiting: Seq[] = [];
  /** active[j] is the sequence in cache slot j. */
  private active: Seq[] = [];
  private running = false;
  /** While weights are being replaced: requests submitted meanwhile, queued once the new weights are in. */
  private held: Seq[] | null = null;
  private idle: (() => void)[] = [];
  private updates: Promise<void> = Promise.resolve();
  private pendingUpdates = 0;
  /** The version of the weights in use (replaceWeights), null before any update. */
  weightVersion: string | null = null;
  private closed = false;
  /** Decode steps run and tokens sampled, for benchmarks and /metrics-like reporting. */
  stats = { steps: 0, tokens: 0, maxBatch: 0 };

  constructor(readonly model: Decoder, readonly tokenizer: Tokenizer, o: EngineOptions = {}) {
    this.slots = o.slots ?? 32;
    this.maxLen = o.maxLen ?? Math.min(model.config.max_position_embeddings, 8192);
    if (!(Number.isInteger(this.slots) && this.slots >= 1)) throw new Error(`Engine: slots ${this.slots} must be a positive integer`);
    if (!(Number.isInteger(this.maxLen) && this.maxLen >= 2)) throw new Error(`Engine: maxLen ${this.maxLen} must be an integer >= 2`);
    this.dec = new KVDecoder(model, this.slots, this.maxLen, Math.max(o.prefillTokens ?? 2048, this.maxLen), o.bf16Weights ? new Bf16WeightCopies() : null);
    this.eos = new Set([...configEos(model.config), ...(tokenizer.eosId === null ? [] : [tokenizer.eosId])]);
    this.scratch = new SampleScratch(model.config.vocab_size);
    const decoder = (tokenizer.toJSON() as { decoder?: { type?: string } | null }).decoder?.type;
    this.incremental = decoder === 'ByteLevel' || decoder === 'Fuse';
  }

  /** The text of s's tokens: the tail since the last complete piece is decoded, not the whole completion. */
  private textOf(s: Seq): string {
    if (!this.incremental) return this.tokenizer.decode(s.tokens);
    const tail = this.tokenizer.decode(s.tokens.slice(s.off));
    if (s.tokens.length - s.off < 16 || tail.endsWith('\uFFFD')) return s.prefix + tail;
    s.prefix += tail;
    s.off = s.tokens.length;
    return s.prefix;
  }

  /** Choices in flight or waiting. */
  get load(): { active: number; waiting: number } {
    return { active: this.active.filter((s) => !s.finish).length, waiting: this.waiting.filter((s) => !s.finish).length };
  }

  /** Samples req.n choices of the prompt; resolves when all are finished. */
  submit(req: EngineRequest): Promise<EngineChoice[]> {
    const n = req.n ?? 1;
    const V = this.model.config.vocab_size;
    if (this.closed) return Promise.reject(new Error('Engine: closed'));
    if (!(Number.isInteger(n) && n >= 1)) return Promise.reject(new EngineInputError(`n must be a positive integer, got ${n}`));
    if (req.prompt.length === 0) return Promise.reject(new EngineInputError('the prompt is empty; give at least one token'));
    for (const id of req.prompt) if (!(Number.isInteger(id) && id >= 0 && id < V)) return Promise.reject(new EngineInputError(`prompt token id ${id} is outside the vocabulary [0, ${V})`));
    if (req.prompt.length >= this.maxLen) {
      return Promise.reject(new EngineInputError(`the prompt is ${req.prompt.length} tokens; this server's context is ${this.maxLen} tokens (prompt plus completion); shorten the prompt`));
    }
    if (!(Number.isInteger(req.maxTokens) && req.maxTokens >= 1)) return Promise.reject(new EngineInputError(`max_tokens must be a positive integer, got ${req.maxTokens}`));
    try {
      checkSampling({ temperature: req.temperature, topP: req.topP, topK: req.topK });
    } catch (e) {
      return Promise.reject(new EngineInputError((e as Error).message.replace(/^generate: /, '')));
    }
    if (req.signal?.aborted) return Promise.reject(abortError());
    const root = new Rng(req.seed ?? randomInt(0, 2 ** 32));
    const maxNew = Math.min(req.maxTokens, this.maxLen - req.prompt.length);
    return new Promise((resolve, reject) => {
      const out: EngineChoice[] = new Array(n);
      let left = n;
      let failed = false;
      const seqs: Seq[] = [];
      for (let j = 0; j < n; j++) {
        seqs.push({
          req, index: j, rng: root.fork(), maxNew, tokens: [], logprobs: [], finish: null, text: '', sent: 0, off: 0, prefix: '', weightVersion: this.weightVersion,
          done: (c) => {
            if (failed) return;
            if (c instanceof Error) {
              failed = true;
              for (const s of seqs) s.finish ??= 'stop'; // the rest leave the batch too
              reject(c);
              return;
            }
            out[c.index] = c;
            if (--left === 0) resolve(out);
          },
        });
      }
      req.signal?.addEventListener('abort', () => seqs.forEach((s) => { if (!s.finish) s.done(abortError()); }), { once: true });
      if (this.held) {
        this.held.push(...seqs);
        return;
      }
      this.waiting.push(...seqs);
      this.kick();
    });
  }

  /**
   * Replaces the weights with `load` (in place) once every request queued before has finished, so each completion is
   * sampled with one version; requests submitted meanwhile wait and then run with the new weights (tagged `version`).
   * Updates run one after another; a load that throws leaves the old weights (the loaders check before reading).
   */
  replaceWeights(load: () => void, version: string | null): Promise<void> {
    this.held ??= []; // from now on new requests wait for the new weights
    this.pendingUpdates++;
    const run = async () => {
      try {
        if (this.running) await new Promise<void>((r) => this.idle.push(r));
        load();
        this.dec.weightsChanged(); // the BF16 copies are packed again from the new weights
        this.weightVersion = version;
      } finally {
        if (--this.pendingUpdates === 0) {
          const held = this.held ?? [];
          this.held = null;
          for (const s of held) s.weightVersion = this.weightVersion;
          this.waiting.push(...held);
          if (held.length) this.kick();
        }
      }
    };
    const p = this.updates.then(run);
    this.updates = p.catch(() => {});
    return p;
  }

  /** Stops taking requests; those in flight finish. */
  close(): void {
    this.closed = true;
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    setImmediate(() => this.loop());
  }

  /** One scheduling round per macrotask, so HTTP requests keep arriving between decode steps. */
  private loop(): void {
    try {
      this.admit();
      this.step();
    } catch (e) {
      for (const s of [...this.active, ...this.waiting]) if (!s.finish) s.done(e as Error);
      this.active = [];
      this.waiting.length = 0;
    }
    if (this.active.length > 0 || this.waiting.length > 0) setImmediate(() => this.loop());
    else {
      this.running = false;
      this.idle.splice(0).forEach((r) => r());
    }
  }

  /** Drops finished or cancelled sequences from the cache (compacting the slots). */
  private compact(): void {
    const keep: number[] = [];
    this.active.forEach((s, j) => { if (!s.finish) keep.push(j); });
    if (keep.length === this.active.length) return;
    this.dec.compact(keep);
    this.active = keep.map((j) => this.active[j]!);
  }

  /** Prefills waiting sequences into free slots; choices of one prompt share one prefill. */
  private admit(): void {
    this.compact();
    for (let i = this.waiting.length - 1; i >= 0; i--) if (this.waiting[i]!.finish) this.waiting.splice(i, 1);
    const V = this.model.config.vocab_size;
    while (this.waiting.length > 0 && this.active.length < this.slots) {
      // same-length prompts go in one prefill call, within the prefill scratch
      const L = this.waiting[0]!.req.prompt.length;
      const per = Math.max(1, Math.floor(this.dec.prefillTokens / L));
      const group: Seq[][] = []; // unique prompts, each with its sequences
      let used = this.active.length;
      for (let i = 0; i < this.waiting.length && used < this.slots; ) {
        const s = this.waiting[i]!;
        if (s.req.prompt.length !== L) { i++; continue; }
        const g = group.find((x) => x[0]!.req === s.req);
        if (!g && group.length >= per) break;
        if (g) g.push(s);
        else group.push([s]);
        this.waiting.splice(i, 1);
        used++;
      }
      const base = this.active.length;
      const ids = new Int32Array(group.length * L);
      group.forEach((g, b) => ids.set(g[0]!.req.prompt, b * L));
      const firstSlots = group.map((_, b) => base + b);
      this.dec.prefill(ids, group.length, L, firstSlots);
      const heads = group.map((g) => g[0]!);
      this.active.push(...heads);
      group.forEach((g, b) => this.take(g[0]!, this.dec.logits.subarray(b * V, (b + 1) * V)));
      for (const [b, g] of group.entries()) {
        const row = this.dec.logits.subarray(b * V, (b + 1) * V);
        for (const s of g.slice(1)) {
          this.dec.copySlot(firstSlots[b]!, this.active.length);
          this.active.push(s);
          this.take(s, row);
        }
      }
      this.compact();
    }
  }

  /** One decode step for every active slot. */
  private step(): void {
    this.compact();
    const B = this.active.length;
    if (B === 0) return;
    const V = this.model.config.vocab_size;
    const ids = new Int32Array(B);
    this.active.forEach((s, j) => (ids[j] = s.tokens[s.tokens.length - 1]!));
    this.dec.step(ids, B);
    this.stats.steps++;
    this.stats.maxBatch = Math.max(this.stats.maxBatch, B);
    this.active.forEach((s, j) => this.take(s, this.dec.logits.subarray(j * V, (j + 1) * V)));
    this.compact();
  }

  /** Samples one token for s from its logits row, updates text and finish state, reports a finished choice. */
  private take(s: Seq, logits: Float32Array): void {
    if (s.finish) return;
    const r = s.req;
    const { id, logprob } = sampleRow(logits, { temperature: r.temperature, topP: r.topP, topK: r.topK }, s.rng, this.scratch);
    this.stats.tokens++;
    s.tokens.push(id);
    s.logprobs.push(logprob);
    const stops = r.stop ?? [];
    if (this.eos.has(id)) {
      s.finish = 'stop';
      s.text = this.tokenizer.decode(s.tokens.slice(0, -1)); // EOS is not text
    } else {
      // decoding every step is only needed to watch for stop strings or to stream
      const watch = stops.length > 0 || r.onText !== undefined;
      if (watch) s.text = this.textOf(s);
      const cut = watch ? firstStop(s.text, stops) : -1;
      if (cut >= 0) {
        s.text = s.text.slice(0, cut);
        s.finish = 'stop';
      } else if (s.tokens.length >= s.maxNew) {
        s.finish = 'length';
        s.text = this.tokenizer.decode(s.tokens); // the whole completion decoded at once: exact whatever the tokenizer
      }
    }
    if (r.onText) {
      // hold back an incomplete UTF-8 character and any tail that could begin a stop string
      let upto = s.text.length;
      if (!s.finish) {
        if (s.text.endsWith('\uFFFD')) upto = s.text.length - 1;
        for (const st of stops) for (let k = Math.min(st.length - 1, upto); k > 0; k--) {
          if (s.text.endsWith(st.slice(0, k))) { upto = Math.min(upto, s.text.length - k); break; }
        }
      }
      if (upto > s.sent) {
        r.onText(s.index, s.text.slice(s.sent, upto));
        s.sent = upto;
      }
    }
    if (s.finish) s.done({ index: s.index, text: s.text, tokens: s.tokens, logprobs: s.logprobs, finishReason: s.finish, weightVersion: s.weightVersion });
  }
}

function firstStop(text: string, stops: string[]): number {
  let best = -1;
  for (const st of stops) {
    if (st.length === 0) continue;
    const i = text.indexOf(st);
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best;
}

function abortError(): Error {
  const e = new Error('the request was cancelled');
  e.name = 'AbortError';
  return e;
}
