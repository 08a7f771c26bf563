// End to end: whole completions shaped like real model outputs judged against gold answers with
// verify(); the accuracy reward (null without gold); normalizeAnswer as a cons@k key; the time budget;
// and that nothing throws on hostile input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracyReward, goldAnswer, isEquivalent, normalizeAnswer, verify } from '../../../src/rewards/math/index.js';

const rows: [gold: string, completion: string, expected: boolean][] = [
  ['18', 'Janet has 16 - 3 - 4 = 9 eggs left. 9 * 2 = 18.\nThe answer is $18.', true], // GSM8K-style prose, dollar sign
  ['18', 'She makes 9 * $2 = $18 per day.\n#### 18', true], // GSM8K reference format
  ['18', 'So she makes \\boxed{\\$18} every day.', true], // currency inside the box
  ['18', 'She makes $18 a day... wait, 9*2 = 18, minus the 2 she gives away: \\boxed{16}', false], // the last box is the answer, and it is wrong
  ['70000', 'The profit is 200,000 - 130,000 = \\boxed{70,000} dollars.', true], // thousands separator in the box
  ['\\frac{1}{3}', '<think>1/3? let me check. yes.</think><answer>\\frac{1}{3}</answer>', true], // R1-Zero tags
  ['\\frac{1}{3}', '<think>\\boxed{1/3}</think><answer>1/4</answer>', false], // a right guess in the thinking does not rescue a wrong answer
  ['\\frac{\\sqrt{3}}{3}', 'Rationalising, $\\frac{1}{\\sqrt{3}} = \\boxed{\\dfrac{\\sqrt{3}}{3}}$', true], // \dfrac in the box
  ['\\left( 3, \\frac{\\pi}{2} \\right)', 'In polar coordinates the point is $\\boxed{(3,\\tfrac{\\pi}{2})}$.', true], // tuple with \tfrac
  ['(-\\infty, 2) \\cup (3, \\infty)', 'The solution set is \\boxed{x<2 \\text{ or } x>3}.', false], // inequalities for an interval reference: not accepted (Math-Verify)
  ['x<2 \\text{ or } x>3', 'The solution set is \\boxed{(-\\infty, 2) \\cup (3, \\infty)}.', true], // an inequality reference accepts the union
  ['\\text{(C)}', 'Checking each option, only (C) works. **Answer: C**', true], // choice in markdown
  ['\\text{(C)}', 'Option (B) fails and (C) works... The answer is (B).', false], // a wrong final choice
  ['x^2+2x+1', 'Expanding, we obtain $\\boxed{(x+1)^2}$', true], // symbolic equivalence
  ['5', 'Solving 2x + 1 = 11 gives $x = 5$.', true], // "x = 5" found by the last-number fallback
  ['-2, 1', 'The roots are $x = -2$ and $x = 1$, so the answer is $\\boxed{-2, 1}$.', true], // multiple answers in a box
  ['-2, 1', 'The roots are \\boxed{-2} and \\boxed{1}.', true], // adjacent boxes are one set answer
  ['-2, 1', 'My first guess was \\boxed{-2}. Checking the discriminant again, the only root that survives substitution is \\boxed{1}.', false], // far-apart boxes: only the last counts
  ['12', 'I could not solve this problem.', false], // no answer at all
  ['0.5', 'The probability is 1/2, i.e. \\boxed{50\\%}.', true], // percent for a fraction gold
];

test(`verify on whole completions: ${rows.length} rows`, () => {
  const wrong = rows.filter(([g, c, want]) => verify(g, c).correct !== want).map(([g, c]) => `gold ${JSON.stringify(g)} completion ${JSON.stringify(c)}: got ${JSON.stringify(verify(g, c))}`);
  assert.deepEqual(wrong, []);
});

test('verify reports the extracted answer', () => {
  assert.deepEqual(verify('42', 'so \\boxed{42}'), { correct: true, extracted: '42' });
  assert.deepEqual(verify('42', 'I could not find it in the time I had.'), { correct: false, extracted: null });
  // A short text without digits is a word answer to `auto`, and nothing to a search.
  assert.deepEqual(verify('42', 'no idea'), { correct: false, extracted: 'no idea' });
  assert.deepEqual(verify('42', 'no idea', { predKind: 'completion' }), { correct: false, extracted: null });
  assert.deepEqual(verify('42', 'The answer is 41.', { extract: { strategies: ['boxed'] } }), { correct: false, extracted: null });
});

