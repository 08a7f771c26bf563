// A pool of worker threads that run verify() with a hard timeout: a check that overruns is answered
// `correct: false, timedOut: true` and its worker is terminated and replaced. Easy checks (plain numbers,
// identical strings) never leave the caller's thread. Not the verifier itself (index.ts); async only.

import { Worker } from 'node:worker_threads';
import type { AsyncRewardFn, RewardContext } from '../types.js';
import { quickEquivalent } from './equivalence.js';
import { goldAnswer, readPrediction, type Verdict, type VerifyOptions } from './index.js';
import type { Job } from './worker.js';

export interface PoolOptions {
  /** Worker threads (default 1). */
  size?: number;
  /** Hard limit of one check in ms, counted from when a ready worker takes it (default 2000). */
  timeoutMs?: number;
  /** Options of every verify() call. */
  verify?: VerifyOptions;
  /** The worker module (default ./worker.ts); tests pass a stand-in. Loaded through tsx's loader. */
  workerUrl?: URL;
}

export interface PoolVerdict extends Verdict {
  /** The check ran past the hard limit and was stopped (then `correct` is false). */
  timedOut: boolean;
}

interface Task {
  job: Job;
  resolve: (v: PoolVerdict) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task: Task | null;
  timer: NodeJS.Timeout | null;
}

export class VerifierPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly timeoutMs: number;
  private readonly opts: VerifyOptions;
  private readonly workerUrl: URL;
  private nextId = 0;
  private closed = false;
  private failedStarts = 0;

  constructor(opts: PoolOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.opts = opts.verify ?? {};
    // worker.js next to the compiled pool.js (dist/), worker.ts next to the source
    this.workerUrl = opts.workerUrl ?? new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
    const size = opts.size ?? 1;
    if (!(Number.isInteger(size) && size >= 1)) throw new Error(`VerifierPool: size must be a positive integer, got ${size}`);
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /** Extracts and judges one completion; never rejects. */
  verify(gold: string, completion: string): Promise<PoolVerdict> {
    if (typeof gold !== 'string') return Promise.resolve({ correct: false, extracted: null, timedOut: false });
    const g = goldAnswer(gold, this.opts.goldKind);
    const extracted = readPrediction(completion, this.opts, g);
    if (extracted === null) return Promise.resolve({ correct: false, extracted, timedOut: false });
    const quick = quickEquivalent(g, extracted, this.opts.equivalence);
    if (quick !== null) return Promise.resolve({ correct: quick, extracted, timedOut: false });
    if (this.closed) return Promise.resolve({ correct: false, extracted, timedOut: false });
    return new Promise((resolve) => {
      this.queue.push({ job: { id: this.nextId++, gold, completion, opts: this.opts }, resolve });
      this.dispatch();
    });
  }

  /** Stops every worker; pending checks are answered `correct: false`. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.resolve({ correct: false, extracted: null, timedOut: false });
    await Promise.all(
      this.slots.map((s) => {
        if (s.timer) clearTimeout(s.timer);
        s.task?.resolve({ correct: false, extracted: null, timedOut: false });
        s.task = null;
        return s.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    // `execArgv: ['--import', 'tsx']` does not reach a worker's entry module on Node 20, so a one-line
    // bootstrap registers tsx's loader inside the worker and then imports the TypeScript module.
    const tsx = import.meta.resolve('tsx/esm/api');
    const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(this.workerUrl.href)}); })`;
    const worker = new Worker(code, { eval: true });
    const slot: Slot = { worker, ready: false, task: null, timer: null };
    worker.unref();
    worker.on('message', (m: { ready?: boolean; id?: number; correct?: boolean; extracted?: string | null }) => {
      if (m.ready) {
        slot.ready = true;
        this.failedStarts = 0;
      } else if (slot.task && m.id === slot.task.job.id) {
        if (slot.timer) clearTimeout(slot.timer);
        const task = slot.task;
        slot.task = null;
        task.resolve({ correct: m.correct === true, extracted: m.extracted ?? null, timedOut: false });
      }
      this.dispatch();
    });
    worker.on('error', () => {
      if (!slot.ready) this.failedStarts++;
      this.replace(slot, false);
    });
    return slot;
  }

  /** Answers the slot's task as failed (timed out or crashed) and puts a fresh worker in its place. */
  private replace(slot: Slot, timedOut: boolean): void {
    if (slot.timer) clearTimeout(slot.timer);
    const task = slot.task;
    slot.task = null;
    if (task) task.resolve({ correct: false, extracted: readPrediction(task.job.completion, this.opts), timedOut });
    void slot.worker.terminate();
    if (this.failedStarts >= 3) {
      // The worker module itself does not load: answer everything as failed rather than respawn forever.
      this.closed = true;
      for (const t of this.queue.splice(0)) t.resolve({ correct: false, extracted: null, timedOut: false });
      return;
    }
    const i = this.slots.indexOf(slot);
    if (i >= 0 && !this.closed) this.slots[i] = this.spawn();
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (!slot.ready || slot.task) continue;
      const task = this.queue.shift()!;
      slot.task = task;
      slot.timer = setTimeout(() => this.replace(slot, true), this.timeoutMs);
      slot.worker.postMessage(task.job);
    }
    // Workers keep the process alive only while there is work, so a forgotten pool never hangs it.
    const busy = this.queue.length > 0 || this.slots.some((s) => s.task !== null);
    for (const s of this.slots) {
      if (busy) s.worker.ref();
      else s.worker.unref();
    }
  }
}

/** The `accuracy` reward on a pool: same contract as accuracyReward (null without gold), asynchronous. */
export function accuracyRewardOnPool(pool: VerifierPool): AsyncRewardFn {
  return async (completions: string[], ctx: RewardContext) => {
    const gold = Array.isArray(ctx.gold) ? ctx.gold : [];
    return Promise.all(
      completions.map(async (c, i) => {
        const g = gold[i];
        if (typeof g !== 'string' || g.trim().length === 0) return null;
        return (await pool.verify(g, typeof c === 'string' ? c : '')).correct ? 1 : 0;
      }),
    );
  };
}
