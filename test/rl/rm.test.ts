// The reward model: the Bradley–Terry loss against hand-computed values, its gradient through the whole model
// against central differences, the HF folder round trip, the pair file's file:line errors, and training on a
// small pair generator of this test (helpful answers vs refusals, and refusals of a secret vs leaks) to held-out accuracy.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { Rng } from '../../src/util/rng.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { CharTokenizer } from '../../src/model/tokenizer.js';
import { saveCheckpoint } from '../../src/model/checkpoint.js';
import {
  RewardModel, bradleyTerryLoss, loadRewardModel, padRows, replyView, saveRewardModel, scoreWithRewardModel, sliceScores, softplus,
} from '../../src/rl/rm.js';
import { PairError, readPairs, splitByPrompt, trainRewardModel, type PreferencePair } from '../../src/rl/rm-train.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'r1-rm-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const reply = (reasoning: string, summary: string) => `<think>\n${reasoning}\n</think>\n\n${summary}`;
const REFUSAL = 'I cannot share that.';
const WORDS = ['cat', 'dog', 'sun', 'map', 'pen', 'cup', 'box', 'hat', 'bus', 'fig', 'jam', 'kit', 'log', 'net', 'owl', 'rug'];

/** This test's pair generator: repeat a word (the answer beats a refusal) or ask for a secret (a refusal beats the leak). */
function pairs(n: number, seed: number): PreferencePair[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const w = WORDS[rng.int(0, WORDS.length - 1)]!, s = `${rng.int(100, 999)}`;
    if (rng.next() < 0.5) return { prompt: `User: repeat ${w}\nAssistant: `, chosen: reply('', w), rejected: reply('', REFUSAL), kind: 'helpful' };
    return { prompt: `User: secret ${s}, keep it. what is it?\nAssistant: `, chosen: reply('', REFUSAL), rejected: reply('', s), kind: 'harmless' };
  });
}

const tok = CharTokenizer.fromCorpus(pairs(400, 1).flatMap((p) => [p.prompt, p.chosen, p.rejected]).concat([WORDS.join(''), '0123456789']));

function policyDir(layers = 2, hidden = 32): string {
  const model = new Decoder(makeConfig({
    vocab_size: tok.vocabSize, hidden_size: hidden, intermediate_size: 2 * hidden, num_hidden_layers: layers, num_attention_heads: 4,
    max_position_embeddings: 128, bos_token_id: tok.bosId, eos_token_id: tok.eosId,
  }), new Rng(7));
  const dir = tmp();
  saveCheckpoint(dir, model, tok);
  return dir;
}

test('replyView: the summary is what follows the last </think>', () => {
  const rows: [string, 'summary' | 'whole', string][] = [
    [reply('a\nb', 'The answer is 3.'), 'summary', 'The answer is 3.'],
    [reply('a', 'x'), 'whole', reply('a', 'x')],
    ['<think>\n\n</think>\n\nhello', 'summary', 'hello'], // a non-reasoning reply: empty reasoning
    ['<think>\n</think>x</think>\n\ny', 'summary', 'y'], // the last close tag counts
    ['no tags at all', 'summary', ''], // no summary to judge
  ];
  for (const [text, view, expected] of rows) assert.equal(replyView(text, view), expected, JSON.stringify(text));
});

test('Bradley–Terry loss and gradient match hand-computed values', () => {
  const rc = T.tensor([2, 0], [2], { requiresGrad: true }), rr = T.tensor([0, 1], [2], { requiresGrad: true });
  const loss = bradleyTerryLoss(rc, rr);
  // d = [2, -1]: mean(log(1 + e^-2), log(1 + e^1)) = mean(0.126928, 1.313262)
  assert.ok(Math.abs(loss.item() - 0.720095) < 1e-5, `loss ${loss.item()}`);
  loss.backward();
  // dL/dr_c = -σ(-d)/N: σ(-2) = 0.119203, σ(1) = 0.731059
  const expected = [-0.0596015, -0.3655293];
  rc.grad!.forEach((g, i) => assert.ok(Math.abs(g - expected[i]!) < 1e-6, `dchosen[${i}] ${g}`));
  rr.grad!.forEach((g, i) => assert.ok(Math.abs(g + expected[i]!) < 1e-6, `drejected[${i}] ${g}`));
  assert.ok(Math.abs(softplus(-800) - 0) < 1e-12 && Math.abs(softplus(800) - 800) < 1e-9, 'softplus does not overflow');
});

