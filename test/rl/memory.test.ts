// Memory options of GRPO (issue 21): micro-batches by token count, the peak-memory estimate and its refusal, and that
// gradient checkpointing and token micro-batches leave the training itself unchanged (bit-identical / within 1e-5).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/util/rng.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { CharTokenizer } from '../../src/model/tokenizer.js';
import { saveCheckpoint } from '../../src/model/checkpoint.js';
import { estimateMemory, parameterCount } from '../../src/model/memory.js';
import { createRegistry, type Registry } from '../../src/rewards/registry.js';
import { resolveConfig, type GrpoConfig } from '../../src/rl/config.js';
import { GrpoTrainer, microBatches } from '../../src/rl/trainer.js';
import { estimateRun, memoryRefusal } from '../../src/rl/run.js';
import type { Rollout } from '../../src/rl/loss.js';
import type { TaskSource, TaskProblem } from '../../src/rl/tasks.js';

const tok = new CharTokenizer({ chars: 'ab' });
const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'r1-mem-')); dirs.push(d); return d; };
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const roll = (p: number, c: number): Rollout => ({ prompt: Array(p).fill(1), completion: Array(c).fill(2), oldLogp: new Float32Array(c), refLogp: null, advantage: 0, weight: 1 });

test('microBatches by tokens: rows × (longest row - 1) within the limit, a longer row alone; 0 = equal parts', () => {
  const rs = [roll(2, 3), roll(2, 3), roll(2, 5), roll(3, 6), roll(3, 9), roll(4, 20)]; // lengths 5 5 7 9 12 24
  const m = microBatches(rs, 1, 16);
  assert.deepEqual(m.map((b) => b.length), [2, 2, 1, 1]); // [5,5] 2×4; [7,9] 2×8 = 16; [12] (with 24: 2×23); [24] alone
  for (const b of m) if (b.length > 1) assert.ok(b.length * (Math.max(...b.map((r) => r.prompt.length + r.completion.length)) - 1) <= 16);
  assert.deepEqual(m.flat(), rs, 'every rollout once, in order');
  assert.deepEqual(microBatches(rs, 3, 0).map((b) => b.length), [2, 2, 2]);
});

test('estimate: parameterCount equals the decoder\'s; checkpointing lowers activations, a reference model adds its weights', () => {
  for (const over of [{ tie_word_embeddings: true, model_type: 'qwen2' as const }, { tie_word_embeddings: false, model_type: 'llama' as const }]) {
    const c = makeConfig({ vocab_size: 50, hidden_size: 16, intermediate_size: 40, num_hidden_layers: 3, num_attention_heads: 4, num_key_value_heads: 2, ...over });
    assert.equal(parameterCount(c), new Decoder(c, null).numParameters());
  }
  const q = makeConfig({ model_type: 'qwen2', vocab_size: 151936, hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24,
    num_attention_heads: 14, num_key_value_heads: 2, tie_word_embeddings: true });
  assert.equal(parameterCount(q), 494032768); // Qwen2.5-0.5B's published count
  const plan = { microBatchTokens: 8192, gradientCheckpointing: false, reference: false, sampleRows: 16, sampleLength: 512, precision: 'fp32' as const };
  const a = estimateMemory(q, plan), b = estimateMemory(q, { ...plan, gradientCheckpointing: true }), r = estimateMemory(q, { ...plan, reference: true });
  assert.ok(b.parts['activations']! < a.parts['activations']! / 5, `${b.parts['activations']} vs ${a.parts['activations']}`);
  assert.equal(r.total - a.total, 4 * 494032768);
  assert.equal(a.parts['weights'], 4 * 494032768);
  assert.equal(a.parts['AdamW state'], 8 * 494032768);
  const w = estimateMemory(q, { ...plan, bf16SamplingWeights: true }); // the BF16 copies the sampler reads: 2 bytes a weight
  assert.equal(w.total - a.total, 2 * 494032768);
});

const problem: TaskProblem = { id: 'p', gold: 'bbbb', prompt: 'aab', fields: {} };
const tasks: TaskSource = {
  name: 'trivial',
  draw: (_rng, n) => Array.from({ length: n }, () => problem),
  heldOut: (n) => Array.from({ length: n }, (_, i) => ({ ...problem, id: `p${i}` })),
  judge: async (texts) => ({ outcomes: texts.map(() => ({ answer: null, correct: false })), formatOk: texts.map(() => true) }),
};

