// `r1 verify --jsonl FILE [--json]` end to end in a child process: lines written back with "correct"
// and the extracted answers, the summary on stderr, malformed lines reported with their line numbers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { r1Batch } from '../../r1-batch.js';

const lines = [
  JSON.stringify({ gold: '18', pred: 'She makes 9 * 2 = $18.\n#### 18', id: 'a' }),
  JSON.stringify({ gold: 'Work.\n#### 1,000', pred: 'so \\boxed{1000}' }),
  JSON.stringify({ gold: '\\frac{1}{3}', pred: 'The answer is 0.5.' }),
  '{not json',
  JSON.stringify({ gold: 3 }),
  '',
  JSON.stringify({ gold: 7, pred: 'I could not work this one out in the time.' }),
];

function r1(args: string[]) {
  return spawnSync(process.execPath, ['bin/r1.js', ...args], { encoding: 'utf8' });
}

test('r1 verify writes each line back and reports malformed lines by number', () => {
  const dir = mkdtempSync(join(tmpdir(), 'r1-verify-'));
  try {
    const file = join(dir, 'pairs.jsonl');
    writeFileSync(file, lines.join('\n'));
    const plain = r1(['verify', '--data', file]);
    assert.equal(plain.status, 1, plain.stderr); // malformed lines make the exit code 1
    const out = plain.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(out.map((o) => o.correct), [true, true, false, false]);
    assert.equal(out[0].id, 'a'); // other fields are kept
    assert.equal(out[1].gold_extracted, '1,000'); // a worked gold solution gives its answer
    assert.equal(out[1].pred_extracted, '1000');
    assert.equal(out[3].pred_extracted, null); // no answer found
    assert.match(plain.stderr, /pairs\.jsonl:4: malformed line skipped: not JSON/);
    assert.match(plain.stderr, /pairs\.jsonl:5: malformed line skipped: needs string/);
    assert.match(plain.stderr, /verify: 2\/4 correct \(50\.0%\), 1 without an answer, 2 malformed/);

    const json = r1(['verify', '--data', file, '--json']);
    const summary = JSON.parse(json.stdout); // exactly one JSON object on stdout
    assert.equal(summary.total, 4);
    assert.equal(summary.correct, 2);
    assert.equal(summary.accuracy, 0.5);
    assert.deepEqual(summary.malformed.map((m: { line: number }) => m.line), [4, 5]);
    assert.equal(summary.results.length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('r1 verify: usage errors name the fix', async () => {
  const { run } = await import('../../../src/cli/verify.js');
  const { UsageError } = await import('../../../src/cli/main.js');
  await assert.rejects(run([]), (e: Error) => e instanceof UsageError && /--data is required/.test(e.message));
  await assert.rejects(run(['--data', 'x', '--bogus']), UsageError);
  await assert.rejects(run(['--data', '/nonexistent/file.jsonl']), (e: Error) => e instanceof UsageError && /cannot read --data/.test(e.message));
  await assert.rejects(run(['--data', 'x', '--timeout', '0']), /--timeout must be a number > 0, got 0/);
  await assert.rejects(run(['--data', 'x', '--timeout-ms', '0']), /--timeout must be a number > 0/); // the old flag, in milliseconds, converted
  await assert.rejects(run(['--data', 'x', '--pred-kind', 'text']), /pred-kind.*answer.*completion.*auto/);
  await assert.rejects(run(['--data', 'x', '--rel-tol', '2']), /--rel-tol must be below 1/);
});

test('r1 verify: --pred-kind, per-row kinds, --ordered and --rel-tol', () => {
  const dir = mkdtempSync(join(tmpdir(), 'r1-verify-'));
  try {
    const file = join(dir, 'kinds.jsonl');
    writeFileSync(
      file,
      [
        // A bare answer: read whole by auto; searched as a completion, only its last number (4) is seen.
        { gold: '(x+2)^2', pred: 'x^2 + 4*x + 4' },
        { gold: '(x+2)^2', pred: 'x^2 + 4*x + 4', pred_kind: 'completion' },
        // Lists: any order unless the question (or --ordered) asks for an order.
        { gold: '1, 3', pred: '3, 1' },
        { gold: '1, 3', pred: '3, 1', question: 'List the roots in increasing order.' },
        // 3.14 is not pi to Math-Verify's 6 places.
        { gold: '\\pi', pred: '3.14' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    // the five runs in one process (test/r1-batch.ts); the test above runs the real binary
    const flags = [[], ['--ordered'], ['--rel-tol', '1e-3'], ['--rel-tol', '1e-4'], ['--pred-kind', 'completion']];
    const runs = r1Batch(flags.map((args) => ['verify', '--data', file, '--json', ...args]));
    const results = (args: string[]) => JSON.parse(runs[flags.findIndex((f) => f.join(' ') === args.join(' '))]!.stdout).results.map((o: { correct: boolean }) => o.correct);
    assert.deepEqual(results([]), [true, false, true, false, false]);
    assert.deepEqual(results(['--ordered']), [true, false, false, false, false]);
    // 3.14 is within 1e-3 of pi (relative), not within 1e-4.
    assert.deepEqual(results(['--rel-tol', '1e-3']).slice(4), [true]);
    assert.deepEqual(results(['--rel-tol', '1e-4']).slice(4), [false]);
    // Every prediction read as a completion: the bare polynomial loses.
    assert.deepEqual(results(['--pred-kind', 'completion']).slice(0, 1), [false]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
