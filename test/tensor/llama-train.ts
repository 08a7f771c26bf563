// The run of test/tensor/bf16-train.test.ts, apart so that a worker thread (test/worker.ts) can run one of its two
// trainings: the fixture Llama (test/fixtures/engine/llama.*) trained 200 AdamW steps in FP32 or with BF16 matmuls.
import { readFileSync } from 'node:fs';
import * as T from '../../src/tensor/index.js';
import { AdamW, clipGradNorm } from '../../src/optim/index.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { Rng } from '../../src/util/rng.js';

interface Ref { offset: number; shape: number[] }
const DIR = new URL('../fixtures/engine/', import.meta.url);
const fx = JSON.parse(readFileSync(new URL('llama.json', DIR), 'utf8')) as { config: Record<string, unknown>; weights: Record<string, Ref> };
const bin = readFileSync(new URL('llama.bin', DIR));
const floats = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));

function loadModel(): Decoder {
  const model = new Decoder(makeConfig(fx.config as never), null);
  for (const [name, p] of model.namedParameters()) {
    const r = fx.weights[name]!;
    p.data.set(floats.subarray(r.offset, r.offset + p.size));
  }
  return model;
}

/** 200 steps of B x L tokens on a learnable stream (next = 5 * prev + 3 mod V with probability 0.8, else uniform); the same batches for every run. */
export function train(precision: T.MatmulPrecision, B: number, L: number): number[] {
  const model = loadModel();
  model.precision = precision;
  const V = model.config.vocab_size;
  const params = model.parameters();
  const opt = new AdamW(params, { lr: 3e-3, betas: [0.9, 0.95], weightDecay: 0.1 });
  const rng = new Rng(7);
  const ids = new Int32Array(B * L), targets = new Int32Array(B * L);
  const losses: number[] = [];
  {
    for (let step = 0; step < 200; step++) {
      for (let b = 0; b < B; b++) {
        let tok = rng.int(0, V - 1);
        for (let t = 0; t <= L; t++) {
          const next = rng.next() < 0.8 ? (5 * tok + 3) % V : rng.int(0, V - 1);
          if (t < L) ids[b * L + t] = tok;
          if (t > 0) targets[b * L + t - 1] = tok;
          tok = next;
        }
      }
      opt.zeroGrad();
      const loss = T.crossEntropy(model.forward(ids, B, L), targets);
      loss.backward();
      clipGradNorm(params, 1.0);
      opt.step();
      losses.push(loss.item());
    }
  }
  return losses;
}

/** train() under the kernel set of that name: 'ts' or the native addon's (for a worker thread, which has its own kernel choice). */
export function trainWith(kernels: string, precision: T.MatmulPrecision, B: number, L: number): number[] {
  const k = kernels === 'ts' ? T.tsKernels : T.loadNativeKernels();
  if (!k || k.name !== kernels) throw new Error(`no ${kernels} kernels here`);
  return T.withKernels(k, () => train(precision, B, L));
}
