// Issue 22's bar: `r1 serve` on a checkpoint written by `r1 pretrain` answers chat completions through the official
// `openai` client with no template work by the user: the checkpoint carries a chat template that renders its own
// format, so the server's prompt is the compact prompt the model was pretrained on. Runs the real commands on loopback.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { spawnServe } from './spawn-serve.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'r1-pretrain-chat-'));
const children: ChildProcess[] = [];
after(() => {
  children.forEach((c) => c.kill('SIGTERM'));
  rmSync(dir, { recursive: true, force: true });
});

const startServe = async (args: string[]) => (await spawnServe(args, children)).url;

test('r1 pretrain writes a chat template; r1 serve answers the openai client\'s chat completions with it', async () => {
  const model = join(dir, 'base');
  const p = spawnSync(process.execPath, [join(ROOT, 'bin', 'r1.js'), 'pretrain', '--world', 'addition', '--out', model, '--tokens', '4000',
    '--dim', '16', '--layers', '1', '--heads', '2', '--ffn', '32', '--batch-size', '8', '-q', '--json'], { encoding: 'utf8' });
  assert.equal(p.status, 0, p.stderr);
  const tc = JSON.parse(readFileSync(join(model, 'tokenizer_config.json'), 'utf8'));
  assert.equal(typeof tc.chat_template, 'string');

  const base = await startServe(['--model', model, '--model-name', 'base']);
  const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });
  const r = await client.chat.completions.create({ model: 'base', messages: [{ role: 'user', content: '347+285' }], max_tokens: 12, temperature: 0.7, seed: 3 });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices[0]!.message.role, 'assistant');
  assert.equal(typeof r.choices[0]!.message.content, 'string');
  // one token a character: the prompt is exactly the compact prompt the model was pretrained on
  assert.equal(r.usage!.prompt_tokens, 'User: 347+285\nAssistant: '.length);
  assert.ok(r.usage!.completion_tokens >= 1 && r.usage!.completion_tokens <= 12);
  // a conversation with a system turn and an earlier exchange renders too (system line, each reply closed by EOS)
  const multi = await client.chat.completions.create({ model: 'base', max_tokens: 4, temperature: 0, messages: [
    { role: 'system', content: 'Add.' }, { role: 'user', content: '1+2' }, { role: 'assistant', content: '3' }, { role: 'user', content: '2+2' }] });
  assert.equal(multi.usage!.prompt_tokens, 'Add.\nUser: 1+2\nAssistant: 3'.length + 1 /* <|eos|> */ + '\nUser: 2+2\nAssistant: '.length);
});
