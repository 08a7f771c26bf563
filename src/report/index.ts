// The run report: reads a run folder and writes report.html (one self-contained file; plots drawn by Vega as SVG),
// optionally a PNG of each plot. `writeReport` is what trainers, the demo, the pipeline and eval call at each
// evaluation and at the end of a run. Imports only data/ and util/ (no model): DESIGN.md's report layer.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { readRun, type RunData } from './read.js';
import { renderChart, type RenderedChart } from './charts.js';
import { runFigures } from './figures.js';
import { pickSamples, viewSample, worldOf } from './samples.js';
import { renderPage, type Page } from './html.js';
import { isPipelineFolder, pipelineCharts, pipelineNotes, pipelineSettings, pipelineTables, readPipeline } from './pipeline.js';

/** The most samples embedded in the page (whole steps, spread over the run); the curves use all of them. */
export const MAX_VIEW_SAMPLES = 2000;

export interface ReportOptions {
  /** `r1 report --serve`: the page polls `url` and reloads when it no longer answers `version`. */
  live?: { url: string; version: string };
  maxSamples?: number;
}

export interface Report {
  html: string;
  charts: RenderedChart[];
  notes: string[];
}

const pct = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '–');
const cell = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Math.round(v * 1e4) / 1e4))
  : typeof v === 'string' ? v : typeof v === 'boolean' ? String(v) : v == null ? '–' : JSON.stringify(v));

function settings(run: RunData): [string, string][] {
  const c = run.config ?? {};
  const keys = ['model', 'world', 'data', 'template', 'steps', 'maxSeconds', 'promptsPerStep', 'numGenerations', 'temperature', 'maxCompletionLength',
    'rewards', 'lossType', 'beta', 'epsilon', 'epsilonHigh', 'learningRate', 'lrSchedulerType', 'numIterations', 'evalEvery', 'evalSamples', 'seed'];
  const out: [string, string][] = keys.filter((k) => c[k] !== undefined && c[k] !== null)
    .map((k) => [k, k === 'rewards' && Array.isArray(c[k]) ? (c[k] as { name: string; weight?: number }[]).map((r) => `${r.name} × ${r.weight ?? 1}`).join(', ') : cell(c[k])]);
  if (typeof c.loraR === 'number' && c.loraR > 0) out.push(['loraR', cell(c.loraR)]);
  const servers = (c.rollout as { endpoints?: unknown[] } | undefined)?.endpoints;
  if (Array.isArray(servers)) { // sampled on servers: how, and how stale its rollouts could be
    out.push(['rollout', `${servers.length} server${servers.length === 1 ? '' : 's'}`]);
    for (const k of ['weightSyncSteps', 'asyncRollouts', 'maxStaleness', 'clipAgainst', 'vllmImportanceSamplingMode']) if (c[k] !== undefined) out.push([k, cell(c[k])]);
  }
  const last = run.train[run.train.length - 1];
  if (last) out.push(['logged', `${run.train.length} training steps (last step ${last.step}), ${run.evals.length} evaluations, ${run.samples.length} samples`]);
  return out;
}

/** A table of objects: columns are the union of their scalar keys. */
function objectTable(title: string, rows: Record<string, unknown>[], caption?: string, limit = 500): Page['tables'][number] {
  const head = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => r[k] === null || typeof r[k] !== 'object')))];
  const shown = rows.slice(0, limit);
  return { title, head, rows: shown.map((r) => head.map((h) => cell(r[h]))),
    caption: rows.length > limit ? `${caption ?? ''} The first ${limit} of ${rows.length} rows.`.trim() : caption };
}

function tables(run: RunData): Page['tables'] {
  const out: Page['tables'] = [];
  const d = run.demo as Record<string, Record<string, unknown>> | null;
  if (d?.base && d?.rl) {
    const b = d.base, r = d.rl;
    const len = (v: unknown) => (typeof v === 'number' ? v.toFixed(1) : '–');
    const styles = [...new Set([...Object.keys((b.styles as object) ?? {}), ...Object.keys((r.styles as object) ?? {})])];
    const row = (label: string, m: Record<string, unknown>) => [label, pct(m.pass1), pct(m.cons16), pct(m.format_rate), len(m.mean_len), pct(m.always_wrong),
      pct(m.unfaithful_line_rate), pct(m.answer_unfaithful_rate), ...styles.map((s) => pct((m.styles as Record<string, { share: number }>)?.[s]?.share))];
    const secs = (v: unknown) => (typeof v === 'number' ? v.toFixed(0) : '–');
    out.push({ title: 'Before and after RL', rows: [row('base model', b), row('after RL', r)],
      head: ['', 'held-out pass@1', 'cons@16', 'format', 'mean length', 'always wrong', 'wrong lines', 'answer ≠ own lines', ...styles.map((s) => `style ${s}`)],
      caption: `${cell(d.steps)} GRPO steps in ${secs(d.rl_seconds)} s; whole demo ${secs(d.seconds)} s. Measured on held-out problems, 16 samples each at T 0.6, top-p 0.95.` });
  }
  const e = run.evalSummary;
  if (e) {
    const scalars = leaves(e);
    if (scalars.length) out.push({ title: 'Evaluation', head: ['', 'value'], rows: scalars.map(([k, v]) => [k, cell(v)]) });
    const per = [e.per_problem, e.problems, e.results].find(Array.isArray) as unknown[] | undefined;
    if (per) out.push(objectTable('Per-problem results', per.filter((x) => x && typeof x === 'object') as Record<string, unknown>[]));
  }
  if (run.results.length) out.push(objectTable('Per-problem results', perProblem(run.results), 'From results.jsonl: samples, how many were right, and pass@1 per problem, hardest first.'));
  return out;
}

