// User reward functions (TRL's reward_funcs contract): `--reward-module PATH#EXPORT[:WEIGHT]` parsing, loading .ts
// and .mjs modules, the arguments a function receives (TRL's prompts, completions as messages for conversational
// prompts, every column plus gold), the weighted total with TRL's nansum for their nulls, and bad input named in one
// line (module, function, row). The totals are computed by hand from TRL 1.13's rule (grpo_trainer.py: rewards_per_func
// * reward_weights, nansum over functions, a row whose functions are all NaN is NaN).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRegistry } from '../../src/rewards/registry.js';
import { checkUserScores, loadRewardFunction, parseRewardModuleFlag, RewardModuleError, RewardSet, userRewardArgs, type UserRewardFn } from '../../src/rl/reward-module.js';
import { rewardSpecs } from '../../src/rl/api.js';
import { modelRewardsOf } from '../../src/rl/rm-reward.js';
import { resolveConfig } from '../../src/rl/config.js';
import type { TaskProblem } from '../../src/rl/tasks.js';

const dir = mkdtempSync(join(tmpdir(), 'r1-rmod-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('--reward-module PATH#EXPORT[:WEIGHT]: the export names the component, the path is made absolute', () => {
  assert.deepEqual(parseRewardModuleFlag('./r.ts#correct:0.5', '/home/u'), { name: 'correct', weight: 0.5, module: '/home/u/r.ts#correct' });
  assert.deepEqual(parseRewardModuleFlag('/abs/r.mjs#fmt', '/x'), { name: 'fmt', weight: 1, module: '/abs/r.mjs#fmt' });
  assert.deepEqual(parseRewardModuleFlag('lib/r.ts', '/x'), { name: 'default', weight: 1, module: '/x/lib/r.ts#default' });
  for (const bad of ['./r.ts#', './r.ts#a:', './r.ts#a:x', './r.ts#a-b', '#a']) {
    assert.throws(() => parseRewardModuleFlag(bad), (e: unknown) => e instanceof RewardModuleError && e.message.includes(`'${bad}' is not PATH#EXPORT`), bad);
  }
});

