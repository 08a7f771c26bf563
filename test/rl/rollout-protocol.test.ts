// Our rollout client against the documented protocols: /v1/completions bodies as vLLM and SGLang document them (token ids
// via return_token_ids or "token_id:N" tokens, logprobs.token_logprobs), the weight-update routes' bodies; and the bad
// servers of issue 23 (not OpenAI-compatible, no token ids or logprobs, a refused weight route) as one line before step 1.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EndpointPool, parseCompletion, RolloutProtocolError } from '../../src/rl/endpoints.js';
import { syncRoute } from '../../src/rl/weight-sync.js';
import { EndpointRollout, parseRollout, rolloutProblem } from '../../src/rl/rollout.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { CharTokenizer } from '../../src/model/tokenizer.js';
import { Rng } from '../../src/util/rng.js';
import { attachLora } from '../../src/model/lora.js';
import { UsageError } from '../../src/run/spec.js';

const ROOT = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'r1-rollout-protocol-'));
const servers: Server[] = [];
after(() => {
  servers.forEach((s) => s.close());
  rmSync(work, { recursive: true, force: true });
});

// vLLM's CompletionResponse for logprobs: 0, return_token_ids: true (vLLM >= 0.10.2): token ids on each choice
const VLLM = {
  id: 'cmpl-1', object: 'text_completion', created: 1, model: 'Qwen/Qwen2.5-0.5B',
  choices: [
    { index: 1, text: ' 4', logprobs: { text_offset: [0], token_logprobs: [-0.25], tokens: [' 4'], top_logprobs: [{ ' 4': -0.25 }] }, finish_reason: 'length', stop_reason: null, prompt_token_ids: [17, 10, 17], token_ids: [220] },
    { index: 0, text: ' 5<|endoftext|>', logprobs: { text_offset: [0, 2], token_logprobs: [-1.5, -0.125], tokens: [' 5', '<|endoftext|>'], top_logprobs: [{ ' 5': -1.5 }, { '<|endoftext|>': -0.125 }] }, finish_reason: 'stop', stop_reason: null, prompt_token_ids: [17, 10, 17], token_ids: [20, 151643] },
  ],
  usage: { prompt_tokens: 6, total_tokens: 9, completion_tokens: 3 },
};
// vLLM before return_token_ids, served with --return-tokens-as-token-ids: the tokens are "token_id:N"
const VLLM_OLD = { choices: [{ index: 0, text: 'x', logprobs: { tokens: ['token_id:87', 'token_id:2'], token_logprobs: [-0.5, -0.75], top_logprobs: null, text_offset: [0, 1] }, finish_reason: 'stop' }] };
// SGLang's /v1/completions with logprobs: token strings, no ids
const SGLANG_NO_IDS = { choices: [{ index: 0, text: 'x', logprobs: { tokens: ['x'], token_logprobs: [-0.5], top_logprobs: [{}], text_offset: [0] }, finish_reason: 'length' }] };

test('vLLM completions: choices sorted by index, token ids and logprobs per token, finish reasons', () => {
  const cs = parseCompletion('http://gpu:8000/v1', JSON.stringify(VLLM), 2);
  assert.deepEqual(cs.map((c) => c.tokens), [[20, 151643], [220]]);
  assert.deepEqual(cs.map((c) => Array.from(c.logprobs)), [[-1.5, -0.125], [-0.25]]);
  assert.deepEqual(cs.map((c) => c.finishReason), ['stop', 'length']);
  const old = parseCompletion('http://gpu:8000/v1', JSON.stringify(VLLM_OLD), 1);
  assert.deepEqual(old[0]!.tokens, [87, 2]);
});

