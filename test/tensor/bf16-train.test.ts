// Mixed precision numerics: the fixture Llama (test/fixtures/engine/llama.*, the PyTorch-checked 2-layer GQA model)
// trained for 200 AdamW steps with BF16 matmuls (FP32 master weights, norms, softmax, loss, optimizer) tracks the
// same run in FP32 within 2% at every step. Both kernel sets (the TS kernels emulate BF16 by rounding operands).
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
function train(precision: T.MatmulPrecision, B: number, L: number): number[] {
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

const kernelSets = [T.tsKernels, T.loadNativeKernels()].filter((k): k is T.Kernels => k !== null);

for (const k of kernelSets) {
  test(`fixture Llama: 200 steps with BF16 matmuls track FP32 within 2% (${k.name} kernels, ${k.bf16 ?? 'emulated'})`, () => {
    T.withKernels(k, () => {
      // the slow TS kernels get a smaller batch (4 x 16 tokens a step instead of 8 x 32)
      const [B, L] = k.name === 'ts' ? [4, 16] : [8, 32];
      const fp32 = train('fp32', B, L);
      const bf16 = train('bf16', B, L);
      let worst = 0, worstStep = 0, differs = false;
      fp32.forEach((l, i) => {
        const rel = Math.abs(bf16[i]! - l) / l;
        if (rel > worst) { worst = rel; worstStep = i; }
        if (bf16[i] !== l) differs = true;
      });
      console.log(`  loss ${fp32[0]!.toFixed(4)} → fp32 ${fp32[199]!.toFixed(4)}, bf16 ${bf16[199]!.toFixed(4)}; worst step ${worstStep}: ${(worst * 100).toFixed(3)}%`);
      assert.ok(fp32[199]! < 0.6 * fp32[0]!, `the FP32 run learns (loss ${fp32[0]} → ${fp32[199]})`);
      assert.ok(differs, 'the BF16 run must differ from FP32 (else the BF16 path was not taken)');
      assert.ok(worst <= 0.02, `step ${worstStep}: bf16 loss ${bf16[worstStep]} vs fp32 ${fp32[worstStep]} (${(worst * 100).toFixed(2)}%)`);
    });
  });
}