test('modules load from TypeScript (through tsx) and JavaScript; missing files, exports and non-functions are named', async () => {
  writeFileSync(join(dir, 'r.ts'), 'export const n: number = 3;\nexport function len(_p: unknown[], cs: string[]): number[] { return cs.map((c) => c.length); }\n');
  writeFileSync(join(dir, 'r.mjs'), 'export default async function twice(_p, cs) { return cs.map(() => 2); }\n');
  writeFileSync(join(dir, 'broken.ts'), 'export function f( {\n');
  const len = await loadRewardFunction(join(dir, 'r.ts#len'));
  assert.deepEqual(await len([], ['ab', ''], { gold: [] }), [2, 0]);
  const twice = await loadRewardFunction(`${join(dir, 'r.mjs')}#default`);
  assert.deepEqual(await twice([], ['x'], { gold: [] }), [2]);
  await assert.rejects(loadRewardFunction(join(dir, 'none.ts#f')), /reward module .*none\.ts: file not found/);
  await assert.rejects(loadRewardFunction(join(dir, 'r.ts#correct')), /has no export 'correct'; its functions: len/);
  await assert.rejects(loadRewardFunction(join(dir, 'r.ts#n')), /r\.ts#n is a number, not a function/);
  await assert.rejects(loadRewardFunction(join(dir, 'broken.ts#f')), (e: unknown) => e instanceof RewardModuleError && /broken\.ts failed to load/.test(e.message) && !e.message.includes('\n'));
});

const conv = (q: string) => [{ role: 'system', content: 'Add.' }, { role: 'user', content: q }];
const problems: TaskProblem[] = [
  { id: '1', gold: '3', prompt: 'User: 1+2\nAssistant: ', fields: { answer: '3', level: 1 }, input: conv('1+2') },
  { id: '2', gold: '7', prompt: 'User: 3+4\nAssistant: ', fields: { answer: '7', level: 2 }, input: '3+4' },
];

test("a function receives TRL's arguments: the data's prompts, completions (messages for a conversation), columns and gold", async () => {
  const [prompts, completions, columns] = userRewardArgs(['a', 'b'], problems);
  assert.deepEqual(prompts, [conv('1+2'), '3+4']);
  assert.deepEqual(completions, [[{ role: 'assistant', content: 'a' }], 'b']);
  assert.deepEqual(columns, { gold: ['3', '7'], answer: ['3', '7'], level: [1, 2] }); // not the templated text
});

test("the total: weights × scores, a function's null skipped (TRL's nansum), a row every function skipped is unscorable", async () => {
  const a: UserRewardFn = (_p, cs) => cs.map((c) => (c === 'skip' ? null : c === 'nan' ? NaN : 1));
  const b: UserRewardFn = async (_p, cs) => cs.map((c) => (c === 'skip' || c === 'nan' ? null : 0.5));
  const set = await RewardSet.load(rewardSpecs([{ name: 'a', fn: a, weight: 2 }, { fn: b, name: 'b', weight: -1 }]), defaultRegistry);
  const texts = ['x', 'skip', 'nan', 'x'];
  const rows = [problems[1]!, problems[1]!, problems[1]!, problems[1]!]; // plain prompts: completions arrive as text
  const r = await set.score(texts, rows);
  assert.deepEqual(r.components, { a: [1, null, null, 1], b: [0.5, null, null, 0.5] });
  // row 0: 2·1 − 0.5 = 1.5; rows 1, 2: every function null → unscorable (TRL: NaN); row 3 as row 0
  assert.deepEqual(r.total, [1.5, null, null, 1.5]);
  const only = await RewardSet.load([{ name: 'a', fn: a, weight: 1 }, { name: 'b', fn: (_p, cs) => cs.map((c) => (c === 'skip' ? 0.25 : null)), weight: 1 }], defaultRegistry);
  assert.deepEqual((await only.score(['x', 'skip'], [problems[1]!, problems[1]!])).total, [1, 0.25]); // each row: the one that applies
});

test("with built-in rewards in the list: a built-in's null still makes the row unscorable (its verdict is missing), kinds apply", async () => {
  const u: UserRewardFn = (_p, cs) => cs.map((c) => (String(c).includes('</think>') ? null : 1));
  const set = await RewardSet.load(rewardSpecs(['accuracy', { fn: u, name: 'u', weight: 0.5, kinds: ['k'] }]), defaultRegistry);
  const withKind: TaskProblem = { ...problems[1]!, fields: { ...problems[1]!.fields, kind: 'k' } };
  const noGold: TaskProblem = { ...withKind, gold: null as unknown as string };
  const r = await set.score(['<think>\nx\n</think>\n\nThe answer is 7.', 'The answer is 7.', 'The answer is 7.', 'The answer is 7.'], [withKind, withKind, problems[1]!, noGold]);
  assert.deepEqual(r.components.accuracy, [1, 1, 1, null]);
  assert.deepEqual(r.components.u, [null, 1, 1, 1]);
  // 1 + skipped; 1 + 0.5; 1 (u does not cover a problem without kind k); accuracy null → null
  assert.deepEqual(r.total, [1, 1.5, 1, null]);
});

test('bad output is one line naming the function, the row and what to return; the start-of-run probe catches it before training', async () => {
  assert.deepEqual(checkUserScores('m#f', [1, null, NaN, -2.5], 4, ''), [1, null, null, -2.5]);
  const fails: [unknown, RegExp][] = [
    [[1, 2], /reward m#f returned 2 scores for 3 completions at step 4 \(row 2 has none\); return one number \(or null\) per completion/],
    [[1, '1', 0], /reward m#f: row 1 is "1" \(string\) at step 4; return a finite number, or null/],
    [[1, 0, Infinity], /row 2 is Infinity/],
    [[1, 0, undefined], /row 2 is undefined/],
    [7, /returned number at step 4; return an array/],
  ];
  for (const [out, re] of fails) assert.throws(() => checkUserScores('m#f', out, 3, 'at step 4'), (e: unknown) => e instanceof RewardModuleError && re.test(e.message) && !e.message.includes('\n'));
  const thrower = await RewardSet.load([{ name: 'boom', fn: () => { throw new Error('no gold\nsecond line'); }, weight: 1 }], defaultRegistry);
  await assert.rejects(thrower.probe(problems), (e: unknown) => e instanceof RewardModuleError && e.message === 'reward function boom threw on the start-of-run check (empty completions) (rows 0-1): no gold; a reward returns null where it does not apply, it never throws');
  const short = await RewardSet.load([{ name: 'short', fn: () => [1], weight: 1 }], defaultRegistry);
  await assert.rejects(short.probe(problems), /reward function short returned 1 scores for 2 completions on the start-of-run check/);
});

test('the list is checked as it loads: names used twice, unknown built-ins, anonymous functions', async () => {
  const f: UserRewardFn = (_p, cs) => cs.map(() => 1);
  await assert.rejects(RewardSet.load([{ name: 'x', fn: f, weight: 1 }, { name: 'x', fn: f, weight: 1 }], defaultRegistry), /reward 'x' is listed twice/);
  await assert.rejects(RewardSet.load([{ name: 'format', weight: 1 }, { name: 'format', fn: f, weight: 1 }], defaultRegistry), /reward 'format' is listed twice/);
  assert.deepEqual((await (await RewardSet.load([{ name: 'format', fn: f, weight: 1 }], defaultRegistry)).score(['x'], [problems[1]!])).components, { format: [1] }); // a function may take a built-in's name when that one is not listed
  await assert.rejects(RewardSet.load([{ name: 'acuracy', weight: 1 }], defaultRegistry), /unknown reward 'acuracy'/);
  assert.throws(() => rewardSpecs([(_p: unknown, cs: unknown[]) => cs.map(() => 1)]), /anonymous function/);
  assert.deepEqual(rewardSpecs(['format', { module: '/m/r.ts#ok', weight: 0.1 }]), [{ name: 'format', weight: 1 }, { name: 'ok', weight: 0.1, module: '/m/r.ts#ok' }]);
});

test('one rewards list, library and config alike: reward models and judges are entries beside rules and functions', () => {
  function mine(_p: unknown[], cs: unknown[]) { return cs.map(() => 1); }
  const specs = rewardSpecs(['accuracy', mine, { name: 'helpful', rewardModel: '/rm', on: 'summary', weight: 0.5, kinds: ['general'] },
    { name: 'v3', judge: { model: 'deepseek-chat', endpoint: 'http://x', apiKeyEnv: 'KEY' } }]);
  assert.deepEqual(specs, [{ name: 'accuracy', weight: 1 }, { name: 'mine', weight: 1, fn: mine },
    { name: 'helpful', weight: 0.5, kinds: ['general'], rewardModel: '/rm', on: 'summary' },
    { name: 'v3', weight: 1, judge: { model: 'deepseek-chat', endpoint: 'http://x', apiKeyEnv: 'KEY' } }]);
  const cfg = resolveConfig({ model: 'm', out: 'o', world: 'addition', rewards: specs });
  assert.deepEqual(cfg.rewards, specs, 'the config keeps the one list as given');
  const models = modelRewardsOf(cfg.rewards);
  assert.deepEqual(models.specs, [{ name: 'helpful', weight: 0.5, kinds: ['general'], path: '/rm', on: 'summary' }]);
  assert.deepEqual(models.judges, [{ name: 'v3', weight: 1, model: 'deepseek-chat', endpoint: 'http://x', apiKeyEnv: 'KEY' }]);
  // a list of only models joins the default rule rewards (the world's task judge + 0.1 × format)
  assert.deepEqual(resolveConfig({ model: 'm', out: 'o', world: 'addition', rewards: specs.slice(2) }).rewards.map((r) => r.name), ['task', 'format', 'helpful', 'v3']);
});

test("the example module (examples/addition/reward.ts) agrees with the addition world's own judge on its written replies", async () => {
  const { correct, format } = await import('../../examples/addition/reward.js');
  const { getWorld, sampleProblems } = await import('../../src/data/worlds/index.js');
  const { Rng } = await import('../../src/util/rng.js');
  const world = getWorld('addition');
  const rng = new Rng(4);
  const rows: { p: ReturnType<typeof world.generate>; text: string }[] = [];
  for (const p of sampleProblems(world, { split: 'train', count: 200, seed: 9 })) {
    for (const style of world.styles) {
      const text = world.write(p, style, rng);
      rows.push({ p, text }, { p, text: text.slice(0, Math.floor(text.length / 2)) }); // and cut short: out of format, no answer
    }
  }
  const completions = rows.map((r) => [{ role: 'assistant', content: r.text }]);
  const answers = rows.map((r) => r.p.gold);
  const c = correct([], completions, { gold: answers, answer: answers }), f = format([], completions);
  const want = rows.map((r) => world.check(r.p, r.text));
  assert.ok(want.some((v) => v.correct) && want.some((v) => !v.correct && v.format_ok)); // the corpus writer slips: right and wrong answers
  assert.deepEqual(c, want.map((v) => (v.correct ? 1 : 0)));
  assert.deepEqual(f, want.map((v) => (v.format_ok ? 1 : 0)));
});
