// Mixed precision numerics: the fixture Llama (test/fixtures/engine/llama.*, the PyTorch-checked 2-layer GQA model)
// trained for 200 AdamW steps with BF16 matmuls (FP32 master weights, norms, softmax, loss, optimizer) tracks the
// same run in FP32 within 2% at every step. Both kernel sets (the TS kernels emulate BF16 by rounding operands).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { train } from './llama-train.js';
import { inWorker } from '../worker.js';

const kernelSets = [T.tsKernels, T.loadNativeKernels()].filter((k): k is T.Kernels => k !== null);

for (const k of kernelSets) {
  test(`fixture Llama: 200 steps with BF16 matmuls track FP32 within 2% (${k.name} kernels, ${k.bf16 ?? 'emulated'})`, async () => {
    // the slow TS kernels get a smaller batch (4 x 16 tokens a step instead of 8 x 32), and their FP32 run goes in a
    // worker thread beside the BF16 run here (the same code and batches: two independent runs, ~5 s each)
    const [B, L] = k.name === 'ts' ? [4, 16] : [8, 32];
    const fp32Run = k.name === 'ts' ? inWorker<number[]>(new URL('./llama-train.ts', import.meta.url), 'trainWith', ['ts', 'fp32', B, L]) : undefined;
    fp32Run?.catch(() => {}); // awaited below; not an unhandled rejection if the run here throws first
    const bf16 = T.withKernels(k, () => train('bf16', B, L));
    const fp32 = fp32Run ? await fp32Run : T.withKernels(k, () => train('fp32', B, L));
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
}
