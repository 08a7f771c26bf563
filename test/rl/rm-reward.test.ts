// Reward models and judges inside GRPO: the weighted score joins the rule total only for the problems a model covers, each model
// is logged as a component, config entries are checked, a view mismatch is refused, and a policy trained by GRPO with
// a reward model as its only counted reward moves toward what the reward model prefers.
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
import { ConfigError, GRPO_SPEC, resolveConfig } from '../../src/rl/config.js';
import { resolve } from '../../src/run/spec.js';
import { GrpoTrainer } from '../../src/rl/trainer.js';
import type { TaskProblem, TaskSource } from '../../src/rl/tasks.js';
import { RewardModel, saveRewardModel, scoreWithRewardModel } from '../../src/rl/rm.js';
import { trainRewardModel } from '../../src/rl/rm-train.js';
import { ModelRewards } from '../../src/rl/rm-reward.js';
import type { CombinedRewards } from '../../src/rewards/registry.js';
import type { JudgeItem } from '../../src/rewards/judge-model.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'r1-rmr-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const tok = new CharTokenizer({ chars: 'ab' });
const tiny = (seed: number) => new Decoder(makeConfig({
  vocab_size: tok.vocabSize, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2,
  bos_token_id: tok.bosId, eos_token_id: tok.eosId,
}), new Rng(seed));

/** A reward model that prefers replies with more b's (trained on random a/b strings, the one with more b's chosen). */
async function bLover(): Promise<string> {
  const policy = tmp();
  saveCheckpoint(policy, tiny(3), tok);
  const rng = new Rng(4);
  const str = (n: number, pb: number) => Array.from({ length: n }, () => (rng.next() < pb ? 'b' : 'a')).join('');
  const pairs = Array.from({ length: 300 }, () => {
    const n = rng.int(1, 6);
    const x = str(n, 0.8), y = str(n, 0.2);
    const nb = (s: string) => [...s].filter((c) => c === 'b').length;
    return nb(x) === nb(y) ? null : nb(x) > nb(y) ? { prompt: 'a', chosen: x, rejected: y } : { prompt: 'a', chosen: y, rejected: x };
  }).filter((p) => p !== null);
  const rm = await RewardModel.fromPolicy(policy, 'whole', 1);
  const out = tmp();
  const r = await trainRewardModel(rm, { train: pairs.slice(0, 250), heldOut: pairs.slice(250) }, { out, numTrainEpochs: 4, learningRate: 1e-2, warmupSteps: 2 });
  assert.ok(r.held_out.at(-1)!.accuracy >= 0.85, `the b-loving reward model reaches ${r.held_out.at(-1)!.accuracy}`);
  return out;
}

test('ModelRewards adds weight × score where it covers the problem and logs the component', async () => {
  const rm = await RewardModel.fromPolicy((() => { const d = tmp(); saveCheckpoint(d, tiny(5), tok); return d; })(), 'whole', 2);
  const dir = tmp();
  saveRewardModel(dir, rm);
  const problems = [
    { prompt: 'a', fields: { task: 'general' } },
    { prompt: 'a', fields: { task: 'addition' } }, // not covered: no term
    { prompt: 'b', fields: { task: 'safety', kind: 'harmful' } },
    { prompt: 'b', fields: { task: 'general' } }, // covered, but its rule total is null: stays null
  ];
  const texts = ['ab', 'ba', 'bbb', 'a'];
  const scored: CombinedRewards = { total: [1, 2, 0.5, null], components: { accuracy: [1, 2, 0.5, null] } };
  const mr = new ModelRewards([{ name: 'helpful', path: dir, on: 'whole', weight: 0.5, kinds: ['general', 'harmful'] }]);
  await mr.add(scored, texts, problems);
  const s = scoreWithRewardModel(rm, problems.map((p) => p.prompt), texts);
  assert.deepEqual(scored.components['helpful'], [s[0], null, s[2], s[3]]);
  assert.ok(Math.abs(scored.total[0]! - (1 + 0.5 * s[0]!)) < 1e-12);
  assert.equal(scored.total[1], 2);
  assert.ok(Math.abs(scored.total[2]! - (0.5 + 0.5 * s[2]!)) < 1e-12);
  assert.equal(scored.total[3], null);
  await assert.rejects(new ModelRewards([{ name: 'h', path: dir, on: 'summary', weight: 1 }]).add(scored, texts, problems),
    /trained on the 'whole' view but the config says on: 'summary'; set on: 'whole' or retrain/);
});

