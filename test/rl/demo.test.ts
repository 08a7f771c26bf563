// The demo's pieces that need no training: its GRPO recipe is a valid config, the base-model cache path
// is stable and inside .cache/, and the before/after table shows every row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseModelDir, demoConfig, formatSummary, type DemoRow } from '../../src/rl/demo.js';

test('demo recipe: issue 6 quick experiment, the task judge + 0.1 × format, β 0', () => {
  const c = demoConfig('/base', '/run', 'addition', {});
  assert.deepEqual(c.rewards, [{ name: 'task', weight: 1 }, { name: 'format', weight: 0.1 }]);
  assert.equal(c.beta, 0);
  assert.equal(c.promptsPerStep * c.numGenerations, 64);
  assert.equal(c.steps, 300); // a budget in steps: the result does not depend on the machine's speed
  assert.equal(c.maxSeconds, 900); // only a safety limit
  assert.equal(demoConfig('/base', '/run', 'addition', { maxSeconds: 30 }).maxSeconds, 30);
  assert.equal(demoConfig('/base', '/run', 'addition', { maxSeconds: 30, grpo: { learningRate: 1e-4 } }).learningRate, 1e-4);
});

test('subset recipe (issue 12): β 0.04 and 220 steps over the default; --steps and --grpo still win', () => {
  const c = demoConfig('/base', '/run', 'subset', {});
  assert.equal(c.beta, 0.04);
  assert.equal(c.steps, 220);
  assert.equal(c.maxCompletionLength, 256);
  assert.equal(demoConfig('/base', '/run', 'subset', { steps: 50 }).steps, 50);
  assert.equal(demoConfig('/base', '/run', 'subset', { steps: 50, grpo: { steps: 60, beta: 0 } }).steps, 60);
  assert.equal(demoConfig('/base', '/run', 'subset', { grpo: { beta: 0 } }).beta, 0);
  assert.equal(demoConfig('/base', '/run', 'addition', { steps: 40 }).steps, 40);
});

test('base model cache path is stable and under .cache', () => {
  assert.equal(baseModelDir('addition'), baseModelDir('addition'));
  assert.match(baseModelDir('addition'), /\/\.cache\/base-[0-9a-f]{12}$/);
  assert.notEqual(baseModelDir('addition'), baseModelDir('other'));
  // a BF16-pretrained base is another model; the FP32 key is the one caches already carry
  assert.equal(baseModelDir('addition', 'small', 'fp32'), baseModelDir('addition'));
  assert.notEqual(baseModelDir('addition', 'small', 'bf16'), baseModelDir('addition'));
});

test('summary table', () => {
  const r = (p: number): DemoRow => ({
    pass1: p, cons16: p, format_rate: 1, mean_len: 50, always_wrong: 0.1, styles: { step: { share: 0.5, accuracy: 0.9 } },
    unfaithful_line_rate: 0, answer_unfaithful_rate: 0, stop_rate: 1,
  });
  const t = formatSummary({
    base: r(0.2), rl: r(0.9), steps: 10, seconds: 100, rl_seconds: 60, pretrain_seconds: 0, eval_seconds: 20,
    step_split: { sampling: 1, training: 1, other: 0.1 }, run_dir: '/run', base_model: '/base', reason: 'time',
  });
  assert.match(t, /pass@1 \(16 samples\)\s+20\.0%\s+90\.0%/);
  assert.match(t, /style step/);
  assert.match(t, /10 GRPO steps in 60 s/);
});
