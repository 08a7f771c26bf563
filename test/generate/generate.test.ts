// generate(): greedy continuation equals PyTorch's; KV-cached logits equal the full forward pass; a batch of
// unequal (and duplicated) prompts equals each prompt alone; seeds reproduce; EOS, stop strings, top-k/top-p.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/model/checkpoint.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { CharTokenizer } from '../../src/model/tokenizer.js';
import { Bf16WeightCopies, generate, KVDecoder } from '../../src/generate/index.js';
import { getKernels, noGrad } from '../../src/tensor/index.js';
import { Rng } from '../../src/util/rng.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'model', 'qwen2-tiny');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as { greedy: { prompt: number[]; tokens: number[] } };

test('greedy continuation equals PyTorch exactly', async () => {
  const { model } = await loadCheckpoint(DIR);
  const [r] = generate(model, [expected.greedy.prompt], { maxNewTokens: 16, temperature: 0, rng: new Rng(0), eosIds: [] });
  assert.deepEqual(r!.tokens, expected.greedy.tokens);
  assert.equal(r!.finishReason, 'length');
});

test('KV-cached logits equal the full forward pass at every position', async () => {
  const { model } = await loadCheckpoint(DIR);
  const V = model.config.vocab_size;
  const seq = [...expected.greedy.prompt, ...expected.greedy.tokens];
  const P = expected.greedy.prompt.length;
  const full = noGrad(() => model.forward(Int32Array.from(seq), 1, seq.length)).data; // (1, T, V)
  const dec = new KVDecoder(model, 1, seq.length, 64);
  dec.prefill(Int32Array.from(seq.slice(0, P)), 1, P, [0]);
  let maxDiff = 0;
  const cmp = (t: number): void => {
    for (let j = 0; j < V; j++) maxDiff = Math.max(maxDiff, Math.abs(dec.logits[j]! - full[t * V + j]!));
  };
  cmp(P - 1);
  for (let t = P; t < seq.length; t++) {
    dec.step(Int32Array.of(seq[t]!), 1);
    cmp(t);
  }
  console.log(`KV cache vs full forward: max abs logit diff ${maxDiff.toExponential(2)}`);
  assert.ok(maxDiff < 1e-4, `max diff ${maxDiff}`);

  // generate()'s logprobs (greedy: temperature-1 log-softmax) are the full pass's log-softmax of the chosen tokens
  const [r] = generate(model, [expected.greedy.prompt], { maxNewTokens: 16, temperature: 0, rng: new Rng(0), eosIds: [] });
  r!.tokens.forEach((tok, i) => {
    const row = full.subarray((P - 1 + i) * V, (P + i) * V);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    assert.ok(Math.abs(r!.logprobs[i]! - (row[tok]! - lse)) < 1e-4, `logprob ${i}`);
  });
});

test('a batch of unequal and duplicated prompts equals each prompt alone', async () => {
  const { model } = await loadCheckpoint(DIR);
  const prompts = [[5, 17, 200], [104, 101, 108, 108, 111, 32, 9], [1], [5, 17, 200], [42, 43, 44, 45]];
  const opts = { maxNewTokens: 12, temperature: 0, rng: new Rng(0), eosIds: [] };
  const batch = generate(model, prompts, opts);
  prompts.forEach((p, i) => {
    const [alone] = generate(model, [p], opts);
    assert.deepEqual(batch[i]!.tokens, alone!.tokens, `prompt ${i}`);
    alone!.logprobs.forEach((lp, j) => assert.ok(Math.abs(lp - batch[i]!.logprobs[j]!) < 1e-5, `prompt ${i} token ${j}`));
  });
  // rows stopping early (EOS) are compacted away without disturbing the others
  const eosAt = batch[1]!.tokens[3]!;
  const withEos = generate(model, prompts, { ...opts, eosIds: [eosAt] });
  prompts.forEach((_, i) => {
    const k = batch[i]!.tokens.indexOf(eosAt);
    const want = k >= 0 ? batch[i]!.tokens.slice(0, k + 1) : batch[i]!.tokens;
    assert.deepEqual(withEos[i]!.tokens, want, `prompt ${i}`);
    assert.equal(withEos[i]!.finishReason, k >= 0 ? 'stop' : 'length');
  });
});

