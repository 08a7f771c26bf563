// The one metrics writer: tiny pretrain and SFT runs log each step (and their held-out losses) into their folder in
// the format `r1 report` reads, so the report draws their loss curves; a writer given in the run context takes the
// lines instead. Not the report's drawing (test/report/).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/util/rng.js';
import { Decoder } from '../../src/model/decoder.js';
import { saveCheckpoint } from '../../src/model/checkpoint.js';
import { pretrainWorld, worldTokenizer, defaultWorldModelConfig } from '../../src/sft/pretrain.js';
import { sftTrain } from '../../src/sft/sft.js';
import { readRun } from '../../src/report/read.js';
import { runFigures } from '../../src/report/figures.js';
import { buildReport } from '../../src/report/index.js';
import type { MetricsLine, MetricsWriter } from '../../src/run/metrics.js';
import { runContext } from '../../src/run/context.js';

const root = mkdtempSync(join(tmpdir(), 'r1-metrics-'));
after(() => rmSync(root, { recursive: true, force: true }));
const TINY = { hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: 128 };

test('a tiny pretrain run writes one train line a step and its step-line losses; the report draws them', async () => {
  const out = join(root, 'pretrain');
  const r = await pretrainWorld({ out, model: TINY, tokens: 4000, batchSize: 8, poolBatches: 2, warmupSteps: 2, evalEvery: 3 });
  const run = readRun(out);
  assert.deepEqual(run.train.map((m) => m.step), Array.from({ length: r.steps }, (_, i) => i + 1));
  assert.equal(run.train[run.train.length - 1]!.loss, r.finalLoss);
  assert.ok(run.train.every((m) => m.lr > 0 && m.tokens > 0 && Number.isFinite(m.grad_norm)));
  const evalSteps = [...Array.from({ length: Math.floor(r.steps / 3) }, (_, i) => 3 * (i + 1)), ...(r.steps % 3 ? [r.steps] : [])];
  assert.deepEqual(run.evals.map((m) => m.step), evalSteps);
  assert.equal(run.evals[run.evals.length - 1]!.step_line_loss, r.stepLineLoss);
  const loss = runFigures(run, []).charts.find((c) => c.id === 'loss')!;
  assert.equal(loss.line!.filter((p) => p.series === 'training').length, r.steps);
  assert.equal(loss.line!.filter((p) => p.series === 'held-out step lines').length, evalSteps.length);
  const report = await buildReport(out);
  assert.match(report.html, /r1ts pretrain run/);
  assert.ok(!report.notes.some((n) => /Figure 2|Figure 3|not in metrics\.jsonl/.test(n)), `no notes about what only GRPO logs: ${report.notes.join(' | ')}`);
});

test('a tiny SFT run logs its steps and validation losses; a writer in the context takes them instead of the folder', async () => {
  const tok = worldTokenizer();
  const base = join(root, 'base');
  saveCheckpoint(base, new Decoder(defaultWorldModelConfig(tok, TINY), new Rng(2)), tok);
  const data = join(root, 'sft.jsonl');
  const rng = new Rng(3);
  writeFileSync(data, Array.from({ length: 40 }, () => {
    const a = rng.int(10, 99), b = rng.int(10, 99);
    return JSON.stringify({ prompt: `User: ${a}+${b}. Assistant:`, completion: ` <answer> ${a + b} </answer>` });
  }).join('\n') + '\n');
  const opts = { model: base, data, numTrainEpochs: 2, batchSize: 8, learningRate: 1e-2, evalEvery: 2, valFraction: 0.2 };
  const out = join(root, 'sft');
  const r = await sftTrain({ ...opts, out });
  const run = readRun(out);
  assert.deepEqual(run.train.map((m) => m.step), Array.from({ length: r.steps }, (_, i) => i + 1));
  assert.deepEqual(run.evals.map((m) => m.loss), r.valLoss);
  assert.ok(run.train.every((m) => m.epoch === (m.step <= r.steps / 2 ? 1 : 2)));
  const loss = runFigures(run, []).charts.find((c) => c.id === 'loss')!;
  assert.equal(loss.line!.filter((p) => p.series === 'held-out').length, r.valLoss.length);
  assert.match((await buildReport(out)).html, /r1ts sft run/);

  const lines: MetricsLine[] = [];
  const metrics: MetricsWriter = { metric: (l) => lines.push(l), sample: () => {} };
  const out2 = join(root, 'sft-context');
  const r2 = await sftTrain({ ...opts, out: out2 }, runContext({ metrics }));
  assert.ok(!existsSync(join(out2, 'metrics.jsonl')), 'the context\'s writer took the lines');
  assert.deepEqual(lines.filter((l) => l.type === 'eval').map((l) => l.loss), r2.valLoss);
  assert.deepEqual(lines.filter((l) => l.type === 'train').map((l) => l.loss), run.train.map((m) => m.loss), 'same seed, same losses');
});
