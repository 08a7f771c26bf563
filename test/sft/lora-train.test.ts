// LoRA through the other trainers and commands: SFT trains an adapter (the base untouched, the output folder a PEFT
// adapter that loads onto its base to the trained logits), reward-model training trains adapter + score head and saves
// the merged model, `r1 merge-lora` equals PEFT's merge_and_unload(), `--adapter` gives PEFT's logits, a bad adapter
// exits 2 with one line naming the tensor.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { r1BatchAsync, r1Spawn } from '../r1-batch.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/model/checkpoint.js';
import { loadModel } from '../../src/model/lora-io.js';
import { openSafetensors, readTensorInto } from '../../src/model/safetensors.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { CharTokenizer } from '../../src/model/tokenizer.js';
import { sftTrain } from '../../src/sft/sft.js';
import { RewardModel, loadRewardModel, scoreWithRewardModel } from '../../src/rl/rm.js';
import { trainRewardModel } from '../../src/rl/rm-train.js';
import { noGrad } from '../../src/tensor/index.js';
import { Rng } from '../../src/util/rng.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIX = join(ROOT, 'test', 'fixtures', 'model');
const BASE = join(FIX, 'qwen2-tiny');
const r1 = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'r1.js'), ...args], { encoding: 'utf8' });
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'r1-lora-')); dirs.push(d); return d; };

test('SFT with loraR trains an adapter only and saves it in PEFT format', async () => {
  const dir = tmp();
  const data = join(dir, 'data.jsonl');
  writeFileSync(data, Array.from({ length: 40 }, (_, i) => JSON.stringify({ prompt: `q${i % 5} `, completion: `answer ${i % 5}` })).join('\n') + '\n');
  const out = join(dir, 'out');
  const baseBefore = (await loadCheckpoint(BASE)).model.namedParameters().map(([, t]) => t.data.slice());
  const r = await sftTrain({ model: BASE, data, out, numTrainEpochs: 3, batchSize: 8, learningRate: 1e-2, warmupSteps: 1, valFraction: 0, loraR: 4, loraTargetModules: 'all-linear' });
  assert.ok(existsSync(join(out, 'adapter_config.json')) && !existsSync(join(out, 'model.safetensors')), 'the output is an adapter');
  const { model, adapter } = await loadModel(out); // through base_model_name_or_path
  assert.equal(adapter!.pairs.length, 14);
  model.namedParameters().forEach(([n, t], i) => assert.deepEqual(t.data, baseBefore[i], `${n} is the base's`));
  assert.ok(r.trainLoss < 5, `the adapter learnt the data: train loss ${r.trainLoss}`);
  const ids = Int32Array.from([261, 5, 7, 9]);
  const plain = (await loadCheckpoint(BASE)).model;
  assert.notDeepEqual(noGrad(() => model.forward(ids, 1, 4)).data, noGrad(() => plain.forward(ids, 1, 4)).data);
});

test('reward-model training with loraR: adapter + score head train, the saved model has the adapter merged', async () => {
  const tok = new CharTokenizer({ chars: 'abcdefghijklmnopqrstuvwxyz :?\n' });
  const m = new Decoder(makeConfig({ vocab_size: tok.vocabSize, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4,
    max_position_embeddings: 128, bos_token_id: tok.bosId, eos_token_id: tok.eosId }), new Rng(7));
  const policy = tmp();
  saveCheckpoint(policy, m, tok);
  const rng = new Rng(3);
  const words = ['apple', 'river', 'stone', 'cloud', 'green'];
  const pairs = Array.from({ length: 120 }, () => {
    const w = words[rng.int(0, 4)]!;
    return { prompt: `say ${w}: `, chosen: w, rejected: 'no' };
  });
  const rm = await RewardModel.fromPolicy(policy, 'whole', 1);
  const out = tmp();
  const res = await trainRewardModel(rm, { train: pairs.slice(0, 100), heldOut: pairs.slice(100) }, { out, numTrainEpochs: 3, batchSize: 16, learningRate: 1e-2, warmupSteps: 2, loraR: 4, loraTargetModules: 'all-linear' });
  assert.ok(res.held_out[res.held_out.length - 1]!.accuracy >= 0.9, JSON.stringify(res.held_out.at(-1)));
  assert.equal(rm.decoder.adapter, null, 'merged before saving');
  const back = await loadRewardModel(out);
  const ps = pairs.slice(100).map((p) => p.prompt), cs = pairs.slice(100).map((p) => p.chosen);
  const a = scoreWithRewardModel(back, ps, cs), b = scoreWithRewardModel(rm, ps, cs);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) < 1e-5, `${x} vs ${b[i]}`));
});

test("r1 merge-lora equals PEFT's merge_and_unload(); r1 logits --adapter gives PEFT's logits", () => {
  const out = join(tmp(), 'merged');
  const r = r1('merge-lora', '--model', BASE, '--adapter', join(FIX, 'lora-peft'), '--out', out, '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).merged_modules, 14);
  const got = openSafetensors(out), want = openSafetensors(join(FIX, 'lora-peft', 'merged.safetensors'));
  let d = 0;
  for (const [name, info] of want) {
    const a = new Float32Array(info.nbytes / 4), b = new Float32Array(info.nbytes / 4);
    readTensorInto(info, a);
    readTensorInto(got.get(name)!, b);
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  }
  assert.ok(d < 1e-5, `max diff ${d}`);
  const exp = JSON.parse(readFileSync(join(FIX, 'lora-peft', 'expected.json'), 'utf8')) as { tokens: number[]; logits: number[][] };
  const l = r1('logits', '--model', BASE, '--adapter', join(FIX, 'lora-peft'), '--token-ids', exp.tokens.slice(0, 4).join(','), '--json');
  assert.equal(l.status, 0, l.stderr);
  let ld = 0;
  (JSON.parse(l.stdout).logits as number[][]).forEach((row, t) => row.forEach((v, j) => { ld = Math.max(ld, Math.abs(v - exp.logits[t]![j]!)); }));
  assert.ok(ld < 1e-4, `logits max diff ${ld}`);
});

test('an adapter made for another base: one line naming the tensor, exit 2', async () => {
  const bad = tmp();
  cpSync(join(FIX, 'lora-peft'), bad, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(bad, 'adapter_config.json'), 'utf8'));
  writeFileSync(join(bad, 'adapter_config.json'), JSON.stringify({ ...cfg, r: 8 }));
  const calls = [['generate', '--prompt', 'hi'], ['merge-lora', '--out', join(bad, 'm')]].map((args) => [args[0]!, '--model', BASE, '--adapter', bad, ...args.slice(1)]);
  // the three runs in one process (test/r1-batch.ts); beside it the first as a real `node bin/r1.js`, which must give the same
  const [batch, real] = await Promise.all([
    r1BatchAsync([...calls, ['sft', '--model', BASE, '--data', 'x.jsonl', '--out', bad, '--lora-r', '4', '--lora-target-modules', 'q_proj,lm_head']]),
    r1Spawn(calls[0]!),
  ]);
  for (const r of batch.slice(0, 2)) {
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /tensor 'base_model\.model\.model\.layers\.0\.mlp\.down_proj\.lora_A\.weight' has shape \[4,96\]/);
  }
  assert.deepEqual(real, batch[0], 'the real binary: the same line, exit 2');
  const r = batch[2]!;
  assert.equal(r.status, 2);
  assert.match(r.stderr, /loraTargetModules: target module 'lm_head' is not a projection/);
});
