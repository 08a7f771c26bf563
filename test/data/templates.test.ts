import { test } from 'node:test';
import assert from 'node:assert/strict';
import { R1_ZERO_TEMPLATE, applyTemplate, extractTaggedAnswer, isR1ZeroFormat, readableCompletion, parseReadable, applyChatTemplate, r1ZeroCompletion } from '../../src/data/templates.js';

test('the R1-Zero template is the paper\'s, verbatim', () => {
  assert.equal(
    applyTemplate('r1-zero', 'What is 2+3?'),
    'A conversation between User and Assistant. The user asks a question, and the Assistant solves it. The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning process here </think> <answer> answer here </answer>. User: What is 2+3?. Assistant:',
  );
  assert.ok(R1_ZERO_TEMPLATE.endsWith('User: {prompt}. Assistant:'));
  assert.equal(applyTemplate('compact', '347+285'), 'User: 347+285. Assistant:');
  assert.equal(applyTemplate('Q: {prompt} A:', '$&'), 'Q: $& A:'); // no replacement patterns
  assert.throws(() => applyTemplate('no placeholder', 'x'), /no \{prompt\} placeholder/);
});

test('format check and answer extraction', () => {
  const ok = r1ZeroCompletion('7+5=12', '12');
  assert.equal(ok, ' <think> 7+5=12 </think> <answer> 12 </answer>');
  assert.ok(isR1ZeroFormat(ok));
  assert.equal(extractTaggedAnswer(ok), '12');
  assert.ok(!isR1ZeroFormat('<think> a </think> 12'));
  assert.ok(!isR1ZeroFormat('<think> a </think> <answer> 1 </answer> <answer> 2 </answer>'));
  assert.ok(!isR1ZeroFormat('<think> a </think> <answer> 1 </answer> trailing'));
  assert.equal(extractTaggedAnswer('<answer>1</answer><answer> 2 </answer>'), '2');
  assert.equal(extractTaggedAnswer('no tags'), null);
});

test('readable format round trip and chat templates', () => {
  const c = readableCompletion('let me think', 'The answer is 4.');
  assert.deepEqual(parseReadable(c), { reasoning: 'let me think', summary: 'The answer is 4.' });
  assert.equal(parseReadable('no end'), null);
  const tmpl = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";
  assert.equal(applyChatTemplate(tmpl, [{ role: 'user', content: 'hi' }], { eosToken: '</s>' }), '<|user|>hi</s><|assistant|>');
});
