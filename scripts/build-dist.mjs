// Compiles src/ to dist/ (JavaScript, .d.ts, source maps) with tsconfig.build.json, for r1ts as a library and for
// bin/r1.js without tsx. Not the native addon (scripts/build-native.mjs). `npm run build` fails on type errors;
//   --if-missing  (npm's prepare hook) builds only when dist/ is missing, and never fails an install: one warning line.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const soft = process.argv.includes('--if-missing');
if (soft && existsSync(join(ROOT, 'dist', 'index.js'))) process.exit(0);

let tsc;
try {
  tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  console.error('r1ts: dist/ not built (typescript is not installed); bin/r1.js runs src/ through tsx. Fix: npm install, then npm run build');
  process.exit(soft ? 0 : 1);
}
const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error(`r1ts: tsc -p tsconfig.build.json failed (exit ${r.status ?? r.signal}); fix the errors above, then npm run build`);
  process.exit(soft ? 0 : 1);
}
