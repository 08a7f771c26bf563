// The run context every long-running piece of work takes: one AbortSignal (Ctrl-C: save after the current step and
// return), where its progress lines go, its progress bar's callback, the matmul precision its models run in, and
// where its step metrics and samples go (src/run/metrics.ts).
// Passed explicitly, never module state. Not the trainers' options (their run specs).
import type { PhaseProgressFn } from '../util/progress.js';
import type { Precision } from './vocabulary.js';
import type { MetricsWriter } from './metrics.js';

export interface RunContext {
  /** Aborted by Ctrl-C (or by a caller): the work saves what it has after its current step and returns. */
  readonly signal: AbortSignal;
  /** Progress lines (stderr in the CLI). */
  readonly log: (line: string) => void;
  /** The long parts' progress (pretraining, SFT, reward-model training, GRPO, sampling), each under its phase name, for a bar on stderr. */
  readonly progress?: PhaseProgressFn;
  /**
   * The matmul precision of the models the work builds or loads (src/tensor/precision.ts: 'auto' resolves to bf16
   * where the CPU has BF16 instructions); a trainer's own precision option, where set, wins.
   */
  readonly precision: Precision;
  /** Where a trainer's step metrics and logged samples go; unset: metrics.jsonl and samples.jsonl in its output folder. */
  readonly metrics?: MetricsWriter;
}

/** A context with what is given; the rest: a signal never aborted, lines dropped, no progress, fp32. */
export function runContext(o: Partial<RunContext> = {}): RunContext {
  return { signal: o.signal ?? new AbortController().signal, log: o.log ?? (() => {}), progress: o.progress, precision: o.precision ?? 'fp32', metrics: o.metrics };
}
