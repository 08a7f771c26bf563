// `r1 serve` driven as a user would, with the official `openai` npm client: models, completions, chat completions,
// streaming (text equal to the non-streamed reply), n, seed, stop, usage; errors in the OpenAI shape (400 for bad
// fields and oversized prompts, 404 for an unknown model, 401 for a wrong key). Runs the real command on loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import OpenAI from 'openai';
import { spawnServe } from './spawn-serve.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DIR = join(ROOT, 'test', 'fixtures', 'model', 'qwen2-tiny');
const children: ChildProcess[] = [];

const startServe = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnServe(args, children, env);

let client: OpenAI;
let base: string;
before(async () => {
  base = (await startServe(['--model', DIR, '--model-name', 'tiny'])).url;
  client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });
});
after(() => children.forEach((c) => c.kill('SIGTERM')));

test('models.list names the served model', async () => {
  const page = await client.models.list();
  assert.deepEqual(page.data.map((m) => m.id), ['tiny']);
});

test('completions: n choices, usage, the same seed gives the same text, another seed another', async () => {
  const ask = (seed: number) => client.completions.create({ model: 'tiny', prompt: 'hello the', max_tokens: 12, n: 3, temperature: 1, seed });
  const a = await ask(5);
  assert.equal(a.object, 'text_completion');
  assert.deepEqual(a.choices.map((c) => c.index), [0, 1, 2]);
  for (const c of a.choices) assert.ok(c.finish_reason === 'stop' || c.finish_reason === 'length');
  assert.equal(a.usage!.prompt_tokens, 2);
  assert.ok(a.usage!.completion_tokens >= 3 && a.usage!.completion_tokens <= 36);
  assert.equal(a.usage!.total_tokens, a.usage!.prompt_tokens + a.usage!.completion_tokens);
  assert.ok(new Set(a.choices.map((c) => c.text)).size > 1, 'the n choices are sampled independently');
  const b = await ask(5);
  assert.deepEqual(b.choices.map((c) => c.text), a.choices.map((c) => c.text));
  const c = await ask(6);
  assert.notDeepEqual(c.choices.map((x) => x.text), a.choices.map((x) => x.text));
});

test('chat completions apply the chat template; streaming gives the same text as the plain reply', async () => {
  const messages = [{ role: 'user' as const, content: 'hi there' }];
  const plain = await client.chat.completions.create({ model: 'tiny', messages, max_tokens: 10, n: 2, temperature: 0.8, seed: 11 });
  assert.equal(plain.object, 'chat.completion');
  assert.equal(plain.choices.length, 2);
  assert.equal(plain.choices[0]!.message.role, 'assistant');
  // the template's rendering: <|im_start|>user\nhi there<|im_end|>\n<|im_start|>assistant\n (tokens of the byte-level BPE)
  assert.ok(plain.usage!.prompt_tokens > 5);
  const stream = await client.chat.completions.create({ model: 'tiny', messages, max_tokens: 10, n: 2, temperature: 0.8, seed: 11, stream: true, stream_options: { include_usage: true } });
  const text = ['', ''];
  const finish: (string | null)[] = [null, null];
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    for (const ch of chunk.choices) {
      text[ch.index] += ch.delta.content ?? '';
      if (ch.finish_reason) finish[ch.index] = ch.finish_reason;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.deepEqual(text, plain.choices.map((c) => c.message.content));
  assert.deepEqual(finish, plain.choices.map((c) => c.finish_reason));
  assert.deepEqual(usage, plain.usage);
});

test('streamed completions with n; stop ends the text before the stop string', async () => {
  const plain = await client.completions.create({ model: 'tiny', prompt: 'the', max_tokens: 20, temperature: 1, seed: 3, n: 2 });
  const stream = await client.completions.create({ model: 'tiny', prompt: 'the', max_tokens: 20, temperature: 1, seed: 3, n: 2, stream: true });
  const text = ['', ''];
  for await (const chunk of stream) for (const ch of chunk.choices) text[ch.index] += ch.text;
  assert.deepEqual(text, plain.choices.map((c) => c.text));
  const full = plain.choices[0]!.text;
  const stop = [...full].slice(3, 5).join('');
  const cut = await client.completions.create({ model: 'tiny', prompt: 'the', max_tokens: 20, temperature: 1, seed: 3, n: 1, stop: [stop] });
  assert.equal(cut.choices[0]!.text, full.slice(0, full.indexOf(stop)));
  assert.equal(cut.choices[0]!.finish_reason, 'stop');
});

test('bad requests get 400 in the OpenAI error shape; unknown model 404; oversized prompt a clear 400', async () => {
  await assert.rejects(client.completions.create({ model: 'tiny', prompt: 'x', temperature: 'hot' as unknown as number }),
    (e: InstanceType<typeof OpenAI.BadRequestError>) => e.status === 400 && e.param === 'temperature' && /'temperature' must be a number/.test(e.message));
  await assert.rejects(client.completions.create({ model: 'tiny', prompt: 'x', n: 0 }), (e: InstanceType<typeof OpenAI.APIError>) => e.status === 400 && e.param === 'n');
  await assert.rejects(client.chat.completions.create({ model: 'tiny', messages: [] }), (e: InstanceType<typeof OpenAI.APIError>) => e.status === 400 && e.param === 'messages');
  await assert.rejects(client.completions.create({ model: 'other', prompt: 'x' }),
    (e: InstanceType<typeof OpenAI.NotFoundError>) => e.status === 404 && /this server serves 'tiny'/.test(e.message));
  await assert.rejects(client.completions.create({ model: 'tiny', prompt: 'hello the '.repeat(100) }),
    (e: InstanceType<typeof OpenAI.APIError>) => e.status === 400 && e.code === 'context_length_exceeded' && /prompt is \d+ tokens but this model's context is 128/.test(e.message));
  // a body that is not JSON, straight over HTTP
  const r = await fetch(`${base}/v1/completions`, { method: 'POST', body: '{nope' });
  assert.equal(r.status, 400);
  const j = (await r.json()) as { error: { message: string; type: string } };
  assert.equal(j.error.type, 'invalid_request_error');
  assert.match(j.error.message, /not valid JSON/);
  // the server is still up
  assert.equal((await client.models.list()).data.length, 1);
});

test('--api-key-env: a wrong key is a 401', async () => {
  const { url } = await startServe(['--model', DIR, '--api-key-env', 'R1_TEST_KEY'], { ...process.env, R1_TEST_KEY: 'sesame' });
  const wrong = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'guess', maxRetries: 0 });
  await assert.rejects(wrong.models.list(), (e: InstanceType<typeof OpenAI.AuthenticationError>) => e.status === 401 && /invalid API key/.test(e.message));
  const right = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sesame', maxRetries: 0 });
  assert.equal((await right.models.list()).data[0]!.id, 'qwen2-tiny');
});
