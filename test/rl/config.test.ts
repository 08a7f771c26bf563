// The GRPO config: defaults, merging, unknown keys rejected, validation messages that name the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRPO_SPEC, parseRewardList, readConfigFile, resolveConfig } from '../../src/rl/config.js';

const base = { model: 'm', out: 'o', world: 'add' };

test('defaults fill what is not given; later layers win', () => {
  const c = resolveConfig(base, { beta: 0.04 }, { beta: 0.01, lossType: 'dapo' });
  assert.equal(c.beta, 0.01);
  assert.equal(c.lossType, 'dapo');
  assert.equal(c.numGenerations, GRPO_SPEC.fields.numGenerations.default);
  assert.equal(c.numGenerations, 8);
  assert.equal(resolveConfig(base, { scaleRewards: false }).scaleRewards, 'none');
});

test('unknown keys are rejected with a suggestion', () => {
  assert.throws(() => resolveConfig(base, { numGeneration: 4 }), /unknown option 'numGeneration': did you mean 'numGenerations'/);
  assert.equal(resolveConfig(base, { num_generations: 4 }).numGenerations, 4); // TRL's snake_case names, as in its YAML files
  assert.throws(() => resolveConfig(base, { foo: 1 }), /unknown option 'foo'/);
});

test('validation names the fix', () => {
  assert.throws(() => resolveConfig({ model: 'm', out: 'o' }), /exactly one of world/);
  assert.throws(() => resolveConfig(base, { lossType: 'ppo' }), /lossType must be one of grpo, dr_grpo, dapo/);
  assert.throws(() => resolveConfig(base, { numGenerations: 1 }), /numGenerations must be an integer >= 2/);
  assert.throws(() => resolveConfig(base, { gradientAccumulationSteps: 3 }), /must divide promptsPerStep × numGenerations \(64\)/);
  assert.throws(() => resolveConfig(base, { temperature: 0 }), /temperature must be > 0/);
  assert.throws(() => resolveConfig(base, { rewards: [{ name: 'accuracy', weight: 1, scale: 2 }] }), /unknown field\(s\) scale/);
});

test('config files: JSON and YAML', () => {
  const dir = mkdtempSync(join(tmpdir(), 'r1-cfg-'));
  writeFileSync(join(dir, 'a.yaml'), 'beta: 0.02\nrewards:\n  - {name: accuracy, weight: 1}\n');
  writeFileSync(join(dir, 'b.json'), '{"epsilonHigh": 0.28}');
  writeFileSync(join(dir, 'bad.json'), '{"epsilonHigh": ');
  const c = resolveConfig(base, readConfigFile(join(dir, 'a.yaml')), readConfigFile(join(dir, 'b.json')));
  assert.equal(c.beta, 0.02);
  assert.deepEqual(c.rewards, [{ name: 'accuracy', weight: 1 }]);
  assert.equal(c.epsilonHigh, 0.28);
  assert.throws(() => readConfigFile(join(dir, 'bad.json')), /not valid JSON/);
  rmSync(dir, { recursive: true, force: true });
});

test('rewards: the default depends on world or data and takes effect; a given list wins', () => {
  assert.deepEqual(resolveConfig(base).rewards, [{ name: 'task', weight: 1 }, { name: 'format', weight: 0.1 }]);
  assert.deepEqual(resolveConfig({ model: 'm', out: 'o', data: 'd.jsonl' }).rewards, [{ name: 'accuracy', weight: 1 }, { name: 'r1-zero-format', weight: 0.1 }]);
  assert.deepEqual(resolveConfig(base, { rewards: [{ name: 'accuracy', weight: 2 }] }).rewards, [{ name: 'accuracy', weight: 2 }]);
});

test('--rewards list', () => {
  assert.deepEqual(parseRewardList('accuracy:1,format:0.1,language'), [
    { name: 'accuracy', weight: 1 }, { name: 'format', weight: 0.1 }, { name: 'language', weight: 1 }]);
  assert.throws(() => parseRewardList('accuracy:x'), /NAME:WEIGHT/);
});
