// The decoder against the PyTorch reference (scripts/ref/qwen2_fixture.py): a tiny Qwen2 checkpoint in HF layout
// loaded through the normal loader; logits within 1e-4 on both kernel sets; its hand-made byte-level BPE tokenizer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/model/checkpoint.js';
import { noGrad, withKernels, tsKernels, getKernels } from '../../src/tensor/index.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'model', 'qwen2-tiny');
const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as {
  tokens: number[]; logits: number[][]; tokenizer: { text: string; ids: number[] }[];
};

test('qwen2-tiny: config and tokenizer load from the HF folder', async () => {
  const { config, tokenizer, model } = await loadCheckpoint(DIR);
  assert.equal(config.model_type, 'qwen2');
  assert.equal(config.attention_bias, true);
  assert.equal(config.num_key_value_heads, 2);
  assert.ok(model.lmHead, 'untied head loaded');
  assert.equal(tokenizer.eosId, 265);
  assert.equal(tokenizer.padId, 263);
  for (const c of expected.tokenizer) {
    assert.deepEqual(tokenizer.encode(c.text), c.ids, c.text);
    assert.equal(tokenizer.decode(c.ids), c.text);
  }
  assert.equal(tokenizer.applyChatTemplate([{ role: 'user', content: 'hi' }], { addGenerationPrompt: true }),
    '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n');
});

for (const [name, kernels] of [['active', null], ['ts', tsKernels]] as const) {
  test(`qwen2-tiny: logits match PyTorch (${name} kernels)`, async () => {
    const { model } = await loadCheckpoint(DIR);
    const T = expected.tokens.length;
    const logits = withKernels(kernels ?? getKernels(), () => noGrad(() => model.forward(Int32Array.from(expected.tokens), 1, T)));
    assert.deepEqual(logits.shape, [1, T, model.config.vocab_size]);
    let maxDiff = 0;
    expected.logits.forEach((row, t) => row.forEach((v, j) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - logits.data[t * row.length + j]!));
    }));
    console.log(`qwen2-tiny logits (${name}): max abs diff ${maxDiff.toExponential(2)}`);
    assert.ok(maxDiff < 1e-4, `max abs diff ${maxDiff}`);
  });
}
