// Runs one untrusted program in a bubblewrap sandbox: fresh namespaces (no network), a read-only
// view of /usr only, a small private tmpfs /tmp, an empty environment, rlimits, a wall clock and an
// output cap. It never falls back to running code unsandboxed; it knows nothing of test cases.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';

/** Resource limits for one run. */
export interface SandboxLimits {
  /** CPU seconds per process (RLIMIT_CPU; SIGKILL past it). */
  cpuSeconds: number;
  /** Wall-clock seconds before the whole sandbox is killed. */
  wallSeconds: number;
  /** Memory in MiB: RLIMIT_AS for Python, RLIMIT_DATA plus the V8 heap cap for Node. */
  memoryMB: number;
  /** Processes and threads inside the sandbox (RLIMIT_NPROC, counted in its own user namespace). */
  maxProcesses: number;
  /** Bytes of stdout + stderr read before the sandbox is killed. */
  outputBytes: number;
  /** Size of the private /tmp tmpfs, MiB (also caps any single file written, RLIMIT_FSIZE). */
  tmpMB: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  cpuSeconds: 2,
  wallSeconds: 5,
  memoryMB: 512,
  maxProcesses: 32,
  outputBytes: 1 << 20,
  tmpMB: 16,
};

export type Interpreter = 'python' | 'js';

export interface SandboxJob {
  interpreter: Interpreter;
  /** Files placed read-only under /app (name → content); the entry point is `main`. */
  files: Record<string, string>;
  /** The file under /app to run; empty to pass the interpreter only `args` (for `-c` / `-e`). */
  main: string;
  /** Extra arguments after the script path. */
  args?: string[];
  stdin?: string;
}

export type RunStatus = 'ok' | 'runtime-error' | 'timeout' | 'killed' | 'output-limit' | 'sandbox-error';

export interface RunResult {
  status: RunStatus;
  /** Exit code of the sandbox (128 + signal when the program was killed by one), or null. */
  exitCode: number | null;
  stdout: string;
  /** The first few KiB of stderr, for diagnostics. */
  stderr: string;
  wallMs: number;
}

const PYTHON = '/usr/bin/python3';
const STDERR_KEEP = 4096;
/** The uid the sandbox runs as when we are root: root would be exempt from RLIMIT_NPROC. */
const NOBODY = 65534;

/** bwrap arguments for the host's root-level symlinks and directories the interpreters need. */
function rootFsArgs(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const p of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    if (!existsSync(p)) continue;
    const st = lstatSync(p);
    if (st.isSymbolicLink()) args.push('--symlink', readlinkSync(p), p);
    else if (st.isDirectory()) args.push('--ro-bind', p, p);
  }
  if (existsSync('/etc/alternatives')) args.push('--ro-bind', '/etc/alternatives', '/etc/alternatives');
  const node = process.execPath;
  if (!node.startsWith('/usr/')) args.push('--ro-bind', node, node);
  return args;
}

/** The command line (argv) that runs `job` under bwrap, with data fds 3.. carrying the files. */
export function sandboxCommand(job: SandboxJob, limits: SandboxLimits): { argv: string[]; fileOrder: string[] } {
  const mem = Math.floor(limits.memoryMB * 1024 * 1024);
  const fileOrder = Object.keys(job.files);
  const bw = [
    'bwrap', '--unshare-all', '--die-with-parent', '--new-session', '--clearenv',
    '--setenv', 'PATH', '/usr/bin:/bin', '--setenv', 'HOME', '/tmp', '--setenv', 'LANG', 'C.UTF-8',
    ...rootFsArgs(),
    '--proc', '/proc', '--dev', '/dev', '--remount-ro', '/dev', // /dev (and /dev/shm) would be an unsized writable tmpfs
    '--size', String(limits.tmpMB * 1024 * 1024), '--tmpfs', '/tmp',
    ...fileOrder.flatMap((name, k) => ['--ro-bind-data', String(3 + k), `/app/${name}`]),
    '--remount-ro', '/', // the sandbox's own root tmpfs: /tmp stays the only writable place
    '--chdir', '/tmp', '--',
  ];
  const rl = [
    '/usr/bin/prlimit', `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`, `--nproc=${limits.maxProcesses}`,
    `--fsize=${limits.tmpMB * 1024 * 1024}`, '--nofile=64', '--core=0',
    job.interpreter === 'python' ? `--as=${mem}` : `--data=${mem}`, '--',
  ];
  const interp = job.interpreter === 'python'
    ? [PYTHON, '-I', '-B']
    : [process.execPath, `--max-old-space-size=${Math.max(16, Math.floor(limits.memoryMB * 0.75))}`];
  const asNobody = process.getuid?.() === 0 ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--'] : [];
  const script = job.main ? [`/app/${job.main}`] : [];
  return { argv: [...asNobody, ...bw, ...rl, ...interp, ...script, ...(job.args ?? [])], fileOrder };
}

