// The worker pool: checks run on worker threads under a hard timeout; a runaway check is stopped and
// answered false with timedOut, a crashed worker is replaced, and later checks still work.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracyRewardOnPool, VerifierPool } from '../../../src/rewards/math/pool.js';

test('pool verifies on a worker thread, easy checks on the caller', async () => {
  const pool = new VerifierPool({ size: 1, timeoutMs: 20000 });
  try {
    assert.deepEqual(await pool.verify('x^2+2x+1', 'so \\boxed{(x+1)^2}'), { correct: true, extracted: '(x+1)^2', timedOut: false });
    assert.deepEqual(await pool.verify('18', '#### 18'), { correct: true, extracted: '18', timedOut: false }); // fast path
    assert.deepEqual(await pool.verify('18', 'no answer'), { correct: false, extracted: null, timedOut: false });
    const reward = accuracyRewardOnPool(pool);
    assert.deepEqual(await reward(['\\boxed{\\frac12}', '\\boxed{0.6}', '\\boxed{1}'], { gold: ['0.5', '\\frac{1}{2}', null] }), [1, 0, null]);
  } finally {
    await pool.close();
  }
});

test('a runaway check is stopped at the hard timeout and the pool recovers', async () => {
  const pool = new VerifierPool({ size: 1, timeoutMs: 300, workerUrl: new URL('./hang-worker.ts', import.meta.url) });
  try {
    // Warm up: the timeout counts from when a ready worker takes the check, not from start-up.
    assert.equal((await pool.verify('\\frac12', '\\boxed{0.5}')).correct, true);
    const t0 = performance.now();
    const hung = await pool.verify('hang', '\\boxed{x}');
    const waited = performance.now() - t0;
    assert.deepEqual(hung, { correct: false, extracted: 'x', timedOut: true });
    assert.ok(waited >= 250 && waited < 5000, `stopped after ${waited.toFixed(0)} ms`);
    assert.equal((await pool.verify('\\frac12', '\\boxed{1/2}')).correct, true); // a fresh worker took over
    const crashed = await pool.verify('crash', '\\boxed{y}');
    assert.equal(crashed.correct, false);
    assert.equal((await pool.verify('\\sqrt{4}', '\\boxed{2}')).correct, true); // and again after a crash
  } finally {
    await pool.close();
  }
});
