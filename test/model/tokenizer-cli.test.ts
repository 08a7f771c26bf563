// `r1 tokenize` on the real DeepSeek-V3 tokenizer: ids as transformers 4.57's AutoTokenizer gives them (values below
// printed by it), the chat prompt rendered with the template, --jsonl of {"text"} / {"messages"} lines, bad lines named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { r1BatchAsync, r1Spawn } from '../r1-batch.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DS = join(ROOT, 'node_modules', '@lenml', 'tokenizer-deepseek_v3', 'models');

// Each test runs its invocations in one process (test/r1-batch.ts; a tsx process and the 8 MB tokenizer.json for each
// cost ~1.5 s) and, beside them, one of them as a real `node bin/r1.js` process whose exit code and output must be the same.
test('r1 tokenize: raw text, with special tokens, and as a chat prompt', async () => {
  const rawArgs = ['tokenize', '--tokenizer', DS, '--text', 'What is 2+2?', '--json'];
  const [[raw, special, chatR], real] = await Promise.all([
    r1BatchAsync([rawArgs, ['tokenize', '--tokenizer', DS, '--text', 'hello world', '--special'], ['tokenize', '--tokenizer', DS, '--text', 'What is 2+2?', '--chat', '--json']]),
    r1Spawn(rawArgs),
  ]);
  // transformers 4.57.6: AutoTokenizer(DS)('What is 2+2?', add_special_tokens=False).input_ids
  assert.equal(raw!.status, 0, raw!.stderr);
  assert.deepEqual(JSON.parse(raw!.stdout), { ids: [3085, 344, 223, 20, 13, 20, 33], text: 'What is 2+2?' });
  assert.deepEqual(real, raw, 'the real binary: the same output, exit 0');
  // tokenizer('hello world').input_ids = [0, 33310, 2058] (add_bos_token: true)
  assert.equal(special!.stdout.trim(), '0 33310 2058');
  const chat = JSON.parse(chatR!.stdout);
  assert.equal(chat.text, '<｜begin▁of▁sentence｜><｜User｜>What is 2+2?<｜Assistant｜>');
  assert.deepEqual(chat.ids, [0, 128803, 3085, 344, 223, 20, 13, 20, 33, 128804]);
});

test('r1 tokenize --jsonl: one {ids, text} line per input; a bad line is named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'r1-tok-'));
  try {
    const f = join(dir, 'in.jsonl');
    writeFileSync(f, '{"text":"hello world"}\n\n{"messages":[{"role":"user","content":"hi"}]}\n');
    mkdirSync(join(dir, 'bad'));
    const fBad = join(dir, 'bad', 'in.jsonl'); // the same name: the message names the file
    writeFileSync(fBad, '{"text":"ok"}\n{"txt":"typo"}\n');
    const [[r, bad, none], realBad] = await Promise.all([
      r1BatchAsync([['tokenize', '--tokenizer', DS, '--jsonl', f], ['tokenize', '--tokenizer', DS, '--jsonl', fBad], ['tokenize', '--tokenizer', DS]]),
      r1Spawn(['tokenize', '--tokenizer', DS, '--jsonl', fBad]),
    ]);
    assert.equal(r!.status, 0, r!.stderr);
    assert.deepEqual(r!.stdout.trim().split('\n').map((l) => JSON.parse(l)), [
      { ids: [33310, 2058], text: 'hello world' },
      { ids: [0, 128803, 6366, 128804], text: '<｜begin▁of▁sentence｜><｜User｜>hi<｜Assistant｜>' },
    ]);
    assert.equal(bad!.status, 2);
    assert.match(bad!.stderr, /in\.jsonl:2: expected \{"text": string\} or \{"messages"/);
    assert.deepEqual(realBad, bad, 'the real binary: the same line, exit 2');
    assert.equal(none!.status, 2);
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
