// GRPO rollouts from two `r1 serve` replicas on loopback (in-process servers, a tiny model): the first step's rollouts
// equal in-process sampling with the step's seeds; full and LoRA weight sync leave the servers with the trainer's weights
// (and later steps equal in-process sampling from the updated policy); a replica closed mid-step loses nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/util/rng.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { CharTokenizer } from '../../src/model/tokenizer.js';
import { attachLora, loraOf } from '../../src/model/lora.js';
import { Engine } from '../../src/serve/engine.js';
import { OpenAIServer } from '../../src/serve/server.js';
import { createRegistry, type Registry } from '../../src/rewards/registry.js';
import { resolveConfig, type GrpoConfig } from '../../src/rl/config.js';
import { GrpoTrainer } from '../../src/rl/trainer.js';
import { EndpointRollout, seededCompletions, type StepSampling } from '../../src/rl/rollout.js';
import type { Completion } from '../../src/eval/runner.js';
import type { TaskProblem, TaskSource } from '../../src/rl/tasks.js';
import { runContext } from '../../src/run/context.js';

const tok = new CharTokenizer({ chars: 'ab' });
const tinyModel = () => new Decoder(makeConfig({
  vocab_size: tok.vocabSize, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2,
  bos_token_id: tok.bosId, eos_token_id: tok.eosId, max_position_embeddings: 64,
}), new Rng(3));

const shareOfB = (cs: string[]) => cs.map((c) => (c.length ? [...c].filter((x) => x === 'b').length / c.length : 0));
function registry(): Registry {
  const base = createRegistry();
  const combine = (specs: { name: string; weight?: number }[], cs: string[]) => ({ total: shareOfB(cs), components: { accuracy: shareOfB(cs) } });
  return { ...base, combine, combineAsync: async (specs, cs) => combine(specs, cs) };
}
const prompts: TaskProblem[] = ['a', 'ab', 'ba'].map((p, i) => ({ id: `p${i}`, gold: 'b', prompt: p, fields: {} }));
const tasks: TaskSource = {
  name: 'trivial',
  draw: (rng, n) => Array.from({ length: n }, () => rng.pick(prompts)),
  heldOut: (n) => prompts.slice(0, n),
  judge: async (texts) => ({ outcomes: shareOfB(texts).map((s) => ({ answer: null, correct: s === 1 })), formatOk: texts.map(() => true) }),
};

