// Pretraining budgets (issue 13): the run covers its token budget whatever the machine's speed, the wall-clock
// limit is only a safety that says when it cut the run short, and the precision option reaches the result.
// A tiny model on the default world; no timing asserts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pretrainWorld } from '../../src/sft/pretrain.js';
import { runContext } from '../../src/run/context.js';

const TINY = { hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 2 };

test('pretrain trains its whole token budget with no safety limit, in the precision asked for', async () => {
  const lines: string[] = [];
  const r = await pretrainWorld({ out: mkdtempSync(join(tmpdir(), 'r1-budget-')), model: TINY, tokens: 6000, batchSize: 8, poolBatches: 2,
    warmupSteps: 2, evalEvery: 1000 }, runContext({ precision: 'bf16', log: (l) => lines.push(l) }));
  assert.ok(r.tokens >= 6000, `trained ${r.tokens} tokens of a 6000-token budget`);
  assert.equal(r.cutShort, false);
  assert.equal(r.precision, 'bf16');
  assert.ok(lines.some((l) => l.includes('bf16 matmuls')), lines.join('\n'));
});

test('pretrain: the wall-clock safety limit stops early and says so', async () => {
  const lines: string[] = [];
  const r = await pretrainWorld({ out: mkdtempSync(join(tmpdir(), 'r1-budget-')), model: TINY, tokens: 1_000_000, maxSeconds: 1e-6, batchSize: 8,
    poolBatches: 2, evalEvery: 1000 }, runContext({ log: (l) => lines.push(l) }));
  assert.equal(r.cutShort, true);
  assert.ok(r.tokens < 1_000_000);
  assert.equal(r.precision, 'fp32', 'no precision option: fp32, whatever ran before in the process');
  assert.ok(lines.some((l) => /STOPPED by the wall-clock safety limit/.test(l) && l.includes('undertrained')), lines.join('\n'));
});

test('a cached base: renamed into place when complete; cut short by the safety limit, used from its temporary folder and not cached', async () => {
  const { pretrainIntoCache } = await import('../../src/sft/cache.js');
  const root = mkdtempSync(join(tmpdir(), 'r1-cache-'));
  const done = await pretrainIntoCache(join(root, 'base-a'), { model: TINY, tokens: 6000, batchSize: 8, poolBatches: 2, warmupSteps: 2, evalEvery: 1000 });
  assert.deepEqual([done.dir, done.cutShort, done.stopped], [join(root, 'base-a'), false, false]);
  assert.ok(existsSync(join(root, 'base-a', 'model.safetensors')) && !existsSync(`${done.dir}.tmp-${process.pid}`));
  const lines: string[] = [];
  const cut = await pretrainIntoCache(join(root, 'base-b'), { model: TINY, tokens: 1_000_000, maxSeconds: 1e-6, batchSize: 8, poolBatches: 2, evalEvery: 1000 },
    runContext({ log: (l) => lines.push(l) }));
  assert.equal(cut.cutShort, true);
  assert.equal(cut.dir, `${join(root, 'base-b')}.tmp-${process.pid}`);
  assert.ok(!existsSync(join(root, 'base-b')), 'an undertrained base is never the cached default');
  assert.ok(lines.some((l) => /cut short by the safety limit.*does not cache it/.test(l)), lines.join('\n'));
  // the next pretraining clears temporaries of runs that have ended, and keeps those of live runs (this one's)
  const dead = join(root, 'base-c.tmp-999999999');
  mkdirSync(dead);
  await pretrainIntoCache(join(root, 'base-d'), { model: TINY, tokens: 3000, batchSize: 8, poolBatches: 2, warmupSteps: 2, evalEvery: 1000 });
  assert.ok(!existsSync(dead), 'a dead run\'s temporary folder is removed');
  assert.ok(existsSync(cut.dir), 'a live run\'s temporary folder is kept');
});
