// Progress of a long command on stderr: a cli-progress bar on a terminal (step / total, ETA, the few numbers that
// matter), plain periodic lines when stderr is not a terminal (CI, logs), nothing with --quiet. Log lines pass
// through without breaking the bar. Not a logger of results (those go to stdout) and not a timer of steps.
import { MultiBar, type SingleBar } from 'cli-progress';

export interface ProgressOptions {
  /** What runs: 'pretrain', 'grpo', 'eval', … (starts each line). */
  label: string;
  /** Steps in all (a time budget can end the run first: pass `fraction` to update); 0 when only a budget is known. */
  total: number;
  /** Unit of the count (default 'steps'). */
  unit?: string;
  /** --quiet: no progress and no log lines. */
  quiet?: boolean;
  /** Where it goes (default process.stderr). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Force the bar (true) or plain lines (false); default: the stream's isTTY. */
  tty?: boolean;
  /** Plain mode: at most one line per this many ms (default 10 s), plus the first and the last. */
  intervalMs?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

export type ProgressValues = Record<string, string | number>;

export interface Progress {
  /** `done` of `total` (with `fraction`, the share of the budget spent when that is ahead of done/total). */
  update(done: number, values?: ProgressValues, fraction?: number): void;
  /** A line of text (stderr), kept apart from the bar. */
  log(line: string): void;
  /** Ends the bar (plain mode: prints the final line). */
  stop(): void;
}

/** 1h02m, 3m05s, 42s. */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  s = Math.round(s);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** Numbers shown with 3–4 significant digits; strings as they are. */
export function formatValues(values: ProgressValues = {}): string {
  return Object.entries(values).map(([k, v]) => `${k} ${typeof v === 'number' ? fmtNum(v) : v}`).join('  ');
}

function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (Number.isInteger(v)) return String(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

/** The reporter for one long command; see ProgressOptions. */
export function createProgress(o: ProgressOptions): Progress {
  const stream = o.stream ?? process.stderr;
  if (o.quiet) return { update() {}, log() {}, stop() {} };
  const now = o.now ?? (() => performance.now());
  const unit = o.unit ?? 'steps';
  const t0 = now();
  let done = 0, frac = 0, values: ProgressValues = {}, stopped = false, dirty = false;
  const eta = () => (frac > 0 && now() > t0 ? formatDuration(((now() - t0) / 1000) * (1 - frac) / frac) : '?');
  const count = () => (o.total > 0 ? `${done}/${o.total} ${unit}` : `${done} ${unit}`);
  const set = (d: number, v: ProgressValues | undefined, f: number | undefined) => {
    done = d;
    if (v) values = v;
    frac = Math.min(1, Math.max(o.total > 0 ? d / o.total : 0, f ?? 0));
    dirty = true;
  };

  if (o.tty ?? Boolean(stream.isTTY)) {
    const multi = new MultiBar({
      stream: stream as NodeJS.WriteStream, format: `${o.label} [{bar}] {percentage}% | {count} | ETA {eta_s} | {values}`,
      barsize: 24, hideCursor: true, clearOnComplete: false, stopOnComplete: false, etaBuffer: 50, fps: 5, forceRedraw: false,
      autopadding: true, noTTYOutput: false, linewrap: false, barCompleteChar: '\u2588', barIncompleteChar: '\u2591',
    });
    const bar: SingleBar = multi.create(1000, 0, { count: count(), eta_s: '?', values: '' });
    return {
      update(d, v, f) {
        if (stopped) return;
        set(d, v, f);
        bar.update(Math.round(frac * 1000), { count: count(), eta_s: eta(), values: formatValues(values) });
      },
      log(line) {
        if (stopped) {
          stream.write(`${line}\n`);
          return;
        }
        multi.log(line.endsWith('\n') ? line : `${line}\n`);
        multi.update(); // writes the line above the bar now
      },
      stop() {
        if (stopped) return;
        stopped = true;
        bar.update(Math.round(frac * 1000), { count: count(), eta_s: formatDuration(0), values: formatValues(values) });
        multi.stop();
      },
    };
  }

  const every = o.intervalMs ?? 10_000;
  let last = -Infinity;
  const line = () => `${o.label}: ${count()} (${(100 * frac).toFixed(1)}%)  elapsed ${formatDuration((now() - t0) / 1000)}  ETA ${eta()}${
    Object.keys(values).length ? `  | ${formatValues(values)}` : ''}\n`;
  return {
    update(d, v, f) {
      if (stopped) return;
      set(d, v, f);
      if (now() - last >= every) {
        last = now();
        dirty = false;
        stream.write(line());
      }
    },
    log(l) { stream.write(`${l}\n`); },
    stop() {
      if (stopped) return;
      stopped = true;
      if (dirty && done > 0) stream.write(line()); // not the line just written again
    },
  };
}

/**
 * Progress of a command with phases (pretrain, grpo, sampling, sft, …), as one callback the layers below take:
 * the phase, done of total (0 when only a budget is known), the share of the budget spent, numbers to show, the unit.
 */
export type PhaseProgressFn = (phase: string, done: number, total: number, fraction: number, values?: ProgressValues, unit?: string) => void;

/** One reporter over phases: a new bar (or line series) labelled `label phase` whenever the phase or its total changes; a phase ends at fraction 1. */
export function createPhasedProgress(o: Omit<ProgressOptions, 'total' | 'unit'>): { progress: PhaseProgressFn; log: (line: string) => void; stop: () => void } {
  const stream = o.stream ?? process.stderr;
  let cur: Progress | null = null, key = '';
  return {
    progress(phase, done, total, fraction, values, unit) {
      if (o.quiet) return;
      const k = `${phase}\u0000${total}\u0000${unit ?? ''}`;
      if (!cur || k !== key) {
        cur?.stop();
        cur = createProgress({ ...o, label: `${o.label} ${phase}`, total, unit });
        key = k;
      }
      cur.update(done, values, fraction);
      if (fraction >= 1) { // the phase is over: its last line now, not when the next phase starts
        cur.stop();
        cur = null;
        key = '';
      }
    },
    log(line) {
      if (o.quiet) return;
      if (cur) cur.log(line);
      else stream.write(`${line}\n`);
    },
    stop() {
      cur?.stop();
      cur = null;
      key = '';
    },
  };
}
