// The child of test/r1-batch.ts: runs several `r1` invocations one after another in this one process, each through
// src/cli/main.ts's main(argv) as bin/r1.js calls it, with its stdout and stderr captured and main's return value as
// its exit status. argv[2] is a JSON file of [{ args, env? }], argv[3] where the [{ status, stdout, stderr }] go.
// It ends by itself (no process.exit): a command that left a timer, socket or worker behind keeps it alive, and the
// caller's timeout fails the test, as it would for a real `r1` process that did not exit.
import { readFileSync, writeFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const [callsFile, resultsFile] = process.argv.slice(2);
const calls = JSON.parse(readFileSync(callsFile, 'utf8'));
const results = [];
const real = { out: process.stdout.write, err: process.stderr.write };
/** A stream.write that appends to a string; calls the write callback as the real stream would. */
const capture = (append) => function (chunk, encoding, cb) {
  append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
  const done = typeof encoding === 'function' ? encoding : cb;
  if (typeof done === 'function') process.nextTick(done);
  return true;
};
for (const { args, env = {} } of calls) {
  let stdout = '', stderr = '';
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  process.stdout.write = capture((s) => { stdout += s; });
  process.stderr.write = capture((s) => { stderr += s; });
  let status;
  try {
    status = await main(args);
  } catch (err) {
    // what the real process does with an error main() lets through: the stack on stderr, exit status 1
    stderr += `${err instanceof Error ? err.stack : String(err)}\n`;
    status = 1;
  } finally {
    process.stdout.write = real.out;
    process.stderr.write = real.err;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  results.push({ status, stdout, stderr });
}
writeFileSync(resultsFile, JSON.stringify(results));