const dirs: string[] = [];
const servers: OpenAIServer[] = [];
const rollouts: EndpointRollout[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'r1-rollout-'));
  dirs.push(d);
  return d;
};
after(async () => {
  rollouts.forEach((r) => r.close());
  await Promise.all(servers.map((s) => s.close().catch(() => {})));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** An `r1 serve` replica of the tiny base model, in this process, on a loopback port (0: any free one). */
async function replica(port = 0): Promise<{ server: OpenAIServer; url: string; port: number }> {
  const server = new OpenAIServer(new Engine(tinyModel(), tok, { slots: 8, maxLen: 64 }), { modelName: 'tiny' });
  servers.push(server);
  const bound = await server.listen(port, '127.0.0.1');
  return { server, url: `http://127.0.0.1:${bound}/v1`, port: bound };
}

function config(out: string, urls: string[], over: Partial<GrpoConfig> = {}): GrpoConfig {
  return resolveConfig({
    model: 'unused', out, world: 'trivial', steps: 2, promptsPerStep: 3, numGenerations: 4, maxCompletionLength: 8,
    stopStrings: [], rewards: [{ name: 'accuracy', weight: 1 }], learningRate: 5e-2, numIterations: 1, evalEvery: -1, saveEvery: 0,
    samplesPerStepLogged: 0, seed: 11, rollout: { endpoints: urls, modelName: 'tiny', healthInterval: 0.1, waitForServers: 0.5, timeout: 20 }, ...over,
  });
}

const sampling = (c: GrpoConfig): StepSampling => ({ maxTokens: c.maxCompletionLength, temperature: c.temperature, topP: c.topP, topK: c.topK, stop: c.stopStrings });

/** A trainer on servers, with every step's completions recorded as the trainer received them. */
async function trainerOn(urls: string[], o: { lora?: boolean; over?: Partial<GrpoConfig> } = {}) {
  const out = tmp();
  const cfg = config(out, urls, { ...(o.lora ? { loraR: 4, loraTargetModules: ['q_proj', 'v_proj', 'gate_proj'] } : {}), ...o.over });
  const policy = tinyModel();
  if (o.lora) attachLora(policy, cfg, 7);
  const trainer = new GrpoTrainer(cfg, policy, tok, null, tasks, registry());
  const lines: string[] = [];
  trainer.rollout = await EndpointRollout.open(cfg.rollout as Exclude<GrpoConfig['rollout'], 'local'>, {
    kind: o.lora ? 'lora' : 'full', syncDir: join(out, 'weight-sync'), baseModel: null, model: policy, tokenizer: tok, version: 0,
    probePrompt: tok.encode('a'), log: (l) => lines.push(l),
  });
  rollouts.push(trainer.rollout);
  const steps: (Completion & { weightVersion?: number; endpoint?: string })[][] = [];
  const sample = trainer.rollout.sample.bind(trainer.rollout);
  const seeds: number[][] = [], inProcess: Completion[][] = [];
  trainer.rollout.sample = async (p, n, s, so) => {
    seeds.push(s);
    inProcess.push(seededCompletions(policy, tok, p, n, s, so)); // the trainer's policy now, with the same seeds
    const r = await sample(p, n, s, so);
    steps.push(r);
    return r;
  };
  return { trainer, cfg, policy, lines, steps, seeds, inProcess, out };
}

/** What the trainer's Rng gives a step: its problems, then one seed per prompt. */
function expectedFirstStep(cfg: GrpoConfig): { problems: TaskProblem[]; seeds: number[] } {
  const rng = new Rng(cfg.seed);
  const problems = tasks.draw(rng, cfg.promptsPerStep);
  return { problems, seeds: problems.map(() => rng.nextU32()) };
}

function assertSameCompletions(got: Completion[], want: Completion[], what: string): void {
  assert.equal(got.length, want.length, what);
  got.forEach((g, i) => {
    assert.deepEqual(g.tokens, want[i]!.tokens, `${what}: row ${i} tokens`);
    assert.equal(g.finishReason, want[i]!.finishReason, `${what}: row ${i} finish`);
    assert.equal(g.text, want[i]!.text, `${what}: row ${i} text`);
    g.logprobs.forEach((lp, t) => assert.ok(Math.abs(lp - want[i]!.logprobs[t]!) < 1e-5, `${what}: row ${i} token ${t} logprob ${lp} vs ${want[i]!.logprobs[t]}`));
  });
}

test("the first step's rollouts from 2 replicas equal in-process sampling with the step's seeds, spread over both", async () => {
  const [a, b] = [await replica(), await replica()];
  const { trainer, cfg, steps, policy, inProcess } = await trainerOn([a.url, b.url]);
  const base = tinyModel(); // the policy before the update
  await trainer.trainStep();
  const { problems, seeds } = expectedFirstStep(cfg);
  const want = seededCompletions(base, tok, problems.map((p) => tok.encode(p.prompt)), cfg.numGenerations, seeds, sampling(cfg));
  assertSameCompletions(steps[0]!, want, 'step 1');
  assert.ok(want.some((w) => w.tokens.length > 1), 'the rollouts have more than one token');
  assert.deepEqual(new Set(steps[0]!.map((c) => c.endpoint)), new Set([a.url, b.url]), 'both replicas sampled');
  assert.ok(steps[0]!.every((c) => c.weightVersion === 0));
  // full sync: both servers now hold the updated weights, as version 1
  for (const s of [a, b]) {
    const v = await (await fetch(`http://127.0.0.1:${s.port}/get_weight_version`)).json() as { weight_version: string };
    assert.equal(v.weight_version, '1');
    const served = new Map(s.server.engine.model.namedParameters());
    for (const [name, p] of policy.namedParameters()) assert.deepEqual(served.get(name)!.data, p.data, `${name} on the server`);
  }
  assert.ok(policy.namedParameters().some(([, p], i) => p.data.some((x, j) => x !== base.namedParameters()[i]![1].data[j])), 'the step changed the policy');
  // step 2 samples from the updated policy (version 1), again equal to in-process sampling
  await trainer.trainStep();
  assertSameCompletions(steps[1]!, inProcess[1]!, 'step 2 after a full sync');
  assert.ok(steps[1]!.every((c) => c.weightVersion === 1));
  const m = readFileSync(join(cfg.out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(m.length, 2);
  assert.equal(m[0]['rollout/staleness_mean'], 0);
  assert.ok(m[0]['offpolicy/abs_logp_diff'] < 1e-4, `same weights, same precision: Δ ${m[0]['offpolicy/abs_logp_diff']}`);
  assert.equal(m[0]['offpolicy/masked_fraction'], 0);
  trainer.rollout!.close();
});

test('LoRA sync: the servers load the adapter in place (vLLM route) and sample from the trained adapter', async () => {
  const [a, b] = [await replica(), await replica()];
  const { trainer, steps, policy, inProcess } = await trainerOn([a.url, b.url], { lora: true });
  for (const s of [a, b]) assert.equal(s.server.weights.loraName, 'r1-policy'); // version 0 pushed before the first step
  await trainer.trainStep();
  for (const s of [a, b]) {
    const served = new Map(loraOf(s.server.engine.model)!.namedParameters());
    for (const [name, p] of loraOf(policy)!.namedParameters()) assert.deepEqual(served.get(name)!.data, p.data, `${name} on the server`);
  }
  await trainer.trainStep();
  assertSameCompletions(steps[0]!, inProcess[0]!, 'step 1 (adapter B = 0)');
  assertSameCompletions(steps[1]!, inProcess[1]!, 'step 2 after an adapter reload');
  const base = seededCompletions(tinyModel(), tok, [tok.encode('a')], 4, [1], { maxTokens: 8, temperature: 1, topP: 1, topK: 0, stop: [] });
  const adapted = seededCompletions(policy, tok, [tok.encode('a')], 4, [1], { maxTokens: 8, temperature: 1, topP: 1, topK: 0, stop: [] });
  assert.notDeepEqual(adapted.map((c) => Array.from(c.logprobs)), base.map((c) => Array.from(c.logprobs)), 'the adapter changed the policy');
  assert.ok(steps[1]!.every((c) => c.weightVersion === 1));
  trainer.rollout!.close();
});

test('a replica closed mid-step: its requests move to the other, nothing lost or counted twice, and it is taken back', async () => {
  const a = await replica(), b = await replica();
  const { trainer, cfg, steps, lines } = await trainerOn([a.url, b.url], { over: { promptsPerStep: 6, maxCompletionLength: 30 } });
  const base = tinyModel();
  let killed = false;
  b.server.http.on('request', (req) => {
    if (!killed && req.url === '/v1/completions') { killed = true; setImmediate(() => void b.server.close()); }
  });
  await trainer.trainStep();
  assert.ok(killed);
  const rng = new Rng(cfg.seed);
  const problems = tasks.draw(rng, cfg.promptsPerStep);
  const want = seededCompletions(base, tok, problems.map((p) => tok.encode(p.prompt)), cfg.numGenerations, problems.map(() => rng.nextU32()), sampling(cfg));
  assertSameCompletions(steps[0]!, want, 'step 1 with a replica gone');
  const moved = lines.filter((l) => /moved off/.test(l));
  assert.ok(moved.length >= 1 && moved.every((l) => l.includes(b.url)), lines.join('\n'));
  assert.ok(steps[0]!.every((c) => c.endpoint === a.url), 'every rollout came from the replica left');
  const m = JSON.parse(readFileSync(join(cfg.out, 'metrics.jsonl'), 'utf8').trim().split('\n')[0]!);
  assert.equal(m['rollout/moved_requests'], moved.length);
  assert.equal(m['rollout/servers_up'], 1);
  // the replica comes back on its port: its health check answers, it gets the current weights, and it samples again
  const b2 = await replica(b.port);
  for (let i = 0; i < 50 && !trainer.rollout!.pool.eps[1]!.up; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(trainer.rollout!.pool.eps[1]!.up, 'taken back');
  assert.equal(b2.server.weights.version, '1');
  await trainer.trainStep();
  assert.ok(steps[1]!.some((c) => c.endpoint === b.url), 'the replica taken back samples again');
  trainer.rollout!.close();
});

test('no server left: the run stops with a checkpoint and one line, and its step is not counted', async () => {
  const a = await replica();
  const { trainer, cfg, out } = await trainerOn([a.url], { over: { steps: 3 } });
  await a.server.close();
  const lines: string[] = [];
  const reason = await trainer.train(runContext({ log: (l) => lines.push(l) }));
  assert.equal(reason, 'no-servers');
  assert.equal(trainer.step, 0);
  assert.ok(existsSync(join(out, 'checkpoints', 'step-0', 'trainer_state.json')));
  const stop = lines.filter((l) => /STOPPED/.test(l));
  assert.equal(stop.length, 1);
  assert.match(stop[0]!, new RegExp(`every rollout server stopped answering \\(${a.url.replace(/[.]/g, '\\.')}`));
  const state = JSON.parse(readFileSync(join(out, 'checkpoints', 'step-0', 'trainer_state.json'), 'utf8'));
  assert.deepEqual(state.rng.slice(0, 4), new Rng(cfg.seed).getState().slice(0, 4), 'the Rng as before the step that did not happen');
  trainer.rollout!.close();
});

test('async steps, maxStaleness 1: the next batch samples while this step trains, with the weights it was launched under', async () => {
  const a = await replica(), b = await replica();
  const { trainer, steps, inProcess, cfg } = await trainerOn([a.url, b.url], { over: { steps: 3, asyncRollouts: true, maxStaleness: 1 } });
  for (let i = 0; i < 3; i++) await trainer.trainStep();
  assert.equal(steps.length, 3);
  steps.forEach((s, i) => assertSameCompletions(s, inProcess[i]!, `batch ${i + 1}`)); // each equals the policy it was launched under
  assert.deepEqual(steps.map((s) => s[0]!.weightVersion), [0, 0, 1], 'batch 2 was launched before the first update');
  const m = readFileSync(join(cfg.out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(m.map((r) => r['rollout/staleness_max']), [0, 1, 1]);
  assert.deepEqual(m.map((r) => r['rollout/dropped_stale']), [0, 0, 0]);
  assert.ok(m[1]['offpolicy/abs_logp_diff'] > 1e-4, `one version behind, the trainer and the sampler differ: Δ ${m[1]['offpolicy/abs_logp_diff']}`);
});

test('rollouts older than maxStaleness are dropped and counted', async () => {
  const a = await replica();
  // sampling 1 step ahead and syncing every 2 steps: step 3's batch was sampled with version 0 and trains at version 2
  const { trainer, cfg } = await trainerOn([a.url], { over: { steps: 3, asyncRollouts: true, maxStaleness: 1, weightSyncSteps: 2 } });
  for (let i = 0; i < 3; i++) await trainer.trainStep();
  const m = readFileSync(join(cfg.out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(m.map((r) => r['rollout/staleness_max']), [0, 1, 2]);
  assert.deepEqual(m.map((r) => r['rollout/dropped_stale']), [0, 0, cfg.promptsPerStep * cfg.numGenerations]);
  assert.deepEqual(m.map((r) => r.rollouts_trained), [12, 12, 0]);
});

test("clipAgainst 'sampler': the ratio's old policy is the sampler's, so the clip bounds the drift since sampling; 'trainer' starts every step at ratio 1", async () => {
  const a = await replica();
  const clipped: Record<string, number[]> = {};
  for (const clipAgainst of ['trainer', 'sampler'] as const) {
    const { trainer, cfg } = await trainerOn([a.url], { over: { steps: 3, asyncRollouts: true, maxStaleness: 1, clipAgainst, learningRate: 0.3, epsilon: 0.05 } });
    for (let i = 0; i < 3; i++) await trainer.trainStep();
    const m = readFileSync(join(cfg.out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(m.map((r) => r['rollout/staleness_max']), [0, 1, 1]);
    clipped[clipAgainst] = m.map((r) => r.clip_low + r.clip_high);
    assert.ok(m[2]['offpolicy/abs_logp_diff'] > 0.01, `the batch one version old differs from the trainer: Δ ${m[2]['offpolicy/abs_logp_diff']}`);
  }
  assert.deepEqual(clipped.trainer, [0, 0, 0], 'μ = 1 against the trainer: the ratio is 1 at the only update');
  assert.equal(clipped.sampler![0], 0, 'step 1 sampled with the weights it trains: nothing to clip');
  assert.ok(clipped.sampler!.slice(1).some((x) => x > 0), `one version behind, against the sampler: clipped ${clipped.sampler}`);
});
