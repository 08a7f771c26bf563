// Every op against PyTorch (test/fixtures/engine, written by scripts/ref/ops.py): outputs and input gradients
// for a random upstream gradient, on the pure-TS kernels and on the native ones when they load.
// Tolerance: |ours - torch| <= 1e-5 * (|torch| + max|torch|) per element (fp32 against a float64 reference).
import { test } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { assertClose, caseInputs, loadOpFixtures, refData, runCase } from './helpers.js';

const TOL = 1e-5;
const fx = loadOpFixtures();
const kernelSets = [T.tsKernels, T.loadNativeKernels()].filter((k): k is T.Kernels => k !== null);

for (const k of kernelSets) {
  for (const c of fx.cases) {
    test(`${c.name} matches PyTorch (${k.name} kernels)`, () => {
      T.withKernels(k, () => {
        const x = caseInputs(fx, c);
        const out = runCase(c, x);
        assertClose(`${c.name} out`, out.data, refData(fx, c.out), TOL);
        const gout = T.tensor(refData(fx, c.gradOut), c.gradOut.shape);
        T.sum(T.mul(out, gout)).backward();
        for (const [name, r] of Object.entries(c.grads)) {
          const g = x[name]!.grad;
          if (g === null) throw new Error(`${c.name}: no grad for input ${name}`);
          assertClose(`${c.name} d${name}`, g, refData(fx, r), TOL);
        }
      });
    });
  }
}