/**
 * Runs `job` in the sandbox. Never throws and never rejects: a failure to start the sandbox is
 * status 'sandbox-error'. The wall timeout and the output cap kill bwrap's process group; bwrap's
 * --die-with-parent and its PID namespace take every process inside down with it.
 */
export function runSandboxed(job: SandboxJob, limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const { argv, fileOrder } = sandboxCommand(job, limits);
    let child;
    try {
      child = spawn(argv[0], argv.slice(1), {
        stdio: ['pipe', 'pipe', 'pipe', ...fileOrder.map(() => 'pipe' as const)],
        detached: true,
        env: {},
      });
    } catch (err) {
      resolve({ status: 'sandbox-error', exitCode: null, stdout: '', stderr: String(err), wallMs: 0 });
      return;
    }
    const out: Buffer[] = [];
    let errText = '';
    let total = 0;
    let verdict: RunStatus | null = null;
    const kill = (why: RunStatus) => {
      verdict ??= why;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => kill('timeout'), limits.wallSeconds * 1000);
    const take = (chunk: Buffer, isErr: boolean) => {
      total += chunk.length;
      if (total > limits.outputBytes) return kill('output-limit');
      if (isErr) errText = (errText + chunk.toString('utf8')).slice(0, STDERR_KEEP);
      else out.push(chunk);
    };
    child.stdout!.on('data', (c: Buffer) => take(c, false));
    child.stderr!.on('data', (c: Buffer) => take(c, true));
    const ignore = () => {};
    for (let k = 0; k < fileOrder.length; k++) {
      const s = child.stdio[3 + k] as NodeJS.WritableStream & { on: (e: string, f: () => void) => void };
      s.on('error', ignore);
      s.end(job.files[fileOrder[k]]);
    }
    child.stdin!.on('error', ignore);
    child.stdin!.end(job.stdin ?? '');
    child.on('error', (err) => {
      // a failed spawn may never emit 'close'; resolving twice is harmless (the first one wins)
      clearTimeout(timer);
      resolve({ status: 'sandbox-error', exitCode: null, stdout: '', stderr: String(err), wallMs: Date.now() - started });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const exitCode = code ?? (signal ? 128 : null);
      let status: RunStatus;
      if (verdict) status = verdict;
      else if (code === 0) status = 'ok';
      else if (exitCode !== null && exitCode > 128) status = 'killed';
      else if (/^bwrap: /m.test(errText)) status = 'sandbox-error';
      else status = 'runtime-error';
      resolve({ status, exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: errText, wallMs: Date.now() - started });
    });
  });
}

export type ProbeResult = { ok: true } | { ok: false; reason: string };

/**
 * Checks that the sandbox can run `interpreter` here (bwrap present, namespaces allowed, the
 * interpreter reachable inside), synchronously, by running a one-line program in it.
 */
export function probeSandbox(interpreter: Interpreter): ProbeResult {
  const program = interpreter === 'python' ? 'print("sandbox-ok")' : 'console.log("sandbox-ok")';
  const args = [interpreter === 'python' ? '-c' : '-e', program];
  const { argv: cmd } = sandboxCommand({ interpreter, files: {}, main: '', args }, DEFAULT_SANDBOX_LIMITS);
  const r = spawnSync(cmd[0], cmd.slice(1), { env: {}, timeout: 20_000, encoding: 'utf8' });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, reason: missing ? `${cmd[0]} not found` : String(r.error) };
  }
  if (r.status === 0 && r.stdout.trim() === 'sandbox-ok') return { ok: true };
  return { ok: false, reason: `exit ${r.status}: ${(r.stderr || r.stdout).trim().slice(0, 300)}` };
}
