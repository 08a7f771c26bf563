// `r1 tokenize` on the real DeepSeek-V3 tokenizer: ids as transformers 4.57's AutoTokenizer gives them (values below
// printed by it), the chat prompt rendered with the template, --jsonl of {"text"} / {"messages"} lines, bad lines named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = join(import.meta.dirname, '..', '..');
const DS = join(ROOT, 'node_modules', '@lenml', 'tokenizer-deepseek_v3', 'models');
const r1 = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'r1.js'), 'tokenize', ...args], { encoding: 'utf8' });

test('r1 tokenize: raw text, with special tokens, and as a chat prompt', () => {
  // transformers 4.57.6: AutoTokenizer(DS)('What is 2+2?', add_special_tokens=False).input_ids
  const raw = r1('--tokenizer', DS, '--text', 'What is 2+2?', '--json');
  assert.equal(raw.status, 0, raw.stderr);
  assert.deepEqual(JSON.parse(raw.stdout), { ids: [3085, 344, 223, 20, 13, 20, 33], text: 'What is 2+2?' });
  // tokenizer('hello world').input_ids = [0, 33310, 2058] (add_bos_token: true)
  assert.equal(r1('--tokenizer', DS, '--text', 'hello world', '--special').stdout.trim(), '0 33310 2058');
  const chat = JSON.parse(r1('--tokenizer', DS, '--text', 'What is 2+2?', '--chat', '--json').stdout);
  assert.equal(chat.text, '<｜begin▁of▁sentence｜><｜User｜>What is 2+2?<｜Assistant｜>');
  assert.deepEqual(chat.ids, [0, 128803, 3085, 344, 223, 20, 13, 20, 33, 128804]);
});

test('r1 tokenize --jsonl: one {ids, text} line per input; a bad line is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'r1-tok-'));
  try {
    const f = join(dir, 'in.jsonl');
    writeFileSync(f, '{"text":"hello world"}\n\n{"messages":[{"role":"user","content":"hi"}]}\n');
    const r = r1('--tokenizer', DS, '--jsonl', f);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => JSON.parse(l)), [
      { ids: [33310, 2058], text: 'hello world' },
      { ids: [0, 128803, 6366, 128804], text: '<｜begin▁of▁sentence｜><｜User｜>hi<｜Assistant｜>' },
    ]);
    writeFileSync(f, '{"text":"ok"}\n{"txt":"typo"}\n');
    const bad = r1('--tokenizer', DS, '--jsonl', f);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /in\.jsonl:2: expected \{"text": string\} or \{"messages"/);
    assert.equal(r1('--tokenizer', DS).status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a chat_template.jinja beside tokenizer_config.json is the template when the config has none', async () => {
  const { copyFileSync, readFileSync: read } = await import('node:fs');
  const { loadTokenizer } = await import('../../src/model/tokenizer.js');
  const dir = mkdtempSync(join(tmpdir(), 'r1-tok-'));
  try {
    copyFileSync(join(DS, 'tokenizer.json'), join(dir, 'tokenizer.json'));
    const cfg = JSON.parse(read(join(DS, 'tokenizer_config.json'), 'utf8'));
    delete cfg.chat_template;
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(cfg));
    writeFileSync(join(dir, 'chat_template.jinja'), "{{ bos_token }}{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}{% endfor %}{% if add_generation_prompt %}<think>\n{% endif %}");
    const tok = await loadTokenizer(dir);
    assert.equal(tok.applyChatTemplate([{ role: 'user', content: 'hi' }], { addGenerationPrompt: true }), '<｜begin▁of▁sentence｜>[user] hi<think>\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
