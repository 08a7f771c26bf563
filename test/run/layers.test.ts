// The layer table of DESIGN.md holds: no import cycle among src/ files (static, type-only and dynamic string imports
// all count) and no import from a folder to one listed below it. Reads the files as text; not a bundler's resolver
// (imports named by an expression are not followed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = join(import.meta.dirname, '..', '..', 'src');
/** DESIGN.md's table, top (depends on nothing) to bottom; a folder imports only folders before it (and itself). */
const LAYERS = ['util', 'run', 'tensor', 'optim', 'model', 'generate', 'rewards', 'data', 'eval', 'sft', 'rl', 'pipeline', 'serve', 'report', 'bench', 'cli'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Each file's relative imports, resolved to files. */
function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(files.map((f) => {
    const text = readFileSync(f, 'utf8');
    const to = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)]
      .map((m) => resolve(dirname(f), (m[1] ?? m[2])!.replace(/\.js$/, '.ts'))).filter((t) => known.has(t));
    return [f, [...new Set(to)]];
  }));
}

/** The strongly connected components of more than one file (Tarjan). */
function cycles(g: Map<string, string[]>): string[][] {
  let n = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>(), out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, n); low.set(v, n++); stack.push(v); on.add(v);
    for (const w of g.get(v)!) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const c: string[] = [];
    let w: string;
    do { w = stack.pop()!; on.delete(w); c.push(w); } while (w !== v);
    if (c.length > 1) out.push(c);
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

const graph = importGraph(sourceFiles(SRC));
const rel = (f: string) => relative(SRC, f);
const layerOf = (f: string) => LAYERS.indexOf(rel(f).split('/')[0]!.replace(/\.ts$/, ''));

test('the walker sees imports (a known arrow) and every src/ folder is in the table', () => {
  assert.ok(graph.get(join(SRC, 'pipeline', 'distill.ts'))!.includes(join(SRC, 'pipeline', 'blocks.ts')));
  const folders = new Set([...graph.keys()].map((f) => rel(f).split('/')).filter((p) => p.length > 1).map((p) => p[0]!));
  assert.deepEqual([...folders].filter((f) => !LAYERS.includes(f)), []);
});

test('no import cycle among src/ files', () => {
  assert.deepEqual(cycles(graph).map((c) => c.map(rel).sort().join(' <-> ')), []);
});

test('no import up the layer table', () => {
  const up = [...graph].flatMap(([f, to]) => to.filter((t) => layerOf(f) >= 0 && layerOf(t) > layerOf(f)).map((t) => `${rel(f)} -> ${rel(t)}`));
  assert.deepEqual(up, []);
});
