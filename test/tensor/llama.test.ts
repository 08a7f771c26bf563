// The whole model against PyTorch (test/fixtures/engine/llama.*, written by scripts/ref/llama.py): a 2-layer
// Llama with GQA through src/model's Decoder — logits, loss, every parameter grad at step 0, then 10 AdamW steps
// with weight decay and grad clipping (losses, grad norms, final weights). Both kernel sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as T from '../../src/tensor/index.js';
import { AdamW, clipGradNorm } from '../../src/optim/index.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { assertClose } from './helpers.js';

interface Ref { offset: number; shape: number[] }
const DIR = new URL('../fixtures/engine/', import.meta.url);
const fx = JSON.parse(readFileSync(new URL('llama.json', DIR), 'utf8')) as {
  config: Record<string, unknown>; B: number; T: number; ids: number[]; targets: number[];
  optimizer: { lr: number; betas: [number, number]; eps: number; weight_decay: number }; maxNorm: number;
  loss: number; logits: Ref; weights: Record<string, Ref>; grads: Record<string, Ref>;
  losses: number[]; gradNorms: number[]; finalWeights: Record<string, Ref>;
};
const bin = readFileSync(new URL('llama.bin', DIR));
const floats = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
const data = (r: Ref): Float32Array => floats.slice(r.offset, r.offset + r.shape.reduce((a, b) => a * b, 1));

/** The Decoder with the fixture's weights loaded by HF name. */
function loadModel(): Decoder {
  const model = new Decoder(makeConfig(fx.config as never), null);
  const named = model.namedParameters();
  assert.deepEqual(named.map(([n]) => n).sort(), Object.keys(fx.weights).sort(), 'parameter names differ from the fixture');
  for (const [name, p] of named) {
    assert.deepEqual(p.shape, fx.weights[name]!.shape, `${name} shape`);
    p.data.set(data(fx.weights[name]!));
  }
  return model;
}

const ids = Int32Array.from(fx.ids);
const targets = Int32Array.from(fx.targets);
const kernelSets = [T.tsKernels, T.loadNativeKernels()].filter((k): k is T.Kernels => k !== null);

for (const k of kernelSets) {
  test(`2-layer GQA Llama: logits, loss and every grad match PyTorch (${k.name} kernels)`, () => {
    T.withKernels(k, () => {
      const model = loadModel();
      const logits = model.forward(ids, fx.B, fx.T);
      assertClose('logits', logits.data, data(fx.logits), 1e-5);
      const loss = T.crossEntropy(logits, targets);
      console.log(`  loss ${loss.item()} vs torch ${fx.loss}`);
      assert.ok(Math.abs(loss.item() - fx.loss) <= 1e-5 * fx.loss);
      loss.backward();
      for (const [name, p] of model.namedParameters()) assertClose(`grad ${name}`, p.grad!, data(fx.grads[name]!), 1e-5);
    });
  });

  test(`2-layer GQA Llama: 10 AdamW steps with clipping track PyTorch (${k.name} kernels)`, () => {
    T.withKernels(k, () => {
      const model = loadModel();
      const params = model.parameters();
      const o = fx.optimizer;
      const opt = new AdamW(params, { lr: o.lr, betas: o.betas, eps: o.eps, weightDecay: o.weight_decay });
      fx.losses.forEach((want, step) => {
        opt.zeroGrad();
        const loss = T.crossEntropy(model.forward(ids, fx.B, fx.T), targets);
        loss.backward();
        const norm = clipGradNorm(params, fx.maxNorm);
        opt.step();
        console.log(`  step ${step}: loss ${loss.item().toFixed(7)} torch ${want.toFixed(7)}  grad norm ${norm.toFixed(6)} torch ${fx.gradNorms[step]!.toFixed(6)}`);
        assert.ok(Math.abs(loss.item() - want) <= 1e-5 * want, `step ${step} loss ${loss.item()} vs ${want}`);
        assert.ok(Math.abs(norm - fx.gradNorms[step]!) <= 1e-5 * fx.gradNorms[step]!, `step ${step} grad norm ${norm} vs ${fx.gradNorms[step]}`);
      });
      // Adam divides by sqrt(v): an element whose grad sits at fp32 noise level still moves by ~lr per step in a
      // direction the noise picks, so after 10 steps the weights are held to 2e-4 (losses and norms above to 1e-5).
      for (const [name, p] of model.namedParameters()) assertClose(`final ${name}`, p.data, data(fx.finalWeights[name]!), 2e-4);
    });
  });
}
