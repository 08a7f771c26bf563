// What `r1 reward` computes (src/rewards/score-one.ts): one completion's context is its item (batch-wide fields as they
// are), a context that is not an object is a user error, and `r1 reward code`'s inputs are checked before any sandbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJson, scoreOne, scoreProgramFiles } from '../../src/rewards/score-one.js';
import { UsageError } from '../../src/run/spec.js';

const userError = (re: RegExp) => (e: Error) => e instanceof UsageError && re.test(e.message);

test('scoreOne: the ctx object is this completion\'s item', () => {
  assert.equal(scoreOne('accuracy', 'so \\boxed{42}', { gold: '42' }), 1);
  assert.equal(scoreOne('accuracy', 'so \\boxed{41}', { gold: '42' }), 0);
  assert.equal(scoreOne('accuracy', 'so \\boxed{42}', {}), null, 'no gold: cannot be scored');
  assert.throws(() => scoreOne('accuracy', 'x', [1, 2], 'c.json'), userError(/^ctx file c\.json must hold a JSON object$/));
});

test('readJson and scoreProgramFiles: unreadable files, bad JSON and bad inputs are one-line user errors, in flag order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'r1-score-one-'));
  const f = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name); };
  const prog = f('p.py', 'print(1)\n'), notJson = f('n.json', '{nope'), empty = f('e.json', '[]'), odd = f('o.json', '[{"input": "1"}]');
  assert.throws(() => readJson(join(dir, 'missing.json'), 'tests file'), userError(/^cannot read tests file .*missing\.json/));
  assert.throws(() => readJson(notJson, 'ctx file'), userError(/^ctx file .*n\.json is not valid JSON/));
  const run = (o: Parameters<typeof scoreProgramFiles>[0]) => scoreProgramFiles(o, () => {});
  await assert.rejects(run({ lang: 'ruby', program: prog, tests: empty }), userError(/^--lang must be python or js, got 'ruby'$/));
  await assert.rejects(run({ lang: 'python', tests: empty }), userError(/^--program FILE is required/));
  await assert.rejects(run({ lang: 'js', program: prog }), userError(/^--tests FILE\.json is required/));
  await assert.rejects(run({ lang: 'python', program: prog, tests: empty }), userError(/must hold a non-empty JSON array/));
  await assert.rejects(run({ lang: 'python', program: prog, tests: odd }), userError(/item 0 is neither/));
  await assert.rejects(run({ lang: 'python', program: prog, tests: f('t.json', '[{"input": "", "output": "1\\n"}]'), cpu: '0' }), userError(/^--cpu must be a positive number, got '0'$/));
});
