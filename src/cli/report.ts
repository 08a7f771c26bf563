// `r1 report RUN_DIR [--out FILE.html] [--serve [--port N]] [--png]`: the HTML report of a run folder (GRPO run,
// demo, pipeline or eval), its plots as PNG files, or served on loopback while the run goes on.
// Parses flags and prints; the report itself is src/report.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './main.js';
import { parseFlags, numFlag, NON_NEGATIVE_INT, COMMON_FLAGS } from './args.js';
import { buildReport, saveHtml, writePngs } from '../report/index.js';
import { serveReport } from '../report/serve.js';

const HELP = `usage: r1 report RUN_DIR [--out FILE.html] [--png] [--json]
       r1 report RUN_DIR --serve [--port N]
  RUN_DIR          a run folder (metrics.jsonl, samples.jsonl, config.json, demo/pipeline/eval summaries)
  --out FILE.html  where the report goes (default RUN_DIR/report.html); one self-contained file, no network needed
  --png            also write each plot as PNG into <out without .html>-png/ (for papers and issues)
  --serve          serve the report on 127.0.0.1 and reload it while the run goes on (Ctrl-C stops)
  --port N         port for --serve (default 8765; 0 picks a free one)
  --json           print {"report": FILE, "charts": N, "notes": [...], "png": [...]} on stdout
  -q, --quiet      print nothing on stderr`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags({
    args: argv, allowPositionals: true,
    options: { out: { type: 'string' }, png: { type: 'boolean' }, serve: { type: 'boolean' }, port: { type: 'string' }, json: { type: 'boolean' }, ...COMMON_FLAGS },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`give exactly one RUN_DIR (got ${positionals.length}), e.g. r1 report runs/2026-01-01T00-00-00`);
  const dir = positionals[0]!;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir}: no such folder; pass the run folder that holds metrics.jsonl`);
  const log = (l: string) => { if (!values.quiet) console.error(l); };
  if (values.serve) {
    if (values.png || values.out) throw new UsageError('--serve serves the page; drop --out / --png (or run them without --serve)');
    const port = numFlag(values.port, 'port', { ...NON_NEGATIVE_INT, max: 65535 }, 8765);
    let served;
    try {
      served = await serveReport(dir, port, log);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use; pass --port N (0 picks a free one)`);
      throw e;
    }
    log(`r1 report: serving ${dir} at ${served.url} (reloads while the run goes on; Ctrl-C stops)`);
    if (values.json) console.log(JSON.stringify({ url: served.url }));
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    served.server.close();
    return 130;
  }
  if (values.port) throw new UsageError('--port goes with --serve');
  const out = values.out ?? join(dir, 'report.html');
  if (!/\.html?$/i.test(out)) throw new UsageError(`--out ${out}: give a file name ending in .html`);
  const t0 = performance.now();
  const r = await buildReport(dir);
  saveHtml(r.html, out);
  const png = values.png ? await writePngs(r.charts, join(dirname(out), `${basename(out).replace(/\.html?$/i, '')}-png`)) : [];
  const notes = r.notes, charts = r.charts.length;
  for (const n of notes) log(`note: ${n}`);
  log(`r1 report: ${charts} plots → ${out}${png.length ? ` and ${png.length} PNG files in ${dirname(png[0]!)}` : ''} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  if (values.json) console.log(JSON.stringify({ report: out, charts, notes, png }));
  return 0;
}
