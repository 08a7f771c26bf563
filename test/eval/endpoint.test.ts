// The OpenAI-compatible sampler against a fake fetch: request shape, order of samples, error messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleEndpoint } from '../../src/eval/endpoint.js';
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
  assert.equal(r.formatRate, 1);
});

test('chat API sends a user message; a failing server names the URL', async () => {
  const log: { url: string; body: Record<string, unknown> }[] = [];
  const texts = await sampleEndpoint(['hi'], 1, { url: 'http://x', model: 'm', api: 'chat', temperature: 0, topP: 1, maxTokens: 5, fetchFn: fakeFetch(log) });
  assert.equal(log[0]!.url, 'http://x/v1/chat/completions');
  assert.deepEqual(log[0]!.body.messages, [{ role: 'user', content: 'hi' }]);
  assert.equal(texts[0]!.text, 'chat 0');
  const failing = (async () => new Response('no such model', { status: 404 })) as unknown as typeof fetch;
  await assert.rejects(sampleEndpoint(['q'], 1, { url: 'http://y', model: 'm', api: 'completions', temperature: 0, topP: 1, maxTokens: 5, fetchFn: failing }),
    /http:\/\/y\/v1\/completions answered HTTP 404/);
});
