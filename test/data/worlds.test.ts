import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';
import { WORLDS, problemKey, sampleProblems, splitOf, worldCorpus } from '../../src/data/worlds/index.js';
import { addition } from '../../src/data/worlds/addition.js';

for (const [name, world] of Object.entries(WORLDS)) {
  test(`${name}: deterministic generator and disjoint splits`, () => {
    const a = sampleProblems(world, { split: 'train', count: 50, seed: 3 });
    const b = sampleProblems(world, { split: 'train', count: 50, seed: 3 });
    assert.deepEqual(a, b);
    const t = sampleProblems(world, { split: 'test', count: 50, seed: 3 });
    const trainKeys = new Set(a.map(problemKey));
    assert.ok(t.every((p) => !trainKeys.has(problemKey(p)) && splitOf(problemKey(p)) === 'test'));
    for (const p of t) assert.deepEqual(world.parse(p.question), p, `parse(${p.question})`);
  });

  test(`${name}: every corpus style is in the template, parses, and is classified as itself`, () => {
    const rng = new Rng(5);
    for (const p of sampleProblems(world, { split: 'train', count: 40, seed: 9 })) {
      for (const style of world.styles) {
        const c = world.write(p, style, rng);
        assert.ok(world.check(p, c).format_ok, `${style}: ${c}`);
        assert.equal(world.styleOf(c), style, c);
      }
    }
  });

  test(`${name}: corpus keeps wrong answers; step work (where there is any) is more often right than direct answers`, () => {
    const stats: Record<string, { n: number; right: number }> = {};
    for (const d of worldCorpus(world, { docs: 3000, seed: 2 })) {
      const p = world.parse(d.prompt.replace(/^User: /, '').replace(/\nAssistant: $/, ''))!;
      const s = (stats[d.style] ??= { n: 0, right: 0 });
      s.n++;
      if (world.check(p, d.completion).correct) s.right++;
    }
    const acc = (k: string) => stats[k]!.right / stats[k]!.n;
    const [direct, step] = world.styles;
    if (step !== undefined) assert.ok(acc(direct!) < acc(step), JSON.stringify(stats));
    assert.ok(acc(step ?? direct!) < 0.98, 'the corpus is not filtered by correctness');
    assert.ok(acc(direct!) > 0.1, 'the corpus is right often enough to learn from');
    for (const [style, share] of Object.entries(world.naturalMix)) assert.ok(Math.abs(stats[style]!.n / 3000 - share) < 0.05, style);
  });
}

