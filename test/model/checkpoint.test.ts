// Checkpoint folders: save then load is bit-identical (tied and untied, char tokenizer, extra files), sharded
// indexes, F16/BF16 decoding against PyTorch's values, and every bad-input error naming the file/tensor and the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, cpSync, truncateSync, statSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { CharTokenizer } from '../../src/model/tokenizer.js';
import { saveCheckpoint, loadCheckpoint } from '../../src/model/checkpoint.js';
import { openSafetensors, readTensorInto, writeSafetensors } from '../../src/model/safetensors.js';
import { Rng } from '../../src/util/rng.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'model');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'r1-ckpt-'));

function tinyModel(tied: boolean, modelType: 'llama' | 'qwen2'): { model: Decoder; tok: CharTokenizer } {
  const tok = new CharTokenizer({ chars: '0123456789+= ' });
  const model = new Decoder(makeConfig({
    model_type: modelType, vocab_size: tok.vocabSize, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2,
    num_attention_heads: 4, num_key_value_heads: 2, tie_word_embeddings: tied, eos_token_id: tok.eosId,
  }), new Rng(11));
  for (const [, p] of model.namedParameters()) for (let i = 0; i < p.size; i++) p.data[i] += 0.001 * i; // non-trivial norms/biases
  return { model, tok };
}

for (const [tied, type] of [[false, 'qwen2'], [true, 'llama']] as const) {
  test(`save → load is bit-identical (${type}, tied=${tied})`, async () => {
    const dir = tmp();
    const { model, tok } = tinyModel(tied, type);
    saveCheckpoint(dir, model, tok, { 'trainer_state.json': { step: 3 }, 'optimizer.safetensors': { m: new Float32Array([1, 2, 3]) } });
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.deepEqual(cfg.architectures, [type === 'qwen2' ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM']);
    assert.ok(existsSync(join(dir, 'generation_config.json')));
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'trainer_state.json'), 'utf8')), { step: 3 });
    const m = new Float32Array(3);
    readTensorInto(openSafetensors(join(dir, 'optimizer.safetensors')).get('m')!, m);
    assert.deepEqual([...m], [1, 2, 3]);
    const loaded = await loadCheckpoint(dir);
    assert.deepEqual(loaded.config, model.config);
    const a = model.namedParameters();
    const b = loaded.model.namedParameters();
    assert.deepEqual(b.map(([n]) => n), a.map(([n]) => n));
    a.forEach(([name, p], i) => {
      const q = b[i]![1];
      assert.deepEqual(q.shape, p.shape, name);
      assert.ok(Buffer.from(q.data.buffer, q.data.byteOffset, q.data.byteLength).equals(Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength)), name);
    });
    assert.ok(loaded.tokenizer instanceof CharTokenizer);
    assert.deepEqual(loaded.tokenizer.encode('12+3=15<|eos|>'), tok.encode('12+3=15<|eos|>'));
    assert.equal(loaded.tokenizer.eosId, tok.eosId);
    rmSync(dir, { recursive: true });
  });
}

test('sharded checkpoint (model.safetensors.index.json) loads like a single file', async () => {
  const dir = tmp();
  const { model, tok } = tinyModel(false, 'qwen2');
  saveCheckpoint(dir, model, tok);
  const named = model.namedParameters();
  const half = Math.floor(named.length / 2);
  const shards = [named.slice(0, half), named.slice(half)];
  const weightMap: Record<string, string> = {};
  shards.forEach((s, i) => {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    writeSafetensors(join(dir, file), s.map(([name, t]) => ({ name, data: t.data, shape: t.shape })));
    for (const [name] of s) weightMap[name] = file;
  });
  rmSync(join(dir, 'model.safetensors'));
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  const loaded = await loadCheckpoint(dir);
  loaded.model.namedParameters().forEach(([name, p], i) => assert.deepEqual(p.data, named[i]![1].data, name));
  rmSync(dir, { recursive: true });
});

