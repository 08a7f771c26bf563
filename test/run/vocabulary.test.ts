// One vocabulary: every flag of every command (read from its --help) is a current name, never a deprecated one; a name
// two commands share is declared once in src/run/vocabulary.ts and taken from there; an old name means one thing.
// And the manner every command shares: -q, --json, and a bad checkpoint as a one-line user error (exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandNames, main } from '../../src/cli/main.js';
import { COMMAND_SPECS } from '../../src/cli/specs.js';
import { DEPRECATED, V } from '../../src/run/vocabulary.js';
import { r1BatchAsync, r1Spawn } from '../r1-batch.js';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const camel = (k: string) => k.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The flags a command's --help offers (old names in `[was …]` left out). */
async function helpFlags(name: string): Promise<Set<string>> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  try {
    assert.equal(await main([name, '--help']), 0, `r1 ${name} --help`);
  } finally {
    console.log = log;
  }
  const text = lines.join('\n').replace(/\[was [^\]]*\]/g, '');
  return new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => camel(m[1]!)));
}

test('every flag of every command comes from the one vocabulary', async () => {
  const aliasOf = new Map<string, string>(Object.entries(DEPRECATED)); // the vocabulary's old names, each leading to one name
  const localAliases = new Map<string, Set<string>>(); // a command's own old names (r1 eval --world → --dataset)
  for (const [cmd, spec] of Object.entries(COMMAND_SPECS)) {
    for (const [name, f] of Object.entries(spec.fields)) {
      for (const a of f.aliases ?? []) {
        assert.ok(!aliasOf.has(a) || aliasOf.get(a) === name, `r1 ${cmd}: '${a}' is the vocabulary's old name of ${aliasOf.get(a)}, not of ${name}`);
        localAliases.set(cmd, new Set([...(localAliases.get(cmd) ?? []), a]));
      }
      if (name in V) assert.equal(f.vocab, name, `r1 ${cmd}: '${name}' is a vocabulary name; take it from V (withDefault(V.${name}, …)) rather than declaring it again`);
    }
  }
  const users = new Map<string, string[]>();
  for (const cmd of commandNames().filter((c) => c !== 'bench')) {
    for (const flag of await helpFlags(cmd)) {
      assert.ok(!aliasOf.has(flag), `r1 ${cmd} --${flag}: a deprecated name; use --${aliasOf.get(flag)?.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`);
      assert.ok(!localAliases.get(cmd)?.has(flag), `r1 ${cmd} --${flag}: offered under its deprecated name`);
      users.set(flag, [...(users.get(flag) ?? []), cmd]);
    }
  }
  for (const [flag, cmds] of users) {
    if (cmds.length > 1) assert.ok(flag in V, `--${flag} is used by ${cmds.join(', ')}: declare it once in src/run/vocabulary.ts`);
  }
  // the renames the issue names: each old name leads to TRL's
  for (const [old, now] of [['k', 'numGenerations'], ['samples', 'numGenerations'], ['n', 'numGenerations'], ['maxTokens', 'maxCompletionLength'],
    ['maxNewTokens', 'maxCompletionLength'], ['lr', 'learningRate'], ['gradAccum', 'gradientAccumulationSteps'], ['epochs', 'numTrainEpochs']]) {
    assert.equal(aliasOf.get(old!), now, old);
  }
});

test('every command offers -q/--quiet and --json', async () => {
  for (const cmd of commandNames().filter((c) => c !== 'bench')) {
    const flags = await helpFlags(cmd);
    assert.ok(flags.has('quiet'), `r1 ${cmd} has no --quiet`);
    assert.ok(flags.has('json'), `r1 ${cmd} has no --json`);
  }
});

test('a missing or broken checkpoint is a user error: one line, exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'r1-broken-'));
  const fixture = join(ROOT, 'test/fixtures/model/qwen2-tiny');
  for (const f of ['config.json', 'tokenizer.json']) copyFileSync(join(fixture, f), join(dir, f));
  writeFileSync(join(dir, 'model.safetensors'), readFileSync(join(fixture, 'model.safetensors')).subarray(0, 100)); // truncated
  const cases: [string[], RegExp][] = [
    [['generate', '--model', dir, '--prompt', 'hi'], /r1 generate: safetensors: .*model\.safetensors declares a \d+-byte header but the file has 100 bytes/],
    [['grpo', '--model', join(dir, 'missing'), '--world', 'addition', '--out', join(dir, 'run')], /r1 grpo: --model .*missing: no config\.json there/],
    [['grpo', '--model', dir, '--world', 'addition', '--out', join(dir, 'run'), '--steps', '1', '-q'], /r1 grpo: safetensors: .*truncated or not a safetensors file/],
  ];
  // the three in one process (test/r1-batch.ts); beside it the first as a real `node bin/r1.js`, which must give the same
  const [batch, real] = await Promise.all([r1BatchAsync(cases.map(([args]) => args)), r1Spawn(cases[0]![0])]);
  cases.forEach(([args, want], i) => {
    const r = batch[i]!;
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
  assert.deepEqual(real, batch[0], 'the real binary: the same line, exit 2');
  rmSync(dir, { recursive: true, force: true });
});
