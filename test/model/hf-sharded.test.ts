// transformers loads what r1ts writes: test/fixtures/model/r1ts-sharded/ is r1ts' own BF16 sharded save (a re-save
// here must reproduce its files byte for byte), and expected.json holds transformers' FP32 logits on it
// (scripts/ref/hf_sharded_fixture.py); r1ts' logits on the same folder must match within 1e-4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../../src/model/checkpoint.js';
import { noGrad } from '../../src/tensor/index.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'model', 'r1ts-sharded');
const SHARD_BYTES = 8000; // scripts/ref/sharded_fixture.ts' FIXTURE_SHARD_BYTES

test('the committed sharded fixture is what saveCheckpoint writes today', async () => {
  const { model, tokenizer } = await loadCheckpoint(DIR);
  const out = join(mkdtempSync(join(tmpdir(), 'r1-hfshard-')), 'ckpt');
  saveCheckpoint(out, model, tokenizer, {}, { maxShardBytes: SHARD_BYTES });
  const files = readdirSync(out).sort();
  assert.deepEqual(files, readdirSync(DIR).filter((f) => f !== 'expected.json').sort());
  assert.ok(files.filter((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f)).length > 3);
  for (const f of files) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(DIR, f))), f);
  rmSync(join(out, '..'), { recursive: true });
});

test("transformers' logits on r1ts' sharded BF16 save equal r1ts' within 1e-4", async () => {
  const exp = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as { tokens: number[]; logits: number[][] };
  const { model, config } = await loadCheckpoint(DIR);
  assert.equal(config.torch_dtype, 'bfloat16');
  const T = exp.tokens.length, V = config.vocab_size;
  const ours = noGrad(() => model.forward(Int32Array.from(exp.tokens), 1, T)).data; // (1, T, V)
  let max = 0;
  for (let t = 0; t < T; t++) for (let v = 0; v < V; v++) max = Math.max(max, Math.abs(ours[t * V + v]! - exp.logits[t]![v]!));
  console.log(`max |r1ts - transformers| = ${max.toExponential(2)}`);
  assert.ok(max < 1e-4, `max diff ${max}`);
});