/** The scalar leaves of an object as [a/b key, value] rows (arrays shown by their length). */
function leaves(o: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(o).flatMap(([k, v]): [string, string][] => {
    const key = prefix ? `${prefix}/${k}` : k;
    if (Array.isArray(v)) return [[`${key} (count)`, String(v.length)]];
    if (v && typeof v === 'object') return leaves(v as Record<string, unknown>, key);
    return [[key, cell(v)]];
  });
}

/** One row per problem of an eval's results.jsonl, hardest first. */
function perProblem(results: Record<string, unknown>[]): Record<string, unknown>[] {
  const by = new Map<string, { gold: unknown; n: number; right: number; answers: Map<string, number> }>();
  for (const r of results) {
    const id = String(r.problem_id);
    const g = by.get(id) ?? { gold: r.gold, n: 0, right: 0, answers: new Map() };
    g.n++;
    if (r.correct === true) g.right++;
    const a = r.answer == null ? '(none)' : String(r.answer);
    g.answers.set(a, (g.answers.get(a) ?? 0) + 1);
    by.set(id, g);
  }
  return [...by.entries()].map(([id, g]) => ({
    problem_id: id, gold: g.gold, samples: g.n, correct: g.right, pass_at_1: g.right / g.n,
    most_common_answer: [...g.answers.entries()].sort((a, b) => b[1] - a[1])[0]![0],
  })).sort((a, b) => a.pass_at_1 - b.pass_at_1);
}

/** The report of a pipeline folder: every stage folder read, its tables, each RL stage's Figures 2-3, samples by stage. */
async function buildPipelineReport(runDir: string, opts: ReportOptions): Promise<Report> {
  const p = readPipeline(runDir);
  const fig = pipelineCharts(p);
  const picked = pickSamples(fig.samples, opts.maxSamples ?? MAX_VIEW_SAMPLES);
  const charts: RenderedChart[] = [];
  for (const c of fig.charts) charts.push(await renderChart(c));
  const notes = [...pipelineNotes(p), ...(picked.note ? [picked.note] : [])];
  const html = renderPage({
    title: `r1ts pipeline: ${basename(resolve(runDir))}`, runDir: resolve(runDir), generatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    settings: pipelineSettings(p), notes, tables: pipelineTables(p), charts, otherKeys: [],
    samples: picked.kept, samplesTotal: fig.samples.length, live: opts.live, subruns: [],
  });
  return { html, charts, notes };
}

/** Builds the report of a run folder in memory. */
export async function buildReport(runDir: string, opts: ReportOptions = {}): Promise<Report> {
  if (isPipelineFolder(runDir)) return buildPipelineReport(runDir, opts);
  const run = readRun(runDir);
  const w = worldOf(run.config);
  // an eval folder's results.jsonl: its samples in the viewer (step 0), one row per problem in a table
  const evalSamples = run.results.map((r) => ({
    step: 0, prompt: `problem ${String(r.problem_id)}`, gold: r.gold, completion: r.text, correct: r.correct, tokens: r.tokens, finish: r.finish_reason,
  }));
  const all = [...run.samples, ...evalSamples].map((s) => viewSample(s, w));
  const fig = runFigures(run, all);
  const picked = pickSamples(all, opts.maxSamples ?? MAX_VIEW_SAMPLES);
  const charts: RenderedChart[] = [];
  for (const c of fig.charts) charts.push(await renderChart(c));
  const notes = [...run.notes, ...fig.notes, ...(picked.note ? [picked.note] : [])];
  const kind = run.demo ? 'demo' : (run.evalSummary || run.results.length) && !run.train.length ? 'evaluation'
    : run.trainerKind ? `${run.trainerKind.replace(/_/g, ' ')} run` : 'GRPO run';
  const html = renderPage({
    title: `r1ts ${kind}: ${basename(resolve(runDir))}`, runDir: resolve(runDir), generatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    settings: settings(run), notes, tables: tables(run), charts, otherKeys: fig.otherKeys,
    samples: picked.kept, samplesTotal: all.length, live: opts.live, subruns: run.subruns,
  });
  return { html, charts, notes };
}

/**
 * Writes the report of `runDir` to `outFile` (default RUN_DIR/report.html), atomically (a temporary file renamed),
 * so a browser never sees half a page. Called at each evaluation and at the end of every run.
 */
export async function writeReport(runDir: string, outFile?: string): Promise<void> {
  saveHtml((await buildReport(runDir)).html, outFile ?? join(runDir, 'report.html'));
}

/** `r1 report`'s files: the report of runDir at out and, with png, each plot as a PNG in <out without .html>-png/. */
export async function writeReportFiles(runDir: string, out: string, png: boolean): Promise<{ charts: number; notes: string[]; png: string[] }> {
  const r = await buildReport(runDir);
  saveHtml(r.html, out);
  const files = png ? await writePngs(r.charts, join(dirname(out), `${basename(out).replace(/\.html?$/i, '')}-png`)) : [];
  return { charts: r.charts.length, notes: r.notes, png: files };
}

/** Writes a page through a temporary file and a rename. */
export function saveHtml(html: string, out: string): void {
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, html);
  renameSync(tmp, out);
}

/** Writes one PNG per plot into `dir` (named by the plot's id), rasterised from its SVG by resvg; returns the files. */
export async function writePngs(charts: RenderedChart[], dir: string, scale = 2): Promise<string[]> {
  const { Resvg } = await import('@resvg/resvg-js');
  mkdirSync(dir, { recursive: true });
  return charts.map((c) => {
    const png = new Resvg(c.svg, { fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
    const file = join(dir, `${c.id}.png`);
    writeFileSync(file, png);
    return file;
  });
}
