// The run context every long-running piece of work takes: one AbortSignal (Ctrl-C: save after the current step and
// return), where its progress lines go, and its progress bar's callback. Passed explicitly, never module state.
// Not the trainers' options (their run specs) and not the matmul precision (src/tensor/precision.ts, see DESIGN.md).
import type { PhaseProgressFn } from '../util/progress.js';

export interface RunContext {
  /** Aborted by Ctrl-C (or by a caller): the work saves what it has after its current step and returns. */
  readonly signal: AbortSignal;
  /** Progress lines (stderr in the CLI). */
  readonly log: (line: string) => void;
  /** The long parts' progress (pretraining, GRPO, SFT, sampling), for a bar on stderr. */
  readonly progress?: PhaseProgressFn;
}

/** A context with what is given; the rest: a signal never aborted, lines dropped, no progress. */
export function runContext(o: Partial<RunContext> = {}): RunContext {
  return { signal: o.signal ?? new AbortController().signal, log: o.log ?? (() => {}), progress: o.progress };
}
