// Extraction table: the answer found in whole completions, in Math-Verify's priority order ("final
// answer is X. I hope" → the last \boxed{} run → our `#### N` → "answer: X" → "answer … X" → the last
// complete LaTeX span, expression or number), inside an R1-Zero <answer> tag first. Rows are shaped like
// real model outputs (several boxes, nested braces, answers buried in prose, truncated outputs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lastIndexNear } from '../../../src/rewards/math/boxes.js';
import { extractAnswer, MATH_VERIFY_STRATEGIES } from '../../../src/rewards/math/index.js';
import { Rng } from '../../../src/util/rng.js';

const rows: [completion: string, expected: string | null][] = [
  ['The answer is \\boxed{42}.', '42'], // one box
  ['First \\boxed{41}, then correcting myself: \\boxed{42}', '42'], // boxes apart in prose: the last one, as hendrycks MATH's last_boxed_only_string reads a solution (our stated policy; Math-Verify would join them)
  ['The roots are \\boxed{-2} and \\boxed{1}.', '-2, 1'], // boxes with only "and" between are one answer (Math-Verify's box joining)
  ['I first got \\boxed{41}. That was wrong: I had counted the first egg twice, so the right total is one more, \\boxed{42}', '42'], // a box far before the last one is dropped
  ['\\boxed{\\frac{\\sqrt{2}}{2}}', '\\frac{\\sqrt{2}}{2}'], // nested braces
  ['So $\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}$.', '\\left( 3, \\frac{\\pi}{2} \\right)'], // box inside math mode with \left
  ['\\fbox{7}', '7'], // \fbox counts as a box
  ['hence \\boxed 5.', '5'], // brace-less \boxed
  ['The set is \\boxed{\\{1, 2\\}}', '\\{1, 2\\}'], // escaped braces inside a box
  ['We get $x = \\boxed{\\dfrac{1}{3}}$ as required.', '\\dfrac{1}{3}'], // box inside an equation
  ['Final: \\boxed{x^{2}+\\frac{1}{x^{3}}}', 'x^{2}+\\frac{1}{x^{3}}'], // several nested groups
  ['Thus the answer is \\boxed{\\frac{1}{2', null], // a truncated box is no answer, and nothing inside it is one
  ['\\boxed{}\nThe answer is 3.', '3'], // an empty box is skipped for the next strategy
  ['<think>maybe \\boxed{2}</think><answer>42</answer>', '42'], // R1-Zero: a guess in the thinking loses to the answer tag
  ['<think>compute 6*7</think>\n<answer> 42 </answer>', '42'], // tag content trimmed
  ['<think>...</think><answer>$\\frac{3}{4}$</answer>', '\\frac{3}{4}'], // math delimiters stripped
  ['<think>...</think><answer>We add the parts. So the total is 12 apples.</answer>', '12'], // prose in the tag: last number
  ['<think>...</think><answer>The answer is 9. I checked it twice, with 3 methods.</answer>', '9'], // "the answer is" inside the tag
  ['<think>...</think><answer>\\boxed{5}</answer>', '5'], // a box inside the tag
  ['<think>long reasoning</think> The final answer is $\\boxed{10}$', '10'], // R1 format: summary after </think>
  ['<think>I get \\boxed{9}</think> After checking, it is 10.', '9'], // a summary with only a plain number: the whole text is read, and a box anywhere beats a bare number (Math-Verify)
  ['<think>I get \\boxed{9}</think> After checking, the answer is 10.', '9'], // a box anywhere beats an answer phrase (Math-Verify reads the whole text)
  ['<think>I get \\boxed{9}</think> After checking, it is \\boxed{10}.', '10'], // the summary's box
  ['<answer>17', '17'], // unclosed answer tag (truncated)
  ['Janet sells 16 - 3 - 4 = 9 eggs.\nShe makes 9 * 2 = $18.\n#### 18', '18'], // GSM8K reference format
  ['#### 1,000', '1,000'], // #### with a thousands separator
  ['#### 18\n\nSo 18 it is, not 20.', '18'], // #### beats a later number
  ['The answer is $\\frac{1}{2}$.', '\\frac{1}{2}'], // "the answer is" with inline math
  ['So the answer is 3.5 hours. That is a long time.', '3.5'], // the number after "answer", not the decimal point's fragment; the unit stays out
  ['The final answer is: 3.14.', '3.14'], // colon after "is", trailing full stop
  ['Final answer: 2/3', '2/3'], // "Final answer:" label
  ['**Answer:** 12', '12'], // markdown bold label
  ['**Final Answer**: 7', '7'], // bold label with the colon outside
  ["The answer isn't obvious; we get 4.", '4'], // "answer isn't" is no answer label: last number
  ['Answer: (C)', 'C'], // a choice letter after an answer label (our addition: Math-Verify's default reads no letters)
  ['I believe the answer is \\(x = 4\\)', 'x = 4'], // \( \) delimiters
  ['Therefore, the answer is $(2, 3)$\nDone.', '(2, 3)'], // answer ends at a newline
  ['Total = 5 + 6 = 11 apples', '11'], // last number as a last resort
  ['She has 1,250 dollars left.', '1250'], // last number with a thousands separator, read as a number
  ['Answer: 1 000', '1000'], // spaced thousands
  ['So the total is 1000,99 euros.', '1000.99'], // a decimal comma (not a group of three digits)
  ['The ratio is $\\frac{1}{3}$', '\\frac{1}{3}'], // never the 3 of a fraction
  ['so the side is \\sqrt3', null], // never the 3 of a root: a digit glued to a command is no number
  ['We get 4 4/9 cups.', '(4+\\frac{4}{9})'], // a mixed number is one value
  ['La réponse est $\\frac{1}{3}$.', '\\frac{1}{3}'], // French answer phrase
  ['Die Antwort ist 12, denn 3 mal 4 ist 12.', '12'], // German answer phrase
  ['Por lo tanto, la respuesta es 7.', '7'], // Spanish answer phrase
  ['所以答案是42。', '42'], // Chinese answer phrase with no space before the number
  ['Ответ: 15', '15'], // Russian answer label
  ['したがって、答えは $\\boxed{8}$ です。', '8'], // Japanese with a box
  ['**Final Answer**\n\\[\n\\boxed{189}\n\\]', '189'], // DeepSeek-R1's closing block
  ['The roots are \\boxed{-2} and \\boxed{1}.', '-2, 1'], // two boxes joined by "and" are one set answer
  ['Hence $(x, y) = (5, 8)$.', '(x, y) = (5, 8)'], // the last LaTeX span, whole
  ['$1$ and $2$ and $3$', '1, 2, 3'], // spans joined by "and" are one list
  ['Final Answer: The final answer is $28\\%$. I hope it is correct.', '28\\%'], // Minerva's closing sentence
  ['It is -7 degrees outside.', '-7'], // negative last number
  ['so x = .5', '0.5'], // leading-dot decimal
  ['We get 3/4 of the pie.', '3/4'], // a/b fraction as the last number
  ['No idea.', null], // nothing to extract
  ['', null], // empty completion
  ['The answer is \\boxed{2} and \\fbox{3}', '2, 3'], // \boxed and \fbox together: adjacent boxes are one set answer
  ['\\boxed{\\text{(B)}}', '\\text{(B)}'], // a choice in a box
  ['\\[\\boxed{1,\\!000}\\]', '1,\\!000'], // display math around a box
];

