// Run specs: one declaration gives the type, defaults, validation ("did you mean"), flags (negative numbers, --no-x,
// deprecated aliases with a warning), --help and config files. Each assertion is of behaviour a user sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError, bool, defineSpec, didYouMean, helpText, int, nullable, num, oneOf, parseArgv, readConfigFile, resolve, strings, type ConfigOf,
} from '../../src/run/spec.js';

const FIELDS = {
  steps: int(10, 'steps', { min: 1 }),
  evalEvery: int(5, 'eval every', { min: -1 }),
  learningRate: num(3e-4, 'lr', { above: 0, aliases: ['lr'] }),
  lossType: oneOf(['grpo', 'dapo'] as const, 'grpo', 'loss'),
  dynamicSampling: bool(false, 'dynamic'),
  stopStrings: strings([], 'stops'),
  evalMaxNewTokens: nullable(int(1, 'eval length', { min: 1 })),
};
const SPEC = defineSpec({ name: 'demo', fields: FIELDS, check: (c) => (c.steps < c.evalEvery ? 'evalEvery must not exceed steps' : null) });

test('the type comes from the declaration and defaults fill what is not given', () => {
  const warns: string[] = [];
  const c: ConfigOf<typeof FIELDS> = resolve(SPEC, [{ steps: 20 }], (l) => warns.push(l));
  const lt: 'grpo' | 'dapo' = c.lossType; // a compile-time check that the union survives inference
  assert.equal(lt, 'grpo');
  assert.deepEqual(c, { steps: 20, evalEvery: 5, learningRate: 3e-4, lossType: 'grpo', dynamicSampling: false, stopStrings: [], evalMaxNewTokens: null });
  assert.deepEqual(warns, []);
});

test('validation names the option, the range and the nearest name', () => {
  assert.throws(() => resolve(SPEC, [{ steps: 0 }]), /steps must be an integer >= 1, got 0/);
  assert.throws(() => resolve(SPEC, [{ steps: 2.5 }]), /steps must be an integer/);
  assert.throws(() => resolve(SPEC, [{ lossType: 'dapp' }]), /lossType must be one of grpo, dapo, got "dapp": did you mean 'dapo'\?/);
  assert.throws(() => resolve(SPEC, [{ learningRat: 1 }]), (e: Error) => e instanceof ConfigError && /unknown option 'learningRat': did you mean 'learningRate'/.test(e.message));
  assert.throws(() => resolve(SPEC, [{ zzz: 1 }]), /unknown option 'zzz' \(r1 demo --help/);
  assert.throws(() => resolve(SPEC, [{ steps: 3 }]), /evalEvery must not exceed steps/);
  assert.throws(() => resolve(SPEC, [{ evalMaxNewTokens: 0 }]), /evalMaxNewTokens must be an integer >= 1/);
  assert.equal(didYouMean('num-generation', ['numGenerations', 'seed']), 'numGenerations');
});

test('deprecated aliases work with one warning; snake_case and kebab-case keys are the same option', () => {
  const warns: string[] = [];
  const c = resolve(SPEC, [{ lr: 0.01, eval_every: 7, 'dynamic-sampling': true }], (l) => warns.push(l));
  assert.equal(c.learningRate, 0.01);
  assert.equal(c.evalEvery, 7);
  assert.equal(c.dynamicSampling, true);
  assert.equal(warns.length, 1);
  assert.match(warns[0]!, /'lr' is deprecated; use 'learningRate'/);
});

test('flags: kebab-case, --x=v, negative numbers, --no-x, lists, null, aliases', () => {
  const warns: string[] = [];
  const { values } = parseArgv(SPEC, ['--eval-every', '-1', '--steps=3', '--no-dynamic-sampling', '--stop-strings', 'a,b', '--eval-max-new-tokens', 'null', '--lr', '1e-3'], { warn: (l) => warns.push(l) });
  assert.deepEqual(values, { evalEvery: -1, steps: 3, dynamicSampling: false, stopStrings: ['a', 'b'], evalMaxNewTokens: null, learningRate: 1e-3 });
  assert.match(warns[0]!, /--lr is deprecated; use --learning-rate/);
  assert.throws(() => parseArgv(SPEC, ['--step', '3']), /unknown option '--step': did you mean '--steps'/);
  assert.throws(() => parseArgv(SPEC, ['--steps', 'x']), /--steps must be an integer >= 1 \(got 'x'\)/);
  assert.throws(() => parseArgv(SPEC, ['--steps']), /--steps needs a value/);
  assert.throws(() => parseArgv(SPEC, ['extra']), /unexpected argument 'extra'/);
  assert.deepEqual(parseArgv(SPEC, ['a', '--steps', '2'], { positionals: true }).positionals, ['a']);
});

test('--help lists every option with its default, choices and old names', () => {
  const h = helpText(SPEC, 'usage: r1 demo');
  for (const f of ['--steps N', '--eval-every N', '--learning-rate X', '--loss-type grpo|dapo', '--dynamic-sampling', '--stop-strings A,B']) assert.ok(h.includes(f), f);
  assert.match(h, /--learning-rate X\s+lr \(default 0.0003\) \[was --lr\]/);
});

test('config files: JSON and YAML give layers; errors name the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'r1-spec-'));
  writeFileSync(join(dir, 'a.yaml'), 'steps: 30\nloss_type: dapo\n');
  writeFileSync(join(dir, 'b.json'), '{"steps": 40}');
  writeFileSync(join(dir, 'bad.yaml'), 'steps: [1\n');
  const c = resolve(SPEC, [readConfigFile(join(dir, 'a.yaml')), readConfigFile(join(dir, 'b.json'))]);
  assert.equal(c.steps, 40);
  assert.equal(c.lossType, 'dapo');
  assert.throws(() => readConfigFile(join(dir, 'bad.yaml')), /bad.yaml is not valid YAML/);
  assert.throws(() => readConfigFile(join(dir, 'none.json')), /cannot be read \(ENOENT\)/);
  rmSync(dir, { recursive: true, force: true });
});
