// The demo on the search worlds (issue 12), without training: their recipe row (the world's own judge, longer
// completions), the size table's cache folders (small is the default recipe's folder), and the summary's reflection
// and per-difficulty rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_SIZES, baseModelDir, demoConfig, formatSummary, type DemoRow } from '../../src/rl/demo.js';

test('search worlds: scored by their task judge with longer completions; the default world keeps its length', () => {
  for (const world of ['subset', 'countdown']) {
    const c = demoConfig('/base', '/run', world, {});
    assert.deepEqual(c.rewards, [{ name: 'task', weight: 1 }, { name: 'format', weight: 0.1 }]);
    assert.equal(c.maxCompletionLength, 256);
    assert.equal(demoConfig('/base', '/run', world, { grpo: { maxCompletionLength: 128 } }).maxCompletionLength, 128);
  }
  assert.equal(demoConfig('/base', '/run', 'addition', {}).maxCompletionLength, 240);
});

test('sizes: small is the default cache folder; each larger size has its own', () => {
  assert.deepEqual(DEMO_SIZES, ['small', 'medium', 'large']);
  assert.equal(baseModelDir('subset', 'small'), baseModelDir('subset'));
  const dirs = new Set(DEMO_SIZES.map((s) => baseModelDir('subset', s)));
  assert.equal(dirs.size, 3);
});

test('summary: reflection and by-difficulty rows', () => {
  const r = (p: number): DemoRow => ({
    pass1: p, cons16: p, format_rate: 1, mean_len: 50, always_wrong: 0.1, styles: {}, unfaithful_line_rate: 0, answer_unfaithful_rate: 0, stop_rate: 1,
  });
  const t = formatSummary({
    base: r(0.3), rl: r(0.7), steps: 10, seconds: 100, rl_seconds: 60, pretrain_seconds: 0, eval_seconds: 20,
    step_split: { sampling: 1, training: 1, other: 0.1 }, run_dir: '/run', base_model: '/base', reason: 'time',
    reflection: { base: 0.2, rl: 0.65 },
    by_difficulty: [{ difficulty: 2, base: { pass1: 0.5, mean_len: 40, reflection: 0.1 }, rl: { pass1: 0.9, mean_len: 48, reflection: 0.3 } }],
  });
  assert.match(t, /backtrack\/re-check\s+20\.0%\s+65\.0%/);
  assert.match(t, /difficulty 2 +pass@1 50\.0% → 90\.0%, length 40\.0 → 48\.0, reflection 10\.0% → 30\.0%/);
});
