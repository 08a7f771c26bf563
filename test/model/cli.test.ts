// `r1 logits` and `r1 generate` on the qwen2-tiny fixture: one JSON object on stdout, logits equal PyTorch's,
// bad flags exit 2 with a message naming the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { r1BatchAsync, r1Spawn } from '../r1-batch.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DIR = join(ROOT, 'test', 'fixtures', 'model', 'qwen2-tiny');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as { tokens: number[]; logits: number[][] };
const r1 = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'r1.js'), ...args], { encoding: 'utf8' });

test('r1 logits --json prints the logits PyTorch computes', () => {
  const toks = expected.tokens.slice(0, 4);
  const r = r1('logits', '--model', DIR, '--token-ids', toks.join(','), '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { logits: number[][] };
  assert.equal(out.logits.length, 4);
  let maxDiff = 0;
  out.logits.forEach((row, t) => row.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - expected.logits[t]![j]!)))));
  assert.ok(maxDiff < 1e-4, `max diff ${maxDiff}`);
});

test('r1 generate --json: n completions with tokens, logprobs and finish reasons; bad flags exit 2', async () => {
  // the three runs in one process (test/r1-batch.ts); beside it the bad flag as a real `node bin/r1.js`, which must give the same
  const [[r, bad, missing], realBad] = await Promise.all([
    r1BatchAsync([
      ['generate', '--model', DIR, '--prompt', 'hello the', '--n', '3', '--max-new-tokens', '5', '--top-p', '0.9', '--seed', '4', '--json'],
      ['generate', '--model', DIR, '--prompt', 'x', '--temperature=-1'],
      ['logits', '--model', join(DIR, 'nope'), '--token-ids', '1'],
    ]),
    r1Spawn(['generate', '--model', DIR, '--prompt', 'x', '--temperature=-1']),
  ]);
  assert.equal(r!.status, 0, r!.stderr);
  const out = JSON.parse(r!.stdout) as { completions: { text: string; tokens: number[]; logprobs: number[]; finish_reason: string }[]; prompt_tokens: number[] };
  assert.deepEqual(out.prompt_tokens, [261, 259]);
  assert.equal(out.completions.length, 3);
  for (const c of out.completions) {
    assert.equal(c.tokens.length, c.logprobs.length);
    assert.ok(c.finish_reason === 'length' || c.finish_reason === 'stop');
  }
  assert.equal(bad!.status, 2);
  assert.match(bad!.stderr, /--temperature must be a number >= 0/);
  assert.deepEqual(realBad, bad, 'the real binary: the same line, exit 2');
  assert.notEqual(missing!.status, 0);
  assert.match(missing!.stderr, /config\.json does not exist/);
});