function tinyModel(): Decoder {
  return new Decoder(makeConfig({ vocab_size: tok.vocabSize, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 2,
    bos_token_id: tok.bosId, eos_token_id: tok.eosId }), new Rng(3));
}

function config(out: string, over: Partial<GrpoConfig> = {}): GrpoConfig {
  return resolveConfig({
    model: 'unused', out, world: 'trivial', steps: 2, promptsPerStep: 2, numGenerations: 4, maxCompletionLength: 6,
    stopStrings: [], rewards: [{ name: 'accuracy', weight: 1 }], learningRate: 3e-2, numIterations: 2,
    evalEvery: -1, evalProblems: 2, evalSamples: 2, saveEvery: 0, samplesPerStepLogged: 0, seed: 5, ...over,
  });
}

test('estimateRun reads the checkpoint\'s config and the prompts; memoryRefusal names the options that lower it', async () => {
  const dir = tmp();
  saveCheckpoint(dir, tinyModel(), tok);
  const cfg = config(tmp(), { model: dir, beta: 0.04 });
  const est = await estimateRun(cfg, tasks);
  assert.equal(est.parts['reference model'], 4 * tinyModel().numParameters());
  assert.equal(memoryRefusal(cfg, est, est.total), null);
  const msg = memoryRefusal(cfg, est, est.total - 1)!;
  assert.match(msg, /^this run needs about [\d.]+ GiB \(weights .*\) but the machine has .* GiB; lower it with --gradient-checkpointing, --max-tokens-per-micro-batch N/);
  assert.match(msg, /--beta 0/);
  assert.doesNotMatch(memoryRefusal({ ...cfg, gradientCheckpointing: true }, est, 0)!, /--gradient-checkpointing/);
});

/** 'accuracy' = the share of b's, so groups have spread and the loss a gradient. */
function registry(): Registry {
  const base = createRegistry();
  const combine = (_specs: { name: string; weight?: number }[], cs: string[]) => {
    const scores = cs.map((c) => (c.length ? [...c].filter((x) => x === 'b').length / c.length : 0));
    return { total: scores, components: { accuracy: scores } };
  };
  return { ...base, combine, combineAsync: async (specs, cs) => combine(specs, cs) };
}

async function trainLosses(over: Partial<GrpoConfig>): Promise<{ loss: number; grad_norm: number; entropy: number }[]> {
  const cfg = config(tmp(), over);
  const t = new GrpoTrainer(cfg, tinyModel(), tok, null, tasks, registry());
  await t.train();
  return readFileSync(join(cfg.out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.type === 'train')
    .map((m) => ({ loss: m.loss, grad_norm: m.grad_norm, entropy: m.entropy }));
}

test('GRPO with gradient checkpointing trains bit-identically; micro-batches by tokens within 1e-5', async () => {
  const plain = await trainLosses({});
  assert.deepEqual(await trainLosses({ gradientCheckpointing: true }), plain);
  const byTokens = await trainLosses({ maxTokensPerMicroBatch: 20 });
  plain.forEach((m, i) => {
    for (const k of ['loss', 'grad_norm', 'entropy'] as const) assert.ok(Math.abs(byTokens[i]![k] - m[k]) < 1e-5, `step ${i + 1} ${k}: ${byTokens[i]![k]} vs ${m[k]}`);
  });
});


test('SFT step: the chunked loss equals crossEntropy over full logits; gradient checkpointing is bit-identical', async () => {
  const { Trainer } = await import('../../src/sft/trainer.js');
  const { makeBatch } = await import('../../src/sft/batching.js');
  const { crossEntropy, noGrad } = await import('../../src/tensor/index.js');
  const seqs = [{ ids: [1, 2, 3, 2, 1, 3], lossFrom: 2 }, { ids: [3, 3, 1, 2], lossFrom: 1 }];
  const batch = makeBatch(seqs, 0);
  const run = (ckpt: boolean) => {
    const m = tinyModel();
    const full = noGrad(() => crossEntropy(m.forward(batch.ids, batch.B, batch.T), batch.targets, -100).item());
    const st = new Trainer(m, { gradientCheckpointing: ckpt }).step([batch], 1e-2);
    return { full, st, weights: m.parameters().map((p) => p.data.slice()) };
  };
  const a = run(false), b = run(true);
  assert.ok(Math.abs(a.st.loss - a.full) < 1e-6, `chunked ${a.st.loss} vs full logits ${a.full}`);
  assert.deepEqual(b.st, a.st);
  assert.deepEqual(b.weights, a.weights);
});