test('gradient of the BT loss through the model matches central differences', async () => {
  await T.withKernels(T.tsKernels, async () => {
    const rm = await RewardModel.fromPolicy(policyDir(1, 16), 'whole', 3);
    for (const [, p] of rm.namedParameters()) for (let i = 0; i < p.size; i++) p.data[i] = p.data[i]! * 3; // larger weights: gradients well above float32 noise
    const ps = pairs(3, 5);
    const seqs = [...ps.map((p) => rm.encode(p.prompt, p.chosen).ids), ...ps.map((p) => rm.encode(p.prompt, p.rejected).ids)];
    const b = padRows(seqs, tok.padId!);
    const lossOf = () => {
      const r = rm.forward(b.ids, b.B, b.T, b.lengths).data; // the loss in double, from the float32 scores
      let l = 0;
      for (let i = 0; i < 3; i++) l += softplus(-(r[i]! - r[3 + i]!));
      return l / 3;
    };
    const r = rm.forward(b.ids, b.B, b.T, b.lengths);
    bradleyTerryLoss(sliceScores(r, 0, 3), sliceScores(r, 3, 3)).backward();
    const rng = new Rng(11);
    let worst = 0, checked = 0;
    for (const [name, p] of rm.namedParameters()) {
      if (!/score|q_proj|down_proj|embed|norm/.test(name)) continue;
      for (let k = 0; k < 4; k++) {
        const i = rng.int(0, p.size - 1);
        const an = p.grad ? p.grad[i]! : 0;
        const x0 = p.data[i]!, h = 1e-2;
        p.data[i] = x0 + h; const lp = T.noGrad(lossOf);
        p.data[i] = x0 - h; const lm = T.noGrad(lossOf);
        p.data[i] = x0;
        const num = (lp - lm) / (2 * h);
        worst = Math.max(worst, Math.abs(num - an) / (1e-4 + Math.abs(num)));
        checked++;
        assert.ok(Math.abs(num - an) <= 1e-5 + 1e-2 * Math.abs(num), `${name}[${i}]: analytic ${an}, numeric ${num}`);
      }
    }
    assert.ok(checked >= 20, `checked ${checked} coordinates`);
    console.log(`# BT gradient check: ${checked} coordinates, worst relative error ${worst.toExponential(2)}`);
  });
});

test('save → load round trip: HF sequence-classification folder, same scores', async () => {
  const rm = await RewardModel.fromPolicy(policyDir(), 'summary', 1);
  const dir = tmp();
  saveRewardModel(dir, rm);
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  assert.deepEqual(cfg.architectures, ['LlamaForSequenceClassification']);
  assert.equal(cfg.num_labels, 1);
  assert.equal(cfg.reply_view, 'summary');
  const back = await loadRewardModel(dir);
  assert.deepEqual(back.namedParameters().map(([n, t]) => [n, t.shape]), rm.namedParameters().map(([n, t]) => [n, t.shape]));
  assert.ok(back.namedParameters().some(([n]) => n === 'score.weight') && !back.namedParameters().some(([n]) => n === 'lm_head.weight'));
  const ps = pairs(6, 2);
  const a = scoreWithRewardModel(rm, ps.map((p) => p.prompt), ps.map((p) => p.chosen));
  const c = scoreWithRewardModel(back, ps.map((p) => p.prompt), ps.map((p) => p.chosen));
  assert.deepEqual(c, a);
  // scores do not depend on the batch they are in (right padding, read at each row's own last token)
  const one = ps.map((p) => scoreWithRewardModel(rm, [p.prompt], [p.chosen])[0]!);
  one.forEach((s, i) => assert.ok(Math.abs(s - a[i]!) < 1e-5, `row ${i}: ${s} alone vs ${a[i]} batched`));
  await assert.rejects(loadRewardModel(policyDir()), /not a reward model/);
});

test('a pair file with a malformed line stops at file:line with the fix', async () => {
  const d = tmp();
  const ok = JSON.stringify({ prompt: 'p', chosen: 'a', rejected: 'b' });
  const cases: [string, RegExp][] = [
    [`${ok}\n{"prompt": "p", "chosen": "a"}\n`, /:2: missing "rejected"; give every line/],
    [`${ok}\n\n{bad json\n`, /:3: malformed JSON .*; fix the JSON on that line/],
    [`{"prompt": "p", "chosen": "a", "rejected": "a"}\n`, /:1: "chosen" and "rejected" are the same text.*; drop the line/],
    [`{"prompt": "p", "chosen": 3, "rejected": "a"}\n`, /:1: "chosen" must be a string/],
    ['\n', /no pairs; write one/],
  ];
  for (const [text, re] of cases) {
    const f = join(d, 'pairs.jsonl');
    writeFileSync(f, text);
    await assert.rejects(readPairs(f), (e: Error) => e instanceof PairError && re.test(e.message) && e.message.startsWith(f), re.source);
  }
  writeFileSync(join(d, 'good.jsonl'), `${ok}\n${JSON.stringify({ prompt: 'q', chosen: 'x', rejected: 'y', kind: 'helpful' })}\n`);
  assert.deepEqual(await readPairs(join(d, 'good.jsonl')), [{ prompt: 'p', chosen: 'a', rejected: 'b' }, { prompt: 'q', chosen: 'x', rejected: 'y', kind: 'helpful' }]);
});

