// The code sandbox against hostile programs: each one would pass its test only by escaping (reading
// a host file, writing outside its tmpfs, reaching the network, seeing the host's environment), or
// tries to exhaust the host. Each must score 0, stop within its limits, and leave the host as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CodeRunner, probeSandbox, type CodeLang, type CodeResult, type CodeTest, type SandboxLimits } from '../../src/rewards/code/index.js';

const LIMITS: SandboxLimits = { cpuSeconds: 1, wallSeconds: 2, memoryMB: 128, maxProcesses: 16, outputBytes: 64 * 1024, tmpMB: 4 };
const SLACK_MS = 1500; // scheduling slack on a loaded 2-core machine
const runner = new CodeRunner({ limits: LIMITS, warn: (m) => assert.fail(`unexpected warning: ${m}`) });
const REPO = resolve('.');

let hostDir = '';
const SECRET = 'sk-r1-sandbox-test-7f3a9c';
let server: Server;
let connections = 0;
let port = 0;

before(async () => {
  for (const lang of ['python', 'js'] as const) {
    const p = probeSandbox(lang);
    assert.ok(p.ok, `the sandbox must work for these tests (CI installs bubblewrap): ${'reason' in p ? p.reason : ''}`);
  }
  hostDir = mkdtempSync(join(tmpdir(), 'r1-sandbox-host-'));
  chmodSync(hostDir, 0o755); // world-readable on purpose: only the sandbox's mount namespace hides it
  writeFileSync(join(hostDir, 'secret.txt'), SECRET, { mode: 0o644 });
  process.env.R1_SANDBOX_TEST_SECRET = SECRET;
  server = createServer((s) => {
    connections++;
    s.end('hello');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});

after(() => {
  server?.close();
  delete process.env.R1_SANDBOX_TEST_SECRET;
  if (hostDir) rmSync(hostDir, { recursive: true, force: true });
});

const hostSnapshot = () => ({ files: readdirSync(hostDir).sort(), secret: readFileSync(join(hostDir, 'secret.txt'), 'utf8') });

/**
 * Live processes the sandbox user still owns (when we are root the sandbox runs as nobody).
 * Zombies are left out: bwrap's exited inner init is reaped by the host's init, and holds nothing.
 */
function leftovers(): string {
  if (process.getuid?.() !== 0) return '';
  let out = '';
  try {
    out = execFileSync('ps', ['-u', '65534', '-o', 'pid=,stat=,args='], { encoding: 'utf8' });
  } catch {
    return ''; // ps exits 1 when no process matches
  }
  return out.split('\n').filter((l) => l.trim() !== '' && !/^\s*\d+\s+Z/.test(l)).join('\n');
}

async function assertNoLeftovers() {
  for (let i = 0; i < 20 && leftovers() !== ''; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(leftovers(), '', 'no sandboxed process may outlive its run');
}

async function score(lang: CodeLang, program: string, tests: CodeTest[]): Promise<CodeResult> {
  const before = hostSnapshot();
  const r = await runner.score(lang, program, tests);
  assert.ok(r, 'sandbox available');
  for (const t of r.tests) assert.ok(t.wallMs < LIMITS.wallSeconds * 1000 + SLACK_MS, `stopped within its limits (${t.wallMs} ms)`);
  assert.deepEqual(hostSnapshot(), before, 'host temp dir unchanged');
  await assertNoLeftovers();
  return r;
}

test('reading host files: a secret in a host temp dir, /root, the repo, the host environment', async () => {
  const py = `import sys, os, json
what = sys.stdin.read().strip()
if what == 'env': print(os.environ.get('R1_SANDBOX_TEST_SECRET', 'none'))
elif what.startswith('ls '): print(json.dumps(sorted(os.listdir(what[3:])), separators=(',', ':')))
else: print(open(what).read())
`;
  const ls = (dir: string) => JSON.stringify(readdirSync(dir).sort());
  const tests: CodeTest[] = [
    { input: 'ls /tmp', output: '[]' }, // control: the program runs and its own /tmp is empty
    { input: join(hostDir, 'secret.txt'), output: SECRET }, // a world-readable secret in a host temp dir
    { input: `ls ${hostDir}`, output: ls(hostDir) }, // the host temp dir's listing
    { input: `ls ${tmpdir()}`, output: ls(tmpdir()) }, // the host's /tmp
    { input: 'ls /root', output: existsSync('/root') ? ls('/root') : '[]' }, // root's home
    { input: join(REPO, 'package.json'), output: readFileSync(join(REPO, 'package.json'), 'utf8') }, // the repository
    { input: 'env', output: SECRET }, // the host's environment variables
  ];
  const r = await score('python', py, tests);
  assert.equal(r.passed, 1, JSON.stringify(r.tests)); // only the control passes
  assert.equal(r.tests[0].status, 'passed');

  const js = `const fs = require('fs');
const what = fs.readFileSync(0, 'utf8').trim();
if (what === 'env') console.log(process.env.R1_SANDBOX_TEST_SECRET ?? 'none');
else console.log(fs.readFileSync(what, 'utf8'));
`;
  const rj = await score('js', js, [
    { input: 'env', output: 'none' }, // control: the variable is simply absent
    { input: join(hostDir, 'secret.txt'), output: SECRET },
    { input: join(REPO, 'package.json'), output: readFileSync(join(REPO, 'package.json'), 'utf8') },
  ]);
  assert.equal(rj.passed, 1, JSON.stringify(rj.tests));
});

test('writing anywhere but the private /tmp fails, and nothing reaches the host', async () => {
  const marker = `r1-escape-${process.pid}`;
  const py = `import sys
p = sys.stdin.read().strip()
try:
    open(p, 'w').write('x')
    print('wrote')
except OSError as e:
    print('refused', e.errno)
`;
  const targets = [join(hostDir, marker), join(REPO, marker), `/root/${marker}`, `/usr/${marker}`, `/app/${marker}`, `/${marker}`];
  const r = await score('python', py, [
    { input: `/tmp/${marker}`, output: 'wrote' }, // control: the private tmpfs is writable
    ...targets.map((t) => ({ input: t, output: 'wrote' })),
  ]);
  assert.equal(r.passed, 1, JSON.stringify(r.tests));
  for (const t of [...targets, join(tmpdir(), marker)]) assert.equal(existsSync(t), false, `${t} must not exist on the host`);
});

test('no network: neither the host loopback nor the outside', async () => {
  const py = `import socket, sys
host, port = sys.stdin.read().split()
try:
    socket.create_connection((host, int(port)), timeout=0.5).recv(5)
    print('connected')
except OSError as e:
    print('no network', e)
`;
  const r = await score('python', py, [
    { input: `127.0.0.1 ${port}`, output: 'connected' }, // a server listening on the host's loopback
    { input: '1.1.1.1 53', output: 'connected' }, // the internet
  ]);
  assert.equal(r.reward, 0);
  const js = `const s = require('net').connect(${port}, '127.0.0.1', () => { console.log('connected'); s.end(); });
s.on('error', (e) => console.log('no network', e.code));
`;
  assert.equal((await score('js', js, [{ input: '', output: 'connected' }])).reward, 0);
  assert.equal(connections, 0, 'the host server saw no connection');
});

test('a fork bomb is contained and killed', async () => {
  const py = `import os
while True:
    try:
        os.fork()
    except OSError:
        pass
`;
  const r = await score('python', py, [{ input: '', output: 'done' }]);
  assert.equal(r.reward, 0);
  assert.ok(['killed', 'timeout'].includes(r.status), r.status);
});

test('a child left behind dies with the run', async () => {
  const py = `import os, time
if os.fork() == 0:
    time.sleep(1000)
print(42)
`;
  const r = await score('python', py, [{ input: '', output: '42' }]);
  assert.equal(r.reward, 1); // the answer counts; the orphan is gone (checked in score)
});

test('allocating without end is stopped by the memory limit', async () => {
  const py = 'a = []\nwhile True:\n    a.append(bytearray(10**7))\n';
  const r = await score('python', py, [{ input: '', output: 'done' }]);
  assert.equal(r.reward, 0);
  assert.equal(r.status, 'runtime-error'); // MemoryError at the address-space limit
  const js = 'const a = []; for (;;) a.push(Buffer.alloc(1e7, 1));';
  const rj = await score('js', js, [{ input: '', output: 'done' }]);
  assert.equal(rj.reward, 0);
  assert.notEqual(rj.status, 'timeout'); // the limit stops it, not the clock
});

test('printing without end hits the output cap', async () => {
  const r = await score('python', "while True:\n    print('y' * 1000)\n", [{ input: '', output: 'y' }]);
  assert.equal(r.reward, 0);
  assert.equal(r.status, 'output-limit');
});

test('sleeping or spinning forever: the wall clock and the CPU limit', async () => {
  const sleep = await score('python', 'import time\ntime.sleep(10**6)\n', [{ input: '', output: '' }]);
  assert.equal(sleep.status, 'timeout');
  const timer = await score('js', 'setInterval(() => {}, 1000);', [{ input: '', output: '' }]);
  assert.equal(timer.status, 'timeout');
  const spin = await score('js', 'for (;;) {}', [{ input: '', output: '' }]);
  assert.equal(spin.reward, 0);
  assert.ok(['killed', 'timeout'].includes(spin.status), spin.status);
});

test('the /tmp tmpfs is small and files there are capped', async () => {
  const py = `try:
    open('/tmp/big', 'wb').write(b'x' * (64 * 2**20))
    print('wrote')
except OSError as e:
    print('refused')
`;
  const r = await score('python', py, [{ input: '', output: 'wrote' }]);
  assert.equal(r.reward, 0);
});
