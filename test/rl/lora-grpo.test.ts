// LoRA GRPO on a tiny model and a trivial task (reward = share of 'b'): only the adapter trains, the reference of the
// KL term is the same model with its adapter off (KL 0 before the first update, > 0 after), the checkpoint is a PEFT
// adapter that loads back onto the base to the same logits.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/util/rng.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { saveCheckpoint } from '../../src/model/checkpoint.js';
import { attachLora } from '../../src/model/lora.js';
import { loadModel } from '../../src/model/lora-io.js';
import { resolveConfig, ConfigError } from '../../src/rl/config.js';
import { GrpoTrainer } from '../../src/rl/trainer.js';
import { tasks, tok, trivialRegistry } from './trivial-task.js';
import { noGrad } from '../../src/tensor/index.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'r1-lora-grpo-')); dirs.push(d); return d; };

test('LoRA GRPO: only the adapter trains, the KL reference is the base, the checkpoint is an adapter', async () => {
  const baseDir = tmp();
  const model = new Decoder(makeConfig({
    vocab_size: tok.vocabSize, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 2,
    bos_token_id: tok.bosId, eos_token_id: tok.eosId,
  }), new Rng(3));
  saveCheckpoint(baseDir, model, tok);
  const cfg = resolveConfig({
    model: baseDir, out: tmp(), world: 'trivial', steps: 4, promptsPerStep: 2, numGenerations: 4, maxCompletionLength: 6,
    rewards: [{ name: 'accuracy', weight: 1 }], learningRate: 5e-2, numIterations: 2, beta: 0.1, evalEvery: -1, saveEvery: 0,
    seed: 5, loraR: 4, loraTargetModules: 'all-linear',
  });
  const before = model.namedParameters().map(([n, t]) => [n, t.data.slice()] as const);
  const adapter = attachLora(model, cfg, 11)!;
  assert.equal(adapter.scale, 2, 'alpha defaults to 2 r');
  const t = new GrpoTrainer(cfg, model, tok, model, tasks, trivialRegistry());
  assert.equal(t.params.length, 2 * 7 * 2, 'the optimizer holds A and B of 14 projections only');
  const kls: number[] = [];
  for (let s = 0; s < cfg.steps; s++) kls.push((await t.trainStep()).kl!);
  assert.ok(kls[0]! > 0 && kls[0]! < kls[3]!, `KL against the adapter-off base grows from the first update: ${kls}`);
  for (const [n, data] of before) assert.deepEqual(model.namedParameters().find(([m]) => m === n)![1].data, data, `${n} frozen`);
  assert.ok(adapter.pairs.some((p) => p.b.data.some((v) => v !== 0)), 'B moved');
  const dir = t.save();
  assert.ok(existsSync(join(dir, 'adapter_config.json')) && existsSync(join(dir, 'adapter_model.safetensors')));
  assert.ok(!existsSync(join(dir, 'model.safetensors')), 'no copy of the base in a LoRA checkpoint');
  assert.equal(JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8')).base_model_name_or_path, baseDir);
  const ids = Int32Array.from([1, 2, 3, 2, 3]);
  const want = noGrad(() => model.forward(ids, 1, 5)).data;
  const back = await loadModel(dir); // an adapter folder alone finds its base through base_model_name_or_path
  assert.deepEqual(noGrad(() => back.model.forward(ids, 1, 5)).data, want);
});

test('LoRA options are validated with the key named', () => {
  const base = { model: 'm', out: 'o', world: 'w' };
  assert.throws(() => resolveConfig({ ...base, loraR: -1 }), (e: Error) => e instanceof ConfigError && /loraR must be an integer >= 0/.test(e.message));
  assert.throws(() => resolveConfig({ ...base, loraR: 8, loraTargetModules: ['q_proj', 'lm_head'] }), /loraTargetModules: target module 'lm_head'/);
  assert.throws(() => resolveConfig({ ...base, loraDropout: 1 }), /loraDropout must be a number in \[0, 1\)/);
});

test('LoRA GRPO through runGrpo: a run stopped and resumed from its adapter checkpoint logs what an uninterrupted run logs', async () => {
  const { runGrpo } = await import('../../src/rl/run.js');
  const { writeFileSync } = await import('node:fs');
  const d = tmp();
  const data = join(d, 'p.jsonl');
  writeFileSync(data, Array.from({ length: 6 }, (_, i) => JSON.stringify({ prompt: `${i} + ${i}`, answer: String(2 * i) })).join('\n') + '\n');
  const base = join(import.meta.dirname, '..', 'fixtures', 'model', 'qwen2-tiny');
  const cfg = (out: string, steps: number) => resolveConfig({
    model: base, out, data, template: 'none', steps, promptsPerStep: 2, numGenerations: 2, maxCompletionLength: 5, evalEvery: -1,
    evalProblems: 1, saveEvery: 1, seed: 3, beta: 0.05, learningRate: 1e-2, loraR: 2, loraTargetModules: ['q_proj', 'down_proj'],
  });
  const whole = tmp(), split = tmp();
  await runGrpo(cfg(whole, 3));
  await runGrpo(cfg(split, 2));
  const r = await runGrpo(cfg(split, 3), undefined, { resume: true });
  assert.equal(r.steps, 3);
  const strip = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n')
    .map((l) => Object.fromEntries(Object.entries(JSON.parse(l)).filter(([k]) => !/seconds|tokens_per_s/.test(k))));
  assert.deepEqual(strip(split), strip(whole));
  assert.ok(existsSync(join(split, 'checkpoints', 'step-3', 'adapter_model.safetensors')));
  // Run again into the same folder without --resume: a fresh run's logs start over, not appended to the last run's.
  await runGrpo(cfg(whole, 3));
  assert.deepEqual(strip(whole), strip(split));
});
