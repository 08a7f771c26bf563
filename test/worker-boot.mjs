// The entry of test/worker.ts's worker threads: TypeScript through tsx (as in the test processes), then, for each
// message {id, module, fn, args}, a call of that module's export `fn`; its result (or error) goes back with the id.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
parentPort.on('message', async ({ id, module, fn, args }) => {
  try {
    const m = await import(module);
    parentPort.postMessage({ id, value: await m[fn](...args) });
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
