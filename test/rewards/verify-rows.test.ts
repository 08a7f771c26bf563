// verifyRows, the work of `r1 verify`: each good line comes back with "correct" and the answers read, every bad line is
// counted with its number and why, and a line's own kinds and "ordered" override the run's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyRows } from '../../src/rewards/verify-rows.js';

const o = { predKind: 'auto', goldKind: 'auto', relTol: null, ordered: false, timeoutMs: 1000 } as const;

test('verifyRows: lines written back in order, malformed ones counted by line number', () => {
  const text = [
    JSON.stringify({ gold: '1/2', pred: 'so the answer is \\boxed{0.5}', id: 'x' }),
    '',
    '{oops',
    JSON.stringify([1, 2]),
    JSON.stringify({ gold: 3 }),
    JSON.stringify({ gold: 4, pred: 'I do not know' }),
    JSON.stringify({ gold: '2', pred: '2', pred_kind: 'sentence' }),
  ].join('\n');
  const { summary, lines } = verifyRows(text, o);
  const back = lines.map((l) => JSON.parse(l));
  assert.deepEqual(back.map((r) => [r.id ?? null, r.correct, r.pred_extracted]), [['x', true, '0.5'], [null, false, null]]);
  assert.equal(back[1].gold_extracted, '4');
  assert.deepEqual(summary.malformed.map((m) => m.line), [3, 4, 5, 7]);
  assert.match(summary.malformed[3]!.error, /pred_kind/);
  assert.deepEqual([summary.total, summary.correct, summary.accuracy, summary.no_answer], [2, 1, 0.5, 1]);
});

test('verifyRows: lists match in any order unless the run or the line asks for order', () => {
  const row = { gold: '1, 2', pred: '2, 1', pred_kind: 'answer', gold_kind: 'answer' };
  const text = [JSON.stringify(row), JSON.stringify({ ...row, ordered: true })].join('\n');
  assert.deepEqual(verifyRows(text, o).lines.map((l) => JSON.parse(l).correct), [true, false]);
  assert.deepEqual(verifyRows(text, { ...o, ordered: true }).lines.map((l) => JSON.parse(l).correct), [false, false]);
});
