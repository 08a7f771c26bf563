// Builds the native kernel addon (native/*.c → build/Release/r1kernels.node) with npm's bundled node-gyp.
// Never fails an install: on any error it prints one warning line and exits 0; r1ts then runs on the TS kernels.
//   --if-stale  rebuild only when the .node is missing or older than native/ sources, binding.gyp or this script
//   --cflags    print the instruction-set flags for this CPU (binding.gyp calls this): only ISAs /proc/cpuinfo lists
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ADDON = join(ROOT, 'build', 'Release', 'r1kernels.node');
const FLAGS_FILE = join(ROOT, 'build', 'Release', 'r1kernels.isa.json');

/** [cpuinfo flags required, compiler flags] from the widest set this CPU has; none off x86 Linux. */
function isaFlags() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return { need: [], cflags: [] };
  let flags = new Set();
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    flags = new Set(line ? line.slice(line.indexOf(':') + 1).trim().split(/\s+/) : []);
  } catch {
    return { need: [], cflags: [] };
  }
  const tiers = [
    { need: ['avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'avx512dq'],
      cflags: ['-mavx2', '-mfma', '-mf16c', '-mavx512f', '-mavx512bw', '-mavx512vl', '-mavx512dq', '-mprefer-vector-width=256'] },
    { need: ['avx2', 'fma', 'f16c'], cflags: ['-mavx2', '-mfma', '-mf16c'] },
    { need: ['avx'], cflags: ['-mavx'] },
  ];
  return tiers.find((t) => t.need.every((f) => flags.has(f))) ?? { need: [], cflags: [] };
}

function newestSource() {
  const files = [join(ROOT, 'binding.gyp'), fileURLToPath(import.meta.url),
    ...readdirSync(join(ROOT, 'native')).map((f) => join(ROOT, 'native', f))];
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

/** npm's own node-gyp: $npm_config_node_gyp during `npm install`, else the copy bundled next to npm. */
function nodeGypCommand() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/share/nodejs/node-gyp/bin/node-gyp.js',
  ];
  const found = candidates.find((p) => p && existsSync(p));
  if (found) return [process.execPath, [found]];
  return ['npm', ['exec', '--yes', '--', 'node-gyp']];
}

/** Node's headers ship with the install (e.g. /usr/include/node); point node-gyp at them instead of downloading. */
function nodeDirArgs() {
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

function warn(reason) {
  console.error(`r1ts: native kernels not built (${reason}); r1ts will use the slower pure-TS kernels. Fix: install a C compiler and libopenblas-dev (apt-get install build-essential libopenblas-dev), then run node scripts/build-native.mjs`);
  process.exit(0);
}

function build() {
  const [cmd, pre] = nodeGypCommand();
  const r = spawnSync(cmd, [...pre, 'rebuild', ...nodeDirArgs()], { cwd: ROOT, encoding: 'utf8', env: { ...process.env } });
  if (r.error) warn(`node-gyp could not start: ${r.error.message}`);
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
    const err = out.split('\n').find((l) => /error|fatal|not found|cannot find/i.test(l) && !/^gyp info/.test(l));
    warn(`node-gyp exited with ${r.status}${err ? `: ${err.trim().slice(0, 200)}` : ''}`);
  }
  if (!existsSync(ADDON)) warn(`node-gyp finished but ${ADDON} is missing`);
  writeFileSync(FLAGS_FILE, JSON.stringify({ need: isaFlags().need }) + '\n');
}

const argv = process.argv.slice(2);
if (argv.includes('--cflags')) {
  console.log(isaFlags().cflags.join(' '));
  process.exit(0);
}
if (!existsSync(join(ROOT, 'binding.gyp'))) process.exit(0);
if (argv.includes('--if-stale') && existsSync(ADDON) && statSync(ADDON).mtimeMs >= newestSource()) process.exit(0);
if (process.env.R1_SKIP_NATIVE === '1') process.exit(0);
build();
