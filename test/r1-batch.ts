// Runs many `r1` invocations in ONE child node process (test/r1-batch-child.mjs: each is main(argv) of
// src/cli/main.ts, as bin/r1.js runs it, stdout/stderr captured, main's return value as the status). A fresh
// `node bin/r1.js` costs 1-3 s of CPU (tsx, then the command's imports); a batch pays that once. For tests of what a
// command prints and returns; where the real process boundary is the point (its exit code, signals, a process that
// must end), spawn bin/r1.js itself.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface R1Call { args: string[]; env?: Record<string, string> }
export interface R1Result { status: number; stdout: string; stderr: string }
/** timeout: ms for the whole process (all its calls); cwd: the process's working folder (default: this one's). */
export interface R1Options { timeout?: number; cwd?: string }

const CHILD = join(import.meta.dirname, 'r1-batch-child.mjs');
const ROOT = join(import.meta.dirname, '..');
/** The real `r1` binary, for the checks that need a process of its own. */
export const R1_BIN = join(ROOT, 'bin', 'r1.js');

const norm = (calls: (string[] | R1Call)[]): R1Call[] => calls.map((c) => (Array.isArray(c) ? { args: c } : c));

function files(calls: (string[] | R1Call)[]): { dir: string; callsFile: string; resultsFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'r1-batch-'));
  const callsFile = join(dir, 'calls.json'), resultsFile = join(dir, 'results.json');
  writeFileSync(callsFile, JSON.stringify(norm(calls)));
  return { dir, callsFile, resultsFile };
}

function results(dir: string, resultsFile: string, n: number, code: number | null, stdout: string, stderr: string): R1Result[] {
  try {
    if (code !== 0) throw new Error(`the r1 batch process exited with ${code}:\n${stdout}\n${stderr}`);
    const r = JSON.parse(readFileSync(resultsFile, 'utf8')) as R1Result[];
    if (r.length !== n) throw new Error(`the r1 batch gave ${r.length} results for ${n} calls`);
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the calls one after another in one child process; blocks until it has exited (timeout: ms for all of them). */
export function r1Batch(calls: (string[] | R1Call)[], { timeout = 120_000, cwd }: R1Options = {}): R1Result[] {
  const { dir, callsFile, resultsFile } = files(calls);
  const r = spawnSync(process.execPath, [CHILD, callsFile, resultsFile], { encoding: 'utf8', timeout, cwd });
  return results(dir, resultsFile, calls.length, r.status, r.stdout, r.stderr + (r.error ? String(r.error) : ''));
}

/** r1Batch without blocking: for running beside other children. */
export function r1BatchAsync(calls: (string[] | R1Call)[], { timeout = 120_000, cwd }: R1Options = {}): Promise<R1Result[]> {
  const { dir, callsFile, resultsFile } = files(calls);
  return new Promise((done, fail) => {
    execFile(process.execPath, [CHILD, callsFile, resultsFile], { encoding: 'utf8', timeout, cwd, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      try {
        done(results(dir, resultsFile, calls.length, err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr + (err && typeof err.code !== 'number' ? String(err) : '')));
      } catch (e) {
        fail(e);
      }
    });
  });
}

/** One real `node bin/r1.js ARGS` process, without blocking (so that it can run beside a batch). */
export function r1Spawn(args: string[], { timeout = 120_000, cwd, env = {} }: R1Options & { env?: Record<string, string> } = {}): Promise<R1Result> {
  return new Promise((done) => {
    execFile(process.execPath, [R1_BIN, ...args], { encoding: 'utf8', timeout, cwd, maxBuffer: 64 << 20, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      done({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}