test('sampling: seeded and reproducible; top-k 1 is greedy; logprobs are finite and <= 0', async () => {
  const { model } = await loadCheckpoint(DIR);
  const prompts = [[5, 17, 200], [1, 2]];
  const a = generate(model, prompts, { maxNewTokens: 10, temperature: 1, topP: 0.9, rng: new Rng(7), eosIds: [] });
  const b = generate(model, prompts, { maxNewTokens: 10, temperature: 1, topP: 0.9, rng: new Rng(7), eosIds: [] });
  const c = generate(model, prompts, { maxNewTokens: 10, temperature: 1, topP: 0.9, rng: new Rng(8), eosIds: [] });
  assert.deepEqual(a.map((r) => r.tokens), b.map((r) => r.tokens));
  assert.notDeepEqual(a.map((r) => r.tokens), c.map((r) => r.tokens));
  for (const r of a) for (const lp of r.logprobs) assert.ok(Number.isFinite(lp) && lp <= 0);
  const g = generate(model, prompts, { maxNewTokens: 10, temperature: 0, rng: new Rng(1), eosIds: [] });
  const k1 = generate(model, prompts, { maxNewTokens: 10, temperature: 0.7, topK: 1, rng: new Rng(1), eosIds: [] });
  assert.deepEqual(k1.map((r) => r.tokens), g.map((r) => r.tokens));
});

test('stop strings end a completion (char tokenizer); maxNewTokens 0 and bad input', () => {
  const tok = new CharTokenizer({ chars: 'abcdefgh ' });
  const model = new Decoder(makeConfig({ vocab_size: tok.vocabSize, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 1, num_attention_heads: 2 }), new Rng(3));
  const prompt = tok.encode('abc');
  const [free] = generate(model, [prompt], { maxNewTokens: 8, temperature: 1, rng: new Rng(5), eosIds: [] });
  const text = tok.decode(free!.tokens);
  const stop = text.slice(2, 4);
  const [stopped] = generate(model, [prompt], { maxNewTokens: 8, temperature: 1, rng: new Rng(5), eosIds: [], stopStrings: [stop], tokenizer: tok });
  let cut = 1;
  while (!tok.decode(free!.tokens.slice(0, cut)).includes(stop)) cut++;
  assert.deepEqual(stopped!.tokens, free!.tokens.slice(0, cut));
  assert.equal(stopped!.finishReason, 'stop');
  const [none] = generate(model, [prompt], { maxNewTokens: 0, temperature: 1, rng: new Rng(5) });
  assert.deepEqual(none!.tokens, []);
  assert.throws(() => generate(model, [[]], { maxNewTokens: 1, temperature: 1, rng: new Rng(5) }), /prompt 0 is empty/);
  assert.throws(() => generate(model, [[999]], { maxNewTokens: 1, temperature: 1, rng: new Rng(5) }), /token id 999/);
  assert.throws(() => generate(model, [prompt], { maxNewTokens: 1, temperature: 1, rng: new Rng(5), stopStrings: ['x'] }), /need a tokenizer/);
});

test('BF16 weight copies: decoding reads the BF16-rounded weights exactly, and follows the weights after stale()', () => {
  const cfg = makeConfig({ vocab_size: 61, hidden_size: 64, intermediate_size: 96, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, tie_word_embeddings: false });
  const model = new Decoder(cfg, new Rng(8)), rounded = new Decoder(cfg, new Rng(8));
  const k = getKernels();
  const packedOnes = (m: Decoder) => m.namedParameters().filter(([n, t]) => t.shape.length === 2 && !n.includes('embed_tokens')); // the products' weights
  const roundInto = () => packedOnes(model).forEach(([, t], i) => k.roundBf16(t.data, packedOnes(rounded)[i]![1].data, t.data.length));
  roundInto();
  // one-token prompts: the prefill is a decode step too, so every product reads the copies
  const prompts = [[3], [7], [3], [50]];
  const opts = { maxNewTokens: 10, temperature: 1, rng: new Rng(2), eosIds: [] };
  const copies = new Bf16WeightCopies();
  const run = (m: Decoder, w?: Bf16WeightCopies) => generate(m, prompts, { ...opts, rng: new Rng(2), bf16Weights: w });
  assert.deepEqual(run(model, copies), run(rounded), 'the copies give the rounded model\'s tokens and logprobs, bit for bit');
  const fp32 = run(model), w16 = run(model, copies);
  const first = fp32.map((r, i) => Math.abs(r.logprobs[0]! - w16[i]!.logprobs[0]!)); // the same first token (the same draw, nearly the same distribution)
  assert.ok(fp32.every((r, i) => r.tokens[0] === w16[i]!.tokens[0]));
  assert.ok(Math.max(...first) > 0 && Math.max(...first) < 0.05, `BF16 weights move the logprobs a little: ${first}`);

  for (const [, t] of packedOnes(model)) for (let i = 0; i < t.data.length; i++) t.data[i] = -1.5 * t.data[i]!; // an "optimizer step"
  roundInto();
  assert.notDeepEqual(run(model, copies), run(rounded), 'before stale() the copies are the old weights');
  copies.stale();
  assert.deepEqual(run(model, copies), run(rounded), 'after stale() they are repacked from the new weights');
});
