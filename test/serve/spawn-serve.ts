// Test helper: starts the real `r1 serve` command on a free loopback port and resolves with its base URL once it
// listens (the URL it prints). Not a test; the caller kills the child (each test file keeps its list of children).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** `r1 serve --port 0 ...args`; the child is pushed onto `children` before it listens. */
export function spawnServe(args: string[], children: ChildProcess[], env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'r1.js'), 'serve', '--port', '0', ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /on (http:\/\/[\d.]+:\d+)\/v1/.exec(err);
      if (m) resolve({ url: m[1]!, child });
    });
    child.on('exit', (code) => reject(new Error(`r1 serve exited with ${code}: ${err}`)));
  });
}
