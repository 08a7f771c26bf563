// `r1 report` on a run that sampled on servers (issue 23): the staleness of its rollouts and the off-policy correction's
// numbers are drawn from metrics.jsonl; a local run, which logs neither, gets neither chart and no note about them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRun } from '../../src/report/read.js';
import { runFigures } from '../../src/report/figures.js';

const root = mkdtempSync(join(tmpdir(), 'r1-report-rollout-'));
after(() => rmSync(root, { recursive: true, force: true }));
function run(rows: Record<string, unknown>[]): string {
  const d = mkdtempSync(join(root, 'run-'));
  writeFileSync(join(d, 'config.json'), JSON.stringify({ world: 'addition' }));
  writeFileSync(join(d, 'metrics.jsonl'), rows.map((r) => JSON.stringify({ type: 'train', ...r })).join('\n') + '\n');
  return d;
}

test('staleness and off-policy charts for server rollouts, none for local ones', () => {
  const remote = runFigures(readRun(run([1, 2, 3].map((step) => ({
    step, accuracy: 0.5, 'rollout/staleness_mean': step - 1, 'rollout/staleness_max': step, 'offpolicy/abs_logp_diff': 0.01 * step, 'offpolicy/masked_fraction': 0.1,
  })))), []);
  const st = remote.charts.find((c) => c.id === 'staleness');
  assert.ok(st, remote.charts.map((c) => c.id).join(' '));
  assert.deepEqual(st.line!.filter((p) => p.series === 'rollout/staleness_max').map((p) => p.y), [1, 2, 3]);
  const off = remote.charts.find((c) => c.id === 'offpolicy')!;
  assert.deepEqual(off.line!.filter((p) => p.series === 'offpolicy/abs_logp_diff').map((p) => p.y), [0.01, 0.02, 0.03]);
  assert.ok(!remote.otherKeys.some((k) => /rollout\/staleness|offpolicy/.test(k.key)), 'the drawn keys are not listed as undrawn');
  const local = runFigures(readRun(run([{ step: 1, accuracy: 0.5 }])), []);
  assert.ok(!local.charts.some((c) => c.id === 'staleness' || c.id === 'offpolicy'));
  assert.ok(!local.notes.some((n) => /staleness|offpolicy/.test(n)));
});

test("the report's settings say how a run sampled on servers (servers, async, staleness, clip), and nothing of it for a local run", async () => {
  const { buildReport } = await import('../../src/report/index.js');
  const d = run([{ step: 1, accuracy: 0.5, 'rollout/staleness_mean': 0, 'rollout/staleness_max': 0 }]);
  writeFileSync(join(d, 'config.json'), JSON.stringify({
    world: 'addition', rollout: { endpoints: ['http://a/v1', 'http://b/v1'] }, weightSyncSteps: 1, asyncRollouts: true, maxStaleness: 4, clipAgainst: 'sampler',
  }));
  const html = (await buildReport(d)).html;
  for (const want of [/<b>rollout<\/b> 2 servers/, /<b>asyncRollouts<\/b> true/, /<b>maxStaleness<\/b> 4/, /<b>clipAgainst<\/b> sampler/]) assert.match(html, want);
  const local = run([{ step: 1, accuracy: 0.5 }]);
  writeFileSync(join(local, 'config.json'), JSON.stringify({ world: 'addition', rollout: 'local', maxStaleness: 4, clipAgainst: 'trainer' }));
  assert.doesNotMatch((await buildReport(local)).html, /<b>(rollout|maxStaleness|clipAgainst)<\/b>/);
});
