// CPU time per call of the math verifier's four `r1 bench verify` workloads, for one compiled checkout: a measure that
// a loaded machine disturbs less than the bench's wall-clock rates. Compare two checkouts by running it in each.
// Usage: node scripts/verify-cpu-time.mjs CHECKOUT_DIR WORKLOAD [DATASETS]   (WORKLOAD: verify|mismatched|plainVerify|plainEq;
// CHECKOUT_DIR holds dist/ from `npm run build`; DATASETS defaults to ../shared/datasets beside this repository).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [dir, what, data] = process.argv.slice(2);
const datasets = data ?? fileURLToPath(new URL('../../shared/datasets', import.meta.url));
const M = await import(pathToFileURL(resolve(dir, 'dist/rewards/math/index.js')).href);
const rows = readFileSync(`${datasets}/math500/test.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const sol = rows.map((r) => r.solution), ans = rows.map((r) => String(r.answer));
// The bench's plain-number pairs (src/cli/bench/verify.ts).
const nums = Array.from({ length: 1000 }, (_, i) => {
  const v = (i * 7919) % 100000;
  return { g: String(v), c: `So she pays ${(i * 31) % 17} + ${v} in total. The answer is ${v.toLocaleString('en-US')}.`, p: v.toLocaleString('en-US') };
});
const workloads = {
  verify: [(i) => M.verify(ans[i], sol[i]).correct, 500],
  mismatched: [(i) => M.isEquivalent(ans[i], ans[(i + 1) % 500]), 500],
  plainVerify: [(i) => M.verify(nums[i].g, nums[i].c).correct, 1000],
  plainEq: [(i) => M.isEquivalent(nums[i].g, nums[i].p), 1000],
};
if (!(what in workloads)) {
  console.error(`unknown workload '${what}'; one of ${Object.keys(workloads).join(', ')}`);
  process.exit(2);
}
const [f, m] = workloads[what];
let best = Infinity;
for (let rep = 0; rep < 5; rep++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < (what === 'mismatched' ? 1500 : 400)) {
    for (let i = 0; i < m; i++) f(i);
    n += m;
  }
  const c = process.cpuUsage(c0);
  best = Math.min(best, (c.user + c.system) / n);
}
console.log(`${what} ${dir}: ${best.toFixed(3)} us CPU per call (best of 5)`);
