// TRL's conversational rows ({"prompt": [messages], "answer": ...}) in `r1 eval` and `r1 sample`: eval sends a
// conversation as its messages (a server renders them with its chat template; no instruction is appended), a text row
// as one user message; sample renders conversations with the checkpoint's chat template. Real commands, loopback.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/util/rng.js';
import { Decoder } from '../../src/model/decoder.js';
import { saveCheckpoint } from '../../src/model/checkpoint.js';
import { defaultWorldModelConfig, worldTokenizer } from '../../src/sft/pretrain.js';

const ROOT = join(import.meta.dirname, '..', '..');
const R1 = join(ROOT, 'bin', 'r1.js');
const dir = mkdtempSync(join(tmpdir(), 'r1-conv-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const conv = [{ role: 'system', content: 'Add.' }, { role: 'user', content: '1+2' }];

test('r1 eval --endpoint: a conversational row goes as its messages, a text row as one user message', async () => {
  const seen: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v1/models') return res.end(JSON.stringify({ object: 'list', data: [{ id: 'm', object: 'model' }] }));
      const j = JSON.parse(body);
      seen.push(j.messages);
      res.end(JSON.stringify({ object: 'chat.completion', choices: Array.from({ length: j.n ?? 1 }, (_, index) => ({ index, message: { role: 'assistant', content: 'so \\boxed{3}' }, finish_reason: 'stop' })), usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const data = join(dir, 'eval.jsonl');
  writeFileSync(data, `${JSON.stringify({ id: 'c', prompt: conv, answer: '3' })}\n${JSON.stringify({ id: 't', prompt: '1+2', answer: '3' })}\n`);
  const child = spawn(process.execPath, [R1, 'eval', '--endpoint', url, '--model-name', 'm', '--dataset', data, '--out', join(dir, 'eval'), '--num-generations', '1', '--json', '-q']);
  let out = '', err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((r) => child.on('exit', r));
  server.close();
  assert.equal(code, 0, err);
  assert.equal(JSON.parse(out).pass_at_1, 1);
  assert.equal(seen.length, 2);
  assert.ok(seen.some((m) => JSON.stringify(m) === JSON.stringify(conv)), 'the conversation is sent as it is');
  const text = seen.find((m) => JSON.stringify(m) !== JSON.stringify(conv)) as { role: string; content: string }[];
  assert.equal(text.length, 1);
  assert.equal(text[0]!.role, 'user');
  assert.match(text[0]!.content, /^1\+2\n/); // the question and the math instruction
});

test("r1 sample: conversational rows through the checkpoint's chat template, text rows in the world's prompt", () => {
  const model = join(dir, 'model');
  const tok = worldTokenizer();
  saveCheckpoint(model, new Decoder(defaultWorldModelConfig(tok, { hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 2 }), new Rng(1)), tok);
  const data = join(dir, 'sample.jsonl');
  writeFileSync(data, `${JSON.stringify({ prompt: conv })}\n${JSON.stringify({ prompt: [{ role: 'user', content: '3+4' }] })}\n${JSON.stringify({ question: '5+6' })}\n`);
  const r = spawnSync(process.execPath, [R1, 'sample', '--model', model, '--data', data, '--world', 'addition', '--num-generations', '1', '--max-completion-length', '3', '--out', join(dir, 'rows.jsonl'), '--json', '-q'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const rows = readFileSync(join(dir, 'rows.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { prompt: string });
  assert.deepEqual(rows.map((x) => x.prompt), ['Add.\nUser: 1+2\nAssistant: ', 'User: 3+4\nAssistant: ', 'User: 5+6\nAssistant: ']);
  writeFileSync(data, `${JSON.stringify({ prompt: [{ role: 'user', content: 'hello' }] })}\n`);
  const bad = spawnSync(process.execPath, [R1, 'sample', '--model', model, '--data', data, '--world', 'addition', '--out', join(dir, 'x.jsonl')], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /'hello' is not a question of world addition/);
});
