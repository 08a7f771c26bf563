// Format rewards as tables: the one format (R1's `<think>\n…\n</think>\n\n<summary>`, registry `format`) and the
// R1-Zero template (`r1-zero-format`), each row a completion (and the prompt, or the task) with the expected 1/0 and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chainOfThought, formatR1, lastAnswerTag, parseR1, parseR1Zero, r1ZeroFormatReward } from '../../src/rewards/format.js';
import { getReward } from '../../src/rewards/registry.js';

const formatReward = getReward('format');

const P_OPEN = 'User: 2+2. Assistant: <think>'; // prompt that opens the think block itself
const P_PLAIN = 'User: 2+2. Assistant:'; // prompt that leaves the opening tag to the model

// [completion, prompt (undefined = unknown), expected]
const R1_ZERO: [string, string | undefined, number][] = [
  ['<think>2+2 is 4</think><answer>4</answer>', undefined, 1], // the canonical shape
  [' <think> 2+2 is 4 </think> <answer> 4 </answer>', P_PLAIN, 1], // spaces as templates.ts writes them
  ['<think>\nadd\n</think>\n\n<answer>\n4\n</answer>\n', undefined, 1], // newlines around everything
  ['2+2 is 4</think><answer>4</answer>', P_OPEN, 1], // the prompt opened <think>; the model continues inside
  ['2+2 is 4</think><answer>4</answer>', undefined, 1], // prompt unknown: the continuation shape is accepted
  ['<think>2+2 is 4</think><answer>4</answer>', P_OPEN, 0], // prompt opened it and the model opened it again
  ['2+2 is 4</think><answer>4</answer>', P_PLAIN, 0], // prompt did not open it and neither did the model
  ['<think>x</think><answer>4</answer><|eos|>', undefined, 1], // our EOS marker after the answer
  ['<think>x</think><answer>4</answer><|endoftext|>\n', undefined, 1], // Qwen's EOS and a newline
  ['<think>x</think><answer>4</answer></s></s>', undefined, 1], // repeated EOS markers
  ['<think>x</think><answer>4</answer> So the answer is 4.', undefined, 0], // text after </answer>
  ['<think>x</think><answer>4</answer><answer>5</answer>', undefined, 0], // two answers
  ['<think>x</think><think>y</think><answer>4</answer>', undefined, 0], // two think blocks
  ['<think>x <think> y</think><answer>4</answer>', undefined, 0], // nested opening tag
  ['<think>x</think> and then <answer>4</answer>', undefined, 0], // prose between the blocks
  ['<answer>4</answer><think>x</think>', undefined, 0], // answer before thinking
  ['<think>x</think>', undefined, 0], // no answer at all
  ['<think>x<answer>4</answer></think>', undefined, 0], // answer inside the think block
  ['<think>x</think><answer>4', undefined, 0], // unclosed answer (truncated at max length)
  ['<think>x', undefined, 0], // truncated mid-thought
  ['<think></think><answer>4</answer>', undefined, 0], // empty thinking
  ['<think>x</think><answer>  </answer>', undefined, 0], // empty answer
  ['The answer is 4.', undefined, 0], // no tags
  ['', undefined, 0], // empty completion
  ['<THINK>x</THINK><ANSWER>4</ANSWER>', undefined, 0], // tags are case-sensitive
  ['<think>x</think><answer>4</answer><|eos|> trailing', undefined, 0], // text after the EOS marker
];

test('R1-Zero format reward table', () => {
  for (const [completion, prompt, expected] of R1_ZERO) {
    const got = r1ZeroFormatReward([completion], prompt === undefined ? {} : { prompts: [prompt] })[0];
    assert.equal(got, expected, `${JSON.stringify(completion)} with prompt ${JSON.stringify(prompt)}`);
  }
});

test('R1-Zero parts are trimmed; extra EOS markers come from ctx', () => {
  assert.deepEqual(parseR1Zero(' <think> a b </think> <answer> 7 </answer> '), { think: 'a b', answer: '7' });
  assert.equal(r1ZeroFormatReward(['<think>x</think><answer>4</answer>[END]'], {})[0], 0);
  assert.equal(r1ZeroFormatReward(['<think>x</think><answer>4</answer>[END]'], { eosStrings: ['[END]'] })[0], 1);
});

