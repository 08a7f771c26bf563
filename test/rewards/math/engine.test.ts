// The Node the project states (package.json engines) must be one that the installed
// @cortex-js/compute-engine declares support for: versions from 0.28 on declare node >= 21.7.3 or
// >= 22.3, and npm warns EBADENGINE on Node 20. Reads both package.json files; no network.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The lowest version a `>=x.y.z` range admits, as [major, minor, patch]. */
function lowest(range: string): number[] {
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  assert.ok(m, `expected a ">=x.y.z" range, got ${JSON.stringify(range)}`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}
const atLeast = (a: number[], b: number[]) => a[0]! !== b[0]! ? a[0]! > b[0]! : a[1]! !== b[1]! ? a[1]! > b[1]! : a[2]! >= b[2]!;

test('the compute-engine in use declares support for the Node the project states', () => {
  const project = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
  // (The package's exports do not list its package.json: read the file.)
  const ce = JSON.parse(readFileSync(new URL('../../../node_modules/@cortex-js/compute-engine/package.json', import.meta.url), 'utf8')) as { version: string; engines?: { node?: string } };
  const needs = lowest(ce.engines?.node ?? '>=0');
  const ours = lowest(project.engines.node);
  assert.ok(atLeast(ours, needs), `@cortex-js/compute-engine ${ce.version} declares node ${ce.engines?.node}; the project states ${project.engines.node}`);
  // And the Node running the tests is one the project states.
  assert.ok(atLeast(process.versions.node.split('.').map(Number), ours), `Node ${process.versions.node} is below the project's ${project.engines.node}`);
});

/** Whether String.prototype is in V8's fast mode after a child Node imports `spec` (a %-native check). */
function stringPrototypeFastAfter(spec: string): boolean {
  const code = `await import(${JSON.stringify(spec)}); console.log(new Function('return %HasFastProperties(String.prototype)')());`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', cwd: fileURLToPath(new URL('../../../', import.meta.url)) });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim() === 'true';
}

test('loading the verifier leaves String.prototype fast (compute-engine 0.27 alone makes it slow)', () => {
  // The hazard cas.ts undoes: the engine's `class extends String` puts the prototype in dictionary mode,
  // and every string method call in the process gets slower. If this stops holding, the undoing can go.
  assert.equal(stringPrototypeFastAfter('@cortex-js/compute-engine'), false);
  assert.equal(stringPrototypeFastAfter(new URL('../../../src/rewards/math/index.ts', import.meta.url).href), true);
});
