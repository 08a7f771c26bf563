// `r1 serve`'s weight-update routes over HTTP, with vLLM's and SGLang's bodies and answers: an adapter loaded in place,
// full weights read from sharded safetensors, a bad path refused with the old weights kept, and an update that waits for
// the requests queued before it, so each completion comes from one version (reported as weight_version).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/util/rng.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { CharTokenizer } from '../../src/model/tokenizer.js';
import { attachLora } from '../../src/model/lora.js';
import { saveAdapter } from '../../src/model/lora-io.js';
import { saveCheckpoint } from '../../src/model/checkpoint.js';
import { Engine } from '../../src/serve/engine.js';
import { OpenAIServer } from '../../src/serve/server.js';

const tok = new CharTokenizer({ chars: 'abcdefghij ' });
const cfg = makeConfig({ vocab_size: tok.vocabSize, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 2, max_position_embeddings: 64 });
const work = mkdtempSync(join(tmpdir(), 'r1-serve-weights-'));
const servers: OpenAIServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(work, { recursive: true, force: true });
});

async function serve(): Promise<{ server: OpenAIServer; base: string }> {
  const server = new OpenAIServer(new Engine(new Decoder(cfg, new Rng(1)), tok, { slots: 4 }), { modelName: 'tiny' });
  servers.push(server);
  return { server, base: `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}` };
}
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const complete = async (base: string, model = 'tiny', seed = 5) => (await (await post(`${base}/v1/completions`, {
  model, prompt: 'abc', n: 2, max_tokens: 12, temperature: 1, seed, logprobs: 0, return_token_ids: true,
})).json()) as { choices: { token_ids: number[]; logprobs: { token_logprobs: number[] } }[]; weight_version?: string };

test("vLLM's /v1/load_lora_adapter: loaded in place under its name, a second load needs load_inplace, a bad folder keeps the old one", async () => {
  const { server, base } = await serve();
  const before = await complete(base);
  const trained = new Decoder(cfg, new Rng(1));
  const a = attachLora(trained, { loraR: 2, loraAlpha: 4, loraDropout: 0, loraTargetModules: ['q_proj', 'v_proj'] }, 3)!;
  a.pairs.forEach((p) => p.b.data.fill(0.3));
  saveAdapter(join(work, 'ad1'), a, null);
  const res = await post(`${base}/v1/load_lora_adapter`, { lora_name: 'pol', lora_path: join(work, 'ad1') });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "Success: LoRA adapter 'pol' added successfully.");
  const adapted = await complete(base, 'pol');
  assert.notDeepEqual(adapted.choices.map((c) => c.logprobs.token_logprobs), before.choices.map((c) => c.logprobs.token_logprobs));
  const again = await post(`${base}/v1/load_lora_adapter`, { lora_name: 'pol', lora_path: join(work, 'ad1') });
  assert.equal(again.status, 400);
  assert.match(((await again.json()) as { error: { message: string } }).error.message, /already been loaded.*load_inplace/);
  const bad = await post(`${base}/v1/load_lora_adapter`, { lora_name: 'pol', lora_path: join(work, 'nothing'), load_inplace: true });
  assert.equal(bad.status, 400);
  assert.deepEqual((await complete(base, 'pol')).choices.map((c) => c.token_ids), adapted.choices.map((c) => c.token_ids), 'the old adapter serves on');
  assert.ok(server.engine.model.adapter);
});

test("SGLang's /update_weights_from_disk: full weights from sharded safetensors, answered {success, message}, version reported", async () => {
  const { base } = await serve();
  const other = new Decoder(cfg, new Rng(99));
  saveCheckpoint(join(work, 'full'), other, tok, {}, { maxShardBytes: 4000 }); // several shards
  const ref = await serve(); // a server started from the new weights directly
  ref.server.engine.model.namedParameters().forEach(([, p], i) => p.data.set(other.namedParameters()[i]![1].data));
  const res = await post(`${base}/update_weights_from_disk`, { model_path: join(work, 'full'), weight_version: '7' });
  assert.deepEqual(await res.json(), { success: true, message: 'Succeeded to update model weights.', error_message: '', num_paused_requests: 0, weight_version: '7' });
  const got = await complete(base);
  assert.equal(got.weight_version, '7');
  assert.deepEqual(got.choices.map((c) => c.token_ids), (await complete(ref.base)).choices.map((c) => c.token_ids));
  const bad = await post(`${base}/update_weights_from_disk`, { model_path: join(work, 'nothing') });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { success: boolean }).success, false);
  assert.equal((await (await fetch(`${base}/get_weight_version`)).json() as { weight_version: string }).weight_version, '7');
});

test('an update waits for the requests queued before it; requests sent meanwhile run with the new weights', async () => {
  const e = new Engine(new Decoder(cfg, new Rng(1)), tok, { slots: 4 });
  const other = new Decoder(cfg, new Rng(99));
  const req = { prompt: tok.encode('abc'), n: 2, maxTokens: 30, temperature: 1, seed: 3 };
  const oldAlone = await new Engine(new Decoder(cfg, new Rng(1)), tok, { slots: 4 }).submit(req);
  const newAlone = await new Engine(other, tok, { slots: 4 }).submit(req);
  const first = e.submit(req);
  const update = e.replaceWeights(() => e.model.namedParameters().forEach(([, p], i) => p.data.set(other.namedParameters()[i]![1].data)), '1');
  const second = e.submit(req); // sent while the update waits
  const [a, , b] = await Promise.all([first, update, second]);
  assert.deepEqual(a.map((c) => c.tokens), oldAlone.map((c) => c.tokens));
  assert.deepEqual(a.map((c) => c.weightVersion), [null, null]);
  assert.deepEqual(b.map((c) => c.tokens), newAlone.map((c) => c.tokens));
  assert.deepEqual(b.map((c) => c.weightVersion), ['1', '1']);
});
