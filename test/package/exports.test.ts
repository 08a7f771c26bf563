// r1ts as a library: package.json's exports map points at compiled entries that tsc -p tsconfig.build.json emits
// (JavaScript + .d.ts), and 'r1ts/rewards' runs under plain node (no tsx) without loading the native addon.
// Not the npm pack → install check (README, "Library use"); compiles into test-artifacts/, never into dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const OUT = 'test-artifacts/package-dist';
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  exports: Record<string, string | { types: string; import: string }>;
  files: string[];
  bin: Record<string, string>;
};
const entries = Object.entries(pkg.exports).filter((e): e is [string, { types: string; import: string }] => typeof e[1] !== 'string');

test('every export names a dist/ .js and .d.ts pair whose source is in src/, and files ships them', () => {
  assert.deepEqual(entries.map(([k]) => k).sort(), ['.', './eval', './rewards', './rl']);
  for (const [key, t] of entries) {
    assert.match(t.import, /^\.\/dist\/.+\.js$/, key);
    assert.equal(t.types, t.import.replace(/\.js$/, '.d.ts'), key);
    assert.ok(existsSync(t.import.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')), `${key}: source of ${t.import}`);
  }
  for (const need of ['dist/', 'src/', 'bin/', 'native/', 'binding.gyp', 'scripts/build-native.mjs'])
    assert.ok(pkg.files.includes(need), `files lacks ${need}`);
});

test('compiled entries load under plain node; r1ts/rewards scores without the native addon', () => {
  rmSync(OUT, { recursive: true, force: true });
  const tsc = createRequire(join(process.cwd(), 'package.json')).resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', OUT], { encoding: 'utf8' });
  assert.equal(build.status, 0, build.stdout + build.stderr);
  for (const [key, t] of entries) {
    const js = t.import.replace(/^\.\/dist\//, `${OUT}/`);
    assert.ok(existsSync(js) && existsSync(js.replace(/\.js$/, '.d.ts')), `${key}: ${js} and its .d.ts`);
  }
  const script = `
    const m = await import(${JSON.stringify(`./${OUT}/rewards/index.js`)});
    const c = '<think>2+2 is 4</think><answer>\\\\boxed{4}</answer>';
    const out = { verify: m.verify('4', c).correct, wrong: m.verify('5', c).correct, format: m.r1ZeroFormatReward([c, 'no tags'], {}),
      lang: m.identifyLanguage('the cat sat on the mat') };
    const { createRequire } = await import('node:module');
    out.native = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.endsWith('.node'));
    for (const e of ['', '/rl', '/eval']) await import(${JSON.stringify(`./${OUT}`)} + (e || '') + '/index.js');
    console.log(JSON.stringify(out));`;
  // a plain node: no --import tsx, so nothing TypeScript can be loaded
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), { verify: true, wrong: false, format: [1, 0], lang: 'en', native: [] });
});
