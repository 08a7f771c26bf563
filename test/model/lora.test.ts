// LoRA against PEFT 0.21 (fixtures by scripts/ref/lora_fixture.py): an adapter PEFT made gives PEFT's logits and greedy
// tokens here (full forward and KV-cached sampler), one r1ts trained gives the logits PEFT computed from it, merging
// equals merge_and_unload(); the fused LoRA op's grads equal those of plain ops; the base stays frozen; bad adapters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/model/checkpoint.js';
import { LoraAdapter, withAdapter, trainableParameters } from '../../src/model/lora.js';
import { AdapterError, loadAdapter, loadModel, saveAdapter } from '../../src/model/lora-io.js';
import { openSafetensors, readTensorInto } from '../../src/model/safetensors.js';
import { generate } from '../../src/generate/index.js';
import { Trainer } from '../../src/sft/trainer.js';
import { add, linear, logSoftmax, mul, noGrad, randn, sum, tensor, tsKernels, withKernels, getKernels, type Tensor } from '../../src/tensor/index.js';
import { Rng } from '../../src/util/rng.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'model');
const BASE = join(FIX, 'qwen2-tiny');
const PEFT = join(FIX, 'lora-peft');
const OURS = join(FIX, 'lora-r1ts');
type Expected = { tokens: number[]; logits: number[][]; greedy: { prompt: number[]; tokens: number[] } };
const read = (p: string): Expected => JSON.parse(readFileSync(p, 'utf8'));

function maxDiff(logits: Float32Array, rows: number[][]): number {
  let d = 0;
  rows.forEach((row, t) => row.forEach((v, j) => { d = Math.max(d, Math.abs(v - logits[t * row.length + j]!)); }));
  return d;
}

for (const [name, kernels] of [['active', null], ['ts', tsKernels]] as const) {
  test(`lora: an adapter PEFT made gives PEFT's logits and greedy tokens (${name} kernels)`, async () => {
    const exp = read(join(PEFT, 'expected.json'));
    const { model, adapter } = await loadModel(BASE, PEFT);
    assert.equal(adapter!.r, 4);
    assert.equal(adapter!.scale, 2);
    assert.equal(adapter!.pairs.length, 2 * 7);
    withKernels(kernels ?? getKernels(), () => {
      const T = exp.tokens.length;
      const logits = noGrad(() => model.forward(Int32Array.from(exp.tokens), 1, T)).data;
      const d = maxDiff(logits, exp.logits);
      console.log(`  PEFT-made adapter: max |logit diff| ${d.toExponential(2)}`);
      assert.ok(d < 1e-4, `max diff ${d}`);
      const [r] = generate(model, [exp.greedy.prompt], { maxNewTokens: 16, temperature: 0, rng: new Rng(0), eosIds: [] });
      assert.deepEqual(r!.tokens, exp.greedy.tokens);
    });
  });
}

test('lora: PEFT loads an adapter r1ts trained and gives our logits', async () => {
  const exp = read(join(OURS, 'peft_expected.json'));
  const { model, adapter } = await loadModel(BASE, OURS);
  assert.deepEqual(adapter!.modules, ['q_proj', 'v_proj', 'o_proj', 'down_proj']);
  const logits = noGrad(() => model.forward(Int32Array.from(exp.tokens), 1, exp.tokens.length)).data;
  const d = maxDiff(logits, exp.logits);
  console.log(`  r1ts-trained adapter under PEFT: max |logit diff| ${d.toExponential(2)}`);
  assert.ok(d < 1e-4, `max diff ${d}`);
  const [r] = generate(model, [exp.greedy.prompt], { maxNewTokens: 16, temperature: 0, rng: new Rng(0), eosIds: [] });
  assert.deepEqual(r!.tokens, exp.greedy.tokens);
});

test('lora: the adapter switched off is the base model exactly', async () => {
  const base = JSON.parse(readFileSync(join(BASE, 'expected.json'), 'utf8')) as Expected;
  const { model } = await loadModel(BASE, PEFT);
  const ids = Int32Array.from(base.tokens);
  const plain = (await loadCheckpoint(BASE)).model;
  const want = noGrad(() => plain.forward(ids, 1, ids.length)).data;
  const off = withAdapter(model, false, () => noGrad(() => model.forward(ids, 1, ids.length)).data);
  assert.deepEqual(off, want);
  const on = noGrad(() => model.forward(ids, 1, ids.length)).data;
  assert.ok(maxDiff(on, base.logits) > 1e-2, 'the adapter changes the logits when on');
});

