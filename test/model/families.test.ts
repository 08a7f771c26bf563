// Every config family against transformers 5.18 (scripts/ref/families_fixture.py): tiny random checkpoints that
// transformers saved (Llama 3.2 / R1-Distill-Llama with llama3 rope, Qwen3, Qwen2.5, SmolLM2, R1-Distill-Qwen,
// linear / dynamic / yarn rope, Mistral) load; FP32 logits within 1e-4; 64 greedy tokens through the KV-cached sampler
// equal generate(do_sample=False); 4.x and 5.x spellings read to one config; rope frequencies; bad configs in one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadCheckpoint, loadConfig, saveCheckpoint } from '../../src/model/checkpoint.js';
import { makeConfig } from '../../src/model/config.js';
import { ropeFreqs } from '../../src/model/rope.js';
import { generate } from '../../src/generate/index.js';
import { noGrad } from '../../src/tensor/index.js';
import { Rng } from '../../src/util/rng.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DIR = join(ROOT, 'test', 'fixtures', 'model', 'families');
const FAMILIES = readdirSync(DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
interface Expected { tokens: number[]; logits: number[][]; greedy: { prompt: number[]; tokens: number[]; min_margin: number } }
const readJSON = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

test('families: every fixture transformers wrote is here', () => {
  assert.deepEqual(FAMILIES, ['llama3.2', 'mistral', 'qwen2.5', 'qwen3', 'r1-distill-llama', 'r1-distill-qwen', 'rope-dynamic', 'rope-linear', 'rope-yarn', 'smollm2']);
});

for (const name of FAMILIES) {
  test(`${name}: logits within 1e-4 of transformers, 64 greedy tokens identical (KV cache)`, async () => {
    const dir = join(DIR, name);
    const exp = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
    const { model, config } = await loadCheckpoint(dir);
    const T = exp.tokens.length;
    const logits = noGrad(() => model.forward(Int32Array.from(exp.tokens), 1, T)); // (1, T, V)
    const V = config.vocab_size;
    let maxDiff = 0;
    exp.logits.forEach((row, t) => row.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - logits.data[t * V + j]!)))));
    const [out] = generate(model, [exp.greedy.prompt], { maxNewTokens: exp.greedy.tokens.length, temperature: 0, eosIds: [], rng: new Rng(0) });
    const firstDiff = out!.tokens.findIndex((t, i) => t !== exp.greedy.tokens[i]);
    console.log(`${name}: logits max abs diff ${maxDiff.toExponential(2)} over ${T}x${V}; greedy ${out!.tokens.length} tokens, first difference ${firstDiff} (transformers' min margin ${exp.greedy.min_margin.toFixed(4)})`);
    assert.ok(maxDiff < 1e-4, `${name}: max abs diff ${maxDiff}`);
    assert.deepEqual(out!.tokens, exp.greedy.tokens);
  });

  test(`${name}: config.json (5.x spelling) and config.v4.json (4.x spelling) read to one config`, () => {
    const tmp = mkdtempSync(join(tmpdir(), 'r1-fam-'));
    try {
      copyFileSync(join(DIR, name, 'config.v4.json'), join(tmp, 'config.json'));
      const v4 = loadConfig(tmp);
      const v5 = loadConfig(join(DIR, name));
      assert.deepEqual(v4, v5);
      const raw4 = readJSON(join(tmp, 'config.json'));
      const raw5 = readJSON(join(DIR, name, 'config.json'));
      assert.ok('rope_parameters' in raw5 && 'dtype' in raw5 && !('rope_scaling' in raw5), 'config.json is 5.x');
      assert.ok('rope_theta' in raw4 && 'torch_dtype' in raw4 && !('rope_parameters' in raw4), 'config.v4.json is 4.x');
    } finally {
      rmSync(tmp, { recursive: true });
    }
  });
}

