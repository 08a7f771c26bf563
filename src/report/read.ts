// Reads a run folder for the report: config.json, metrics.jsonl (train and eval lines), samples.jsonl and the
// summaries (demo_summary.json, eval summary.json, bench*.json; a pipeline folder is read by pipeline.ts), tolerating a truncated
// last line, missing files and unknown keys (each becomes a note). Not the drawing (charts.ts, html.ts).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One metrics line, nested objects flattened to slash-joined keys (`styles/step/share`), numbers only. */
export type MetricRow = { step: number } & Record<string, number>;

/** A logged sample as samples.jsonl has it (unknown keys kept). */
export type RawSample = Record<string, unknown>;

export interface RunData {
  dir: string;
  config: Record<string, unknown> | null;
  train: MetricRow[];
  evals: MetricRow[];
  /** Every sample line that parsed (downsampling happens in samples.ts). */
  samples: RawSample[];
  demo: Record<string, unknown> | null;
  /** The `kind` of a trainer_state.json at the folder's top (pretrain, SFT and reward-model folders have one), else null. */
  trainerKind: string | null;
  evalSummary: Record<string, unknown> | null;
  /** results.jsonl of an `r1 eval --out` folder: one line per sample (problem_id, gold, text, correct, ...). */
  results: Record<string, unknown>[];
  bench: { file: string; data: Record<string, unknown> }[];
  /** Sub-folders that are runs themselves (a pipeline's stages): they hold metrics.jsonl, results.jsonl or report.html. */
  subruns: { name: string; hasReport: boolean }[];
  /** What is missing or was skipped, one plain sentence each. */
  notes: string[];
}

/** Flattens nested objects into `a/b/c` keys with numeric (or boolean, as 0/1) leaves; arrays and strings are skipped. */
export function flatten(obj: Record<string, unknown>, prefix = '', out: Record<string, number> = {}): Record<string, number> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}/${k}` : k;
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
    else if (typeof v === 'boolean') out[key] = v ? 1 : 0;
    else if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, key, out);
  }
  return out;
}

/** Parses a JSONL text; a bad last line (a run killed mid-write) and other bad lines are counted, not thrown. */
export function parseJsonl(text: string): { rows: Record<string, unknown>[]; truncatedLast: boolean; badLines: number } {
  const lines = text.split('\n');
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  const rows: Record<string, unknown>[] = [];
  let bad = 0, truncatedLast = false;
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) rows.push(v as Record<string, unknown>);
      else bad++;
    } catch {
      if (i === lines.length - 1) truncatedLast = true;
      else bad++;
    }
  });
  return { rows, truncatedLast, badLines: bad };
}

function readJson(file: string, notes: string[]): Record<string, unknown> | null {
  if (!existsSync(file)) return null;
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    notes.push(`${file} is not a JSON object; skipped`);
  } catch (e) {
    notes.push(`${file} does not parse as JSON (${(e as Error).message}); skipped`);
  }
  return null;
}

function readLines(file: string, what: string, notes: string[]): Record<string, unknown>[] | null {
  if (!existsSync(file)) return null;
  const { rows, truncatedLast, badLines } = parseJsonl(readFileSync(file, 'utf8'));
  if (truncatedLast) notes.push(`the last line of ${what} is cut off (a run stopped mid-write?); it was ignored`);
  if (badLines) notes.push(`${badLines} line(s) of ${what} do not parse as JSON objects; they were ignored`);
  return rows;
}

function trainerKindOf(state: Record<string, unknown> | null): string | null {
  return typeof state?.kind === 'string' ? state.kind : null;
}

/** Reads everything the report can draw from a run folder. Throws only when dir is not a folder. */
export function readRun(dir: string): RunData {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: no such run folder`);
  const notes: string[] = [];
  const config = readJson(join(dir, 'config.json'), notes);
  const metrics = readLines(join(dir, 'metrics.jsonl'), 'metrics.jsonl', notes);
  const train: MetricRow[] = [], evals: MetricRow[] = [];
  let stepless = 0;
  for (const m of metrics ?? []) {
    const flat = flatten(m);
    if (!Number.isFinite(flat.step)) { stepless++; continue; }
    const row = flat as MetricRow;
    if (m.type === 'eval') evals.push(row);
    else train.push(row);
  }
  if (stepless) notes.push(`${stepless} metrics line(s) have no numeric "step"; they were ignored`);
  train.sort((a, b) => a.step - b.step);
  evals.sort((a, b) => a.step - b.step);
  const samples = readLines(join(dir, 'samples.jsonl'), 'samples.jsonl', notes) ?? [];
  const bench = readdirSync(dir).filter((f) => /^bench.*\.json$/.test(f)).sort()
    .flatMap((f) => {
      const data = readJson(join(dir, f), notes);
      return data ? [{ file: f, data }] : [];
    });
  const run: RunData = {
    dir, config, train, evals, samples,
    demo: readJson(join(dir, 'demo_summary.json'), notes),
    trainerKind: trainerKindOf(readJson(join(dir, 'trainer_state.json'), notes)),
    evalSummary: readJson(join(dir, 'summary.json'), notes),
    results: readLines(join(dir, 'results.jsonl'), 'results.jsonl', notes) ?? [],
    bench, notes,
    subruns: readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'checkpoints')
      .filter((e) => ['metrics.jsonl', 'results.jsonl', 'report.html'].some((f) => existsSync(join(dir, e.name, f))))
      .map((e) => ({ name: e.name, hasReport: existsSync(join(dir, e.name, 'report.html')) })).sort((a, b) => a.name.localeCompare(b.name)),
  };
  if (!config) notes.push('no config.json: the run settings are not shown');
  const evalFolder = run.evalSummary !== null || run.results.length > 0;
  if (!metrics && !evalFolder) notes.push('no metrics.jsonl yet: no training curves');
  else if (metrics && !train.length) notes.push('no training steps logged yet');
  if (metrics && !evals.length) notes.push('no held-out evaluation logged yet');
  if (!samples.length && !run.results.length) notes.push('no samples.jsonl (or it is empty): the samples viewer is empty');
  return run;
}
