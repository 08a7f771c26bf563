// Rewards limited by `kinds` (R1 §2.3.4: rules on reasoning prompts, reward models on general ones): a kinds entry
// matches a problem's kind, task or mixture part (addition-bi@2 in mix:addition-bi@2=3,...), and an entry that matches
// none of a source's problems is an error before training instead of a reward silently switched off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getWorld, sampleProblems } from '../../src/data/worlds/index.js';
import { coveredTotal, problemKinds, specCovers, unmatchedKinds } from '../../src/rl/covered.js';

const mixProblems = () => sampleProblems(getWorld('mix:addition-bi@2=3,safety=1'), { split: 'train', count: 64, seed: 3 })
  .map(({ id: _i, question: _q, gold: _g, ...fields }) => ({ fields: fields as Record<string, unknown> }));

test('kinds match the kind, the world and the mixture part; totals count only covering rewards', () => {
  const ps = mixProblems();
  const add = ps.find((p) => p.fields['task'] === 'addition-bi')!;
  const harm = ps.find((p) => p.fields['kind'] === 'harmful')!;
  assert.deepEqual(problemKinds(add), ['addition-bi', 'addition-bi@2']);
  assert.deepEqual(problemKinds(harm), ['harmful', 'safety', 'safety']);
  for (const k of ['addition-bi', 'addition-bi@2']) assert.ok(specCovers({ kinds: [k] }, add), k);
  assert.ok(!specCovers({ kinds: ['addition-bi@3'] }, add));
  assert.ok(specCovers({}, add) && specCovers({ kinds: ['harmful'] }, harm) && !specCovers({ kinds: ['benign'] }, harm));
  const specs = [{ name: 'task', weight: 1, kinds: ['addition-bi@2'] }, { name: 'format', weight: 0.5 }];
  assert.deepEqual(coveredTotal(specs, { task: [1, 1], format: [1, 0] }, [add, harm]), [1.5, 0]);
  assert.deepEqual(coveredTotal(specs, { task: [null, null], format: [1, 1] }, [add, harm]), [null, 0.5]);
});

test('a kinds entry that names no problem is found, with the kinds there are', () => {
  const ps = mixProblems();
  assert.deepEqual(unmatchedKinds([{ name: 'task', kinds: ['addition-bi@2', 'safety'] }, { name: 'format' }], ps), []);
  const [msg, ...rest] = unmatchedKinds([{ name: 'language', kinds: ['addition-bi@3', 'addition-bi'] }, { name: 'harmless', kinds: ['safety'] }], ps);
  assert.equal(rest.length, 0);
  assert.equal(msg, "reward 'language': kinds 'addition-bi@3' match no problem (the problems' kinds: addition-bi, addition-bi@2, benign, harmful, safety)");
  assert.match(unmatchedKinds([{ name: 'task', kinds: ['x'] }], [{ fields: {} }])[0]!, /the problems carry no kind/);
});