test("lora: merged weights equal PEFT's merge_and_unload() within 1e-5", async () => {
  const { model, adapter } = await loadModel(BASE, PEFT);
  adapter!.mergeInto();
  assert.equal(model.adapter, null);
  const params = new Map(model.namedParameters());
  const merged = openSafetensors(join(PEFT, 'merged.safetensors'));
  assert.equal(merged.size, 14);
  let d = 0;
  for (const [name, info] of merged) {
    const want = new Float32Array(info.shape.reduce((a, b) => a * b, 1));
    readTensorInto(info, want);
    const got = params.get(name)!.data;
    for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(want[i]! - got[i]!));
  }
  console.log(`  merge vs merge_and_unload: max |diff| ${d.toExponential(2)}`);
  assert.ok(d < 1e-5, `max diff ${d}`);
});

/** The fused op against x Wᵀ + b + s · ((x ⊙ m) Aᵀ) Bᵀ written with plain ops (whose grads are tested against PyTorch). */
for (const dropout of [0, 0.3]) {
  test(`lora: the fused LoRA projection's output and grads equal plain ops' (dropout ${dropout})`, async () => {
    const { model } = await loadCheckpoint(BASE);
    const adapter = new LoraAdapter(model, { r: 3, alpha: 6, dropout, targetModules: ['q_proj'] }, new Rng(5));
    const rng = new Rng(9);
    const p = adapter.pairs[0]!;
    for (let i = 0; i < p.b.data.length; i++) p.b.data[i] = rng.normal() * 0.1;
    const bias = model.layers[0]!.qBias!;
    const x = randn([2, 5, 64], rng, 1, { requiresGrad: true });
    const gOut = randn([2, 5, 64], rng);
    adapter.rng = new Rng(77);
    const y = adapter.linear(x, p.base, bias);
    sum(mul(y, gOut)).backward();
    const got = { x: x.grad!.slice(), a: p.a.grad!.slice(), b: p.b.grad!.slice(), y: y.data.slice() };
    // the same dropout mask, drawn the same way
    const maskRng = new Rng(77);
    const mask = tensor(Float32Array.from({ length: x.size }, () => (dropout > 0 ? (maskRng.next() < dropout ? 0 : 1 / (1 - dropout)) : 1)), x.shape);
    x.grad = null; p.a.grad = null; p.b.grad = null;
    const ref = add(linear(x, p.base, bias), mul(linear(linear(mul(x, mask), p.a), p.b), adapter.scale));
    sum(mul(ref, gOut)).backward();
    const close = (a: Float32Array, b: Float32Array, what: string) => {
      let d = 0, m = 0;
      for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i]! - b[i]!)); m = Math.max(m, Math.abs(b[i]!)); }
      assert.ok(d <= 1e-5 * Math.max(1, m), `${what}: max diff ${d} (scale ${m})`);
    };
    close(got.y, ref.data, 'output');
    close(got.x, x.grad!, 'grad x');
    close(got.a, p.a.grad!, 'grad A');
    close(got.b, p.b.grad!, 'grad B');
    assert.equal(p.base.grad, null, 'the base weight gets no grad');
  });
}

test('lora: training moves only the adapter; the base stays frozen with no grads or optimizer state', async () => {
  const { model } = await loadCheckpoint(BASE);
  const before = model.namedParameters().map(([n, t]) => [n, t.data.slice()] as const);
  const adapter = new LoraAdapter(model, { r: 2, alpha: 4, dropout: 0.1, targetModules: 'all-linear' }, new Rng(3));
  adapter.rng = new Rng(4);
  assert.deepEqual(trainableParameters(model).map(([n]) => n), adapter.namedParameters().map(([n]) => n));
  const trainer = new Trainer(model, { weightDecay: 0 });
  const ids = Int32Array.from({ length: 16 }, (_, i) => (i * 7) % 250);
  const targets = Int32Array.from(ids, (_, i) => (i % 8 === 7 ? -100 : ids[i + 1]!));
  const l0 = trainer.step([{ B: 2, T: 8, ids, targets, tokens: 14 }], 1e-2).loss;
  let l = l0;
  for (let s = 0; s < 5; s++) l = trainer.step([{ B: 2, T: 8, ids, targets, tokens: 14 }], 1e-2).loss;
  assert.ok(l < l0, `loss fell: ${l0} → ${l}`);
  for (const [n, data] of before) {
    const t = model.namedParameters().find(([m]) => m === n)![1];
    assert.deepEqual(t.data, data, `${n} unchanged`);
    assert.equal(t.grad, null, `${n} has no grad`);
  }
  const st = trainer.stateDict() as { decayed: { params: unknown[] } };
  assert.equal(st.decayed.params.length, adapter.parameters().length, 'optimizer state only for the adapter');
});

