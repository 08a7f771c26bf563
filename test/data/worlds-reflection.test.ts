// Reflection read by the search worlds' own parsers (backtracking: abandons a line of work for another; re-checking:
// works the same result out again), as tables of hand-written reasoning; the check phrase alone never counts. Also
// the mixed difficulty levels and worldStats' reflection and per-difficulty numbers over a hand-built loop result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';
import { getWorld, sampleProblems } from '../../src/data/worlds/index.js';
import { MIXED_DIFFICULTY, type WorldProblem } from '../../src/data/worlds/types.js';
import { worldStats } from '../../src/eval/world.js';
import type { EvalResult } from '../../src/eval/runner.js';

const reply = (lines: string[], answer: string) => `<think>\n${lines.join('\n')}\n</think>\n\nThe answer is ${answer}.`;
const WAIT = 'wait, let me check that again:';

// [reasoning lines, backtrack, verify]
const SUBSET: [string[], boolean, boolean][] = [
  [['3+4=7'], false, false], // a one-line guess
  [['3=3', '3+4=7 yes'], false, false], // each line extends the one before: no branch abandoned
  [['3=3', '3+9=12 over', '3+4=7 yes'], true, false], // 3+9 overshoots, the search drops 9 and tries 4
  [['3=3', '3+9=12 over', '9=9 over', '4=4', '4+3=7 yes'], true, false], // back to a new first number
  [['3=3', '3+4=8 over', WAIT, '3+4=7 yes'], false, true], // the slip is worked out again
  [['3=3', '3+4=7 yes', '3+4=7 yes'], false, true], // a re-check without the phrase still counts
  [['3=3', WAIT, '3+4=7 yes'], false, false], // the phrase without working anything out again does not
  [['3=3', '3+9=12 over', '3+4=7 yes', WAIT, '3+4=7 yes'], true, true],
  [['wait wait wait'], false, false], // no partial sums at all
];

// [reasoning lines, backtrack, verify]
const COUNTDOWN: [string[], boolean, boolean][] = [
  [['5+3=8, 8*2=16'], false, false], // a one-line guess
  [['5+3=8, 8*2=16 yes'], false, false], // the first attempt lands
  [['5-3=2, 2*2=4 no', '5+3=8, 8*2=16 yes'], true, false], // gives up on an attempt and tries another
  [['5+3=8, 8*2=16 yes', WAIT, '5+3=8, 8*2=16 yes'], false, true], // the found attempt worked out again
  [['5-3=2, 2*2=4 no', WAIT, '5-3=2, 2*2=4 no'], false, true], // checks the attempt it stops on
  [['5+3=8, 8*2=16 yes', WAIT], false, false], // the phrase alone
];

for (const [name, rows] of [['subset', SUBSET], ['countdown', COUNTDOWN]] as const) {
  test(`${name}: reflection from the world's parser of the reasoning`, () => {
    const w = getWorld(name);
    const p = w.generate(new Rng(1), MIXED_DIFFICULTY);
    for (const [lines, backtrack, verify] of rows) assert.deepEqual(w.reflection!(p, reply(lines, '3+4')), { backtrack, verify }, lines.join(' | '));
  });

  test(`${name}: difficulty is how many numbers, mixed uniformly over the levels; the corpus styles read as expected`, () => {
    const w = getWorld(name);
    // unique: false, as the two-number levels have only a few hundred distinct problems
    const ps = sampleProblems(w, { split: 'train', count: 400, seed: 3, unique: false });
    const levels = new Map<number, number>();
    for (const p of ps) levels.set(w.difficultyOf!(p), (levels.get(w.difficultyOf!(p)) ?? 0) + 1);
    assert.deepEqual([...levels.keys()].sort(), [...w.difficulties!]);
    for (const n of levels.values()) assert.ok(Math.abs(n / 400 - 1 / w.difficulties!.length) < 0.08, JSON.stringify([...levels]));
    for (const d of w.difficulties!) assert.equal(w.difficultyOf!(w.generate(new Rng(d), d)), d);
    const rng = new Rng(4);
    let searchBacktracks = 0, directReflects = 0, selfcheckVerifies = 0;
    for (const p of ps.slice(0, 100)) {
      if (Object.values(w.reflection!(p, w.write(p, 'direct', rng))).some(Boolean)) directReflects++;
      if (w.reflection!(p, w.write(p, 'step', rng)).backtrack) searchBacktracks++;
      if (w.reflection!(p, w.write(p, 'selfcheck', rng)).verify) selfcheckVerifies++;
    }
    assert.equal(directReflects, 0);
    assert.equal(selfcheckVerifies, 100);
    assert.ok(searchBacktracks > 30 && searchBacktracks < 100, `step work backtracks on ${searchBacktracks}/100`);
  });
}

test('subset: harder problems take longer searches and backtrack more (the corpus the base model imitates)', () => {
  const w = getWorld('subset');
  const rng = new Rng(8);
  const at = (d: number) => {
    let len = 0, back = 0;
    for (const p of sampleProblems(w, { split: 'train', count: 300, seed: d, difficulty: d, unique: false })) {
      const c = w.write(p, 'step', rng);
      len += c.length;
      if (w.reflection!(p, c).backtrack) back++;
    }
    return { len: len / 300, back: back / 300 };
  };
  const easy = at(2), hard = at(5);
  assert.ok(hard.len > 1.5 * easy.len, JSON.stringify({ easy, hard }));
  assert.ok(hard.back > easy.back + 0.2, JSON.stringify({ easy, hard }));
});

test('worldStats: reflection shares and per-difficulty pass@1, length and reflection over a loop result', () => {
  const w = getWorld('subset');
  const p2 = w.parse('pick from 3,4 to sum 7')!, p3 = w.parse('pick from 3,9,4 to sum 7')!;
  const guess = reply(['3+9=12'], '3+9'); // wrong, no reflection
  const found = reply(['3=3', '3+9=12 over', '3+4=7 yes'], '3+4'); // right, backtracks
  const checked = reply(['3=3', '3+4=7 yes', WAIT, '3+4=7 yes'], '3+4'); // right, re-checks
  const sample = (text: string, tokens: number) => ({ text, tokens, formatOk: true, answer: '7', correct: w.check(p3, text).correct });
  const r = {
    summary: { problems: 2, samplesPerProblem: 2, pass1: 0.75, consK: 1, alwaysWrong: 0, answerRate: 1 },
    formatRate: 1, meanLength: 0, seconds: 0,
    perProblem: [
      { id: p2.id, gold: '7', samples: [sample(checked, 40), sample(checked, 60)] },
      { id: p3.id, gold: '7', samples: [sample(guess, 10), sample(found, 30)] },
    ],
  } as EvalResult;
  const m = worldStats(w, [p2, p3] as WorldProblem[], r, 2, false);
  assert.deepEqual(m.reflection, { backtrack: 0.25, verify: 0.5, any: 0.75 });
  assert.deepEqual(m.byDifficulty.map((d) => [d.difficulty, d.problems, d.pass1, d.meanLen, d.reflection.any]), [[2, 1, 1, 50, 1], [3, 1, 0.5, 20, 0.5]]);
  // a world without a parser reports NaN, not 0
  const plain = { ...w, reflection: undefined, difficultyOf: undefined };
  const n = worldStats(plain, [p2, p3] as WorldProblem[], r, 2, false);
  assert.ok(Number.isNaN(n.reflection.any));
  assert.deepEqual(n.byDifficulty, []);
});