test('reward-model and judge entries of rewards are checked by resolveConfig; the deprecated rewardModels / judges lists move into rewards', () => {
  const base = { model: 'm', out: 'o', world: 'addition' };
  const ok = { name: 'helpful', rewardModel: 'rm', on: 'summary', weight: 1, kinds: ['general'] };
  const rules = [{ name: 'task', weight: 1 }, { name: 'format', weight: 0.1 }];
  assert.deepEqual(resolveConfig(base, { rewards: [...rules, ok] }).rewards, [...rules, ok]);
  const judge = { name: 'v3', weight: 1, judge: { model: 'deepseek-chat', endpoint: 'http://x' } };
  const bad: [unknown, RegExp][] = [
    [{ ...ok, on: 'reply' }, /on must be 'summary' \(helpfulness\) or 'whole'/],
    [{ ...ok, on: undefined }, /on must be 'summary'/],
    [{ ...ok, rewardModel: '' }, /rewardModel must be a folder written by r1 train-rm/],
    [{ name: 'x', weight: 1, on: 'whole' }, /on goes with rewardModel/],
    [{ ...ok, judge: judge.judge }, /give rewardModel or judge, not both/],
    [{ ...ok, extra: 1 }, /unknown field\(s\) extra/],
    [{ ...ok, name: 'format' }, /'format' is listed twice/],
    [{ ...judge, judge: { endpoint: 'http://x' } }, /judge needs model/],
    [{ ...judge, judge: { model: 'm', template: 'long' } }, /judge.template must be one of instruct, compact/],
    [{ ...judge, judge: { model: 'm', url: 'x' } }, /judge has unknown field\(s\) url/],
    [{ ...judge, judge: 'm' }, /judge must be an object/],
  ];
  for (const [v, re] of bad) assert.throws(() => resolveConfig(base, { rewards: [...rules, v] }), (e: Error) => e instanceof ConfigError && re.test(e.message), re.source);
  assert.throws(() => resolveConfig(base, { rewards: [] }), /rewards must be a non-empty list/); // an empty list is not the default
  // the old lists, with a warning: moved into rewards after the rules (the default ones when rewards is not given)
  const warned: string[] = [];
  const old = { name: 'helpful', path: 'rm', on: 'summary', weight: 1, kinds: ['general'] };
  const cfg = resolve(GRPO_SPEC, [base, { rewardModels: [old], judges: [{ name: 'v3', model: 'deepseek-chat', endpoint: 'http://x', weight: 1 }] }], (l) => warned.push(l));
  assert.deepEqual(cfg.rewards, [...rules, ok, judge]);
  assert.deepEqual([cfg.rewardModels, cfg.judges], [[], []]);
  assert.equal(warned.length, 2);
  assert.match(warned[0]!, /'rewardModels' is deprecated; list them in rewards/);
  const oldBad: [unknown, RegExp][] = [
    [[{ ...old, on: 'reply' }], /on must be 'summary' \(helpfulness\) or 'whole'/],
    [[{ ...old, extra: 1 }], /unknown field\(s\) extra/],
    [[old, old], /already a reward's/],
    [[{ ...old, weight: 'x' }], /weight must be a finite number/],
    [{ name: 'x' }, /rewardModels must be a list/],
  ];
  for (const [v, re] of oldBad) assert.throws(() => resolveConfig(base, { rewardModels: v }), (e: Error) => e instanceof ConfigError && re.test(e.message), re.source);
});

test('GRPO with a reward model as the only counted reward moves the policy toward what it prefers', async () => {
  const rmDir = await bLover();
  const out = tmp();
  const problem: TaskProblem = { id: 'p', gold: '', prompt: 'a', fields: { task: 'general' } };
  const tasks: TaskSource = {
    name: 'rm-only', draw: (_r, n) => Array.from({ length: n }, () => problem), heldOut: (n) => Array.from({ length: n }, () => problem),
    judge: async (texts) => ({ outcomes: texts.map(() => ({ answer: null, correct: false })), formatOk: texts.map(() => true) }),
  };
  const cfg = resolveConfig({
    model: 'unused', out, world: 'rm-only', steps: 10, promptsPerStep: 4, numGenerations: 4, maxCompletionLength: 6,
    rewards: [{ name: 'format', weight: 0 }, { name: 'b_lover', rewardModel: rmDir, on: 'whole', weight: 1 }],
    learningRate: 3e-2, evalEvery: -1, saveEvery: 0, seed: 2,
  });
  const t = new GrpoTrainer(cfg, tiny(6), tok, null, tasks);
  await t.train();
  const train = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.type === 'train');
  const rm = train.map((m) => m['rewards/b_lover/mean'] as number);
  assert.ok(rm.every((x) => Number.isFinite(x)), 'the reward model is logged as a component each step');
  assert.deepEqual(train.map((m) => m.reward_null_fraction), train.map(() => 0));
  const first = (rm[0]! + rm[1]!) / 2, last = (rm.at(-1)! + rm.at(-2)!) / 2;
  console.log(`# reward-model score ${first.toFixed(3)} → ${last.toFixed(3)}`);
  assert.ok(last > first + 1, `reward-model score ${first.toFixed(3)} → ${last.toFixed(3)}`);
  const samples = readFileSync(join(out, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(samples.every((s) => typeof s.rewards.b_lover === 'number'));
});

test('judges: 1 / 0 by verdict on covered problems with a gold answer; no verdict makes the total null', async () => {
  const asked: JudgeItem[] = [];
  // a judge that calls a prediction correct when it equals the reference, and gives no verdict on '?'
  const fake = async () => async (items: readonly JudgeItem[]) => items.map((it) => {
    asked.push(it);
    return it.prediction === '?' ? null : it.prediction === it.reference ? 'correct' as const : 'incorrect' as const;
  });
  const problems = [
    { prompt: 'User: reverse ab\nAssistant: ', gold: 'ba', fields: { task: 'general', question: 'reverse ab' } },
    { prompt: 'p', gold: 'ba', fields: { task: 'general' } },
    { prompt: 'p', gold: 'x', fields: { task: 'general' } },
    { prompt: 'p', gold: '', fields: { task: 'general' } }, // no reference: no term
    { prompt: 'p', gold: 'x', fields: { task: 'addition' } }, // not covered
  ];
  const texts = ['<think>\n\n</think>\n\nba', 'ab', '?', 'ba', 'x'];
  const scored: CombinedRewards = { total: [0, 0, 0, 0, 0], components: {} };
  await new ModelRewards([], [{ name: 'judge', model: 'm', weight: 2, kinds: ['general'] }], undefined, fake).add(scored, texts, problems);
  assert.deepEqual(scored.components['judge'], [1, 0, null, null, null]);
  assert.deepEqual(scored.total, [2, 0, null, 0, 0]);
  assert.deepEqual(asked[0], { question: 'reverse ab', reference: 'ba', prediction: 'ba' }); // the question field and the summary
  assert.equal(asked.length, 3);
  const base = { model: 'm', out: 'o', world: 'addition' };
  assert.throws(() => resolveConfig(base, { judges: [{ name: 'j', weight: 1 }] }), /needs model/); // the deprecated list
  assert.throws(() => resolveConfig(base, { judges: [{ name: 'j', model: 'm', weight: 1, template: 'long' }] }), /template must be one of instruct, compact/);
  delete process.env['R1_TEST_NO_SUCH_KEY'];
  await assert.rejects(new ModelRewards([], [{ name: 'j', model: 'v3', endpoint: 'http://127.0.0.1:9', apiKeyEnv: 'R1_TEST_NO_SUCH_KEY', weight: 1 }])
    .add({ total: [0], components: {} }, ['a'], [{ prompt: 'p', gold: 'a', fields: {} }]), /R1_TEST_NO_SUCH_KEY is not set; export the API key there/);
});