test('families: what each config says reaches the decoder (head_dim, q/k norms, biases, rope)', async () => {
  const c = (name: string) => loadConfig(join(DIR, name));
  assert.equal(c('qwen3').head_dim, 16);
  assert.equal(c('qwen3').hidden_size / c('qwen3').num_attention_heads, 8);
  assert.equal(c('mistral').head_dim, 16);
  assert.deepEqual(c('llama3.2').rope_scaling, { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 256 });
  assert.equal(c('llama3.2').rope_theta, 500000);
  assert.equal(c('rope-yarn').rope_scaling?.rope_type, 'yarn');
  assert.equal(c('qwen2.5').attention_bias, true);
  assert.equal(c('mistral').attention_bias, false);
  const names = async (n: string) => (await loadCheckpoint(join(DIR, n))).model.namedParameters().map(([k]) => k).filter((k) => k.startsWith('model.layers.0.'));
  assert.ok((await names('qwen3')).includes('model.layers.0.self_attn.k_norm.weight'));
  const linear = await names('rope-linear');
  for (const p of ['self_attn.o_proj.bias', 'self_attn.q_proj.bias', 'mlp.gate_proj.bias', 'mlp.down_proj.bias']) assert.ok(linear.includes(`model.layers.0.${p}`), p);
  const qwen = await names('qwen2.5');
  assert.ok(qwen.includes('model.layers.0.self_attn.v_proj.bias') && !qwen.includes('model.layers.0.self_attn.o_proj.bias'));
  assert.ok(!(await names('mistral')).some((k) => k.endsWith('.bias')));
});

test('rope frequencies equal ROPE_INIT_FUNCTIONS (yarn mscale / truncate / attention_factor, llama3 8B, dynamic at 5000, linear)', () => {
  const cases = readJSON(join(DIR, 'rope_freqs.json')) as Record<string, { config: Record<string, unknown>; seq_len: number | null; inv_freq: number[]; attention_scaling: number }>;
  assert.equal(Object.keys(cases).length, 6);
  for (const [name, k] of Object.entries(cases)) {
    const got = ropeFreqs(makeConfig(k.config), k.seq_len ?? undefined);
    let maxRel = 0;
    k.inv_freq.forEach((v, i) => (maxRel = Math.max(maxRel, Math.abs(got.inv[i]! - v) / v)));
    assert.equal(got.inv.length, k.inv_freq.length, name);
    assert.ok(maxRel < 1e-6, `${name}: inv_freq max relative diff ${maxRel}`);
    assert.ok(Math.abs(got.scale - k.attention_scaling) < 1e-6, `${name}: attention scaling ${got.scale} vs ${k.attention_scaling}`);
  }
});

test('bad configs fail in one line naming the field', () => {
  const base = readJSON(join(DIR, 'qwen2.5', 'config.v4.json')); // sliding_window 16, use_sliding_window false, max_window_layers 1
  const bad = (over: Record<string, unknown>, re: RegExp) => assert.throws(() => makeConfig({ ...base, ...over }), (e: Error) => re.test(e.message) && !e.message.includes('\n'));
  bad({ use_sliding_window: true }, /'use_sliding_window' = true \(sliding_window 16\) makes layer 1 use sliding-window attention.*use_sliding_window: false/);
  bad({ layer_types: ['full_attention', 'sliding_attention'], use_sliding_window: true }, /makes layer 1 use sliding-window/);
  bad({ rope_parameters: { rope_type: 'longrope', rope_theta: 1e4, short_factor: [1], long_factor: [1] } }, /'rope_parameters\.rope_type' = 'longrope' is not supported/);
  bad({ rope_scaling: { type: 'linear', factor: 2, low_freq_factor: 1 } }, /'rope_scaling\.low_freq_factor' is not read by rope_type 'linear'/);
  bad({ rope_scaling: { rope_type: 'llama3', factor: 8 } }, /rope_type 'llama3' needs 'low_freq_factor'/);
  bad({ partial_rotary_factor: 0.5 }, /'partial_rotary_factor' = 0\.5 is not supported/);
  bad({ num_experts: 8 }, /'num_experts' = 8 is not supported/);
  bad({ attention_bias: false }, /'attention_bias' = false is not a qwen2 option/);
  bad({ mlp_bias: true }, /'mlp_bias' = true is only read by model_type 'llama'/);
  bad({ head_dim: 7 }, /head_dim 7 must be even/);
  const mistral = readJSON(join(DIR, 'mistral', 'config.json'));
  assert.throws(() => makeConfig({ ...mistral, sliding_window: 4096 }), /'sliding_window' = 4096 makes layer 0 use sliding-window attention.*sliding_window: null/);
  const { sliding_window: _, ...noWindow } = mistral;
  assert.throws(() => makeConfig(noWindow), /'sliding_window' = 4096/, 'MistralConfig defaults sliding_window to 4096');
  // a sliding window that no layer uses is fine: use_sliding_window false, or every layer below max_window_layers
  assert.equal(makeConfig({ ...base, use_sliding_window: true, max_window_layers: 2 }).model_type, 'qwen2');
  assert.equal(makeConfig({ ...readJSON(join(DIR, 'qwen2.5', 'config.json')), use_sliding_window: true }).model_type, 'qwen2', '5.x writes sliding_window null: nothing slides');
});

