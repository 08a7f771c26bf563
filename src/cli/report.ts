// `r1 report RUN_DIR [--out FILE.html] [--serve [--port N]] [--png]`: the HTML report of a run folder (GRPO run,
// demo, pipeline or eval), its plots as PNG files, or served on loopback while the run goes on.
// Parses flags and prints; the report itself is src/report.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from './main.js';
import { printJson, readCommandLine } from './args.js';
import { REPORT_SPEC } from './specs.js';
import { resolve } from '../run/spec.js';
import { writeReportFiles } from '../report/index.js';
import { serveReport } from '../report/serve.js';

const USAGE = `usage: r1 report RUN_DIR [--out FILE.html] [--png] [--json]
       r1 report RUN_DIR --serve [--port N]
RUN_DIR: a run folder (metrics.jsonl, samples.jsonl, config.json, demo/pipeline/eval summaries)`;

export async function run(argv: string[]): Promise<number> {
  const cl = readCommandLine(REPORT_SPEC, {}, argv, { usage: USAGE, positionals: true });
  if (!cl) return 0;
  const positionals = cl.positionals;
  const values = resolve(REPORT_SPEC, [cl.layer]);
  if (positionals.length !== 1) throw new UsageError(`give exactly one RUN_DIR (got ${positionals.length}), e.g. r1 report runs/2026-01-01T00-00-00`);
  const dir = positionals[0]!;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir}: no such folder; pass the run folder that holds metrics.jsonl`);
  const log = (l: string) => { if (!values.quiet) console.error(l); };
  if (values.serve) {
    if (values.png || values.out) throw new UsageError('--serve serves the page; drop --out / --png (or run them without --serve)');
    const port = values.port ?? 8765;
    const served = await serveReport(dir, port, log).catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'EADDRINUSE' ? new UsageError(`port ${port} is in use; pass --port N (0 picks a free one)`) : e;
    });
    log(`r1 report: serving ${dir} at ${served.url} (reloads while the run goes on; Ctrl-C stops)`);
    if (values.json) printJson({ url: served.url });
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    served.server.close();
    return 130;
  }
  if (values.port !== null) throw new UsageError('--port goes with --serve');
  const out = values.out ?? join(dir, 'report.html');
  if (!/\.html?$/i.test(out)) throw new UsageError(`--out ${out}: give a file name ending in .html`);
  const t0 = performance.now();
  const { charts, notes, png } = await writeReportFiles(dir, out, values.png);
  for (const n of notes) log(`note: ${n}`);
  log(`r1 report: ${charts} plots → ${out}${png.length ? ` and ${png.length} PNG files in ${dirname(png[0]!)}` : ''} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  if (values.json) printJson({ report: out, charts, notes, png });
  return 0;
}
