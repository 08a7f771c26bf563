import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/util/rng.js';
import { Decoder } from '../../src/model/decoder.js';
import { saveCheckpoint } from '../../src/model/checkpoint.js';
import { noGrad, logSoftmax } from '../../src/tensor/index.js';
import { makeBatch } from '../../src/sft/batching.js';
import { Trainer } from '../../src/sft/trainer.js';
import { pretrainWorld, worldTokenizer, defaultWorldModelConfig } from '../../src/sft/pretrain.js';
import { sftTrain } from '../../src/sft/sft.js';
import { runContext } from '../../src/run/context.js';

const dir = mkdtempSync(join(tmpdir(), 'r1-sft-'));
const TINY = { hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: 256 };

test('the masked loss is the mean log-loss over completion tokens only', () => {
  const tok = worldTokenizer();
  const model = new Decoder(defaultWorldModelConfig(tok, TINY), new Rng(1));
  const ids = tok.encode('User: 12+34. Assistant: <think> 46 </think>');
  const lossFrom = tok.encode('User: 12+34. Assistant:').length;
  const batch = makeBatch([{ ids, lossFrom }], 0);
  const loss = new Trainer(model).evalLoss([batch]);
  const T = ids.length - 1;
  const lp = noGrad(() => logSoftmax(model.forward(Int32Array.from(ids.slice(0, T)), 1, T))); // (1, T, V)
  const V = lp.shape[2]!;
  let sum = 0;
  for (let t = lossFrom - 1; t < T; t++) sum -= lp.data[t * V + ids[t + 1]!]!;
  assert.ok(Math.abs(loss - sum / (T - lossFrom + 1)) < 1e-4, `${loss} vs ${sum / (T - lossFrom + 1)}`);
  // changing what the prompt tokens would predict changes nothing: the same batch with all targets is different
  const all = new Trainer(model).evalLoss([makeBatch([{ ids, lossFrom: 1 }], 0)]);
  assert.notEqual(all.toFixed(5), loss.toFixed(5));
});

test('a tiny pretrain run on the addition world lowers the loss and saves an HF checkpoint', async () => {
  const out = join(dir, 'base');
  const lines: string[] = [];
  const r = await pretrainWorld({ out, model: TINY, tokens: 80_000, maxSeconds: 30, batchSize: 16, poolBatches: 4, learningRate: 1e-2, warmupSteps: 5, evalEvery: 1000 }, runContext({ log: (l) => lines.push(l) }));
  assert.ok(r.steps > 10, `${r.steps} steps`);
  assert.ok(r.finalLoss < 2.5, `final loss ${r.finalLoss} (starts near ln 100 = 4.6)`);
  assert.ok(existsSync(join(out, 'model.safetensors')) && existsSync(join(out, 'tokenizer.json')));
  const state = JSON.parse(readFileSync(join(out, 'trainer_state.json'), 'utf8'));
  assert.equal(state.world, 'addition');
  assert.equal(state.steps, r.steps);
});

test('a tiny SFT run lowers the validation loss on completions', async () => {
  const tok = worldTokenizer();
  const base = join(dir, 'sft-base');
  saveCheckpoint(base, new Decoder(defaultWorldModelConfig(tok, TINY), new Rng(2)), tok);
  const data = join(dir, 'sft.jsonl');
  const rng = new Rng(3);
  const rows: string[] = [];
  for (let i = 0; i < 200; i++) {
    const a = rng.int(10, 99), b = rng.int(10, 99);
    rows.push(JSON.stringify({ prompt: `User: ${a}+${b}. Assistant:`, completion: ` <answer> ${a + b} </answer>` }));
  }
  writeFileSync(data, rows.join('\n') + '\n');
  const r = await sftTrain({ model: base, data, out: join(dir, 'sft-out'), numTrainEpochs: 3, batchSize: 16, gradientAccumulationSteps: 2, learningRate: 1e-2, evalEvery: 5, valFraction: 0.1 });
  assert.equal(r.examples, 180);
  assert.ok(r.valLoss.length >= 2);
  assert.ok(r.valLoss[r.valLoss.length - 1]! < r.valLoss[0]! * 0.7, `validation ${r.valLoss.join(' → ')}`);
  assert.ok(existsSync(join(dir, 'sft-out', 'model.safetensors')));
});

test('measureWorld on the tiny base model: rates in range, style shares sum to 1', async () => {
  const { loadCheckpoint } = await import('../../src/model/checkpoint.js');
  const { measureWorld } = await import('../../src/eval/world.js');
  const { addition } = await import('../../src/data/worlds/addition.js');
  const { sampleProblems } = await import('../../src/data/worlds/common.js');
  const { model, tokenizer } = await loadCheckpoint(join(dir, 'base'));
  const problems = sampleProblems(addition, { split: 'test', count: 3, seed: 1 });
  const m = await measureWorld(model, tokenizer, addition, { problems, samples: 4, maxNewTokens: 40, rng: new Rng(1), keepSamples: true });
  assert.equal(m.problems, 3);
  assert.equal(m.sampleTexts!.length, 12);
  for (const x of [m.pass1, m.cons16, m.formatRate, m.alwaysWrong, m.stopRate]) assert.ok(x >= 0 && x <= 1);
  // NaN when no sample wrote an arithmetic line (an untrained model rarely does), else a rate
  assert.ok(Number.isNaN(m.unfaithfulLineRate) || (m.unfaithfulLineRate >= 0 && m.unfaithfulLineRate <= 1));
  assert.ok(m.meanLen > 0 && m.meanLen <= 40);
  const shares = Object.values(m.styles).reduce((s, x) => s + x.share, 0);
  assert.ok(Math.abs(shares - 1) < 1e-9);
});

test('pretrainCorpus trains on a JSONL text corpus written by writeWorldCorpus', async () => {
  const { writeWorldCorpus } = await import('../../src/data/worlds/common.js');
  const { expr } = await import('../../src/data/worlds/expr.js');
  const { pretrainCorpus } = await import('../../src/sft/corpus.js');
  const file = join(dir, 'corpus.jsonl');
  assert.equal(await writeWorldCorpus(expr, file, { docs: 300, seed: 1 }), 300);
  const r = await pretrainCorpus({ data: file, out: join(dir, 'corpus-base'), model: TINY, numTrainEpochs: 2, batchSize: 16, learningRate: 1e-2, warmupSteps: 5 });
  assert.equal(r.documents, 300);
  assert.ok(r.steps >= 36 && r.finalLoss < 2.8, `${r.steps} steps, loss ${r.finalLoss}`);
  assert.ok(existsSync(join(dir, 'corpus-base', 'tokenizer.json')));
});
