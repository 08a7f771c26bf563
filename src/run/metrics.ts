// The one metrics/samples writer of every trainer: metrics.jsonl (one {type, step, ...numbers} line a step or
// evaluation) and samples.jsonl (logged completions) in a run folder, the format `r1 report` reads (src/report/read.ts).
// Not the reading, the trimming on resume (src/rl/state.ts) or what a trainer chooses to log.
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** A metrics.jsonl line: 'train' lines are the curves, 'eval' lines the held-out points (other types count as train). */
export type MetricsLine = { type: string; step: number } & Record<string, unknown>;

export interface MetricsWriter {
  /** One metrics.jsonl line. */
  metric(line: MetricsLine): void;
  /** One samples.jsonl line (a prompt, its completion, its rewards; `step` first). */
  sample(line: { step: number } & Record<string, unknown>): void;
}

/**
 * A writer appending to dir/metrics.jsonl and dir/samples.jsonl (the folder is made; a file appears with its first line);
 * `fresh` removes both first, for a trainer that starts over in a folder (a resumed run keeps them, trimmed by its resume).
 */
export function jsonlMetrics(dir: string, o: { fresh?: boolean } = {}): MetricsWriter {
  mkdirSync(dir, { recursive: true });
  const files = { metric: join(dir, 'metrics.jsonl'), sample: join(dir, 'samples.jsonl') };
  if (o.fresh) for (const f of Object.values(files)) rmSync(f, { force: true });
  return {
    metric: (line) => appendFileSync(files.metric, JSON.stringify(line) + '\n'),
    sample: (line) => appendFileSync(files.sample, JSON.stringify(line) + '\n'),
  };
}

/** The context's writer when it has one, else a fresh JSONL writer in the trainer's output folder. */
export function metricsFor(given: MetricsWriter | undefined, out: string): MetricsWriter {
  return given ?? jsonlMetrics(out, { fresh: true });
}
