// LoRA under activation checkpointing: a checkpointed layer recomputes its forward in backward, and the adapter's A
// and B must still get their gradients there (the frozen base gives the layer no trainable tensor of its own).
// Reference: the same model and batch without checkpointing (bit-identical gradients expected).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { attachLora } from '../../src/model/lora.js';
import { lmHeadLogprob, sum } from '../../src/tensor/index.js';
import { Rng } from '../../src/util/rng.js';

function adapterGrads(checkpointing: boolean): Float32Array[] {
  const c = makeConfig({ model_type: 'qwen2', vocab_size: 40, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 3,
    num_attention_heads: 4, num_key_value_heads: 2, tie_word_embeddings: false });
  const model = new Decoder(c, new Rng(3));
  for (const p of model.parameters()) p.requiresGrad = false; // the frozen base
  const a = attachLora(model, { loraR: 4, loraAlpha: 8, loraDropout: 0, loraTargetModules: 'all-linear' }, 11)!;
  for (const p of a.pairs) p.b.data.set(p.b.data.map((_, i) => Math.sin(i + p.layer))); // B ≠ 0, so A gets a gradient too
  model.gradientCheckpointing = checkpointing;
  const B = 2, T = 7;
  const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 7 + 3) % 40);
  const h = model.hidden(ids, B, T); // (B, T, C)
  sum(lmHeadLogprob(h, model.outputWeight(), ids).logp).backward();
  return a.parameters().map((t) => Float32Array.from(t.grad!));
}

test('LoRA + gradient checkpointing: the adapter gets the same gradients as without checkpointing', () => {
  const plain = adapterGrads(false);
  const ckpt = adapterGrads(true);
  assert.equal(plain.length, ckpt.length);
  assert.ok(plain.some((g) => g.some((x) => x !== 0)), 'the adapter has nonzero gradients');
  plain.forEach((g, i) => assert.deepEqual(ckpt[i], g, `adapter tensor ${i}`));
});
