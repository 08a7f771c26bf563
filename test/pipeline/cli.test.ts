// The pipeline's commands as a user meets them: a config with an unknown key, a stage pointing at a missing checkpoint,
// a problem file with a bad line — each one line on stderr naming the key or file:line and the fix, exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { r1BatchAsync } from '../r1-batch.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const r1 = (args: string[]) => spawnSync(process.execPath, ['bin/r1.js', ...args], { encoding: 'utf8', timeout: 120_000 });
const dir = mkdtempSync(join(tmpdir(), 'r1-pipeline-cli-'));

test('r1 pipeline: an unknown config key is one line naming its path, exit 2', () => {
  const cfg = join(dir, 'bad.json');
  writeFileSync(cfg, JSON.stringify({ rejection: { samplesPerPromt: 4 } }));
  const r = r1(['pipeline', '--out', join(dir, 'run'), '--config', cfg]);
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^r1 pipeline: pipeline config: unknown key 'rejection\.samplesPerPromt'; known keys of rejection: .*samplesPerPrompt/);
});

// The next tests' invocations run in one process (test/r1-batch.ts), started now, beside the real `node bin/r1.js`
// of the first test: each a fresh tsx process cost ~2 s.
const missingCfg = join(dir, 'missing.json');
writeFileSync(missingCfg, JSON.stringify({ baseModel: join(dir, 'no-such-model'), eval: { problems: 1, samples: 1 } }));
const problems = join(dir, 'problems.jsonl');
writeFileSync(problems, '{"question": "3+4"}\n{"question": "three plus four"}\n');
const seededCfg = join(dir, 'seeded.json');
writeFileSync(seededCfg, JSON.stringify({ seed: 3, baseModel: join(dir, 'no-such-model'), eval: { problems: 1, samples: 1 } }));
const seededOut = join(dir, 'run-seed');
const batch = r1BatchAsync([
  ['pipeline', '--out', join(dir, 'run2'), '--config', missingCfg],
  ['sample', '--model', 'test/fixtures/model/qwen2-tiny', '--world', 'addition', '--data', problems, '--num-generations', '2', '--out', join(dir, 'out.jsonl')],
  ['pipeline', '--out', seededOut, '--config', seededCfg, '--seed', '7'],
  ['pipeline', '--out', join(dir, 'run-seed2'), '--seed', 'one'],
], { timeout: 240_000 });
batch.catch(() => {}); // awaited by the tests

test('r1 pipeline: a base model folder that does not exist stops at stage base naming the fix, exit 2', async () => {
  const r = (await batch)[0]!;
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr.trim().split('\n').pop()!, /^r1 pipeline: stage base: baseModel .*no-such-model has no config\.json; give a checkpoint folder/);
});

test('r1 sample: a problem line the world cannot read names file:line, exit 2', async () => {
  const r = (await batch)[1]!;
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr.trim(), /^r1 sample: .*problems\.jsonl:2: 'three plus four' is not a question of world addition/);
});

test('r1 pipeline --seed: overrides the config file\'s seed in the run\'s pipeline_config.json; a bad value is one line, exit 2', async () => {
  const [r, bad] = (await batch).slice(2);
  assert.equal(r!.status, 2, r!.stderr); // stops at the missing base, after writing its config
  assert.equal(JSON.parse(readFileSync(join(seededOut, 'pipeline_config.json'), 'utf8')).seed, 7);
  assert.equal(bad!.status, 2, bad!.stderr);
  assert.equal(bad!.stderr.trim(), "r1 pipeline: --seed must be an integer >= 0 (got 'one')");
});
