// The worker side of pool.ts: runs verify() for the pool's messages on its own thread, so the pool can
// terminate it when a check (a single compute-engine call cannot be interrupted) overruns its budget.
// Not an entry point for anything else; it holds no logic of its own.

import { parentPort } from 'node:worker_threads';
import { verify, type VerifyOptions } from './index.js';

export interface Job {
  id: number;
  gold: string;
  completion: string;
  opts: VerifyOptions;
}

parentPort!.on('message', (job: Job) => {
  const v = verify(job.gold, job.completion, job.opts);
  parentPort!.postMessage({ id: job.id, correct: v.correct, extracted: v.extracted });
});
parentPort!.postMessage({ ready: true });
