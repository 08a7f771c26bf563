// The report without a browser: a run killed mid-write (truncated last line), with no evaluations yet and unknown
// keys still gives a report of what is there plus notes; downsampling keeps means and spreads; the demo, pipeline,
// eval and bench summaries become their bars and tables; `r1 report` writes the page and PNGs, errors are one line.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildReport } from '../../src/report/index.js';
import { downsample } from '../../src/report/charts.js';
import { parseJsonl, readRun } from '../../src/report/read.js';
import { runFigures } from '../../src/report/figures.js';
import { pickSamples, questionOf, type ViewSample } from '../../src/report/samples.js';
import { r1Batch, r1BatchAsync } from '../r1-batch.js';

const ROOT = join(import.meta.dirname, '..', '..');
const root = mkdtempSync(join(tmpdir(), 'r1-report-'));
after(() => rmSync(root, { recursive: true, force: true }));
const folder = (name: string, files: Record<string, string>) => {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  return d;
};
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const r1 = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [join(ROOT, 'bin', 'r1.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

test('a run killed mid-write with no evaluations and unknown keys: a report of what is there, and notes', async () => {
  const train = [1, 2, 3].map((step) => ({ type: 'train', step, reward: step / 10, accuracy: step / 4, completion_length: 50 + step, kl: 0, my_new_metric: 7 * step, nested: { thing: step } }));
  const dir = folder('killed', {
    'config.json': JSON.stringify({ world: 'addition', steps: 100 }),
    'metrics.jsonl': jsonl(train) + '{"type":"train","step":4,"rew',
    'samples.jsonl': jsonl([{ step: 1, prompt: 'User: 12+30\nAssistant: ', completion: '<think>\n12+30=42\n</think>\n\nThe answer is 42.', rewards: { accuracy: 1 } }]) + '{"step": 2, "prom',
  });
  const r = await buildReport(dir);
  assert.ok(r.notes.some((n) => /last line of metrics\.jsonl is cut off/.test(n)), r.notes.join(' | '));
  assert.ok(r.notes.some((n) => /last line of samples\.jsonl is cut off/.test(n)));
  assert.ok(r.notes.some((n) => /no held-out evaluation logged yet/.test(n)));
  const fig2 = r.charts.find((c) => c.id === 'fig2-accuracy')!;
  assert.equal(fig2.points, 3, 'the three whole training lines, the cut one left out');
  assert.equal(r.charts.find((c) => c.id === 'kl')!.points, 3);
  assert.ok(!r.charts.some((c) => c.id === 'clip'), 'no clip fractions logged: no clip chart');
  assert.ok(r.notes.some((n) => /clip_low \/ clip_high not in metrics\.jsonl/.test(n)));
  assert.match(r.html, /my_new_metric/);
  assert.match(r.html, /nested\/thing/);
  assert.match(r.html, /<svg[^>]*class="marks"/);
  assert.doesNotMatch(r.html, /<script[^>]+src=|<link[^>]+href=|@import|url\(http/, 'self-contained: nothing fetched');
});

test('a search world run: reflection from the world\'s parser and one chart per measure by difficulty', async () => {
  const train = [1, 2, 3].map((step) => ({ type: 'train', step, accuracy: 0.3 * step, completion_length: 40 + 10 * step, reflection: 0.2 * step, backtrack: 0.15 * step, verify: 0.05,
    'difficulty/2/accuracy': 0.9, 'difficulty/2/completion_length': 40, 'difficulty/2/reflection': 0.1,
    'difficulty/10/accuracy': 0.2 * step, 'difficulty/10/completion_length': 50 * step, 'difficulty/10/reflection': 0.25 * step }));
  const dir = folder('search', { 'config.json': JSON.stringify({ world: 'subset' }), 'metrics.jsonl': jsonl(train) });
  const r = runFigures(readRun(dir), []);
  const len = r.charts.find((c) => c.id === 'difficulty-completion-length')!;
  assert.ok(len, r.charts.map((c) => c.id).join(' '));
  assert.deepEqual([...new Set(len.line!.map((p) => p.series))], ['difficulty 2', 'difficulty 10'], 'levels in numeric order');
  assert.deepEqual(len.line!.filter((p) => p.series === 'difficulty 10').map((p) => p.y), [50, 100, 150]);
  assert.ok(r.charts.some((c) => c.id === 'difficulty-accuracy') && r.charts.some((c) => c.id === 'difficulty-reflection'));
  const f = r.charts.find((c) => c.id === 'faithfulness')!;
  assert.match(f.caption, /own parser/);
  assert.deepEqual(new Set(f.line!.map((p) => p.series)), new Set(['backtrack or re-check', 'backtrack', 're-check']));
  assert.ok(!r.otherKeys.some((k) => k.key.startsWith('difficulty/')), 'per-difficulty keys are drawn, not left in the list of other keys');
  assert.ok((await buildReport(dir)).charts.some((c) => c.id === 'difficulty-reflection' && c.svg.includes('<svg')));
});

test('an empty folder still gives a page that says what is missing', async () => {
  const r = await buildReport(folder('empty', {}));
  assert.equal(r.charts.length, 0);
  assert.ok(r.notes.some((n) => /no metrics\.jsonl yet/.test(n)));
  assert.ok(r.notes.some((n) => /no config\.json/.test(n)));
  assert.match(r.html, /Nothing to plot yet/);
});

test('JSONL parsing counts bad lines apart from a truncated last line', () => {
  const p = parseJsonl('{"a":1}\nnot json\n[1]\n{"b":2}\n{"c":');
  assert.deepEqual(p.rows, [{ a: 1 }, { b: 2 }]);
  assert.equal(p.badLines, 2);
  assert.equal(p.truncatedLast, true);
});

test('downsampling: at most max points, bucket means, the band spans each bucket', () => {
  const xs = Array.from({ length: 10_000 }, (_, i) => i + 1), ys = xs.map((x) => 2 * x);
  const d = downsample(xs, ys, 400);
  assert.equal(d.length, 400);
  assert.equal(d[0]!.x, 13); // steps 1..25
  assert.equal(d[0]!.y, 26);
  assert.equal(d[0]!.lo, 2);
  assert.equal(d[0]!.hi, 50);
  assert.equal(d[399]!.hi, 20_000);
  assert.deepEqual(downsample([1, 2], [3, 4], 400), [{ x: 1, y: 3 }, { x: 2, y: 4 }]);
});

test('the viewer keeps whole steps spread over the run, the last one included, and says so', () => {
  const s = (step: number): ViewSample => ({ step, prompt: 'p', gold: null, think: 'x'.repeat(5000), answer: '1', other: '', reward: 1, rewards: {}, advantage: 0,
    tokens: 1, finish: 'stop', correct: true, style: null, faithful: null, lines: null, unfaithful_lines: null, reflective: false });
  const all = Array.from({ length: 1000 }, (_, i) => [s(i + 1), s(i + 1)]).flat();
  const { kept, note } = pickSamples(all, 100);
  assert.equal(kept.length, 100);
  const steps = new Set(kept.map((k) => k.step));
  assert.equal(steps.size, 50);
  assert.ok(steps.has(1) && steps.has(1000));
  assert.match(note!, /shows 100 of 2000 samples/);
  assert.ok(kept[0]!.think!.length < 3100 && kept[0]!.think!.endsWith('[2000 more characters]'));
  assert.equal(pickSamples(all.slice(0, 10), 100).note, null);
});

test('questions are read back out of templated prompts', () => {
  assert.equal(questionOf('Q: 1+2 ?', 'Q: {prompt} ?'), '1+2');
  assert.equal(questionOf('other text', 'Q: {prompt} ?'), null);
});

test('demo, eval and bench summaries become bars, a pass@k curve and tables', async () => {
  const row = (p: number) => ({ pass1: p, cons16: p + 0.1, format_rate: 1, mean_len: 80, always_wrong: 0.1, styles: { step: { share: p, accuracy: 0.9 } }, unfaithful_line_rate: 0.1, answer_unfaithful_rate: 0.6, stop_rate: 1 });
  const dir = folder('summaries', {
    'demo_summary.json': JSON.stringify({ base: row(0.3), rl: row(0.9), steps: 120, seconds: 900, rl_seconds: 590 }),
    'summary.json': JSON.stringify({ settings: { dataset: 'math500', k: 8 }, pass_at_1: 0.5, pass_at_k: [{ k: 1, pass: 0.5 }, { k: 2, pass: 0.65 }, { k: 4, pass: 0.8 }, { k: 8, pass: 0.9 }] }),
    'results.jsonl': jsonl([
      { problem_id: 'p1', sample: 0, gold: '4', text: '<think>\n2+2=4\n</think>\n\nThe answer is 4.', answer: '4', correct: true, tokens: 20, finish_reason: 'stop' },
      { problem_id: 'p1', sample: 1, gold: '4', text: '<think>\n2+2=5\n</think>\n\nThe answer is 5.', answer: '5', correct: false, tokens: 20, finish_reason: 'stop' },
      { problem_id: 'p2', sample: 0, gold: '9', text: 'no idea', answer: null, correct: false, tokens: 2, finish_reason: 'length' },
    ]),
    'bench-train.json': JSON.stringify({ tokens_per_s: 20000, torch_tokens_per_s: 11000, ms_per_step: 50, torch_ms_per_step: 90, threads: 2 }),
  });
  folder('summaries/r1_zero', { 'metrics.jsonl': '', 'report.html': '<!doctype html>' });
  folder('summaries/cold_start', { 'metrics.jsonl': '' });
  const r = await buildReport(dir);
  const c = (id: string) => r.charts.find((x) => x.id === id);
  assert.equal(c('demo-before-after')!.points, 12); // 6 measures × base / after RL
  assert.match(r.html, /<a href="r1_zero\/report\.html">r1_zero<\/a>/);
  assert.match(r.html, /cold_start \(no report yet/);
  assert.equal(c('eval-pass-at-k')!.points, 4);
  assert.equal(c('bench-bench-train')!.points, 4); // tokens_per_s and ms_per_step, r1ts and PyTorch
  assert.match(c('eval-pass-at-k')!.svg, /series=pass@k; x=8; y=0\.9/);
  assert.match(r.html, /Before and after RL/);
  assert.match(r.html, /Per-problem results/);
  // p2 (never right) first, then p1 at 50%; settings flattened into the evaluation table
  assert.match(r.html, /<td>p2<\/td><td class="n">9<\/td><td class="n">1<\/td><td class="n">0<\/td><td class="n">0<\/td><td>\(none\)<\/td><\/tr><tr><td>p1<\/td><td class="n">4<\/td><td class="n">2<\/td><td class="n">1<\/td><td class="n">0\.5<\/td>/);
  assert.match(r.html, /<th>settings\/dataset<\/th>|<td>settings\/dataset<\/td><td>math500<\/td>/);
  assert.match(r.html, /3 logged samples/);
  assert.match(r.html, /r1ts demo: summaries/);
});

test('r1 report writes the page and a PNG per plot; usage errors are one line with exit code 2', () => {
  const dir = folder('cli', { 'metrics.jsonl': jsonl([{ type: 'train', step: 1, reward: 0.5, accuracy: 0.5 }, { type: 'train', step: 2, reward: 0.7, accuracy: 0.6 }]) });
  const out = join(root, 'out', 'r.html');
  const usage = [
    [['report'], /^r1 report: give exactly one RUN_DIR \(got 0\)/],
    [['report', join(root, 'nope')], /^r1 report: .*nope: no such folder; pass the run folder/],
    [['report', dir, '--bogus'], /^r1 report: unknown option '--bogus' \(r1 report --help lists them\)$/],
    [['report', dir, '--port', '80'], /^r1 report: --port goes with --serve$/],
    [['report', dir, '--serve', '--port', 'x'], /^r1 report: --port must be an integer >= 0 and <= 65535 \(got 'x'\)$/],
    [['report', dir, '--serve', '--port', '70000'], /^r1 report: --port must be an integer >= 0 and <= 65535, got 70000$/],
  ] as [string[], RegExp][];
  // all eight invocations in one process (test/r1-batch.ts); the real binary's exit codes are the next tests'
  const [ok, ...rest] = r1Batch([['report', dir, '--out', out, '--png', '--json'], ...usage.map(([args]) => args), ['report', '-h']]);
  assert.equal(ok!.status, 0, ok!.stderr);
  const j = JSON.parse(ok!.stdout) as { report: string; charts: number; png: string[] };
  assert.equal(j.report, out);
  assert.match(readFileSync(out, 'utf8'), /^<!doctype html>/);
  assert.equal(j.png.length, j.charts);
  assert.deepEqual(readdirSync(join(root, 'out', 'r-png')).sort(), j.png.map((p) => p.split('/').pop()).sort());
  for (const p of j.png) assert.deepEqual([...readFileSync(p).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

  usage.forEach(([args, msg], i) => {
    const r = rest[i]!;
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trim(), msg);
  });
  assert.match(rest[usage.length]!.stdout, /^usage: r1 report RUN_DIR/);
});

test('a missing checkpoint is a user error (exit 2); an unexpected error is one line (exit 1); R1_DEBUG=1 adds the stack', async () => {
  const args = ['logits', '--model', join(root, 'no-model'), '--token-ids', '1'];
  const plain = r1(args);
  assert.equal(plain.status, 2);
  assert.equal(plain.stderr.trim().split('\n').length, 1, plain.stderr);
  assert.match(plain.stderr, /^r1 logits: loadCheckpoint: .*no-model.*does not exist/m);
  const { reportError } = await import('../../src/cli/main.js');
  const lines: string[] = [];
  const error = console.error;
  console.error = (...a: unknown[]) => { lines.push(a.join(' ')); };
  try {
    assert.equal(reportError('x', new Error('boom')), 1);
    assert.deepEqual(lines, ['r1 x: boom (R1_DEBUG=1 shows where)']);
    process.env.R1_DEBUG = '1';
    lines.length = 0;
    assert.equal(reportError('x', new Error('boom')), 1);
    assert.match(lines.join('\n'), /^r1 x: boom\nError: boom\n\s+at /);
  } finally {
    delete process.env.R1_DEBUG;
    console.error = error;
  }
});

test('--json keys are snake_case: library results are converted on the way out', async () => {
  const { snakeKeys } = await import('../../src/cli/args.js');
  assert.deepEqual(snakeKeys({ tokensPerSecond: 1, stepLineLoss: [{ gatePassed: true }], already_snake: { x: 'keepMe' }, 'rewards/accuracy/mean': 2, logits: new Float32Array([1]) }),
    { tokens_per_second: 1, step_line_loss: [{ gate_passed: true }], already_snake: { x: 'keepMe' }, 'rewards/accuracy/mean': 2, logits: new Float32Array([1]) });
});

test('every command: -h prints usage with exit 0, an unknown flag is one line `r1 CMD: …` with exit 2', async () => {
  const { commandNames } = await import('../../src/cli/main.js');
  const { execFile } = await import('node:child_process');
  const spawnR1 = (args: string[]) => new Promise<{ status: number; stdout: string; stderr: string }>((done) => {
    execFile(process.execPath, [join(ROOT, 'bin', 'r1.js'), ...args], { timeout: 120_000 }, (err, stdout, stderr) =>
      done({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
  const { WHAT } = await import('../../src/cli/bench.js');
  const names = [...commandNames(), ...WHAT.map((w) => `bench ${w}`)];
  assert.ok(names.includes('report') && names.length >= 15);
  // Every command's -h and bad flag through main(argv) in one child process (test/r1-batch.ts: a fresh tsx process
  // per invocation cost ~40 s for these 50); beside it, two real `node bin/r1.js` processes, whose exit codes and
  // output must be what main() gave in the batch: the binary passes main's return value on as the exit code.
  const calls = names.flatMap((name) => [[...name.split(' '), '-h'], [...name.split(' '), '--no-such-flag']]);
  const [batch, realHelp, realBad] = await Promise.all([r1BatchAsync(calls), spawnR1(['report', '-h']), spawnR1(['bench', 'train', '--no-such-flag'])]);
  const results = names.map((name, i) => ({ name, help: batch[2 * i]!, bad: batch[2 * i + 1]! }));
  for (const { name, help, bad } of results) {
    if (help.stderr.includes('is not built yet')) continue; // a command being written by someone else right now
    assert.equal(help.status, 0, `${name} -h: ${help.stderr}`);
    assert.match(help.stdout, /usage/i, `${name} -h prints its usage`);
    assert.equal(bad.status, 2, `${name} --no-such-flag: ${bad.stderr}`);
    assert.equal(bad.stderr.trim().split('\n').length, 1, `${name}: ${bad.stderr}`);
    assert.match(bad.stderr, new RegExp(`^r1 ${name}: .*--no-such-flag`), bad.stderr);
  }
  assert.deepEqual(realHelp, results.find((r) => r.name === 'report')!.help, 'the real binary: r1 report -h');
  assert.deepEqual(realBad, results.find((r) => r.name === 'bench train')!.bad, 'the real binary: r1 bench train --no-such-flag');
  assert.equal(realHelp.status, 0);
  assert.equal(realBad.status, 2);
});

test('Ctrl-C: r1 pretrain saves the model trained so far and exits 130; plain progress lines on a non-terminal stderr', async () => {
  const { spawn } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const out = join(root, 'interrupted');
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'r1.js'), 'pretrain', '--world', 'addition', '--difficulty', '2', '--out', out,
    '--hidden-size', '16', '--num-hidden-layers', '1', '--num-attention-heads', '2', '--intermediate-size', '32', '--tokens', '100000000', '--batch-size', '8'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const code = await new Promise<number | null>((done) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += String(d);
      if (/r1 pretrain: 1 steps/.test(stderr) && !child.killed) child.kill('SIGINT'); // the first progress line: training is under way
    });
    child.on('exit', (c) => done(c));
  });
  assert.equal(code, 130, stderr);
  assert.match(stderr, /r1 pretrain: 1 steps \(0\.0%\)  elapsed \S+  ETA \S+  \| loss [\d.]+  tok\/s \S+/);
  assert.match(stderr, /r1 pretrain: saving the checkpoint/);
  assert.ok(existsSync(join(out, 'model.safetensors')) && existsSync(join(out, 'config.json')), 'the checkpoint was saved');
});
