#!/usr/bin/env node
// The `r1` command: runs the compiled dist/cli/main.js when it is there (npm run build; an installed package) and, in a
// git checkout, not older than any file under src/; otherwise registers tsx (TypeScript on the fly) and runs src/cli/main.ts.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = root + 'dist/cli/main.js';

/** Newest mtime of any file under dir (0 when dir is absent). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

let main;
// an installed package (no .git) always takes dist/: npm does not keep the files' times
if (existsSync(compiled) && (!existsSync(root + '.git') || statSync(compiled).mtimeMs >= newest(root + 'src'))) {
  ({ main } = await import(new URL('../dist/cli/main.js', import.meta.url).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
