// pass@1, cons@k and the unbiased pass@k estimator against hand-computed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consAtK, majorityVote, pass1, passAtK, summarize, type SampleOutcome } from '../../src/eval/metrics.js';

const s = (answer: string | null, correct: boolean): SampleOutcome => ({ answer, correct });
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test('pass@1 is the mean correctness', () => {
  assert.equal(pass1([s('1', true), s('2', false), s('1', true), s(null, false)]), 0.5);
});

test('unbiased pass@k', () => {
  close(passAtK(4, 1, 1), 0.25);
  close(passAtK(4, 1, 2), 0.5); // 1 - C(3,2)/C(4,2) = 1 - 3/6
  close(passAtK(5, 2, 2), 0.7); // 1 - C(3,2)/C(5,2) = 1 - 3/10
  assert.equal(passAtK(4, 3, 2), 1);
  assert.equal(passAtK(4, 0, 3), 0);
  assert.throws(() => passAtK(2, 1, 3), /draw at least k/);
});

test('majority vote: nulls do not vote, ties go to the earliest answer, keys normalise', () => {
  assert.equal(majorityVote(['3', null, '4', '4', null, null]), 2);
  assert.equal(majorityVote(['4', '3', '3', '4']), 0); // tie 2–2: '4' appeared first
  assert.equal(majorityVote(['3', '4', '4', '3']), 0);
  assert.equal(majorityVote([null, null]), -1);
  assert.equal(majorityVote(['0.5', '1/2', '7'], (a) => (a === '1/2' ? '0.5' : a)), 0);
});

test('cons@k follows the majority, right or wrong', () => {
  assert.equal(consAtK([s('7', true), s('8', false), s('8', false)]), 0);
  assert.equal(consAtK([s('7', true), s('8', false), s('7', true)]), 1);
  assert.equal(consAtK([s(null, false)]), 0);
});

test('summary over problems', () => {
  const r = summarize([
    [s('1', true), s('1', true), s('2', false), s(null, false)],
    [s('5', false), s('6', false), s('5', false), s('6', false)],
  ]);
  assert.deepEqual(r, { problems: 2, samplesPerProblem: 4, pass1: 0.25, consK: 0.5, alwaysWrong: 1, answerRate: 7 / 8 });
});
