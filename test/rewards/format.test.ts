// Format rewards as tables: the R1-Zero template and the readable R1 format, each row a completion
// (and whether the prompt already opened the block) with the expected 1/0 and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chainOfThought,
  formatReadable,
  formatReward,
  lastAnswerTag,
  parseR1Zero,
  READABLE_SEP,
  readableFormatReward,
  RELEASED_READABLE_TOKENS,
} from '../../src/rewards/format.js';

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
    const got = formatReward([completion], prompt === undefined ? {} : { prompts: [prompt] })[0];
    assert.equal(got, expected, `${JSON.stringify(completion)} with prompt ${JSON.stringify(prompt)}`);
  }
});

test('R1-Zero parts are trimmed; extra EOS markers come from ctx', () => {
  assert.deepEqual(parseR1Zero(' <think> a b </think> <answer> 7 </answer> '), { think: 'a b', answer: '7' });
  assert.equal(formatReward(['<think>x</think><answer>4</answer>[END]'], {})[0], 0);
  assert.equal(formatReward(['<think>x</think><answer>4</answer>[END]'], { eosStrings: ['[END]'] })[0], 1);
});

const S = READABLE_SEP;
// [completion, prompt, expected]
const READABLE: [string, string | undefined, number][] = [
  [`${S}I add 2 and 2.${S}The answer is 4.`, undefined, 1], // the paper's shape
  [`${S}\nreasoning\n${S}\n\nsummary\n<|eos|>`, undefined, 1], // newlines and EOS
  [`reasoning${S}summary`, `Assistant: ${S}`, 1], // the prompt ended with the opening token
  [`${S}reasoning${S}summary`, `Assistant: ${S}`, 0], // opened twice
  [`reasoning${S}summary`, 'Assistant:', 0], // never opened
  [`${S}reasoning${S}`, undefined, 0], // no summary
  [`${S}${S}summary`, undefined, 0], // no reasoning
  [`${S}a${S}b${S}c`, undefined, 0], // a third separator
  [`${S}reasoning only`, undefined, 0], // summary separator missing
  ['plain text', undefined, 0], // no separators
];

test('readable format reward table (paper tokens)', () => {
  for (const [completion, prompt, expected] of READABLE) {
    const got = readableFormatReward([completion], prompt === undefined ? {} : { prompts: [prompt] })[0];
    assert.equal(got, expected, `${JSON.stringify(completion)} with prompt ${JSON.stringify(prompt)}`);
  }
  assert.equal(readableFormatReward([formatReadable('r', 's')], {})[0], 1); // the builder round-trips
});

test('readable format with the released models’ <think> </think> tokens', () => {
  const ctx = { readableTokens: [...RELEASED_READABLE_TOKENS] };
  assert.equal(readableFormatReward(['<think>\nwork\n</think>\n\nThe answer is 4.'], ctx)[0], 1); // R1's own output shape
  assert.equal(readableFormatReward(['work\n</think>\n\nsummary'], { ...ctx, prompts: ['<think>'] })[0], 1); // opened by the chat template
  assert.equal(readableFormatReward(['<think>a</think>b</think>c'], ctx)[0], 0); // closing token twice
  assert.equal(readableFormatReward(['<think>a<think>b</think>c'], ctx)[0], 0); // opening token twice
});

test('chain of thought and last answer tag', () => {
  assert.equal(chainOfThought('<think>because</think><answer>4</answer>'), 'because');
  assert.equal(chainOfThought(`${S}why${S}so`), 'why');
  assert.equal(chainOfThought('<think>half a thought <answer>4</answer>'), 'half a thought'); // malformed: text before <answer>
  assert.equal(lastAnswerTag('<answer>1</answer> then <answer> 2 </answer>'), '2');
  assert.equal(lastAnswerTag('<answer>1'), null);
});
