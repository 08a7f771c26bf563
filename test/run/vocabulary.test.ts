// One vocabulary: every flag of every command (read from its --help) is a current name, never a deprecated one; a name
// two commands share is declared once in src/run/vocabulary.ts and taken from there; an old name means one thing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandNames, main } from '../../src/cli/main.js';
import { COMMAND_SPECS } from '../../src/cli/specs.js';
import { DEPRECATED, V } from '../../src/run/vocabulary.js';

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