test('a server that returns no token ids, no logprobs, too few choices or not JSON: one line naming the server, the field and the flag', () => {
  const expectErr = (body: unknown, n: number, re: RegExp) => assert.throws(() => parseCompletion('http://gpu:30000/v1', typeof body === 'string' ? body : JSON.stringify(body), n),
    (e: Error) => e instanceof RolloutProtocolError && e instanceof UsageError && re.test(e.message) && e.message.includes('http://gpu:30000/v1') && !e.message.includes('\n'));
  expectErr(SGLANG_NO_IDS, 1, /no token ids \(choices\[\]\.token_ids .*return_token_ids.*--return-tokens-as-token-ids/);
  expectErr({ choices: [{ index: 0, text: 'x', logprobs: null, token_ids: [1] }] }, 1, /no per-token logprobs \(choices\[\]\.logprobs\.token_logprobs\).*--logprobs-mode processed_logprobs/);
  expectErr(VLLM, 3, /returned 2 choices for n = 3/);
  expectErr('<html>hello</html>', 1, /not OpenAI-compatible.*not JSON/);
  expectErr({ choices: [{ index: 0, logprobs: { token_logprobs: [-1, -2] }, token_ids: [5] }] }, 1, /1 token ids but 2 logprobs/);
});

test("the weight-update routes and bodies as vLLM and SGLang document them", () => {
  assert.deepEqual(syncRoute('vllm', 'lora', 'pol', '/w/v3', 3), {
    route: '/v1/load_lora_adapter', body: { lora_name: 'pol', lora_path: '/w/v3', load_inplace: true },
    enable: 'start vLLM with --enable-lora (and --max-lora-rank >= loraR) and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True',
  });
  assert.deepEqual(syncRoute('sglang', 'lora', 'pol', '/w/v3', 3).body, { lora_name: 'pol', lora_path: '/w/v3' });
  assert.equal(syncRoute('sglang', 'lora', 'pol', '/w/v3', 3).route, '/load_lora_adapter');
  assert.deepEqual(syncRoute('sglang', 'full', 'pol', '/w/v3', 3), {
    route: '/update_weights_from_disk', body: { model_path: '/w/v3', weight_version: '3' }, enable: 'SGLang serves it by default (python -m sglang.launch_server); check the server version',
  });
});

test('the rollout option: local, a URL list or JSON; malformed ones named', () => {
  assert.equal(parseRollout('local'), 'local');
  assert.deepEqual(parseRollout('http://a:8000/v1, http://b:8000/v1'), { endpoints: ['http://a:8000/v1', 'http://b:8000/v1'] });
  assert.deepEqual(parseRollout('{"endpoints": ["http://a:1"], "server": "sglang"}'), { endpoints: ['http://a:1'], server: 'sglang' });
  assert.match(rolloutProblem({ endpoints: [] })!, /non-empty list/);
  assert.match(rolloutProblem({ endpoints: ['a:8000'] })!, /not an http\(s\) URL/);
  assert.match(rolloutProblem({ endpoints: ['http://a:1'], server: 'tgi' as 'vllm' })!, /'vllm' .* or 'sglang'/);
  assert.match(rolloutProblem({ endpoints: ['http://a:1'], port: 3 } as never)!, /unknown field\(s\) port/);
  assert.equal(rolloutProblem({ endpoints: ['http://a:1', 'http://b:1'], modelName: 'm', timeout: 5 }), null);
});

/** A fake server: GET /v1/models and POST routes answered by `routes` (status, body). */
async function fake(routes: Record<string, [number, unknown]>): Promise<string> {
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const r = routes[`${req.method} ${req.url}`] ?? [404, { error: { message: `no route ${req.url}` } }];
      res.writeHead(r[0], { 'content-type': typeof r[1] === 'string' ? 'text/html' : 'application/json' });
      res.end(typeof r[1] === 'string' ? r[1] : JSON.stringify(r[1]));
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(s.address() as { port: number }).port}/v1`;
}

const tok = new CharTokenizer({ chars: 'ab' });
const model = new Decoder(makeConfig({ vocab_size: tok.vocabSize, hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 2 }), new Rng(1));
const loraModel = new Decoder(model.config, new Rng(1));
attachLora(loraModel, { loraR: 2, loraAlpha: 4, loraDropout: 0, loraTargetModules: ['q_proj'] }, 3);
const open = (url: string, kind: 'lora' | 'full' = 'full', server?: 'sglang') => EndpointRollout.open({ endpoints: [url], modelName: 'm', ...(server ? { server } : {}) }, {
  kind, syncDir: join(work, 'sync'), baseModel: null, model: kind === 'lora' ? loraModel : model, tokenizer: tok, version: 0, probePrompt: [1, 3], log: () => {},
});
const MODELS: [number, unknown] = [200, { object: 'list', data: [{ id: 'm', object: 'model' }] }];
const GOOD: [number, unknown] = [200, { choices: [{ index: 0, text: 'a', logprobs: { token_logprobs: [-1], tokens: ['a'] }, token_ids: [3], finish_reason: 'length' }] }];

test('bad servers are refused before the first step, each in one line naming the server, what is missing and the flag', async () => {
  const html = await fake({ 'GET /v1/models': [200, '<html>router admin</html>'] });
  await assert.rejects(open(html), (e: Error) => e instanceof RolloutProtocolError && e.message.includes(html) && /not OpenAI-compatible/.test(e.message));
  const noIds = await fake({ 'GET /v1/models': MODELS, 'POST /v1/completions': [200, SGLANG_NO_IDS] });
  await assert.rejects(open(noIds), (e: Error) => e instanceof RolloutProtocolError && e.message.startsWith(noIds) && /token_ids/.test(e.message));
  const otherModel = await fake({ 'GET /v1/models': [200, { data: [{ id: 'other' }] }] });
  await assert.rejects(open(otherModel), /serves \["other"\], not 'm'; set rollout\.modelName/);
  const noLora = await fake({ 'GET /v1/models': MODELS, 'POST /v1/completions': GOOD });
  await assert.rejects(open(noLora, 'lora'), (e: Error) => e instanceof RolloutProtocolError && e.message.startsWith(noLora)
    && /refused POST \/v1\/load_lora_adapter \(HTTP 404/.test(e.message) && /VLLM_ALLOW_RUNTIME_LORA_UPDATING=True/.test(e.message));
  await assert.rejects(open(noLora, 'full'), /refused POST \/update_weights_from_disk \(HTTP 404.*vLLM has no full-weight reload over HTTP/);
  // SGLang answers 200 with success: false when it cannot load
  const sgFail = await fake({ 'GET /v1/models': MODELS, 'POST /v1/completions': GOOD, 'POST /update_weights_from_disk': [200, { success: false, message: 'Failed to get weights iterator' }] });
  await assert.rejects(open(sgFail, 'full', 'sglang'), /refused POST \/update_weights_from_disk \(HTTP 200: .*Failed to get weights iterator/);
  const sgOk = await fake({ 'GET /v1/models': MODELS, 'POST /v1/completions': GOOD, 'POST /update_weights_from_disk': [200, { success: true, message: 'Succeeded' }] });
  const r = await open(sgOk, 'full', 'sglang');
  assert.equal(r.pool.eps[0]!.version, 0);
  r.close();
});

test('r1 grpo with a server that cannot be reached: exit 2 and one line, before any step', () => {
  const out = join(work, 'run');
  const res = spawnSync(process.execPath, [join(ROOT, 'bin', 'r1.js'), 'grpo', '--model', join(ROOT, 'test', 'fixtures', 'model', 'addition-tiny'), '--world', 'addition',
    '--out', out, '--steps', '1', '--prompts-per-step', '1', '--num-generations', '2', '--max-completion-length', '4', '--eval-every', '-1',
    '--rollout', 'http://127.0.0.1:9/v1', '--quiet'], { encoding: 'utf8' });
  assert.equal(res.status, 2, res.stderr);
  const lines = res.stderr.trim().split('\n').filter((l) => l.startsWith('r1 grpo:'));
  assert.equal(lines.length, 1, res.stderr);
  assert.match(lines[0]!, /http:\/\/127\.0\.0\.1:9\/v1\/models cannot be reached .*check rollout\.endpoints/);
});

test('the GRPO spec: async needs servers; a sync interval that outlives maxStaleness is refused with the fix', async () => {
  const { resolveConfig, ConfigError } = await import('../../src/rl/config.js');
  const base = { model: 'm', out: 'o', world: 'addition' };
  assert.throws(() => resolveConfig({ ...base, asyncRollouts: true }), (e: Error) => e instanceof ConfigError && /asyncRollouts needs rollout servers/.test(e.message));
  assert.throws(() => resolveConfig({ ...base, rollout: 'http://a:1/v1', weightSyncSteps: 6 }), /weightSyncSteps 6 .* more than maxStaleness 4.*lower weightSyncSteps or raise maxStaleness/);
  const c = resolveConfig({ ...base, rollout: 'http://a:1/v1,http://b:1/v1' });
  assert.deepEqual(c.rollout, { endpoints: ['http://a:1/v1', 'http://b:1/v1'] });
  assert.deepEqual([c.vllmImportanceSamplingMode, c.vllmImportanceSamplingCap, c.maxStaleness, c.weightSyncSteps], ['sequence_mask', 3, 4, 1]);
  assert.equal(resolveConfig(base).rollout, 'local');
});

test('a server that keeps answering 5xx is retried, then taken out, and its request moves; a 400 stops the run', async () => {
  const { EndpointPool } = await import('../../src/rl/endpoints.js');
  let calls = 0;
  const s = createServer((req, res) => { req.resume(); req.on('end', () => { calls++; res.writeHead(500); res.end('oom'); }); });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const broken = `http://127.0.0.1:${(s.address() as { port: number }).port}/v1`;
  const good = await fake({ 'POST /v1/completions': GOOD, 'GET /health': [200, {}] });
  const lines: string[] = [];
  const pool = new EndpointPool({ endpoints: [broken, good], modelName: 'm', retries: 1, healthInterval: 60 }, (l) => lines.push(l));
  const req = { index: 0, prompt: [1], n: 1, seed: 1, maxTokens: 1, temperature: 1, topP: 1, topK: 0, stop: [] };
  const got = await pool.sample(req); // the first request goes to the first server (both idle)
  assert.deepEqual(got.map((c) => [c.tokens, c.endpoint]), [[[3], good]]);
  assert.equal(calls, 2, 'one try and one retry');
  assert.equal(pool.eps[0]!.up, false);
  assert.equal(pool.moved, 1);
  assert.ok(lines.some((l) => l.includes(`moved off ${broken}`) && /HTTP 500 2 times/.test(l)), lines.join('\n'));
  const refusing = await fake({ 'POST /v1/completions': [400, { error: { message: 'max_tokens too large' } }] });
  const p2 = new EndpointPool({ endpoints: [refusing], modelName: 'm' }, () => {});
  await assert.rejects(p2.sample(req), /rejected the request \(HTTP 400: .*max_tokens too large/);
  pool.close();
  p2.close();
});

