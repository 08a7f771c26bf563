// Writes test/fixtures/model/r1ts-sharded/: a tiny random Qwen2 (biases, untied head) saved by r1ts' own
// saveCheckpoint in BF16, sharded into several files with model.safetensors.index.json, for
// scripts/ref/hf_sharded_fixture.py to load with transformers (it adds expected.json). Not a test; run once:
//   npx tsx scripts/ref/sharded_fixture.ts && /work/venv/bin/python scripts/ref/hf_sharded_fixture.py
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { CharTokenizer } from '../../src/model/tokenizer.js';
import { saveCheckpoint } from '../../src/model/checkpoint.js';
import { Rng } from '../../src/util/rng.js';

/** The shard size the fixture was written with (test/model/hf-sharded.test.ts re-saves with it). */
export const FIXTURE_SHARD_BYTES = 8000;

const OUT = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'model', 'r1ts-sharded');
const tok = new CharTokenizer({ chars: 'abcdefghijklmnopqrstuvwxyz0123456789 +-=.,' });
const model = new Decoder(makeConfig({
  model_type: 'qwen2', vocab_size: 64, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4,
  num_key_value_heads: 2, tie_word_embeddings: false, torch_dtype: 'bfloat16', eos_token_id: tok.eosId, rope_theta: 10000,
}), new Rng(5));
const rng = new Rng(6);
for (const [, p] of model.namedParameters()) {
  for (let i = 0; i < p.size; i++) p.data[i] = p.data[i]! * 4 + 0.05 * rng.normal(); // larger than init, so logits differ visibly
  const u = new Uint32Array(p.data.buffer, p.data.byteOffset, p.size);
  for (let i = 0; i < p.size; i++) u[i] = u[i]! & 0xffff0000; // BF16-representable: the BF16 save is lossless
}
rmSync(OUT, { recursive: true, force: true });
saveCheckpoint(OUT, model, tok, {}, { maxShardBytes: FIXTURE_SHARD_BYTES });
console.log(`wrote ${OUT}`);
