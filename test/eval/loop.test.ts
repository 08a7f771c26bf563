// The one sample-and-judge loop (sampleAndJudge): problems in groups, one judge call per group with the texts the
// caller chooses, results in problem order, a failed group skipped or (thrown from onError) stopping the loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleAndJudge, type Judge } from '../../src/eval/runner.js';

const problems = ['a', 'b', 'c', 'd', 'e'].map((id, i) => ({ id, gold: String(i) }));
type P = (typeof problems)[number];
/** Two samples a problem: its gold (right) and 'x' (wrong, no answer). */
const sample = async (group: readonly P[]) => group.map((p) => [{ text: p.gold }, { text: 'x' }]);
function countingJudge(calls: { texts: string[]; ids: string[]; prompts: string[] }[]): Judge<P> {
  return async (texts, ps, prompts) => {
    calls.push({ texts, ids: ps.map((p) => p.id), prompts });
    return {
      outcomes: texts.map((t, i) => ({ answer: t === 'x' ? null : t, correct: t === ps[i]!.gold })),
      formatOk: texts.map((t) => t !== 'x'),
    };
  };
}

test('one group by default: one judge call over every text, each with its problem and prompt', async () => {
  const calls: { texts: string[]; ids: string[]; prompts: string[] }[] = [];
  const r = await sampleAndJudge(problems, { sample, judge: countingJudge(calls), prompt: (p, i) => `${p.id}#${i}` });
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0]!.ids, ['a', 'a', 'b', 'b', 'c', 'c', 'd', 'd', 'e', 'e']);
  assert.deepEqual(calls[0]!.prompts.slice(0, 4), ['a#0', 'a#0', 'b#1', 'b#1']);
  assert.deepEqual(r.map((j) => j.problem.id), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(r[2]!.outcomes, [{ answer: '2', correct: true }, { answer: null, correct: false }]);
  assert.deepEqual(r[2]!.formatOk, [true, false]);
});

test('groups of 2 with 2 in flight: a judge call per group, prompts indexed in the whole list, results in problem order', async () => {
  const calls: { texts: string[]; ids: string[]; prompts: string[] }[] = [];
  const seen: string[][] = [];
  // the first group is the slowest, so groups finish out of order
  const slow = async (group: readonly P[]) => {
    await new Promise((res) => setTimeout(res, group[0]!.id === 'a' ? 30 : 1));
    return sample(group);
  };
  const r = await sampleAndJudge(problems, {
    sample: slow, judge: countingJudge(calls), prompt: (p, i) => `${p.id}#${i}`, groupSize: 2, concurrency: 2,
    judgeTexts: (cs) => cs.map((c) => c.text.toUpperCase()), onGroup: (g) => seen.push(g.map((j) => j.problem.id)),
  });
  assert.equal(calls.length, 3);
  assert.deepEqual(calls.find((c) => c.ids[0] === 'c')!.prompts, ['c#2', 'c#2', 'd#3', 'd#3']);
  assert.deepEqual(calls.find((c) => c.ids[0] === 'e')!.texts, ['4', 'X'], 'the judge reads judgeTexts');
  assert.deepEqual(seen[0], ['c', 'd'], 'onGroup as each group is judged');
  assert.deepEqual(r.map((j) => j.problem.id), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(r[4]!.completions, [{ text: '4' }, { text: 'x' }], 'completions as sampled');
});

test('a failed group: skipped by onError returning, or stopping the loop when onError throws', async () => {
  const failing = async (group: readonly P[]) => {
    if (group[0]!.id === 'b') throw new Error('server down');
    return sample(group);
  };
  const skipped: string[] = [];
  const r = await sampleAndJudge(problems, {
    sample: failing, judge: countingJudge([]), prompt: () => '', groupSize: 1, onError: ([p], e) => skipped.push(`${p!.id}: ${(e as Error).message}`),
  });
  assert.deepEqual(r.map((j) => j.problem.id), ['a', 'c', 'd', 'e']);
  assert.deepEqual(skipped, ['b: server down']);

  const sampled: string[] = [];
  await assert.rejects(sampleAndJudge(problems, {
    sample: async (g) => { sampled.push(g[0]!.id); return failing(g); }, judge: countingJudge([]), prompt: () => '', groupSize: 1,
    onError: () => { throw new Error('fatal'); },
  }), /fatal/);
  assert.deepEqual(sampled, ['a', 'b'], 'no group starts after a fatal error');
  await assert.rejects(sampleAndJudge(problems, { sample: failing, judge: countingJudge([]), prompt: () => '', groupSize: 1 }), /server down/, 'no onError: the error is thrown');
});