test('every server gone: the wait for one keeps the process alive until waitForServers, then NoServersError (not an empty event loop, exit 13)', () => {
  const child = `import { EndpointPool } from './src/rl/endpoints.ts';
const pool = new EndpointPool({ endpoints: ['http://127.0.0.1:1/v1'], retries: 0, healthInterval: 0.1, waitForServers: 0.5 }, () => {});
const t0 = performance.now();
pool.sample({ index: 0, prompt: [1], n: 1, seed: 1, maxTokens: 1, temperature: 1, topP: 1, topK: 0, stop: [] })
  .then(() => console.log('sampled'), (e) => { console.log(e.constructor.name, Math.round(performance.now() - t0)); pool.close(); });`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
  const [name, ms] = r.stdout.trim().split(' ');
  assert.equal(name, 'NoServersError');
  assert.ok(Number(ms) >= 500, `it waited waitForServers (0.5 s) first: ${ms} ms`);
});

test('connections closed under the client several times in a row (kept-alive sockets the server timed out) are tried again, and the server stays up', async () => {
  let arrived = 0, trapped = 0, warm = false;
  const srv = createServer((req, res) => {
    arrived++;
    if (warm && trapped < 3) { // closed under the client, unanswered
      trapped++;
      req.socket.destroy();
      return;
    }
    req.resume();
    req.on('end', () => res.end('{"ok":true}'));
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const pool = new EndpointPool({ endpoints: [`http://127.0.0.1:${(srv.address() as { port: number }).port}/v1`] }, () => {});
  const ep = pool.eps[0]!;
  for (const r of await Promise.all([0, 1, 2, 3].map(() => pool.post(ep, '/x', {})))) assert.equal(r.status, 200); // four kept-alive connections
  await new Promise((r) => setTimeout(r, 100));
  warm = true;
  assert.equal((await pool.post(ep, '/x', {})).status, 200);
  assert.equal(trapped, 3);
  assert.equal(arrived, 4 + 3 + 1, 'the request was sent again after each close, then answered');
  assert.ok(ep.up);
  pool.close();
});

test('a request timeout counts responsive time: an answer waiting while this process computed (the event loop blocked) is read, not timed out', async () => {
  const srv = createServer((req, res) => { req.resume(); req.on('end', () => res.end('{"ok":true}')); });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const pool = new EndpointPool({ endpoints: [`http://127.0.0.1:${(srv.address() as { port: number }).port}/v1`] }, () => {});
  const pending = pool.post(pool.eps[0]!, '/x', {}, 1); // a 1 s timeout
  const t0 = performance.now();
  while (performance.now() - t0 < 2500) { /* a training step holding the event loop for 2.5 s */ }
  assert.equal((await pending).status, 200);
  // a server that never answers still times out, after about 1 s of responsive time
  const silent = createServer(() => {});
  servers.push(silent);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const p2 = new EndpointPool({ endpoints: [`http://127.0.0.1:${(silent.address() as { port: number }).port}/v1`] }, () => {});
  const t1 = performance.now();
  await assert.rejects(p2.post(p2.eps[0]!, '/x', {}, 0.5), /sent no reply within 0.5 s/);
  assert.ok(performance.now() - t1 >= 450, `${performance.now() - t1} ms`);
  pool.close();
  p2.close();
});