test('lora: save then load gives the same tensors and a PEFT config', async () => {
  const { model, adapter } = await loadModel(BASE, OURS);
  const dir = mkdtempSync(join(tmpdir(), 'lora-'));
  saveAdapter(dir, adapter!, 'some/base');
  const cfg = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
  assert.equal(cfg.peft_type, 'LORA');
  assert.equal(cfg.r, 4);
  assert.equal(cfg.lora_alpha, 16);
  assert.equal(cfg.base_model_name_or_path, 'some/base');
  assert.deepEqual(cfg.target_modules, ['q_proj', 'v_proj', 'o_proj', 'down_proj']);
  const other = (await loadCheckpoint(BASE)).model;
  const again = loadAdapter(dir, other);
  const names = (a: LoraAdapter): [string, Tensor][] => a.namedParameters();
  assert.deepEqual(names(again).map(([n, t]) => [n, t.data]), names(adapter!).map(([n, t]) => [n, t.data]));
  void model;
});

test('lora: an adapter made for another base fails naming the tensor', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lora-bad-'));
  cpSync(PEFT, dir, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
  writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({ ...cfg, r: 8 }));
  await assert.rejects(loadModel(BASE, dir), (e: Error) => e instanceof AdapterError
    && /tensor 'base_model\.model\.model\.layers\.0\.mlp\.down_proj\.lora_A\.weight' has shape \[4,96\] but r = 8/.test(e.message));
  // a base with fewer layers than the adapter
  const small = mkdtempSync(join(tmpdir(), 'lora-base-'));
  cpSync(BASE, small, { recursive: true });
  const { model, tokenizer } = await loadCheckpoint(BASE);
  void tokenizer;
  const c = JSON.parse(readFileSync(join(BASE, 'config.json'), 'utf8'));
  writeFileSync(join(small, 'config.json'), JSON.stringify({ ...c, num_hidden_layers: 1 }));
  const { saveCheckpoint } = await import('../../src/model/checkpoint.js');
  const one = (await import('../../src/model/decoder.js')).Decoder;
  const m1 = new one({ ...model.config, num_hidden_layers: 1 }, new Rng(1));
  saveCheckpoint(small, m1, tokenizer);
  await assert.rejects(loadModel(small, PEFT), (e: Error) => e instanceof AdapterError && /tensor '.*layers\.1\..*' is for layer 1, but the base has 1 layers/.test(e.message));
  writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({ ...cfg, use_dora: true }));
  await assert.rejects(loadModel(BASE, dir), /use_dora = true is not supported/);
});

test("lora: the KV-cached sampler's logprobs equal the full forward's with the adapter on (two prompts of different lengths)", async () => {
  const { model } = await loadModel(BASE, PEFT);
  const prompts = [[5, 17, 200], [33, 262, 99, 1, 250]];
  const res = generate(model, prompts, { maxNewTokens: 6, temperature: 1, rng: new Rng(4), eosIds: [] });
  let d = 0;
  res.forEach((r, i) => {
    const ids = [...prompts[i]!, ...r.tokens];
    const lp = noGrad(() => logSoftmax(model.forward(Int32Array.from(ids), 1, ids.length))).data; // (1, T, V)
    const V = model.config.vocab_size;
    r.tokens.forEach((tok, j) => { d = Math.max(d, Math.abs(lp[(prompts[i]!.length - 1 + j) * V + tok]! - r.logprobs[j]!)); });
  });
  console.log(`  sampler vs forward logprobs with the adapter: max |diff| ${d.toExponential(2)}`);
  assert.ok(d < 1e-4, `max diff ${d}`);
});
