// A pretrained base as a cache entry (the demo's default bases, the pipeline's teacher and student bases): trained
// into a temporary folder and renamed into place only when it ran its whole token budget. Not the training itself
// (pretrain.ts, whose source the cache keys hash: this file is apart so that changing it keeps existing entries).
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pretrainWorld } from './pretrain.js';
import type { PretrainOptions } from './config.js';
import { runContext, type RunContext } from '../run/context.js';

export interface CachedPretrain {
  /** The cache folder, or the temporary folder of a base the safety limit cut short (this run's only). */
  dir: string;
  seconds: number;
  /** Cut short by the safety limit: used by this run but not cached, so the next run pretrains again. */
  cutShort: boolean;
  /** Interrupted (the signal): nothing cached; the caller says so. */
  stopped: boolean;
}

/** Whether a process with this id is running (signal 0 only checks; EPERM means it exists but is not ours). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the temporary folders (`*.tmp-PID`) in the cache folder whose run has ended: cut-short or interrupted bases. */
export function removeStaleTemporaries(cacheDir: string): void {
  if (!existsSync(cacheDir)) return;
  for (const f of readdirSync(cacheDir)) {
    const m = /\.tmp-(\d+)$/.exec(f);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) rmSync(join(cacheDir, f), { recursive: true, force: true });
  }
}

/**
 * Pretrains into `${dir}.tmp-PID`, renamed to dir when complete; the context's signal interrupts it. Temporary
 * folders that ended runs left next to it (a cut-short base is used by its run, then left) are removed first.
 */
export async function pretrainIntoCache(dir: string, opts: Omit<PretrainOptions, 'out'>, ctx: RunContext = runContext()): Promise<CachedPretrain> {
  const tmp = `${dir}.tmp-${process.pid}`;
  removeStaleTemporaries(dirname(dir));
  rmSync(tmp, { recursive: true, force: true });
  const r = await pretrainWorld({ ...opts, out: tmp }, ctx);
  if (r.stopped || r.cutShort) {
    if (r.cutShort) ctx.log(`base model: pretraining was cut short by the safety limit, so this run uses it from ${tmp} but does not cache it`);
    return { dir: tmp, seconds: r.seconds, cutShort: r.cutShort, stopped: r.stopped };
  }
  mkdirSync(dirname(dir), { recursive: true });
  renameSync(tmp, dir);
  return { dir, seconds: r.seconds, cutShort: false, stopped: false };
}
