// Screenshot of a run's report in headless Chromium (Debian's package, playwright-core), as committed under docs/:
//   node --import tsx scripts/screenshot-report.ts RUN_DIR OUT.png [--height PX]
// Writes RUN_DIR/report.html first. Not a test (test/report/browser.test.ts is).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeReport } from '../src/report/index.js';
import { NO_BROWSER, launch } from '../test/report/browser.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { height: { type: 'string' } } });
const [dir, out] = positionals;
if (!dir || !out) {
  console.error('usage: node --import tsx scripts/screenshot-report.ts RUN_DIR OUT.png [--height PX]');
  process.exit(2);
}
if (NO_BROWSER) {
  console.error(NO_BROWSER);
  process.exit(1);
}
await writeReport(dir);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1300, height: Number(values.height ?? 1180) }, deviceScaleFactor: 1 });
await page.goto(pathToFileURL(resolve(dir, 'report.html')).href, { waitUntil: 'load' });
await page.screenshot({ path: out });
await browser.close();
console.error(`wrote ${out}`);
