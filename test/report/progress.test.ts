// The progress reporter: plain periodic lines with step / total, ETA and values when stderr is not a terminal,
// a cli-progress bar on a terminal with log lines kept apart, and nothing at all with --quiet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createPhasedProgress, createProgress, formatDuration, formatValues } from '../../src/util/progress.js';
import { runContext } from '../../src/run/context.js';

/** A writable that keeps what it was given; `isTTY` as asked. */
function sink(isTTY: boolean): Writable & { text: () => string; isTTY: boolean; columns: number } {
  const chunks: string[] = [];
  const w = new Writable({ write(c, _e, cb) { chunks.push(String(c)); cb(); } }) as Writable & { text: () => string; isTTY: boolean; columns: number; cursorTo: unknown; clearLine: unknown; moveCursor: unknown };
  w.text = () => chunks.join('');
  w.isTTY = isTTY;
  w.columns = 120;
  w.cursorTo = (_x: number, _y?: number, cb?: () => void) => { chunks.push('\x1b[G'); cb?.(); return true; };
  w.clearLine = (_d: number, cb?: () => void) => { chunks.push('\x1b[K'); cb?.(); return true; };
  w.moveCursor = (_x: number, _y: number, cb?: () => void) => { cb?.(); return true; };
  return w;
}

test('plain lines: the first update, then one per interval, and a final line; ETA from the rate so far', () => {
  const out = sink(false);
  let t = 0;
  const p = createProgress({ label: 'pretrain', total: 100, stream: out, intervalMs: 10_000, now: () => t });
  p.update(1, { loss: 2.5 });
  t = 5_000; p.update(10, { loss: 1.25 }); // within the interval: no line
  t = 20_000; p.update(20, { loss: 0.5 }); // 20 steps in 20 s: 80 left, 80 s
  p.log('eval step 20: pass@1 50.0%');
  t = 30_000; p.update(100, { loss: 0.25 });
  p.stop();
  const lines = out.text().trim().split('\n');
  assert.deepEqual(lines, [
    'pretrain: 1/100 steps (1.0%)  elapsed 0s  ETA ?  | loss 2.50',
    'pretrain: 20/100 steps (20.0%)  elapsed 20s  ETA 1m20s  | loss 0.500',
    'eval step 20: pass@1 50.0%',
    'pretrain: 100/100 steps (100.0%)  elapsed 30s  ETA 0s  | loss 0.250',
  ]);
});

test('a time budget ahead of the step count drives the percentage and the ETA', () => {
  const out = sink(false);
  let t = 0;
  const p = createProgress({ label: 'grpo', total: 5000, stream: out, intervalMs: 0, now: () => t });
  t = 60_000;
  p.update(30, { reward: 0.5 }, 0.25); // a quarter of the time budget after 60 s: 180 s left
  assert.match(out.text(), /^grpo: 30\/5000 steps \(25\.0%\)  elapsed 1m00s  ETA 3m00s  \| reward 0\.500\n$/);
});

test('--quiet prints nothing, not even log lines', () => {
  const out = sink(false);
  const p = createProgress({ label: 'sft', total: 10, stream: out, quiet: true, intervalMs: 0 });
  p.update(5, { loss: 1 });
  p.log('hello');
  p.stop();
  assert.equal(out.text(), '');
});

test('on a terminal: a bar with the count, percentage and values; log lines come through', async () => {
  const out = sink(true);
  const p = createProgress({ label: 'grpo', total: 8, stream: out });
  p.update(2, { reward: 0.75, acc: '50%' });
  p.log('eval step 2: pass@1 25.0%');
  p.update(4, { reward: 0.875 });
  p.stop();
  const text = out.text();
  assert.match(text, /grpo \[[█░]+\] +50% \| 4\/8 steps \| ETA \S+ \| reward 0\.875/);
  assert.match(text, /eval step 2: pass@1 25\.0%\n/);
});

test('durations and values are short', () => {
  assert.equal(formatDuration(42.4), '42s');
  assert.equal(formatDuration(185), '3m05s');
  assert.equal(formatDuration(3720), '1h02m');
  assert.equal(formatDuration(NaN), '?');
  assert.equal(formatValues({ loss: 0.012345, 'tok/s': 21345, step: 7, acc: '50%' }), 'loss 0.0123  tok/s 21.3k  step 7  acc 50%');
});

