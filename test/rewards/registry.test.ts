// The reward registry: exact names, weighted totals with every component reported, null
// propagation, and a faulty reward turned into nulls and one warning instead of a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineRewards, combineRewardsAsync, createRegistry, getReward, REWARD_NAMES } from '../../src/rewards/registry.js';

test('exact names', () => {
  assert.deepEqual([...REWARD_NAMES].sort(), ['accuracy', 'arithmetic', 'code', 'countdown', 'format', 'language', 'r1-zero-format', 'task']);
  assert.throws(() => getReward('acc'), /unknown reward 'acc'; use one of: accuracy/);
});

test('R1-Zero style accuracy + format: weighted total and components', () => {
  const completions = [
    '<think>2 and 2 make 4</think><answer>4</answer>', // right, well formed
    '<think>2 and 2 make 5</think><answer>5</answer>', // wrong, well formed
    'The answer is \\boxed{4}', // right, no template
    '<think>x</think><answer>4</answer>', // no gold for this one
  ];
  const ctx = { gold: ['4', '4', '4', null] };
  const r = combineRewards([{ name: 'accuracy', weight: 1 }, { name: 'r1-zero-format', weight: 0.5 }], completions, ctx);
  assert.deepEqual(r.components.accuracy, [1, 0, 1, null]);
  assert.deepEqual(r.components['r1-zero-format'], [1, 1, 0, 1]);
  assert.deepEqual(r.total, [1.5, 0.5, 1, null]); // null: a weighted component could not score it
});

test('a zero weight reports without counting (and without nulling the total)', () => {
  const r = combineRewards([{ name: 'arithmetic' }, { name: 'language', weight: 0 }], ['<answer>7</answer>'], { gold: ['7'], language: 'klingon' });
  assert.deepEqual(r.components, { arithmetic: [1], language: [null] });
  assert.deepEqual(r.total, [1]);
});

test('countdown + format, async path gives the same', async () => {
  const completions = ['<think>25-5=20, 20*4=80</think><answer>(25 - 5) * 4</answer>', '<think>hm</think><answer>25 * 4</answer>'];
  const ctx = { numbers: [25, 5, 4], target: 80 };
  const specs = [{ name: 'countdown' }, { name: 'r1-zero-format', weight: 0.1 }];
  const sync = combineRewards(specs, completions, ctx);
  assert.deepEqual(sync.total, [1.1, 0.1]);
  assert.deepEqual(await combineRewardsAsync(specs, completions, ctx), sync);
});

test('config errors throw naming the fix', () => {
  assert.throws(() => combineRewards([], ['x'], {}), /at least one/);
  assert.throws(() => combineRewards([{ name: 'format', weight: Number.NaN }], ['x'], {}), /finite number/);
  assert.throws(() => combineRewards([{ name: 'format' }, { name: 'format' }], ['x'], {}), /listed twice/);
});

test('a reward that throws on odd context gives nulls and a warning, not a crash', () => {
  const warnings: string[] = [];
  const reg = createRegistry({ warn: (m) => warnings.push(m) });
  // a getter that throws stands in for a bug inside a reward
  const ctx = Object.defineProperty({}, 'language', { get: () => { throw new Error('boom'); } });
  const r = combineRewards([{ name: 'language' }, { name: 'format' }], ['<think>a</think><answer>1</answer>'], ctx, reg);
  assert.deepEqual(r.components.language, [null]);
  assert.deepEqual(r.total, [null]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /reward 'language' threw \(boom\)/);
});
