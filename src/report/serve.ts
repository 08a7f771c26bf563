// `r1 report --serve`: the report of a run folder served on loopback, rebuilt when the folder's files change, with
// the page polling /version and reloading itself while the run goes on. Not a general web server, never on a
// public interface (127.0.0.1 only).
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildReport } from './index.js';

/** Changes whenever a file the report reads changes (names, sizes, modification times). */
export function runVersion(dir: string): string {
  const files = ['config.json', 'metrics.jsonl', 'samples.jsonl', 'demo_summary.json', 'pipeline_summary.json', 'summary.json',
    ...(existsSync(dir) ? readdirSync(dir).filter((f) => /^bench.*\.json$/.test(f)) : [])];
  return files.map((f) => {
    const p = join(dir, f);
    if (!existsSync(p)) return '-';
    const s = statSync(p);
    return `${f}:${s.size}:${s.mtimeMs}`;
  }).join('|');
}

/** Serves the report of `dir` on 127.0.0.1:port (0: any free port); resolves once listening, with the URL. */
export async function serveReport(dir: string, port: number, log: (l: string) => void = () => {}): Promise<{ server: Server; url: string }> {
  let cached: { version: string; html: string } | null = null;
  let building: Promise<string> | null = null;
  const page = async (): Promise<string> => {
    const version = runVersion(dir);
    if (cached?.version === version) return cached.html;
    building ??= buildReport(dir, { live: { url: '/version', version } }).then((r) => {
      cached = { version, html: r.html };
      return r.html;
    }).finally(() => { building = null; });
    return building;
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/version') {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end(runVersion(dir));
    } else if (path === '/' || path === '/report.html') {
      page().then((html) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html))
        .catch((e: Error) => {
          log(`r1 report: ${e.message}`);
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`r1 report: ${e.message}`);
        });
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the report is at /');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}/`;
  return { server, url };
}