test('the trainers report progress: pretraining by its token budget, GRPO after every step', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { pretrainWorld } = await import('../../src/sft/pretrain.js');
  const { loadCheckpoint } = await import('../../src/model/checkpoint.js');
  const { resolveConfig } = await import('../../src/rl/config.js');
  const { GrpoTrainer } = await import('../../src/rl/trainer.js');
  const { worldTasks } = await import('../../src/rl/tasks.js');
  const { getWorld } = await import('../../src/data/worlds/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'r1-progress-'));
  try {
    const pre: [number, number][] = [];
    await pretrainWorld({
      out: join(dir, 'base'), world: 'addition', difficulty: 2, tokens: 20_000, batchSize: 8, evalEvery: 1e9, seed: 1,
      model: { hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: 128 },
    }, runContext({ progress: (phase, step, _n, fraction, v) => { assert.equal(phase, 'pretrain'); pre.push([step, fraction]); assert.ok(Number.isFinite(v!.loss as number)); } }));
    assert.ok(pre.length > 3);
    assert.deepEqual(pre.map((p) => p[0]), pre.map((_, i) => i + 1), 'one call per step');
    assert.ok(pre.every((p, i) => i === 0 || p[1] > pre[i - 1]![1]), 'the budget fraction rises');
    assert.ok(pre[pre.length - 1]![1] >= 1 && pre[pre.length - 2]![1] < 1, 'and reaches 1 at the last step');

    const { model, tokenizer } = await loadCheckpoint(join(dir, 'base'));
    const cfg = resolveConfig({ model: join(dir, 'base'), out: join(dir, 'run'), world: 'addition', steps: 3, promptsPerStep: 2, numGenerations: 2, maxCompletionLength: 8,
      stopStrings: [], rewards: [{ name: 'accuracy', weight: 1 }], evalEvery: -1, saveEvery: 0, samplesPerStepLogged: 0, seed: 2 });
    const calls: [number, number, number][] = [];
    await new GrpoTrainer(cfg, model, tokenizer, null, worldTasks(getWorld('addition'), 'compact', 2))
      .train(runContext({ progress: (phase, step, steps, fraction, v) => { assert.equal(phase, 'grpo'); calls.push([step, steps, fraction]); assert.ok('reward' in v! && 'acc' in v!); } }));
    assert.deepEqual(calls.map((c) => c.slice(0, 2)), [[1, 3], [2, 3], [3, 3]]);
    assert.ok(calls.every(([s, n, f]) => f >= s / n && f <= 1), 'the fraction is at least the share of steps done');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('phased progress: a new series of lines, labelled by phase, whenever the phase changes; quiet prints nothing', () => {
  const out = sink(false);
  let t = 0;
  const p = createPhasedProgress({ label: 'r1 demo', stream: out, intervalMs: 10_000, now: () => t });
  p.log('base model: none cached');
  p.progress('pretrain', 1, 0, 0.1, { loss: 3 });
  t = 20_000; p.progress('pretrain', 9, 0, 1, { loss: 1 });
  p.progress('grpo', 1, 2, 0.5, { reward: 0.25 });
  t = 40_000; p.progress('grpo', 2, 2, 1);
  p.log('after RL: pass@1 50.0%');
  p.stop();
  const lines = out.text().trim().split('\n');
  assert.deepEqual(lines.map((l) => l.split(':')[0]), ['base model', 'r1 demo pretrain', 'r1 demo pretrain', 'r1 demo grpo', 'r1 demo grpo', 'after RL']);
  assert.match(lines[2]!, /r1 demo pretrain: 9 steps \(100\.0%\)/);
  assert.match(lines[4]!, /r1 demo grpo: 2\/2 steps \(100\.0%\)/);
  const q = sink(false);
  const quiet = createPhasedProgress({ label: 'r1 demo', stream: q, quiet: true });
  quiet.progress('grpo', 1, 2, 0.5);
  quiet.log('x');
  quiet.stop();
  assert.equal(q.text(), '');
});

test('plain lines: stop does not repeat the line just written; a phase prints its last line when it reaches its end', () => {
  const out = sink(false);
  let t = 0;
  const p = createProgress({ label: 'r1 sample', total: 32, unit: 'samples', stream: out, intervalMs: 10_000, now: () => t });
  t = 5; p.update(32);
  t = 9; p.stop();
  assert.equal(out.text(), 'r1 sample: 32/32 samples (100.0%)  elapsed 0s  ETA 0s\n');
  const ph = sink(false);
  const q = createPhasedProgress({ label: 'r1 pipeline', stream: ph, intervalMs: 10_000, now: () => t });
  q.progress('[stage 2/9 r1_zero] grpo', 1, 2, 0.5);
  t = 20; q.progress('[stage 2/9 r1_zero] grpo', 2, 2, 1);
  q.log('stage 3/9 cold_start: …');
  q.stop();
  assert.deepEqual(ph.text().trim().split('\n').map((l) => l.split(' (')[0]),
    ['r1 pipeline [stage 2/9 r1_zero] grpo: 1/2 steps', 'r1 pipeline [stage 2/9 r1_zero] grpo: 2/2 steps', 'stage 3/9 cold_start: …']);
});
