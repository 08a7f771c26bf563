// BF16 sampling: generate() in the bf16 matmul precision (weights packed once to BF16 per call) gives the logprobs
// the autograd decoder computes in bf16 (same rounding of the same products), close to FP32's, on both kernel sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { generate } from '../../src/generate/index.js';
import { Rng } from '../../src/util/rng.js';

const config = makeConfig({
  vocab_size: 50, hidden_size: 64, intermediate_size: 96, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2,
  max_position_embeddings: 64, tie_word_embeddings: false,
});

/** Log-softmax of the autograd decoder's logits at each position of ids (1 row). */
function forwardLogprobs(model: Decoder, ids: number[]): Float32Array[] {
  return T.noGrad(() => {
    const lp = T.logSoftmax(model.forward(Int32Array.from(ids), 1, ids.length)).data;
    return ids.map((_, t) => lp.slice(t * 50, (t + 1) * 50));
  });
}

const kernelSets = [T.tsKernels, T.loadNativeKernels()].filter((k): k is T.Kernels => k !== null);
for (const k of kernelSets) {
  test(`greedy generation on BF16 weight copies matches the bf16 forward pass and tracks FP32 (${k.name} kernels)`, () => {
    T.withKernels(k, () => {
      const model = new Decoder(config, new Rng(3));
      for (const p of model.parameters()) if (p.shape.length === 2) p.data.forEach((v, i) => { p.data[i] = v * 8; }); // peaked logits
      const prompt = [1, 7, 9, 4];
      const run = (p: T.MatmulPrecision) => { model.precision = p; return generate(model, [prompt], { maxNewTokens: 8, temperature: 0, rng: new Rng(1), eosIds: [] })[0]!; };
      const bf = run('bf16'), fp = run('fp32');
      const seq = [...prompt, ...bf.tokens];
      model.precision = 'bf16';
      const ref = forwardLogprobs(model, seq);
      let worstRef = 0, worstFp = 0;
      bf.tokens.forEach((tok, i) => {
        worstRef = Math.max(worstRef, Math.abs(bf.logprobs[i]! - ref[prompt.length - 1 + i]![tok]!));
      });
      assert.deepEqual(bf.tokens.slice(0, 3), fp.tokens.slice(0, 3), 'the first greedy tokens agree with FP32');
      for (let i = 0; i < 3; i++) worstFp = Math.max(worstFp, Math.abs(bf.logprobs[i]! - fp.logprobs[i]!));
      console.log(`  bf16 sampler vs bf16 forward: ${worstRef.toExponential(2)}; vs fp32 sampler: ${worstFp.toExponential(2)}`);
      assert.ok(worstRef < 1e-3, `bf16 sampler logprobs differ from the bf16 forward pass by ${worstRef}`);
      assert.ok(worstFp > 0, 'the bf16 sampler must differ from FP32 (else the BF16 weights were not used)');
      assert.ok(worstFp < 0.1, `bf16 vs fp32 logprobs differ by ${worstFp}`);
    });
  });
}
