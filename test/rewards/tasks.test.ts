// The exact arithmetic parser and the synthetic-world task rewards (countdown, arithmetic) as
// tables, including hostile strings: the parser must refuse, never evaluate, never throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpr } from '../../src/rewards/expr.js';
import { arithmeticReward, countdownReward, countdownVerdict, parseIntegerAnswer } from '../../src/rewards/tasks.js';

const val = (src: string) => {
  const r = parseExpr(src);
  return r.ok ? `${r.expr.value.num}/${r.expr.value.den}` : `error: ${r.error}`;
};

// [source, exact value as num/den]
const VALUES: [string, string][] = [
  ['1 + 2 * 3', '7/1'], // precedence
  ['(1 + 2) * 3', '9/1'], // parentheses
  ['10 - 4 - 3', '3/1'], // left associative minus
  ['100 / 10 / 5', '2/1'], // left associative division
  ['1 / 3 + 1 / 6', '1/2'], // exact rationals, no float rounding
  ['7 / 2', '7/2'], // non-integer results stay exact
  ['-3 + 5', '2/1'], // unary minus (allowed by default)
  ['2 × 3 ÷ 4 − 1', '1/2'], // typographic operators
  ['99999999999999999999 * 99999999999999999999', '9999999999999999999800000000000000000001/1'], // BigInt, no overflow
];

test('parser values', () => {
  for (const [src, want] of VALUES) assert.equal(val(src), want, src);
});

// [source, reason it must be refused]
const REFUSED: [string, string][] = [
  ['', 'empty'],
  ['1 / 0', 'division by zero'],
  ['5 / (3 - 3)', 'division by zero after evaluation'],
  ['2 ** 3', 'no power operator'],
  ['2 ^ 3', 'no caret'],
  ['1.5 + 2', 'decimals refused'],
  ['(1 + 2', 'unbalanced'],
  ['1 + 2)', 'unbalanced the other way'],
  ['1 2', 'juxtaposition'],
  ['1 +', 'dangling operator'],
  ["require('child_process').execSync('id')", 'code injection'],
  ['process.exit(1)', 'identifiers'],
  ['constructor.constructor("return this")()', 'prototype tricks'],
  ['1; 2', 'statement separator'],
  ['`1`', 'template literal'],
  ['1e3', 'exponent notation'],
  ['0x10', 'hex literal'],
  ['1'.repeat(40), 'absurdly long literal'],
  ['('.repeat(5000) + '1' + ')'.repeat(5000), 'deep nesting: refused, not a stack overflow'],
  ['-'.repeat(500) + '1', 'deep unary chain'],
];

test('parser refuses hostile and malformed input without throwing', () => {
  for (const [src, why] of REFUSED) {
    const r = parseExpr(src);
    assert.equal(r.ok, false, `${why}: ${src.slice(0, 40)}`);
  }
  assert.equal(parseExpr('((((1))))').ok, true); // moderate nesting is fine
  assert.equal(parseExpr('-3', { allowUnary: false }).ok, false); // countdown's grammar
  assert.equal(parseExpr(42 as unknown as string).ok, false); // not a string
});

// [answer, numbers, target, verdict]
const COUNTDOWN: [string | null, number[], number, string][] = [
  ['(25 - 5) * 4', [25, 5, 4], 80, 'correct'], // the textbook case
  ['4 * (25 - 5)', [5, 25, 4], 80, 'correct'], // any order of use
  ['(25 - 5) * 4 = 80', [25, 5, 4], 80, 'correct'], // with the target written after
  ['(25 - 5) * 4 = 81', [25, 5, 4], 80, 'wrong-value'], // claims the wrong target
  ['25 * 4 - 5', [25, 5, 4], 80, 'wrong-value'], // all numbers, wrong value
  ['(25 - 5) * 4 * 1', [25, 5, 4], 80, 'wrong-numbers'], // a number not given
  ['20 * 4', [25, 5, 4], 80, 'wrong-numbers'], // numbers missing
  ['(25 - 5) * 4 + 5 - 5', [25, 5, 4], 80, 'wrong-numbers'], // a number reused
  ['(4 + 4) * 10', [4, 10, 4], 80, 'correct'], // a number given twice may be used twice
  ['4 * 10 * 2', [4, 10, 4], 80, 'wrong-numbers'], // …but not swapped for another
  ['6 / 4 * 2 * 10', [6, 4, 2, 10], 30, 'correct'], // intermediate fractions are exact
  ['10 / (5 - 5) + 80', [10, 5, 5, 80], 80, 'unparsable'], // division by zero
  ['-5 + 85', [5, 85], 80, 'unparsable'], // unary minus is not a countdown move
  ['80', [80], 80, 'correct'], // a single number hitting the target
  ['eval("80")', [80], 80, 'unparsable'], // code is refused
  ['(25-5)*4 = 80 = 80', [25, 5, 4], 80, 'unparsable'], // two equals signs
  [null, [1], 1, 'no-answer'], // no answer tag
  ['   ', [1], 1, 'no-answer'], // empty answer
];

test('countdown judge table', () => {
  for (const [answer, numbers, target, verdict] of COUNTDOWN) {
    assert.equal(countdownVerdict(answer, numbers, target), verdict, `${answer} with ${numbers} → ${target}`);
  }
});

test('countdown reward reads the last <answer> and ctx.numbers / ctx.target', () => {
  const c = ['<think>try</think><answer>(25 - 5) * 4</answer>', '<think>x</think><answer>25 + 5 + 4</answer>', 'no tags: (25 - 5) * 4'];
  assert.deepEqual(countdownReward(c, { numbers: [[25, 5, 4], [25, 5, 4], [25, 5, 4]], target: [80, 80, 80] }), [1, 0, 0]);
  assert.deepEqual(countdownReward(c, { numbers: [25, 5, 4], target: 80 }), [1, 0, 0]); // shared numbers and target
  assert.deepEqual(countdownReward(c, {}), [null, null, null]); // no task: cannot be scored
  assert.deepEqual(countdownReward(c.slice(0, 1), { numbers: [[25, 5, 4]], target: ['80'] }), [null]); // target not a number
  assert.deepEqual(countdownReward(c.slice(0, 1), { numbers: [[2.5, 5, 4]], target: [80] }), [null]); // non-integer numbers
});

test('arithmetic reward: exact integers from the last <answer>', () => {
  const rows: [string, string | null, number | null][] = [
    ['<think>4+3</think><answer>7</answer>', '7', 1], // right
    ['<think>4+3</think><answer>8</answer>', '7', 0], // wrong
    ['<answer> -12 </answer>', '-12', 1], // negative, spaces
    ['<answer>1,234</answer>', '1234', 1], // thousands separator
    ['<answer>7.</answer>', '7', 1], // a sentence-final period
    ['<answer>7.0</answer>', '7', 0], // a decimal is not the integer answer
    ['<answer>seven</answer>', '7', 0], // words are not integers
    ['<answer>3+4</answer>', '7', 0], // an expression is not the answer
    ['7', '7', 0], // no answer tag
    ['<answer>7</answer>', null, null], // no gold: cannot be scored
    ['<answer>7</answer>', 'x', null], // gold not an integer: cannot be scored
    ['<answer>123456789012345678901234567890</answer>', '123456789012345678901234567890', 1], // beyond float precision
  ];
  for (const [completion, gold, expected] of rows) {
    assert.equal(arithmeticReward([completion], { gold: [gold] })[0], expected, `${completion} vs ${gold}`);
  }
  assert.equal(parseIntegerAnswer('+5'), 5n);
});
