// The report in headless Chromium (Debian's package via playwright-core): a short real GRPO run's report draws
// every chart's data points (the held-out pass@1 points are the logged evaluations), the samples viewer filters by
// step / result / style / faithfulness, and `--serve` reloads the page when the run writes. Screenshots go to test-artifacts/.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { writeReport } from '../../src/report/index.js';
import { serveReport } from '../../src/report/serve.js';
import { writeSyntheticRun } from '../../src/report/synthetic.js';
import { getWorld } from '../../src/data/worlds/index.js';
import { ARTIFACTS, NO_BROWSER, drawnCharts, launch, parseLabel, tinyRun } from './browser.js';

const root = mkdtempSync(join(tmpdir(), 'r1-report-browser-'));
let browser: Browser | null = null;
after(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});
const open = async (url: string): Promise<Page> => {
  browser ??= await launch();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url, { waitUntil: 'load' });
  return page;
};
const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const matchCount = async (page: Page) => Number((await page.textContent('#sample-count'))!.split(' ')[0]);

test('the report of a short real GRPO run draws every chart and its samples viewer filters', { skip: NO_BROWSER }, async () => {
  const run = await tinyRun(join(root, 'real'));
  await writeReport(run);
  const page = await open(`file://${join(run, 'report.html')}`);
  const charts = await drawnCharts(page);
  const ids = charts.map((c) => c.id);
  for (const id of ['fig2-accuracy', 'fig3-length', 'rewards', 'format', 'kl', 'entropy', 'clip', 'lr', 'zero-spread', 'throughput', 'styles', 'faithfulness']) {
    assert.ok(ids.includes(id), `chart ${id} missing (have ${ids.join(', ')})`);
  }
  for (const c of charts) {
    assert.ok(c.points > 0, `${c.id}: no data`);
    assert.equal(c.drawn, c.points, `${c.id}: ${c.drawn} of ${c.points} points drawn`);
    assert.ok(c.width > 100 && c.height > 100, `${c.id}: laid out at ${c.width}×${c.height}`);
  }
  // Figure 2's held-out points are exactly the logged evaluations
  const evals = lines(join(run, 'metrics.jsonl')).filter((m) => m.type === 'eval');
  assert.deepEqual(evals.map((e) => e.step), [0, 2, 4]);
  const fig2 = charts.find((c) => c.id === 'fig2-accuracy')!.labels.map(parseLabel).filter((l) => l.series === 'held-out pass@1');
  assert.deepEqual(fig2.map((l) => [Number(l.x), Number(l.y)]), evals.map((e) => [e.step, e.pass1]));

  const samples = lines(join(run, 'samples.jsonl'));
  assert.equal(await matchCount(page), samples.length);
  assert.equal(await page.locator('.sample').count(), Math.min(50, samples.length));
  await page.fill('#f-from', '2');
  await page.fill('#f-to', '3');
  const inRange = samples.filter((s) => (s.step as number) >= 2 && (s.step as number) <= 3).length;
  assert.ok(inRange > 0 && inRange < samples.length);
  assert.equal(await matchCount(page), inRange);
  const steps = await page.$$eval('.sample', (els) => els.map((e) => Number((e as HTMLElement).dataset.step)));
  assert.ok(steps.every((s) => s === 2 || s === 3), `steps shown: ${steps.join(',')}`);
  await page.selectOption('#f-result', 'false');
  const wrong = samples.filter((s) => (s.step as number) >= 2 && (s.step as number) <= 3 && (s.rewards as Record<string, number>).accuracy < 1).length;
  assert.equal(await matchCount(page), wrong);
  await page.screenshot({ path: join(ARTIFACTS, 'real-run.png'), fullPage: true });
});

test('the samples viewer filters by result, style and faithfulness, and shows reasoning and answer apart', { skip: NO_BROWSER }, async () => {
  const dir = join(root, 'synthetic');
  writeSyntheticRun(dir, { steps: 40, samplesPerStep: 5, evalEvery: 10, seed: 7 });
  await writeReport(dir);
  const page = await open(`file://${join(dir, 'report.html')}`);
  for (const c of await drawnCharts(page)) assert.equal(c.drawn, c.points, `${c.id}: ${c.drawn} of ${c.points} points drawn`);
  // what the world itself says about each logged sample
  const world = getWorld('addition');
  const truth = lines(join(dir, 'samples.jsonl')).map((s) => {
    const p = world.parse(/\d+\+\d+/.exec(String(s.prompt))![0])!;
    return { correct: world.check(p, s.completion as string).correct, style: world.styleOf(s.completion as string) ?? 'none', faithful: world.faithfulness(p, s.completion as string).answerFollows };
  });
  const expect = async (result: string, style: string, faithful: string, want: number) => {
    await page.selectOption('#f-result', result);
    await page.selectOption('#f-style', style);
    await page.selectOption('#f-faithful', faithful);
    assert.equal(await matchCount(page), want, `result ${result}, style ${style}, faithful ${faithful}`);
  };
  const n = (f: (t: (typeof truth)[number]) => boolean) => truth.filter(f).length;
  const styles = [...new Set(truth.map((t) => t.style))];
  assert.ok(styles.length >= 2, `styles: ${styles}`);
  assert.ok(n((t) => t.correct) > 0 && n((t) => !t.correct) > 0 && n((t) => t.faithful === false) > 0);
  await expect('true', 'all', 'all', n((t) => t.correct));
  await expect('false', 'all', 'all', n((t) => !t.correct));
  for (const st of styles) await expect('all', st, 'all', n((t) => t.style === st));
  await expect('all', 'all', 'false', n((t) => t.faithful === false));
  await expect('true', 'step', 'true', n((t) => t.correct && t.style === 'step' && t.faithful === true));
  // reasoning and answer are shown apart
  await expect('all', 'step', 'all', n((t) => t.style === 'step'));
  const first = page.locator('.sample').first();
  assert.match((await first.locator('pre.think').textContent())!, /sum \d+/);
  assert.match((await first.locator('pre.answer').textContent())!, /\d+/);
  assert.doesNotMatch((await first.locator('pre.answer').textContent())!, /sum \d+/);
  await page.screenshot({ path: join(ARTIFACTS, 'synthetic-run.png'), fullPage: false });
});

test('r1 report --serve reloads the page when the run writes a new step', { skip: NO_BROWSER }, async () => {
  const dir = join(root, 'live');
  writeSyntheticRun(dir, { steps: 5, samplesPerStep: 2, evalEvery: 100 });
  const { server, url } = await serveReport(dir, 0);
  try {
    const page = await open(url);
    assert.match((await page.textContent('.settings'))!, /5 training steps \(last step 5\)/);
    const reloaded = page.waitForEvent('load', { timeout: 20_000 });
    appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify({ type: 'train', step: 6, reward: 0.5, accuracy: 0.5, completion_length: 90 }) + '\n');
    await reloaded;
    assert.match((await page.textContent('.settings'))!, /6 training steps \(last step 6\)/);
  } finally {
    server.close();
  }
});
