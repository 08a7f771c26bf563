// Extraction table: the answer found in whole completions, in the priority order last \boxed{} /
// \fbox{} → <answer> tag → `#### N` → "the answer is" → last number. Rows are shaped like real model
// outputs (several boxes, nested braces, answers buried in prose, R1-Zero tags, truncated outputs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractAnswer } from '../../../src/rewards/math/index.js';

const rows: [completion: string, expected: string | null][] = [
  ['The answer is \\boxed{42}.', '42'], // one box
  ['First \\boxed{41}, then correcting myself: \\boxed{42}', '42'], // several boxes: the last wins
  ['\\boxed{\\frac{\\sqrt{2}}{2}}', '\\frac{\\sqrt{2}}{2}'], // nested braces
  ['So $\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}$.', '\\left( 3, \\frac{\\pi}{2} \\right)'], // box inside math mode with \left
  ['\\fbox{7}', '7'], // \fbox counts as a box
  ['hence \\boxed 5.', '5'], // brace-less \boxed
  ['The set is \\boxed{\\{1, 2\\}}', '\\{1, 2\\}'], // escaped braces inside a box
  ['We get $x = \\boxed{\\dfrac{1}{3}}$ as required.', '\\dfrac{1}{3}'], // box inside an equation
  ['Final: \\boxed{x^{2}+\\frac{1}{x^{3}}}', 'x^{2}+\\frac{1}{x^{3}}'], // several nested groups
  ['Thus the answer is \\boxed{\\frac{1}{2', '\\frac{1}{2'], // truncated box runs to the end
  ['\\boxed{}\nThe answer is 3.', '3'], // an empty box is skipped for the next strategy
  ['<think>maybe \\boxed{2}</think><answer>42</answer>', '42'], // R1-Zero: a guess in the thinking loses to the answer tag
  ['<think>compute 6*7</think>\n<answer> 42 </answer>', '42'], // tag content trimmed
  ['<think>...</think><answer>$\\frac{3}{4}$</answer>', '\\frac{3}{4}'], // math delimiters stripped
  ['<think>...</think><answer>We add the parts. So the total is 12 apples.</answer>', '12'], // prose in the tag: last number
  ['<think>...</think><answer>The answer is 9. I checked it twice, with 3 methods.</answer>', '9'], // "the answer is" inside the tag
  ['<think>...</think><answer>\\boxed{5}</answer>', '5'], // a box inside the tag
  ['<think>long reasoning</think> The final answer is $\\boxed{10}$', '10'], // R1 format: summary after </think>
  ['<think>I get \\boxed{9}</think> After checking, it is 10.', '10'], // summary without a box beats the box in the thinking
  ['<answer>17', '17'], // unclosed answer tag (truncated)
  ['Janet sells 16 - 3 - 4 = 9 eggs.\nShe makes 9 * 2 = $18.\n#### 18', '18'], // GSM8K reference format
  ['#### 1,000', '1,000'], // #### with a thousands separator
  ['#### 18\n\nSo 18 it is, not 20.', '18'], // #### beats a later number
  ['The answer is $\\frac{1}{2}$.', '\\frac{1}{2}'], // "the answer is" with inline math
  ['So the answer is 3.5 hours. That is a long time.', '3.5 hours'], // the sentence ends at the full stop, not the decimal point
  ['The final answer is: 3.14.', '3.14'], // colon after "is", trailing full stop
  ['Final answer: 2/3', '2/3'], // "Final answer:" label
  ['**Answer:** 12', '12'], // markdown bold label
  ['**Final Answer**: 7', '7'], // bold label with the colon outside
  ["The answer isn't obvious; we get 4.", '4'], // "answer isn't" is no answer label: last number
  ['Answer: (C)', '(C)'], // multiple choice label
  ['I believe the answer is \\(x = 4\\)', 'x = 4'], // \( \) delimiters
  ['Therefore, the answer is $(2, 3)$\nDone.', '(2, 3)'], // answer ends at a newline
  ['Total = 5 + 6 = 11 apples', '11'], // last number as a last resort
  ['She has 1,250 dollars left.', '1,250'], // last number with a thousands separator
  ['It is -7 degrees outside.', '-7'], // negative last number
  ['so x = .5', '.5'], // leading-dot decimal
  ['We get 3/4 of the pie.', '3/4'], // a/b fraction as the last number
  ['No idea.', null], // nothing to extract
  ['', null], // empty completion
  ['The answer is \\boxed{2} and \\fbox{3}', '3'], // \boxed and \fbox together: the last one
  ['\\boxed{\\text{(B)}}', '\\text{(B)}'], // a choice in a box
  ['\\[\\boxed{1,\\!000}\\]', '1,\\!000'], // display math around a box
];

test(`extraction: ${rows.length} rows`, () => {
  const wrong = rows.filter(([c, want]) => extractAnswer(c) !== want).map(([c, want]) => `${JSON.stringify(c)} gave ${JSON.stringify(extractAnswer(c))}, want ${JSON.stringify(want)}`);
  assert.deepEqual(wrong, []);
});

test('extraction options: strategies restrict and reorder', () => {
  const text = 'The answer is 5.\n#### 6';
  assert.equal(extractAnswer(text), '6'); // #### comes before "the answer is"
  assert.equal(extractAnswer(text, { strategies: ['answerIs', 'hashes'] }), '5'); // reordered
  assert.equal(extractAnswer('so 12', { strategies: ['boxed'] }), null); // no last-number fallback
  assert.equal(extractAnswer('<think>\\boxed{1}</think>2', { preferAfterThink: false }), '1'); // the thinking counts
  assert.equal(extractAnswer(`\\boxed{${'1'.repeat(50)}}`, { maxLength: 10 }), '1'.repeat(10)); // long answers cut
});

test('extraction never throws on odd input', () => {
  for (const x of [undefined, null, 42, '\\boxed{', '\\boxed{{{{', '<answer>', '####', '}}}\\boxed}', '$'.repeat(1000), '\\'.repeat(999)]) {
    assert.doesNotThrow(() => extractAnswer(x as string));
  }
});
