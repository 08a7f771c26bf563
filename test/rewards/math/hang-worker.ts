// A stand-in worker for pool.test.ts: verifies like the real one, except that gold "hang" spins forever
// (as a runaway CAS call would) and gold "crash" throws, so the pool's hard timeout and recovery are tested.
import { parentPort } from 'node:worker_threads';
import { verify } from '../../../src/rewards/math/index.js';

parentPort!.on('message', (job: { id: number; gold: string; completion: string }) => {
  if (job.gold === 'hang') for (;;);
  if (job.gold === 'crash') throw new Error('worker crashed on purpose');
  const v = verify(job.gold, job.completion);
  parentPort!.postMessage({ id: job.id, correct: v.correct, extracted: v.extracted });
});
parentPort!.postMessage({ ready: true });
