import { test } from 'node:test';
import assert from 'node:assert/strict';
import { R1_ZERO_TEMPLATE, applyTemplate, applyChatTemplate } from '../../src/data/templates.js';

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