test('r1 logits: an unsupported config field is one line on stderr and exit 2', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'r1-fam-'));
  try {
    for (const f of readdirSync(join(DIR, 'qwen2.5'))) copyFileSync(join(DIR, 'qwen2.5', f), join(tmp, f));
    writeFileSync(join(tmp, 'config.json'), JSON.stringify({ ...readJSON(join(DIR, 'qwen2.5', 'config.v4.json')), use_sliding_window: true }));
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'r1.js'), 'logits', '--model', tmp, '--token-ids', '1,2'], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /config\.json: config: 'use_sliding_window' = true/);
  } finally {
    rmSync(tmp, { recursive: true });
  }
});

test('families: a checkpoint r1ts saves reads back to the same config and logits (rope scaling, head_dim, q/k norms, biases)', async () => {
  for (const name of ['qwen3', 'llama3.2', 'rope-linear', 'rope-yarn', 'mistral']) {
    const tmp = mkdtempSync(join(tmpdir(), 'r1-fam-'));
    try {
      const { model, tokenizer, config } = await loadCheckpoint(join(DIR, name));
      saveCheckpoint(tmp, model, tokenizer);
      const back = await loadCheckpoint(tmp);
      assert.deepEqual(back.config, config, name);
      const ids = Int32Array.from([5, 9, 17, 3]);
      assert.deepEqual(noGrad(() => back.model.forward(ids, 1, 4)).data, noGrad(() => model.forward(ids, 1, 4)).data, name);
    } finally {
      rmSync(tmp, { recursive: true });
    }
  }
});

test('published config.json files (Llama 3.2, R1-Distill, Qwen3, Qwen2.5 ± yarn, SmolLM2, Mistral) read as transformers reads them', () => {
  const cases = readJSON(join(DIR, 'published_configs.json')) as Record<string, {
    config: Record<string, unknown>; head_dim: number; rope_parameters: Record<string, unknown>; inv_freq: number[]; attention_scaling: number; sliding_layers: number;
  }>;
  assert.equal(Object.keys(cases).length, 10);
  for (const [name, k] of Object.entries(cases)) {
    if (k.sliding_layers > 0) {
      assert.throws(() => makeConfig(k.config), /use sliding-window attention, which r1ts does not implement/, name);
      continue;
    }
    const c = makeConfig(k.config);
    assert.equal(c.head_dim, k.head_dim, name);
    assert.equal(c.rope_theta, k.rope_parameters['rope_theta'], name);
    assert.equal(c.rope_scaling?.rope_type ?? 'default', k.rope_parameters['rope_type'], name);
    const got = ropeFreqs(c);
    let maxRel = 0;
    k.inv_freq.forEach((v, i) => (maxRel = Math.max(maxRel, Math.abs(got.inv[i]! - v) / v)));
    assert.equal(got.inv.length, k.inv_freq.length, name);
    assert.ok(maxRel < 1e-6, `${name}: inv_freq max relative diff ${maxRel}`);
    assert.ok(Math.abs(got.scale - k.attention_scaling) < 1e-6, `${name}: attention scaling ${got.scale} vs ${k.attention_scaling}`);
  }
});
