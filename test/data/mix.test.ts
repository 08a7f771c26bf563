// Mixtures of worlds (`mix:a=2,b=1`) and worlds at a set difficulty (`NAME@D`): problems keep their sub-world's
// question, split and judge; the weights shape the draw; bad specs are one-line errors naming the part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getWorld, sampleProblems, problemKey, splitOf } from '../../src/data/worlds/index.js';
import { parseMixSpec } from '../../src/data/worlds/mix.js';
import { Rng } from '../../src/util/rng.js';

test('mix spec: weights parsed, bad parts named', () => {
  assert.deepEqual(parseMixSpec('addition-bi=2, general'), [['addition-bi', 2], ['general', 1]]);
  assert.throws(() => parseMixSpec('addition=-1'), /'addition=-1' is not name=weight/);
  assert.throws(() => getWorld('mix:nosuchworld=1'), /unknown world 'nosuchworld'/);
});

test('mix world: draws follow the weights; each problem is judged by its own world, in its own split', () => {
  const m = getWorld('mix:addition-bi=3,general=1');
  const rng = new Rng(5);
  const tasks: Record<string, number> = {};
  for (let i = 0; i < 4000; i++) {
    const p = m.generate(rng, 0) as { task: string };
    tasks[p.task] = (tasks[p.task] ?? 0) + 1;
  }
  assert.ok(Math.abs(tasks['addition-bi']! / 4000 - 0.75) < 0.03, JSON.stringify(tasks));
  for (const p of sampleProblems(m, { split: 'test', count: 20, seed: 3 })) {
    assert.equal(splitOf(problemKey(p)), 'test');
    const sub = getWorld((p as unknown as { task: string }).task);
    const reply = sub.write(p, sub.styles[0]!, new Rng(1));
    assert.deepEqual(m.check(p, reply), sub.check(p, reply), 'the mixture asks the sub-world\'s judge');
  }
});

test('NAME@D: the world at difficulty D; in a mixture the task stays the plain name (the judges key on it)', () => {
  const w = getWorld('addition-bi@1');
  assert.equal(w.defaultDifficulty, 1);
  for (const p of sampleProblems(w, { split: 'train', count: 10, seed: 1 })) assert.match(p.question, /^\d\+\d \(answer in (English|Spanish)\)$/);
  const m = getWorld('mix:addition-bi@1=1');
  const p = sampleProblems(m, { split: 'train', count: 1, seed: 2 })[0]! as unknown as { task: string; mix_part: string };
  assert.equal(p.task, 'addition-bi');
  assert.equal(p.mix_part, 'addition-bi@1');
  assert.throws(() => getWorld('addition@0'), /difficulty after @/);
});
