// pass@1, cons@k (string keys, and answers grouped by the verifier, with both tie rules), the unbiased pass@k
// estimator and curve, and pass@1's standard error, against hand-computed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consAtK, majorityVote, pass1, passAtK, summarize, type SampleOutcome } from '../../src/eval/metrics.js';
import { consensus, curveKs, groupAnswers, meanAndStderr, passAtKCurve } from '../../src/eval/metrics.js';
import { isEquivalent, normalizeAnswer } from '../../src/rewards/math/index.js';

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

// ---- verifier-grouped cons@k, ties, the pass@k curve, standard error (hand-computed) ----

test('answers are grouped by the verifier, not by string', () => {
  // '\\frac{1}{2}', '0.5' and '1/2' are one answer written three ways; '2' is another
  assert.deepEqual(groupAnswers(['\\frac{1}{2}', '2', '0.5', null, '1/2'], isEquivalent), [0, 1, 0, -1, 0]);
  // string equality alone would make four groups
  assert.deepEqual(groupAnswers(['\\frac{1}{2}', '2', '0.5', null, '1/2']), [0, 1, 2, -1, 3]);
  // a key short-cuts the verifier: same key, same group, without calling it
  let calls = 0;
  assert.deepEqual(groupAnswers(['7', '7', '7'], () => { calls++; return false; }), [0, 0, 0]);
  assert.equal(calls, 0);
  // a verifier that throws counts as "not equivalent"
  assert.deepEqual(groupAnswers(['a', 'b'], () => { throw new Error('boom'); }), [0, 1]);
});

test('cons@k: equivalent-but-differently-written answers outvote a more frequent single string', () => {
  // gold 1/2: three samples say it three ways (right), two say '3' (wrong). By string '3' would win 2-1-1-1.
  const samples = [s('\\frac{1}{2}', true), s('3', false), s('0.5', true), s('3', false), s('1/2', true)];
  assert.equal(consAtK(samples), 0); // string keys: '3' has the most votes
  const c = consensus(samples, { equivalent: isEquivalent, key: normalizeAnswer });
  assert.deepEqual(c, { value: 1, answer: '\\frac{1}{2}', tied: 1, groups: 2 });
});

test('cons@k ties: first-seen wins, or the tied groups split the credit', () => {
  // 2 votes for '4' (wrong, seen first), 2 for '5' (right), 1 unparsed
  const tie = [s('4', false), s('5', true), s(null, false), s('5', true), s('4', false)];
  assert.equal(consensus(tie, { ties: 'first' }).value, 0);
  assert.equal(consensus(tie, { ties: 'split' }).value, 0.5);
  assert.equal(consensus(tie).tied, 2);
  // three-way tie with one right answer: 1/3
  const three = [s('1', false), s('2', true), s('3', false)];
  close(consensus(three, { ties: 'split' }).value, 1 / 3);
  // nothing parsed: 0, no groups
  assert.deepEqual(consensus([s(null, false), s(null, false)]), { value: 0, answer: null, tied: 0, groups: 0 });
});

test('pass@k curve and the standard error of pass@1', () => {
  // problem A: 4 samples, 1 right; problem B: 4 samples, 2 right
  const A = [s('1', true), s('2', false), s('2', false), s('3', false)];
  const B = [s('1', true), s('1', true), s('2', false), s('2', false)];
  const curve = passAtKCurve([A, B], curveKs(4));
  assert.deepEqual(curve.map((p) => p.k), [1, 2, 4]);
  close(curve[0]!.pass, (0.25 + 0.5) / 2);
  close(curve[1]!.pass, (0.5 + (1 - 1 / 6)) / 2); // A: 1 - C(3,2)/C(4,2) = 0.5; B: 1 - C(2,2)/C(4,2) = 5/6
  close(curve[2]!.pass, 1);
  assert.deepEqual(curveKs(64), [1, 2, 4, 8, 16, 32, 64]);
  assert.deepEqual(curveKs(6), [1, 2, 4, 6]);
  // per-problem pass@1 of 0.25 and 0.5: mean 0.375, sample sd 0.1767767, stderr sd/sqrt(2) = 0.125
  const m = meanAndStderr([0.25, 0.5]);
  close(m.mean, 0.375);
  close(m.stderr, 0.125);
  assert.deepEqual(meanAndStderr([0.7]), { mean: 0.7, stderr: 0 });
});

test('grouping stops asking the verifier after maxChecks and falls back to keys', () => {
  let calls = 0;
  const eq = (a: string, b: string) => { calls++; return a.length === b.length; };
  // with a budget of 1 check: 'aa' is compared with 'b' (1 call each way counts once), then 'cc' joins by key only
  assert.deepEqual(groupAnswers(['b', 'aa', 'cc'], eq, (a) => a, 1), [0, 1, 2]);
  assert.equal(calls, 2);
  assert.deepEqual(groupAnswers(['b', 'aa', 'cc'], eq), [0, 1, 1]);
});
