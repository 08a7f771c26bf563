// Worker threads for CPU-bound tests, so that a test can use a second core: it splits its work, runs part here and
// part in a worker, and checks all of it as before. A call names a module (a test helper, not a .test.ts file) and
// one of its exported functions; arguments and result go by structured clone (numbers, strings, arrays, typed
// arrays, plain objects). A TestWorker keeps its thread (warm, with what its modules cached) for several calls.
import { Worker } from 'node:worker_threads';

const BOOT = new URL('./worker-boot.mjs', import.meta.url);

export class TestWorker {
  private readonly w = new Worker(BOOT);
  private next = 0;
  private readonly pending = new Map<number, { done: (v: unknown) => void; fail: (e: Error) => void }>();
  private dead: Error | undefined;

  constructor() {
    this.w.on('message', ({ id, value, error }: { id: number; value?: unknown; error?: string }) => {
      const p = this.pending.get(id);
      this.pending.delete(id);
      if (error !== undefined) p?.fail(new Error(`in the worker: ${error}`));
      else p?.done(value);
    });
    const end = (e: Error) => {
      this.dead ??= e;
      for (const p of this.pending.values()) p.fail(e);
      this.pending.clear();
    };
    this.w.on('error', end);
    this.w.on('exit', (code) => end(new Error(`the test worker exited (${code})`)));
  }

  /** Calls `fn` of `module` in the worker thread. */
  call<R>(module: string | URL, fn: string, args: unknown[]): Promise<R> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.next++;
    return new Promise<R>((done, fail) => {
      this.pending.set(id, { done: done as (v: unknown) => void, fail });
      this.w.postMessage({ id, module: String(module), fn, args });
    });
  }

  /** Stops the thread (a test file's `after`). */
  async close(): Promise<void> {
    await this.w.terminate();
  }
}

/** One call in a worker thread of its own, stopped after it. */
export async function inWorker<R>(module: string | URL, fn: string, args: unknown[]): Promise<R> {
  const w = new TestWorker();
  try {
    return await w.call<R>(module, fn, args);
  } finally {
    await w.close();
  }
}
