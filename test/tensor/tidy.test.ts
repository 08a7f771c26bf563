// tidy(): op outputs made inside the scope are recycled through the pool when it ends, so a training step reuses
// last step's activation memory. Recycled buffers hold the previous step's values (they are not zeroed), so a
// kernel that left any output element unwritten would change the numbers: training with tidy must match training
// without it bit for bit, in FP32 and BF16 (R1_KERNELS=ts runs the same on the TS kernels).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { AdamW } from '../../src/optim/index.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { Rng } from '../../src/util/rng.js';

function train(precision: T.MatmulPrecision, useTidy: boolean): { losses: number[]; params: Float32Array[] } {
  const config = makeConfig({
    vocab_size: 40, hidden_size: 32, intermediate_size: 88, num_hidden_layers: 2, num_attention_heads: 4,
    num_key_value_heads: 2, max_position_embeddings: 64, tie_word_embeddings: false,
  });
  const model = new Decoder(config, new Rng(3));
  model.precision = precision;
  const params = model.parameters();
  const opt = new AdamW(params, { lr: 1e-2, weightDecay: 0.1 });
  const rng = new Rng(11);
  const B = 4, L = 48; // activations of 4 x 48 x 32 = 6144 floats: large enough for the pool
  const losses: number[] = [];
  {
    for (let step = 0; step < 5; step++) {
      const ids = new Int32Array(B * L), targets = new Int32Array(B * L);
      for (let i = 0; i < B * L; i++) { ids[i] = rng.int(0, 39); targets[i] = (ids[i]! * 7 + 3) % 40; }
      opt.zeroGrad();
      const body = (): number => {
        const l = T.crossEntropy(model.forward(ids, B, L), targets);
        l.backward();
        return l.item();
      };
      losses.push(useTidy ? T.tidy(body) : body());
      opt.step();
    }
  }
  return { losses, params: params.map((p) => p.data.slice()) };
}

for (const precision of ['fp32', 'bf16'] as const) {
  test(`training inside tidy() matches training without it bit for bit (${precision})`, () => {
    const plain = train(precision, false), tidied = train(precision, true);
    assert.deepEqual(tidied.losses, plain.losses);
    assert.ok(plain.losses[4]! < plain.losses[0]!, `the model learns (${plain.losses.join(', ')})`);
    plain.params.forEach((p, i) => assert.deepEqual(tidied.params[i], p, `parameter ${i}`));
  });
}

test('tidy() recycles op outputs into the next scope, and leaves buffers made outside alone', () => {
  const x = T.tensor(new Float32Array(4096).fill(1), [64, 64]);
  const outside = T.exp(x);
  let first: ArrayBufferLike | null = null;
  T.tidy(() => { first = T.exp(x).data.buffer; });
  const again = T.tidy(() => T.exp(x).data.buffer);
  assert.equal(again, first, 'the second scope reuses the first scope\'s output buffer');
  const later = T.exp(x);
  assert.notEqual(later.data.buffer, first, 'outside a scope, outputs are fresh');
  assert.equal(outside.data[0], Math.fround(Math.E));
  assert.throws(() => T.tidy(() => Promise.resolve(1)), /synchronous/);
  const prev = T.setCheckNan(true);
  try {
    const kept = T.tidy(() => T.exp(x)); // breaks the contract: a tensor made inside used after the scope
    assert.ok(Number.isNaN(kept.data[0]), 'under the NaN check a tensor kept past its scope reads NaN');
  } finally {
    T.setCheckNan(prev);
  }
});

test('BufferPool: size classes, reuse of a larger class, least-recently-used eviction, and only whole buffers or its own views come back', async () => {
  const { BufferPool, sizeClass } = await import('../../src/tensor/kernels/pool.js');
  assert.deepEqual([4096, 4500, 5000, 5121, 6144, 8191].map(sizeClass), [4096, 5120, 5120, 6144, 6144, 8192]);
  const pool = new BufferPool(3 * 4096 * 4); // room for three 4096-float buffers
  const a = new Float32Array(4096), b = new Float32Array(4096), c = new Float32Array(2048), d = new Float32Array(6144);
  pool.give(a);
  pool.give(b);
  pool.give(c); // 10240 floats held
  assert.equal(pool.take(4096, false).buffer, b.buffer, 'the most recently given buffer of a class comes back first');
  pool.give(b); // class 4096 is now the most recently used
  pool.give(d); // needs 6144 more floats: class 2048 (least recent) goes, then one 4096
  assert.equal(pool.take(6144, false).buffer, d.buffer);
  const small = pool.take(2048, false);
  assert.notEqual(small.buffer, c.buffer, 'evicted');
  assert.equal(small.buffer.byteLength, 4096 * 4, 'with its class empty, a free buffer of a class up to twice as large serves it');
  assert.equal(small.length, 2048);
  pool.give(small);
  assert.equal(pool.take(1024, false).buffer.byteLength, 1024 * 4, 'a class more than twice as large is not used: a fresh buffer');
  const left = pool.take(4000, true); // class 4096: a view of 4000 floats on a 4096-float buffer
  assert.ok(left.buffer === a.buffer || left.buffer === b.buffer, 'one 4096 buffer was kept');
  assert.equal(left.length, 4000);
  left.fill(7);
  pool.give(left);
  const reused = pool.take(3900, true);
  assert.equal(reused.buffer, left.buffer, 'a nearby length shares the class');
  assert.ok(reused.every((x) => x === 0), 'zero = true clears a recycled buffer');
  pool.give(reused.subarray(0, 2000)); // not the view it handed out: ignored
  assert.notEqual(pool.take(2000, false).buffer, reused.buffer);
  pool.give(new Float32Array(16)); // too small to pool
  assert.equal(pool.take(16, false).length, 16);
});
