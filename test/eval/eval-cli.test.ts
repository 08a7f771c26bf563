// `r1 eval` user errors: one line naming the input and the fix, exit 2 (no stack); --help lists the protocol flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { r1BatchAsync, r1Spawn } from '../r1-batch.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TINY = join(ROOT, 'test', 'fixtures', 'model', 'addition-tiny');
const out = join(tmpdir(), 'r1-eval-cli-unused');

/** TINY with `"chat_template": null`: a character-level checkpoint that says it has no chat template. */
function withoutTemplate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'r1-eval-notmpl-'));
  cpSync(TINY, dir, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ ...cfg, chat_template: null }));
  return dir;
}

test('r1 eval: bad flags and inputs are one-line usage errors', async () => {
  const NO_TEMPLATE = withoutTemplate();
  const cases: [string[], RegExp][] = [
    [['--model', TINY, '--out', out], /--dataset is required: gsm8k \| math500 \| aime24 \| amc23 \| FILE\.jsonl \| world:NAME/],
    [['--model', TINY, '--dataset', 'gsm8k'], /--out is required: results\.jsonl/],
    [['--endpoint', 'http://127.0.0.1:1', '--dataset', 'gsm8k', '--out', out], /--endpoint needs --model-name NAME/],
    [['--model', join(TINY, 'nope'), '--dataset', 'gsm8k', '--out', out], /nope: no such folder/],
    [['--model', TINY, '--dataset', 'world:nowhere', '--out', out], /unknown world 'nowhere'; choose one of/],
    [['--model', TINY, '--dataset', 'no-such-set', '--out', out], /dataset 'no-such-set' not found/],
    [['--model', NO_TEMPLATE, '--dataset', 'gsm8k', '--template', 'chat', '--out', out], /has no chat template .*use --template r1-zero or compact/],
    [['--model', TINY, '--dataset', 'gsm8k', '--num-generations', '0', '--out', out], /--num-generations must be an integer >= 1/],
    [['--model', TINY, '--dataset', 'gsm8k', '--top-p', '1.5', '--out', out], /--top-p must be a number > 0 and <= 1, got 1.5/],
    [['--model', TINY, '--dataset', 'gsm8k', '--split', 'validation', '--out', out], /--split validation is for world:NAME datasets; gsm8k has only its own problems/],
  ];
  const OLD = ['--model', TINY, '--dataset', 'gsm8k', '--k', '0', '--out', out];
  // the twelve invocations in one process (test/r1-batch.ts) instead of twelve tsx processes; beside them, two real
  // `node bin/r1.js eval` processes (a user error, --help) whose exit code and output must equal the batch's
  const [batch, realBad, realHelp] = await Promise.all([
    r1BatchAsync([...cases.map(([args]) => args), OLD, ['--help']].map((args) => ['eval', ...args])),
    r1Spawn(['eval', ...cases[0]![0]]),
    r1Spawn(['eval', '--help']),
  ]);
  cases.forEach(([args, want], i) => {
    const r = batch[i]!;
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, want);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  });
  // the old names still work for one release, each with one warning line
  const old = batch[cases.length]!;
  assert.equal(old.status, 2);
  assert.match(old.stderr, /--k is deprecated; use --num-generations[^\n]*\n.*--num-generations must be an integer >= 1/);
  const help = batch[cases.length + 1]!;
  assert.equal(help.status, 0);
  for (const flag of ['--dataset', '--num-generations', '--temperature', '--top-p', '--max-completion-length', '--concurrency', '--problems', '--out', '--json', '--api-key-env']) assert.ok(help.stdout.includes(flag), flag);
  assert.deepEqual(realBad, batch[0], 'the real binary: the same line, exit 2');
  assert.deepEqual(realHelp, help, 'the real binary: the same help, exit 0');
});
