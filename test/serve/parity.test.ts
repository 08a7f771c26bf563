// The bar: `r1 serve` on a trained tiny checkpoint, `r1 eval --endpoint` against it, and `r1 eval --model`
// on the same checkpoint with the same seed give the same samples and the same numbers. Also: resume, and the bad
// inputs (unreachable endpoint, wrong API key, a dataset line without an answer) reported by problem id and cause.
// The checkpoint (test/fixtures/model/addition-tiny) was trained by: r1 pretrain --world addition --difficulty 2
// --tokens 800000 --max-seconds 200 --dim 48 --layers 2 --heads 2 --ffn 96 --seed 3 --lr 0.006 (35 s).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServe } from './spawn-serve.js';
import { r1BatchAsync, r1Spawn } from '../r1-batch.js';

const ROOT = join(import.meta.dirname, '..', '..');
const r1 = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [join(ROOT, 'bin', 'r1.js'), ...args], { encoding: 'utf8', env });
const work = mkdtempSync(join(tmpdir(), 'r1-parity-'));
const CKPT = join(ROOT, 'test', 'fixtures', 'model', 'addition-tiny');
const children: ChildProcess[] = [];
after(() => {
  children.forEach((c) => c.kill('SIGTERM'));
  rmSync(work, { recursive: true, force: true });
});

const serve = async (args: string[], env: NodeJS.ProcessEnv = process.env) => (await spawnServe(['--model', CKPT, ...args], children, env)).url;

let url: string;
before(async () => {
  url = await serve(['--model-name', 'tiny', '--slots', '16']);
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const EVAL = ['--dataset', 'world:addition', '--limit', '12', '--k', '6', '--n-per-request', '3', '--max-tokens', '160', '--seed', '7', '--json'];
const records = (dir: string) => readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  .sort((a, b) => a.problem_id.localeCompare(b.problem_id) || a.sample - b.sample);

test('r1 eval --endpoint against r1 serve equals r1 eval --model on the same checkpoint and seeds', () => {
  const local = r1(['eval', '--model', CKPT, '--out', join(work, 'local'), ...EVAL]);
  assert.equal(local.status, 0, local.stderr);
  const remote = r1(['eval', '--endpoint', url, '--model-name', 'tiny', '--template', 'compact', '--out', join(work, 'remote'), ...EVAL]);
  assert.equal(remote.status, 0, remote.stderr);
  const a = JSON.parse(local.stdout);
  const b = JSON.parse(remote.stdout);
  assert.equal(a.problems, 12);
  assert.equal(a.samples, 72);
  assert.ok(a.answer_rate > 0, 'the trained model writes answers');
  for (const key of ['problems', 'samples', 'pass_at_1', 'pass_at_1_stderr', 'cons_at_k', 'cons_ties', 'pass_at_k', 'mean_length', 'truncation_rate', 'answer_rate', 'skipped']) {
    assert.deepEqual(b[key], a[key], key);
  }
  // sample by sample: the same text, answer, judgement, length and ending
  const strip = (r: Record<string, unknown>) => ({ ...r, reasoning: undefined });
  assert.deepEqual(records(join(work, 'remote')).map(strip), records(join(work, 'local')).map(strip));
});

test('an interrupted eval resumes from results.jsonl and ends with the same numbers', () => {
  const dir = join(work, 'resume');
  const first = r1(['eval', '--model', CKPT, '--out', dir, ...EVAL]);
  assert.equal(first.status, 0, first.stderr);
  const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'results.jsonl'), lines.slice(0, 20).join('\n') + '\n{"problem_id":'); // 3 problems whole, one cut, a torn line
  const again = r1(['eval', '--endpoint', url, '--model-name', 'tiny', '--template', 'compact', '--out', dir, ...EVAL]);
  assert.notEqual(again.status, 0, 'other settings (the endpoint) in the same folder are refused');
  assert.match(again.stderr, /holds an eval with other settings/);
  const resumed = r1(['eval', '--model', CKPT, '--out', dir, ...EVAL]);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming: 3 of 12 problems already/);
  const { seconds: _a, out_dir: _c, ...x } = JSON.parse(first.stdout);
  const { seconds: _b, out_dir: _d, ...y } = JSON.parse(resumed.stdout);
  assert.deepEqual(y, x);
});

test('bad input: unreachable endpoint, wrong key, a dataset line without an answer', async () => {
  const port = await closedPort();
  const keyed = await serve(['--model-name', 'tiny', '--api-key-env', 'R1_KEY'], { ...process.env, R1_KEY: 'right' });
  const file = join(work, 'set.jsonl');
  writeFileSync(file, [{ id: 'q1', question: '12+30', answer: '42' }, { id: 'q2', question: 'no answer here' }, { id: 'q3', question: '1+1', answer: '2' }].map((x) => JSON.stringify(x)).join('\n') + '\n');
  const downArgs = ['eval', '--endpoint', `http://127.0.0.1:${port}`, '--model-name', 'tiny', '--dataset', 'world:addition', '--out', join(work, 'down'), '--k', '1'];
  // the three evals in one process (test/r1-batch.ts); beside it the first as a real `node bin/r1.js`, which must give the same
  const [[down, bad, res], realDown] = await Promise.all([
    r1BatchAsync([
      downArgs,
      { args: ['eval', '--endpoint', keyed, '--model-name', 'tiny', '--api-key-env', 'R1_KEY', '--dataset', 'world:addition', '--out', join(work, 'key'), '--k', '1'], env: { R1_KEY: 'wrong' } },
      ['eval', '--endpoint', url, '--model-name', 'tiny', '--template', 'compact', '--dataset', file, '--out', join(work, 'file'), '--k', '2', '--max-tokens', '40', '--json'],
    ]),
    r1Spawn([...downArgs.slice(0, -3), join(work, 'down-real'), '--k', '1']),
  ]);
  assert.equal(down!.status, 1);
  assert.match(down!.stderr, new RegExp(`^r1 eval: http://127\\.0\\.0\\.1:${port}/v1/models cannot be reached \\(ECONNREFUSED\\); check --endpoint`, 'm'));
  assert.deepEqual(realDown, down, 'the real binary: the same line, exit 1');
  assert.equal(bad!.status, 1);
  assert.match(bad!.stderr, /refused the API key \(HTTP 401\); pass a valid key with --api-key-env/);
  assert.equal(res!.status, 0, res!.stderr);
  assert.match(res!.stderr, /problem q2 \(.*set\.jsonl:2\) skipped: no gold answer/);
  const s = JSON.parse(res!.stdout);
  assert.equal(s.problems, 2);
  assert.deepEqual(s.skipped.map((x: { problem_id: string }) => x.problem_id), ['q2']);
});