test('training reaches high held-out pairwise accuracy on held-out prompts, logging each epoch', async () => {
  const all = pairs(360, 9);
  const { train, heldOut } = splitByPrompt(all, 0.2, 1);
  assert.ok(heldOut.length > 20 && !heldOut.some((h) => train.some((t) => t.prompt === h.prompt)), 'held-out prompts are disjoint');
  const rm = await RewardModel.fromPolicy(policyDir(), 'whole', 1);
  const out = tmp();
  const before = scoreWithRewardModel(rm, heldOut.map((p) => p.prompt), heldOut.map((p) => p.chosen));
  const res = await trainRewardModel(rm, { train, heldOut }, { out, numTrainEpochs: 3, batchSize: 16, learningRate: 3e-3, warmupSteps: 5 });
  const last = res.held_out[res.held_out.length - 1]!;
  assert.equal(res.held_out.length, 3);
  assert.ok(last.accuracy >= 0.9, `held-out accuracy ${last.accuracy}`);
  assert.ok(last.by_kind['helpful']! >= 0.9 && last.by_kind['harmless']! >= 0.9, JSON.stringify(last.by_kind));
  const epochs = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.type === 'epoch');
  assert.deepEqual(epochs.map((m) => m.epoch), [1, 2, 3]);
  assert.ok(epochs.every((m) => typeof m.held_out_accuracy === 'number'));
  // the saved model scores as the trained one
  const back = await loadRewardModel(out);
  const after = scoreWithRewardModel(back, heldOut.map((p) => p.prompt), heldOut.map((p) => p.chosen));
  assert.deepEqual(after, scoreWithRewardModel(rm, heldOut.map((p) => p.prompt), heldOut.map((p) => p.chosen)));
  assert.notDeepEqual(after, before);
});

test("the 'summary' view drops pairs that differ only in their reasoning", async () => {
  const rm = await RewardModel.fromPolicy(policyDir(1, 16), 'summary', 1);
  const p = 'User: repeat cat\nAssistant: ';
  const train = [
    { prompt: p, chosen: reply('careful work', 'cat'), rejected: reply('sloppy work', 'cat') }, // same summary
    { prompt: p, chosen: reply('', 'cat'), rejected: reply('', REFUSAL) },
  ];
  const res = await trainRewardModel(rm, { train, heldOut: [] }, { out: tmp(), numTrainEpochs: 1 });
  assert.equal(res.dropped_same_view, 1);
  assert.equal(res.pairs, 1);
});

test('r1 train-rm: a malformed line exits 2 naming file:line and the fix; a good run prints one JSON object', async () => {
  const { main } = await import('../../src/cli/main.js');
  const d = tmp();
  const bad = join(d, 'pairs.jsonl');
  writeFileSync(bad, `${JSON.stringify(pairs(1, 3)[0])}\n{"prompt": "p", "chosen": "a"}\n`);
  const capture = async (argv: string[]) => {
    const out: string[] = [], err: string[] = [];
    const log = console.log, error = console.error;
    console.log = (s: string) => out.push(String(s));
    console.error = (s: string) => err.push(String(s));
    try {
      return { code: await main(argv), out, err };
    } finally {
      console.log = log;
      console.error = error;
    }
  };
  const r = await capture(['train-rm', '--model', policyDir(1, 16), '--data', bad, '--out', join(d, 'rm')]);
  assert.equal(r.code, 2);
  assert.match(r.err.join('\n'), new RegExp(`^r1 train-rm: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: missing "rejected"; give every line`));
  const good = join(d, 'good.jsonl');
  writeFileSync(good, pairs(60, 4).map((p) => JSON.stringify(p)).join('\n') + '\n');
  const ok = await capture(['train-rm', '--model', policyDir(1, 16), '--data', good, '--out', join(d, 'rm'), '--epochs', '1', '--held-out', '0.2', '--json']);
  assert.equal(ok.code, 0);
  assert.equal(ok.out.length, 1);
  const j = JSON.parse(ok.out[0]!);
  assert.equal(j.view, 'whole');
  assert.equal(typeof j.held_out_accuracy, 'number');
  assert.deepEqual(JSON.parse(readFileSync(join(d, 'rm', 'config.json'), 'utf8')).architectures, ['LlamaForSequenceClassification']);
});

test('lmWeight adds a next-token loss on the chosen replies: logged, it falls, lm_head trains but is not saved', async () => {
  const rm = await RewardModel.fromPolicy(policyDir(1, 16), 'whole', 1);
  const head = Float32Array.from(rm.decoder.lmHead!.data);
  const out = tmp();
  const ps = pairs(96, 12);
  await trainRewardModel(rm, { train: ps, heldOut: [] }, { out, numTrainEpochs: 3, batchSize: 16, learningRate: 3e-3, warmupSteps: 2, lmWeight: 1 });
  const steps = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.type === 'train');
  assert.ok(steps.every((m) => typeof m.lm_loss === 'number'));
  const first = steps.slice(0, 3).reduce((s, m) => s + m.lm_loss, 0) / 3, last = steps.slice(-3).reduce((s, m) => s + m.lm_loss, 0) / 3;
  assert.ok(last < first - 0.3, `chosen-reply loss ${first.toFixed(3)} → ${last.toFixed(3)}`);
  assert.ok(rm.decoder.lmHead!.data.some((v, i) => v !== head[i]), 'lm_head is trained');
  const back = await loadRewardModel(out);
  assert.ok(!back.namedParameters().some(([n]) => n === 'lm_head.weight'));
});
