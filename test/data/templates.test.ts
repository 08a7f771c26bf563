import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { R1_ZERO_TEMPLATE, applyTemplate, applyChatTemplate } from '../../src/data/templates.js';
import { checkpointChatTemplate, defaultDataTemplate, renderPrompt } from '../../src/data/chat.js';
import { R1TS_CHAT_TEMPLATE } from '../../src/model/chat.js';
import { CharTokenizer } from '../../src/model/tokenizer.js';
import { worldTokenizer } from '../../src/sft/pretrain.js';

test('the R1-Zero template is the paper\'s, verbatim', () => {
  assert.equal(
    applyTemplate('r1-zero', 'What is 2+3?'),
    'A conversation between User and Assistant. The user asks a question, and the Assistant solves it. The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning process here </think> <answer> answer here </answer>. User: What is 2+3?. Assistant:',
  );
  assert.ok(R1_ZERO_TEMPLATE.endsWith('User: {prompt}. Assistant:'));
  assert.equal(applyTemplate('Q: {prompt} A:', '$&'), 'Q: $& A:'); // no replacement patterns
  assert.throws(() => applyTemplate('no placeholder', 'x'), /no \{prompt\} placeholder/);
});

test('the compact prompt of the worlds: the completion starts right after "Assistant: "', () => {
  assert.equal(applyTemplate('compact', '347+285'), 'User: 347+285\nAssistant: ');
  assert.equal(applyTemplate('compact', '347+285 (answer in Spanish)'), 'User: 347+285 (answer in Spanish)\nAssistant: ');
});

test('chat templates', () => {
  const tmpl = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";
  assert.equal(applyChatTemplate(tmpl, [{ role: 'user', content: 'hi' }], { eosToken: '</s>' }), '<|user|>hi</s><|assistant|>');
});

test("r1ts's chat template renders the format its models are trained on: one user turn is the compact prompt", () => {
  const tok = worldTokenizer();
  for (const q of ['347+285', '347+285 (answer in Spanish)', 'pick from 3 5 9 to make 14']) {
    assert.equal(tok.applyChatTemplate([{ role: 'user', content: q }], { addGenerationPrompt: true }), applyTemplate('compact', q));
  }
  // earlier turns: system text on its own line, each reply closed by EOS, as a pretraining document ends
  assert.equal(tok.applyChatTemplate([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: '1+2' }, { role: 'assistant', content: '3' }, { role: 'user', content: '2+2' }], { addGenerationPrompt: true }),
    'Be brief.\nUser: 1+2\nAssistant: 3<|eos|>\nUser: 2+2\nAssistant: ');
  assert.throws(() => tok.applyChatTemplate([{ role: 'tool', content: 'x' }]), /roles system, user and assistant, not tool/);
  // written into tokenizer_config.json, and read back
  assert.equal(tok.tokenizerConfig().chat_template, R1TS_CHAT_TEMPLATE);
  assert.equal(CharTokenizer.fromJSON(tok.toJSON(), {})!.chatTemplate, R1TS_CHAT_TEMPLATE); // a checkpoint from before templates
  const none = new CharTokenizer({ chars: 'ab', chatTemplate: null });
  assert.equal(none.chatTemplate, null);
  assert.equal(CharTokenizer.fromJSON(none.toJSON(), none.tokenizerConfig())!.chatTemplate, null); // written as null, read as none
  assert.throws(() => none.applyChatTemplate([{ role: 'user', content: 'a' }]), /has no chat_template/);
});

test("a dataset run's default template: chat when the checkpoint has one (r1ts's own always do), else the paper's r1-zero", () => {
  const dir = mkdtempSync(join(tmpdir(), 'r1-tmpl-'));
  assert.equal(defaultDataTemplate(dir), 'r1-zero'); // no tokenizer at all
  const tok = worldTokenizer();
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tok.toJSON()));
  assert.equal(checkpointChatTemplate(dir), R1TS_CHAT_TEMPLATE); // no tokenizer_config.json: an r1ts checkpoint from before
  assert.equal(defaultDataTemplate(dir), 'chat');
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ model: { type: 'BPE', vocab: { a: 0 }, merges: [['a', 'a']] } }));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ eos_token: '</s>' }));
  assert.equal(defaultDataTemplate(dir), 'r1-zero'); // a base model without a template
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ chat_template: '{{ messages[0].content }}' }));
  assert.equal(defaultDataTemplate(dir), 'chat');
});

test('renderPrompt: chat renders a question as one user turn or a whole conversation; text templates take only a question', () => {
  const chat = (m: { role: string; content: string }[]) => m.map((x) => `[${x.role}]${x.content}`).join('') + '[assistant]';
  assert.equal(renderPrompt('chat', 'q', undefined, chat), '[user]q[assistant]');
  assert.equal(renderPrompt('chat', 'q', [{ role: 'system', content: 's' }, { role: 'user', content: 'q' }], chat), '[system]s[user]q[assistant]');
  assert.equal(renderPrompt('compact', 'q', [{ role: 'user', content: 'q' }], null), 'User: q\nAssistant: ');
  assert.throws(() => renderPrompt('r1-zero', 'q', [{ role: 'system', content: 's' }, { role: 'user', content: 'q' }], chat), /needs --template chat/);
  assert.throws(() => renderPrompt('chat', 'q', undefined, null), /no chat template/);
});
