// Makes a fresh clone runnable, then gets out of the way (well under a second when all is in place):
// 1. system packages (Debian/Ubuntu, as root): a C toolchain and python3 for node-gyp, OpenBLAS headers for the native
//    kernels, bubblewrap for the code sandbox; and, optional, chromium for the report's browser tests (skipped without it);
// 2. npm dependencies (npm ci) when node_modules is missing or older than package-lock.json;
// 3. the native kernel addon when it is missing or older than its sources (scripts/build-native.mjs --if-stale).
// Set R1_SKIP_APT=1 to skip step 1. Nothing here downloads from anywhere but the npm registry and apt.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const APT_PACKAGES = ['build-essential', 'python3', 'libopenblas-dev', 'bubblewrap'];
/** Installed after the others, on their own, so that failing to get them never blocks the rest. */
const OPTIONAL_APT_PACKAGES = ['chromium'];

function sh(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { stdio: 'inherit', ...opts });
}

function missingDebPackages(list = APT_PACKAGES) {
  return list.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function ensureSystemPackages(list = APT_PACKAGES) {
  if (process.env.R1_SKIP_APT === '1' || process.platform !== 'linux') return;
  if (spawnSync('which', ['apt-get']).status !== 0) return;
  const missing = missingDebPackages(list);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.error(`r1ts setup: missing system packages ${missing.join(' ')}; install them with: sudo apt-get install -y ${missing.join(' ')} (continuing without)`);
    return;
  }
  console.error(`r1ts setup: installing ${missing.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = sh('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env });
  if (r.status !== 0) {
    sh('apt-get', ['update', '-q'], { env });
    r = sh('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env });
  }
  if (r.status !== 0) console.error(`r1ts setup: apt-get could not install ${missing.join(' ')}; continuing without`);
}

function ensureNodeModules() {
  const marker = 'node_modules/.package-lock.json';
  const stale = !existsSync(marker) || (existsSync('package-lock.json') && statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs + 1000);
  if (!stale) return;
  console.error('r1ts setup: installing npm dependencies');
  const r = sh('npm', ['ci', '--no-audit', '--no-fund'], { shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

ensureSystemPackages();
ensureSystemPackages(OPTIONAL_APT_PACKAGES);
ensureNodeModules();
const r = sh(process.execPath, ['scripts/build-native.mjs', '--if-stale']);
if (r.status !== 0) process.exit(r.status ?? 1);
