// The OpenAI-compatible client against a fake fetch: request shape, order of samples, retries with backoff on 429/5xx
// and network errors, the per-request timeout, fatal vs per-problem errors, n topped up, reasoning_content kept apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointError, endpointSampler, fullText, listModels, sampleEndpoint } from '../../src/eval/endpoint.js';
import { scoreSamples, registryJudge } from '../../src/eval/runner.js';

function fakeFetch(log: { url: string; body: Record<string, unknown> }[]): typeof fetch {
  return (async (url: string, init: { body: string }) => {
    const body = JSON.parse(init.body) as Record<string, unknown>;
    log.push({ url, body });
    const p = String(body.prompt ?? (body.messages as { content: string }[])[0]!.content);
    const n = body.n as number;
    // answers out of order by index, to check sorting
    const choices = Array.from({ length: n }, (_, i) => n - 1 - i).map((i) => ({ index: i, text: `<think> ${p} </think> <answer> ${i === 0 ? 4 : 5} </answer>`, message: { content: `chat ${i}` } }));
    return new Response(JSON.stringify({ choices, usage: { completion_tokens: 10 * n } }), { status: 200 });
  }) as unknown as typeof fetch;
}

test('completions API: n samples per prompt, in prompt order, scored by the registry judge', async () => {
  const log: { url: string; body: Record<string, unknown> }[] = [];
  const texts = await sampleEndpoint(['2+2', '1+3'], 3, {
    url: 'http://x/v1/', model: 'm', api: 'completions', temperature: 0.6, topP: 0.95, maxTokens: 50, stop: ['</answer>'], fetchFn: fakeFetch(log),
  });
  assert.equal(log[0]!.url, 'http://x/v1/completions');
  assert.deepEqual({ ...log[0]!.body, prompt: undefined }, { model: 'm', n: 3, temperature: 0.6, top_p: 0.95, max_tokens: 50, stop: ['</answer>'], prompt: undefined });
  assert.equal(texts.length, 6);
  assert.match(texts[0]!.text, /2\+2.*<answer> 4 /);
  assert.match(texts[3]!.text, /1\+3/);
  assert.equal(texts[0]!.tokens, 10);
  const r = await scoreSamples([{ id: 'a', gold: '4' }, { id: 'b', gold: '5' }], ['2+2', '1+3'], 3, texts, registryJudge());
  assert.equal(r.summary.pass1, 0.5); // a: 1 of 3 right; b: 2 of 3 right
  assert.equal(r.summary.consK, 0.5); // a votes 5 (wrong), b votes 5 (right)
});

test('chat API sends a user message; a failing server names the URL', async () => {
  const log: { url: string; body: Record<string, unknown> }[] = [];
  const texts = await sampleEndpoint(['hi'], 1, { url: 'http://x', model: 'm', api: 'chat', temperature: 0, topP: 1, maxTokens: 5, fetchFn: fakeFetch(log) });
  assert.equal(log[0]!.url, 'http://x/v1/chat/completions');
  assert.deepEqual(log[0]!.body.messages, [{ role: 'user', content: 'hi' }]);
  assert.equal(texts[0]!.text, 'chat 0');
  const failing = (async () => new Response('no such model', { status: 404 })) as unknown as typeof fetch;
  await assert.rejects(sampleEndpoint(['q'], 1, { url: 'http://y', model: 'm', api: 'completions', temperature: 0, topP: 1, maxTokens: 5, fetchFn: failing }),
    /http:\/\/y\/v1\/completions answered HTTP 404.*--model-name/);
});

type Handler = (body: Record<string, unknown>, call: number, signal?: AbortSignal) => Response | Promise<Response>;
function scripted(h: Handler): { fetchFn: typeof fetch; calls: Record<string, unknown>[] } {
  const calls: Record<string, unknown>[] = [];
  const fetchFn = (async (_url: string, init: { body: string; signal?: AbortSignal }) => {
    const body = JSON.parse(init.body) as Record<string, unknown>;
    calls.push(body);
    return h(body, calls.length, init.signal);
  }) as unknown as typeof fetch;
  return { fetchFn, calls };
}
const ok = (choices: unknown[], usage?: unknown) => new Response(JSON.stringify({ choices, ...(usage ? { usage } : {}) }), { status: 200 });
const req = { prompt: { text: 'q' }, n: 2, maxTokens: 5, temperature: 0.6, topP: 0.95, seed: 7 };

test('429 and 5xx are retried with backoff (Retry-After respected), then the reply is used', async () => {
  const retries: string[] = [];
  const { fetchFn, calls } = scripted((_b, call) => {
    if (call === 1) return new Response('slow down', { status: 429, headers: { 'retry-after': '0' } });
    if (call === 2) return new Response('oops', { status: 503 });
    return ok([{ index: 1, text: 'b', finish_reason: 'length' }, { index: 0, text: 'a', finish_reason: 'stop' }], { completion_tokens: 10 });
  });
  const out = await endpointSampler({ url: 'http://h', model: 'm', fetchFn, backoffMs: 1, onRetry: (m) => retries.push(m) })(req);
  assert.equal(calls.length, 3);
  assert.equal(retries.length, 2);
  assert.match(retries[0]!, /HTTP 429.*retry 1\/4/);
  assert.deepEqual(out.map((c) => [c.text, c.finishReason, c.tokens]), [['a', 'stop', 5], ['b', 'length', 5]]);
  assert.equal(calls[0]!.seed, 7);
  assert.equal(calls[0]!.n, 2);
});

