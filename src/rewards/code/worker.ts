// Child process behind CodeRunner.reward (the synchronous code reward): reads
// {completions, ctx, limits, concurrency} as JSON on stdin, prints the rewards as one JSON array.
// It only bridges async to sync; all scoring lives in index.ts.

import { CodeRunner } from './index.js';

const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const job = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const runner = new CodeRunner({ limits: job.limits, concurrency: job.concurrency, warn: (m) => process.stderr.write(m + '\n') });
process.stdout.write(JSON.stringify(await runner.rewardAsync(job.completions, job.ctx)) + '\n');