test('accuracy reward: 1/0 per completion, null without gold', () => {
  const completions = ['\\boxed{4}', '\\boxed{5}', 'the answer is 4', '\\boxed{4}'];
  assert.deepEqual(accuracyReward(completions, { gold: ['4', '4', null, '  '] }), [1, 0, null, null]);
  assert.deepEqual(accuracyReward(completions, {}), [null, null, null, null]);
  assert.deepEqual(accuracyReward([42 as unknown as string], { gold: ['42'] }), [0]); // a non-string completion scores 0, never throws
});

test('goldAnswer reads worked solutions and leaves bare answers alone', () => {
  assert.equal(goldAnswer('Work...\n#### 1,234'), '1,234');
  assert.equal(goldAnswer('so $\\boxed{\\frac12}$.'), '\\frac12');
  assert.equal(goldAnswer(' \\frac{1}{2} '), '\\frac{1}{2}');
  assert.equal(goldAnswer('$x \\ge 5$'), 'x \\ge 5'); // maths delimiters
  assert.equal(goldAnswer('$1$ and $2$ and $3$'), '1, 2, 3'); // several spans: one list
  assert.equal(goldAnswer('\\(\\boxed{1}\\) and \\(\\boxed{-2}\\).'), '1, -2'); // several boxes: one set
  assert.equal(goldAnswer('Natalia sold 48/2 = 24 clips in May and 48 + 24 = 72 in all.'), '72'); // a worked solution without a marker
  assert.equal(goldAnswer('\\text{Evelyn}'), '\\text{Evelyn}'); // a bare answer stays as it is
  assert.equal(isEquivalent('So $x = \\boxed{3}$.', '3'), true); // isEquivalent reads the reference the same way
});

test('normalizeAnswer: one key for equivalent spellings, different keys for different answers', () => {
  const same: string[][] = [
    ['\\frac{1}{2}', '0.5', '\\dfrac12', '1/2', '50\\%', '$0.50$'], // one value, six spellings
    ['1000', '1,000', '1 000', '1000.0'], // thousands separators
    ['\\{1, 2\\}', '2, 1', '\\{2,1\\}'], // unordered collections
    ['x = 5', '5', '5 \\text{ cm}'], // right-hand side and units
    ['\\text{(C)}', 'C', '(C)'], // a choice
    ['2\\sqrt{2}', '\\sqrt{8}'], // a constant expression
  ];
  for (const group of same) assert.equal(new Set(group.map(normalizeAnswer)).size, 1, `one key for ${JSON.stringify(group)}: ${group.map(normalizeAnswer)}`);
  const keys = ['1', '2', '\\frac13', '(1,2)', '(2,1)', 'x+1', 'C', 'east'].map(normalizeAnswer);
  assert.equal(new Set(keys).size, keys.length, `distinct keys: ${keys}`);
});

test('the time budget: with no time left only the string and number fast paths answer', () => {
  assert.equal(isEquivalent('18', '18.0', { timeoutMs: 0 }), true); // fast path needs no time
  assert.equal(isEquivalent('x^2+2x+1', '(x+1)^2', { timeoutMs: 0 }), false); // CAS stage skipped: undecided is false
  assert.equal(isEquivalent('x^2+2x+1', '(x+1)^2', { timeoutMs: 1000 }), true); // with time, decided
});

test('nothing throws on hostile predictions', () => {
  const hostile = [
    '\\frac{1}{0}', '0^0', '10^{10^{10^{10}}}', '(((((((((((', ')))]]]}}}', '\\sqrt{-1}', '1/0', '\\infty - \\infty',
    '\\begin{pmatrix}', '\\end{pmatrix}', '\\left(', 'x'.repeat(5000), '9'.repeat(400), '\\frac'.repeat(300), '{'.repeat(500),
    '\\boxed{\\boxed{\\boxed{1}}}', '1000!', '\\binom{10^9}{5}', 'NaN', 'Infinity', '\u0000', '💥', '\\text{', '$$$$', '1,2,3,,,,',
  ];
  for (const gold of ['1', 'x+1', '(1,2)', '\\{1,2\\}', '[0,1)', '\\text{(A)}', '\\begin{pmatrix}1\\\\2\\end{pmatrix}']) {
    for (const pred of hostile) {
      assert.doesNotThrow(() => isEquivalent(gold, pred), `${gold} vs ${pred}`);
      assert.doesNotThrow(() => verify(gold, pred));
      assert.doesNotThrow(() => normalizeAnswer(pred));
    }
  }
  assert.equal(isEquivalent(null as unknown as string, '1'), false);
  assert.equal(isEquivalent('1', undefined as unknown as string), false);
});