// [completion, prompt (undefined = unknown), expected]
const R1: [string, string | undefined, number][] = [
  ['<think>\n342+290=632\n</think>\n\nThe answer is 632.', undefined, 1], // the one format
  ['<think>\nones 2+0+0=02 carry 0\nsum 0632\n</think>\n\nThe answer is 632.', 'User: 342+290\nAssistant: ', 1], // several lines, compact prompt
  ['<think>\nwork\n</think>\n\nThe answer is 4.<|eos|>\n', undefined, 1], // EOS marker and a newline after the summary
  ['work\n</think>\n\nThe answer is 4.', 'User: q\nAssistant: <think>\n', 1], // the prompt opened the block
  ['<think>\nwork\n</think>\n\nThe answer is 4.', 'User: q\nAssistant: <think>\n', 0], // the prompt opened it and so did the model
  ['work\n</think>\n\nThe answer is 4.', 'User: q\nAssistant: ', 0], // nobody opened it
  ['<think>\n\n</think>\n\nThe answer is 4.', undefined, 0], // empty reasoning: not for a reasoning request
  ['<think>\nwork\n</think>\n\n', undefined, 0], // no summary
  ['<think>\nwork\n</think>\n\n   \n', undefined, 0], // a blank summary
  ['<think> work </think> The answer is 4.', undefined, 0], // spaces instead of the newlines
  ['<think>\nwork\n</think>\nThe answer is 4.', undefined, 0], // one newline before the summary, not a blank line
  ['<think>work\n</think>\n\nThe answer is 4.', undefined, 0], // no newline after <think>
  ['<think>\nwork</think>\n\nThe answer is 4.', undefined, 0], // no newline before </think>
  ['<think>\na\n</think>\n\nb\n</think>\n\nc', undefined, 0], // closing tag twice
  ['<think>\na<think>\nb\n</think>\n\nc', undefined, 0], // opening tag twice
  ['<think>\nwork\n</think>\n\n<answer>4</answer>', undefined, 0], // R1-Zero's answer tag is not a summary
  ['<think>\nwork\n</think> <answer> 4 </answer>', undefined, 0], // the R1-Zero shape
  ['<think>\nwork', undefined, 0], // cut off mid-thought
  ['The answer is 4.', undefined, 0], // no tags
  ['', undefined, 0], // empty completion
];

test('the one format: reward table', () => {
  for (const [completion, prompt, expected] of R1) {
    const got = formatReward([completion], prompt === undefined ? {} : { prompts: [prompt] })[0];
    assert.equal(got, expected, `${JSON.stringify(completion)} with prompt ${JSON.stringify(prompt)}`);
  }
  assert.equal(formatReward([formatR1(['a', 'b'], 'The answer is 4.')], {})[0], 1); // the builder round-trips
  assert.deepEqual(parseR1(formatR1(['a', 'b'], 'S')), { reasoning: 'a\nb', summary: 'S' });
});

test('empty reasoning is in format only for direct tasks (ctx.task)', () => {
  const direct = '<think>\n\n</think>\n\nthree hundred forty two';
  assert.deepEqual(formatReward([direct, direct, direct, direct], { task: ['general', 'safety', 'addition', 'countdown'] }), [1, 1, 0, 0]);
  assert.deepEqual(formatReward([direct], { task: 'general' }), [1]); // one task shared by all
  assert.deepEqual(formatReward([direct], {}), [0]); // no task: a reasoning request
  assert.deepEqual(formatReward(['<think>\nhmm\n</think>\n\ncba'], { task: ['general'] }), [1]); // reasoning is allowed there too
  assert.equal(parseR1(direct, { requireReasoning: false })?.reasoning, '');
});

test('chain of thought and last answer tag', () => {
  assert.equal(chainOfThought('<think>\nones 1+2+0=03 carry 0\nsum 03\n</think>\n\nThe answer is 3.'), 'ones 1+2+0=03 carry 0\nsum 03');
  assert.equal(chainOfThought('<think>because</think><answer>4</answer>'), 'because'); // R1-Zero shape
  assert.equal(chainOfThought('<think>half a thought <answer>4</answer>'), 'half a thought'); // malformed: text before <answer>
  assert.equal(lastAnswerTag('<answer>1</answer> then <answer> 2 </answer>'), '2');
  assert.equal(lastAnswerTag('<answer>1'), null);
});
