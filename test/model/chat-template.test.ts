// r1ts's own chat template (src/model/chat.ts) as the checkpoints carry it: @huggingface/jinja (what r1 serve, eval and
// GRPO render with) gives transformers' apply_chat_template text for each conversation, so a user loading an r1ts
// checkpoint with AutoTokenizer gets the same prompt. Fixture: scripts/ref/r1ts_chat_template.py (transformers 5.18).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { worldTokenizer } from '../../src/sft/pretrain.js';

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'chat', 'r1ts.json'), 'utf8')) as
  { cases: { messages: { role: string; content: string }[]; add_generation_prompt: boolean; text: string }[] };

test("r1ts's chat template renders as transformers renders it", () => {
  const tok = worldTokenizer();
  assert.ok(fixture.cases.length >= 8);
  for (const c of fixture.cases) {
    assert.equal(tok.applyChatTemplate(c.messages, { addGenerationPrompt: c.add_generation_prompt }), c.text, JSON.stringify(c.messages));
  }
});