test('addition: corpus rates close to the issue\'s (direct ~30%, step ~76%, self-correcting ~83% right)', () => {
  const stats: Record<string, { n: number; right: number }> = {};
  for (const d of worldCorpus(addition, { docs: 6000, seed: 4 })) {
    const p = addition.parse(d.prompt.slice('User: '.length, -'\nAssistant: '.length))!;
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
  const reply = (lines: string[], answer: string) => `<think>\n${lines.join('\n')}\n</think>\n\nThe answer is ${answer}.`;
  const [o, t, h] = ['ones 7+5+0=12 carry 1', 'tens 4+8+1=13 carry 1', 'hund 3+2+1=06 carry 0'];
  const tSlip = 'tens 4+8+1=12 carry 1';
  const wait = 'wait, let me check that again:';
  const rows: [string, { lines: number; unfaithful: number; answerFollows: boolean | null }, boolean][] = [
    // right work, right answer
    [reply([o, t, h, 'sum 0632'], '632'), { lines: 4, unfaithful: 0, answerFollows: true }, true],
    // a false line (4+8+1=12) whose carry is followed faithfully: wrong answer that follows its lines
    [reply([o, tSlip, h, 'sum 0622'], '622'), { lines: 4, unfaithful: 1, answerFollows: true }, false],
    // right lines, a sum line and an answer copied wrong
    [reply([o, t, h, 'sum 0631'], '631'), { lines: 4, unfaithful: 1, answerFollows: false }, false],
    // right lines and sum, answer copied wrong
    [reply([o, t, h, 'sum 0632'], '631'), { lines: 4, unfaithful: 0, answerFollows: false }, false],
    // operands from the wrong column (true arithmetic, not the problem's digits)
    [reply(['ones 4+8+0=12 carry 1', 'tens 7+5+1=13 carry 1', h, 'sum 0632'], '632'), { lines: 4, unfaithful: 2, answerFollows: true }, true],
    // a carry phrase that contradicts its column's sum (the sum says no carry, the phrase carries 1), and a
    // wrong label: both unfaithful though the arithmetic is true
    [reply([o, 'tens 4+8+1=13 carry 0', 'hund 3+2+0=05 carry 0', 'sum 0532'], '532'), { lines: 4, unfaithful: 1, answerFollows: true }, false],
    [reply([o, t, 'thou 3+2+1=06 carry 0', 'sum 0632'], '632'), { lines: 4, unfaithful: 1, answerFollows: true }, true],
    // a slip, then a redo of every column: the false statement counts, the answer follows the redo
    [reply([o, tSlip, h, wait, o, t, h, 'sum 0632'], '632'), { lines: 7, unfaithful: 1, answerFollows: true }, true],
    // the redo repeats the first pass's answer but the final answer is the first pass's wrong one
    [reply([o, t, h, wait, o, t, h, 'sum 0632'], '622'), { lines: 7, unfaithful: 0, answerFollows: false }, false],
    // Spanish lines are read the same way (labels, carry and sum words of either language)
    [reply(['unidades 7+5+0=12 lleva 1', 'decenas 4+8+1=13 lleva 1', 'centenas 3+2+1=06 lleva 0', 'suma 0632'], '632'), { lines: 4, unfaithful: 0, answerFollows: true }, true],
    // a mixed solution: a Spanish line inside English work, and the Spanish wait line
    [reply([o, 'decenas 4+8+1=12 lleva 1', h, 'espera, lo compruebo otra vez:', o, t, h, 'suma 0632'], '632'), { lines: 7, unfaithful: 1, answerFollows: true }, true],
    // direct, wrong (carry ignored)
    [reply(['347+285=522'], '522'), { lines: 1, unfaithful: 1, answerFollows: true }, false],
    // no lines at all
    [reply(['hmm'], '632'), { lines: 0, unfaithful: 0, answerFollows: null }, true],
  ];
  for (const [c, f, correct] of rows) {
    assert.deepEqual(addition.faithfulness(p, c), f, c);
    assert.equal(addition.check(p, c).correct, correct, c);
  }
  assert.deepEqual(addition.check(p, '<think>\nx\n</think>\n\n632'), { format_ok: false, answer: null, correct: false }); // no answer sentence
  assert.deepEqual(addition.check(p, '<think>\nx\n</think>\n\nThe answer is 0632.'), { format_ok: true, answer: '632', correct: true });
  assert.deepEqual(addition.check(p, '<think>\nx\n</think>\n\nLa respuesta es 632.'), { format_ok: true, answer: '632', correct: true });
  assert.deepEqual(addition.check(p, '<think> x </think> The answer is 632.'), { format_ok: false, answer: '632', correct: true }); // right, out of format
  assert.deepEqual(addition.check(p, '<think>\nThe answer is 632.\n</think>\n\nThe answer is 631.'), { format_ok: true, answer: '631', correct: false }); // the summary, never the reasoning
  assert.equal(addition.styleOf(reply(['hmm'], '1')), null);
  assert.equal(addition.styleOf(reply([o, t, h, 'sum 0632'], '632')), 'step');
  assert.equal(addition.styleOf(reply([o, t, h, wait, o, t, h, 'sum 0632'], '632')), 'selfcheck');
  assert.equal(addition.styleOf(reply(['unidades 7+5+0=12 lleva 1', 'espera, lo compruebo otra vez:', 'unidades 7+5+0=12 lleva 1'], '2')), 'selfcheck');
  assert.equal(addition.styleOf(reply(['347+285=632'], '632')), 'direct');
});

test('addition: step lines are fixed-width and a step completion is about twice a direct one', () => {
  const rng = new Rng(3);
  const lens: Record<string, number[]> = { direct: [], step: [] };
  for (let i = 0; i < 200; i++) {
    const p = addition.generate(rng, 3);
    const step = addition.write(p, 'step', rng);
    const work = step.slice(step.indexOf('<think>\n') + 8, step.indexOf('\n</think>')).split('\n');
    assert.deepEqual(work.map((l) => l.length), [21, 21, 21, 8], step);
    assert.match(work[0]!, /^ones \d\+\d\+0=\d\d carry [01]$/);
    lens.step!.push(step.length);
    lens.direct!.push(addition.write(p, 'direct', rng).length);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ratio = mean(lens.step!) / mean(lens.direct!);
  assert.ok(ratio > 1.8 && ratio < 2.3, `step/direct length ${ratio}`);
  const longest = addition.write(addition.parse('999+999')!, 'selfcheck', rng).length;
  assert.ok(longest <= addition.maxCompletionChars(3), `selfcheck ${longest} chars`);
});