test(`extraction: ${rows.length} rows`, () => {
  const wrong = rows.filter(([c, want]) => extractAnswer(c) !== want).map(([c, want]) => `${JSON.stringify(c)} gave ${JSON.stringify(extractAnswer(c))}, want ${JSON.stringify(want)}`);
  assert.deepEqual(wrong, []);
});

test('extraction options: strategies restrict', () => {
  const text = 'The answer is 5.\n#### 6';
  assert.equal(extractAnswer(text), '6'); // #### comes before "the answer is"
  assert.equal(extractAnswer(text, { strategies: ['answerIs'] }), '5'); // only the answer phrase
  assert.equal(extractAnswer('So $x = 2$ and 7 remain.', { strategies: ['latex'] }), 'x = 2'); // only LaTeX spans
  assert.equal(extractAnswer('So $x = 2$ and 7 remain.'), '7'); // the match that ends last wins
  // Math-Verify's extraction alone: no other-language phrases, choice letters, #### or <answer> tags.
  const mv = { strategies: MATH_VERIFY_STRATEGIES, preferAfterThink: false };
  assert.equal(extractAnswer('答案：24', mv), null); // no space before the number: Math-Verify finds nothing
  assert.equal(extractAnswer('答案：24'), '24'); // our default reads the Chinese answer phrase
  assert.equal(extractAnswer('Answer: (C)', mv), null);
  assert.equal(extractAnswer('#### 18\nSo 18 it is, not 20.', mv), '20'); // the last number
  assert.equal(extractAnswer('Die Antwort ist 12, denn 3 mal 4.', mv), '4'); // no German phrase: the last number
  assert.equal(extractAnswer('Die Antwort ist 12, denn 3 mal 4.'), '12');
  assert.equal(extractAnswer('so 12', { strategies: ['boxed'] }), null); // no last-number fallback
  assert.equal(extractAnswer('<think>\\boxed{1}</think>2', { preferAfterThink: false }), '1'); // the thinking counts
  assert.equal(extractAnswer(`\\boxed{${'1'.repeat(50)}}`, { maxLength: 10 }), '1'.repeat(10)); // long answers cut
});

test('extraction never throws on odd input', () => {
  for (const x of [undefined, null, 42, '\\boxed{', '\\boxed{{{{', '<answer>', '####', '}}}\\boxed}', '$'.repeat(1000), '\\'.repeat(999)]) {
    assert.doesNotThrow(() => extractAnswer(x as string));
  }
});

test('lastIndexNear finds what lastIndexOf finds, near the start point and beyond its 64-place loop', () => {
  const rng = new Rng(25);
  const pieces = ['box', '}', 'b', 'bo', 'x', ' ', '\\', 'a'.repeat(70)];
  for (let n = 0; n < 3000; n++) {
    let text = '';
    for (let k = rng.int(0, 12); k > 0; k--) text += pieces[rng.int(0, pieces.length - 1)];
    for (const word of ['box', '}']) {
      for (const from of [-1, 0, 1, rng.int(0, text.length + 2), text.length - 1, text.length, text.length + 5]) {
        assert.equal(lastIndexNear(text, word, from), text.lastIndexOf(word, from), `${JSON.stringify(text)} ${word} ${from}`);
      }
    }
  }
});