test('retries run out: the error says how often and why; a network error is retried too', async () => {
  const down = (async () => { throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }); }) as unknown as typeof fetch;
  await assert.rejects(endpointSampler({ url: 'http://h', model: 'm', fetchFn: down, backoffMs: 1, retries: 2 })(req),
    (e: EndpointError) => /cannot be reached \(ECONNREFUSED\) after 3 attempts/.test(e.message) && !e.fatal);
});

test('a request over its timeout is aborted and retried', async () => {
  const { fetchFn, calls } = scripted((_b, call, signal?: AbortSignal) => {
    if (call === 1) return new Promise<Response>((_, reject) => signal!.addEventListener('abort', () => reject(signal!.reason)));
    return ok([{ index: 0, text: 'x' }, { index: 1, text: 'y' }]);
  });
  const out = await endpointSampler({ url: 'http://h', model: 'm', fetchFn, backoffMs: 1, timeoutMs: 50 })(req);
  assert.equal(calls.length, 2);
  assert.deepEqual(out.map((c) => c.text), ['x', 'y']);
  assert.equal(out[0]!.tokens, null); // no usage reported
});

test('a bad API key is fatal (no retry); a malformed reply is a per-problem error', async () => {
  const key = scripted(() => new Response('{"error":{"message":"Incorrect API key"}}', { status: 401 }));
  await assert.rejects(endpointSampler({ url: 'http://h', model: 'm', fetchFn: key.fetchFn, backoffMs: 1 })(req),
    (e: EndpointError) => e.fatal && e.status === 401 && /--api-key-env/.test(e.message));
  assert.equal(key.calls.length, 1);
  const junk = scripted(() => new Response('<html>gateway</html>', { status: 200 }));
  await assert.rejects(endpointSampler({ url: 'http://h', model: 'm', fetchFn: junk.fetchFn })(req), (e: EndpointError) => !e.fatal && /not JSON/.test(e.message));
  const noChoices = scripted(() => new Response('{"object":"x"}', { status: 200 }));
  await assert.rejects(endpointSampler({ url: 'http://h', model: 'm', fetchFn: noChoices.fetchFn })(req), /without a 'choices' list/);
});

test('a server that ignores n is asked again for the rest, with its own seed', async () => {
  const { fetchFn, calls } = scripted((b) => ok([{ index: 0, text: `seed ${b.seed}` }]));
  const out = await endpointSampler({ url: 'http://h', model: 'm', fetchFn })({ ...req, n: 3 });
  assert.deepEqual(calls.map((c) => [c.n, c.seed]), [[3, 7], [2, 8], [1, 9]]);
  assert.deepEqual(out.map((c) => c.text), ['seed 7', 'seed 8', 'seed 9']);
});

test('chat: reasoning_content is kept apart and put back in the readable format', async () => {
  const { fetchFn, calls } = scripted(() => ok([{ index: 0, message: { role: 'assistant', content: 'The answer is \\boxed{4}.', reasoning_content: '2+2=4' }, finish_reason: 'stop' }]));
  const out = await endpointSampler({ url: 'http://h/v1', model: 'm', fetchFn })({ ...req, n: 1, prompt: { messages: [{ role: 'user', content: '2+2?' }] } });
  assert.deepEqual(calls[0]!.messages, [{ role: 'user', content: '2+2?' }]);
  assert.equal(out[0]!.reasoning, '2+2=4');
  assert.equal(fullText(out[0]!), '<think>\n2+2=4\n</think>\n\nThe answer is \\boxed{4}.');
});

test('concurrency: never more requests in flight than the limit', async () => {
  let inFlight = 0, most = 0;
  const fetchFn = (async () => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    return ok([{ index: 0, text: 'a' }]);
  }) as unknown as typeof fetch;
  const sample = endpointSampler({ url: 'http://h', model: 'm', fetchFn, concurrency: 3 });
  await Promise.all(Array.from({ length: 10 }, () => sample({ ...req, n: 1 })));
  assert.equal(most, 3);
});

test('listModels: unreachable and refused are fatal, named by URL', async () => {
  const down = (async () => { throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }); }) as unknown as typeof fetch;
  await assert.rejects(listModels({ url: 'http://h:1', model: 'm', fetchFn: down }), /http:\/\/h:1\/v1\/models cannot be reached \(ECONNREFUSED\)/);
  const models = (async () => new Response(JSON.stringify({ data: [{ id: 'a' }, { id: 'b' }] }))) as unknown as typeof fetch;
  assert.deepEqual(await listModels({ url: 'http://h', model: 'm', fetchFn: models }), ['a', 'b']);
});
