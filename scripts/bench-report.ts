// Benchmark of the run report at scale: a synthetic 10,000-step run with 50,000 samples (src/report/synthetic.ts),
// its report's size, the time to build it, and the time it takes to open in headless Chromium (Debian's package,
// playwright-core; navigation start to the load event, median of 3). Usage:
//   node --import tsx scripts/bench-report.ts [--steps N] [--samples-per-step K] [--json]
// Not a test: speed is measured here and reported, never asserted.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSyntheticRun } from '../src/report/synthetic.js';
import { writeReport } from '../src/report/index.js';
import { CHROMIUM, NO_BROWSER, launch } from '../test/report/browser.js';

const { values } = parseArgs({ options: { steps: { type: 'string' }, 'samples-per-step': { type: 'string' }, json: { type: 'boolean' } } });
const steps = Number(values.steps ?? 10_000), perStep = Number(values['samples-per-step'] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'r1-bench-report-'));
try {
  let t = performance.now();
  writeSyntheticRun(dir, { steps, samplesPerStep: perStep, evalEvery: 100 });
  const synthSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  await writeReport(dir);
  const buildSeconds = (performance.now() - t) / 1000;
  const file = join(dir, 'report.html');
  const result: Record<string, unknown> = {
    steps, samples: steps * perStep, metrics_bytes: statSync(join(dir, 'metrics.jsonl')).size, samples_bytes: statSync(join(dir, 'samples.jsonl')).size,
    report_bytes: statSync(file).size, build_seconds: buildSeconds, synth_seconds: synthSeconds,
  };
  if (NO_BROWSER) {
    result.open_ms = null;
    result.note = NO_BROWSER;
  } else {
    const browser = await launch();
    const opens: number[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`file://${file}`, { waitUntil: 'load' });
      const nav = await page.evaluate(() => {
        const e = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        return { load: e.loadEventEnd - e.startTime, dom: e.domContentLoadedEventEnd - e.startTime, cards: document.querySelectorAll('.sample').length, charts: document.querySelectorAll('figure.chart').length };
      });
      opens.push(nav.load);
      result.charts = nav.charts;
      result.cards_shown = nav.cards;
      await page.close();
    }
    await browser.close();
    result.open_ms = opens.sort((a, b) => a - b)[1];
    result.open_ms_runs = opens;
    result.browser = CHROMIUM;
  }
  if (values.json) console.log(JSON.stringify(result));
  else for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(16)} ${typeof v === 'number' ? Math.round(v * 1000) / 1000 : JSON.stringify(v)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