test('F16 and BF16 tensors decode to the values PyTorch gives; BF16/F16 writes round-trip', () => {
  const exp = JSON.parse(readFileSync(join(FIX, 'qwen2-tiny', 'expected.json'), 'utf8')).dtypes as Record<string, number[]>;
  const infos = openSafetensors(join(FIX, 'dtypes.safetensors'));
  for (const key of ['h', 'b', 'f']) {
    const out = new Float32Array(exp[key]!.length);
    readTensorInto(infos.get(key)!, out);
    assert.deepEqual([...out], exp[key]!.map(Math.fround), key);
  }
  const dir = tmp();
  for (const dtype of ['BF16', 'F16'] as const) {
    const vals = Float32Array.from(exp[dtype === 'BF16' ? 'b' : 'h']!);
    const file = join(dir, `${dtype}.safetensors`);
    writeSafetensors(file, [{ name: 'x', data: vals, shape: [vals.length] }], dtype);
    const back = new Float32Array(vals.length);
    readTensorInto(openSafetensors(file).get('x')!, back);
    assert.deepEqual(back, vals, dtype);
  }
  rmSync(dir, { recursive: true });
});

test('bad input: each error names the file or tensor and the fix; nothing half-loaded', async () => {
  const dir = tmp();
  const { model, tok } = tinyModel(false, 'qwen2');
  saveCheckpoint(dir, model, tok);
  const made: string[] = [dir];
  const copy = (): string => {
    const d = tmp();
    cpSync(dir, d, { recursive: true });
    made.push(d);
    return d;
  };
  await assert.rejects(loadCheckpoint(join(dir, 'nope')), /config\.json does not exist; point --model/);

  let d = copy();
  rmSync(join(d, 'model.safetensors'));
  await assert.rejects(loadCheckpoint(d), /neither .*model\.safetensors nor .*index\.json exists/);

  d = copy();
  rmSync(join(d, 'tokenizer.json'));
  await assert.rejects(loadCheckpoint(d), /tokenizer\.json does not exist/);

  d = copy();
  const st = join(d, 'model.safetensors');
  truncateSync(st, statSync(st).size - 10);
  await assert.rejects(loadCheckpoint(d), /model\.safetensors is truncated: tensor 'lm_head\.weight'.*re-download or re-save/);

  d = copy();
  truncateSync(join(d, 'model.safetensors'), 5);
  await assert.rejects(loadCheckpoint(d), /too short for a header/);

  d = copy();
  const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
  writeFileSync(join(d, 'config.json'), JSON.stringify({ ...cfg, intermediate_size: 32 }));
  await assert.rejects(loadCheckpoint(d), /tensor 'model\.layers\.0\.mlp\.gate_proj\.weight' has shape \[24,16\] but config\.json implies \[32,16\]/);

  d = copy();
  writeFileSync(join(d, 'config.json'), JSON.stringify({ ...cfg, num_hidden_layers: 3 }));
  await assert.rejects(loadCheckpoint(d), /tensor 'model\.layers\.2\.input_layernorm\.weight' is missing/);

  d = copy();
  writeFileSync(join(d, 'config.json'), JSON.stringify({ ...cfg, num_hidden_layers: 1 }));
  await assert.rejects(loadCheckpoint(d), /unexpected tensor 'model\.layers\.1\./);

  d = copy();
  writeFileSync(join(d, 'config.json'), JSON.stringify({ ...cfg, architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' }));
  await assert.rejects(loadCheckpoint(d), /architecture 'GPT2LMHeadModel' is not supported/);

  d = copy();
  writeFileSync(join(d, 'config.json'), JSON.stringify({ ...cfg, rope_scaling: { type: 'longrope', short_factor: [1], long_factor: [2] } }));
  await assert.rejects(loadCheckpoint(d), /config\.json: config: 'rope_scaling\.rope_type' = 'longrope' is not supported/);

  d = copy();
  writeSafetensors(join(d, 'model.safetensors'), [{ name: 'model.embed_tokens.weight', data: new Float32Array(4), shape: [4] }]);
  const raw = readFileSync(join(d, 'model.safetensors'));
  writeFileSync(join(d, 'model.safetensors'), Buffer.from(raw.toString('latin1').replace('"F32"', '"I64"'), 'latin1'));
  await assert.rejects(loadCheckpoint(d), /tensor 'model\.embed_tokens\.weight' has dtype "I64".*convert the checkpoint to F32, BF16 or F16/);
  for (const m of made) rmSync(m, { recursive: true });
});
