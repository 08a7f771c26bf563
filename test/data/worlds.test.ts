import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';
import { WORLDS, sampleProblems, splitOf, worldCorpus } from '../../src/data/worlds/index.js';
import { addition } from '../../src/data/worlds/addition.js';

for (const [name, world] of Object.entries(WORLDS)) {
  test(`${name}: deterministic generator and disjoint splits`, () => {
    const a = sampleProblems(world, { split: 'train', count: 50, seed: 3 });
    const b = sampleProblems(world, { split: 'train', count: 50, seed: 3 });
    assert.deepEqual(a, b);
    const t = sampleProblems(world, { split: 'test', count: 50, seed: 3 });
    const trainIds = new Set(a.map((p) => p.id));
    assert.ok(t.every((p) => !trainIds.has(p.id) && splitOf(p.id) === 'test'));
    for (const p of t) assert.deepEqual(world.parse(p.question), p, `parse(${p.question})`);
  });

  test(`${name}: every corpus style is in the template, parses, and is classified as itself`, () => {
    const rng = new Rng(5);
    for (const p of sampleProblems(world, { split: 'train', count: 40, seed: 9 })) {
      for (const style of world.styles) {
        const c = world.write(p, style, rng);
        assert.ok(world.check(p, c).formatOk, `${style}: ${c}`);
        assert.equal(world.styleOf(c), style, c);
      }
    }
  });

  test(`${name}: corpus keeps wrong answers; step work is more often right than direct answers`, () => {
    const stats: Record<string, { n: number; right: number }> = {};
    for (const d of worldCorpus(world, { docs: 3000, seed: 2 })) {
      const p = world.parse(d.prompt.replace(/^User: /, '').replace(/\. Assistant:$/, ''))!;
      const s = (stats[d.style] ??= { n: 0, right: 0 });
      s.n++;
      if (world.check(p, d.completion).correct) s.right++;
    }
    const acc = (k: string) => stats[k]!.right / stats[k]!.n;
    const [direct, step] = world.styles;
    assert.ok(acc(direct!) < acc(step!), JSON.stringify(stats));
    assert.ok(acc(step!) < 0.98, 'the corpus is not filtered by correctness');
    for (const [style, share] of Object.entries(world.naturalMix)) assert.ok(Math.abs(stats[style]!.n / 3000 - share) < 0.05, style);
  });
}

test('addition: corpus rates close to the issue\'s (direct ~30%, step ~76%, self-correcting ~83% right)', () => {
  const stats: Record<string, { n: number; right: number }> = {};
  for (const d of worldCorpus(addition, { docs: 6000, seed: 4 })) {
    const p = addition.parse(d.prompt.slice('User: '.length, -'. Assistant:'.length))!;
    const s = (stats[d.style] ??= { n: 0, right: 0 });
    s.n++;
    if (addition.check(p, d.completion).correct) s.right++;
  }
  const acc = (k: string) => stats[k]!.right / stats[k]!.n;
  assert.ok(Math.abs(acc('direct') - 0.3) < 0.05, `direct ${acc('direct')}`);
  assert.ok(Math.abs(acc('step') - 0.76) < 0.05, `step ${acc('step')}`);
  assert.ok(Math.abs(acc('selfcheck') - 0.82) < 0.06, `selfcheck ${acc('selfcheck')}`);
});

test('addition: faithfulness and check tables', () => {
  const p = addition.parse('347+285')!;
  const rows: [string, { lines: number; unfaithful: number; answerFollows: boolean | null }, boolean][] = [
    // right work, right answer
    [' <think>\n7+5+0=12\n4+8+1=13\n3+2+1=06\n</think> <answer> 632 </answer>', { lines: 3, unfaithful: 0, answerFollows: true }, true],
    // a false line (4+8+1=12) whose carry is followed faithfully: wrong answer that follows its lines
    [' <think>\n7+5+0=12\n4+8+1=12\n3+2+1=06\n</think> <answer> 622 </answer>', { lines: 3, unfaithful: 1, answerFollows: true }, false],
    // right lines, answer copied wrong
    [' <think>\n7+5+0=12\n4+8+1=13\n3+2+1=06\n</think> <answer> 631 </answer>', { lines: 3, unfaithful: 0, answerFollows: false }, false],
    // operands from the wrong column (true arithmetic, not the problem's digits)
    [' <think>\n4+8+0=12\n7+5+1=13\n3+2+1=06\n</think> <answer> 632 </answer>', { lines: 3, unfaithful: 2, answerFollows: true }, true],
    // a slip, then a redo of every column: the false statement counts, the answer follows the redo
    [' <think>\n7+5+0=12\n4+8+1=12\n3+2+1=06\nwait, let me check that again:\n7+5+0=12\n4+8+1=13\n3+2+1=06\n</think> <answer> 632 </answer>', { lines: 6, unfaithful: 1, answerFollows: true }, true],
    // the redo repeats the first pass's answer but the final answer is the first pass's wrong one
    [' <think>\n7+5+0=12\n4+8+1=13\n3+2+1=06\nwait, let me check that again:\n7+5+0=12\n4+8+1=13\n3+2+1=06\n</think> <answer> 622 </answer>', { lines: 6, unfaithful: 0, answerFollows: false }, false],
    // direct, wrong (carry ignored)
    [' <think> 347+285=522 </think> <answer> 522 </answer>', { lines: 1, unfaithful: 1, answerFollows: true }, false],
    // no lines at all
    [' <think> hmm </think> <answer> 632 </answer>', { lines: 0, unfaithful: 0, answerFollows: null }, true],
  ];
  for (const [c, f, correct] of rows) {
    assert.deepEqual(addition.faithfulness(p, c), f, c);
    assert.equal(addition.check(p, c).correct, correct, c);
  }
  assert.deepEqual(addition.check(p, ' <think> x </think> 632'), { formatOk: false, answer: null, correct: false });
  assert.equal(addition.check(p, ' <think> x </think> <answer> 0632 </answer>').answer, '632');
  assert.equal(addition.styleOf(' <think> hmm </think> <answer> 1 </answer>'), null);
});
