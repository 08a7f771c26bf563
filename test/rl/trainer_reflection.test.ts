// The trainer's per-step reflection and per-difficulty metrics (issue 12's figure data): recomputed from every
// rollout written to samples.jsonl with the same world parser, on a tiny model and a trivial task whose "world" calls
// a completion with 'ab' in it a backtrack and one with 'ba' a re-check; difficulty is a field of the problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/util/rng.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { CharTokenizer } from '../../src/model/tokenizer.js';
import { createRegistry, type Registry } from '../../src/rewards/registry.js';
import { resolveConfig } from '../../src/rl/config.js';
import { GrpoTrainer } from '../../src/rl/trainer.js';
import type { TaskSource, TaskProblem } from '../../src/rl/tasks.js';
import type { World, WorldProblem } from '../../src/data/worlds/types.js';

const tok = new CharTokenizer({ chars: 'ab' });
const allB = (c: string) => c.length > 0 && [...c].every((x) => x === 'b');

function registry(): Registry {
  const base = createRegistry();
  const combine = (_specs: unknown, cs: string[]) => {
    const s = cs.map((c) => (allB(c) ? 1 : 0));
    return { total: s, components: { accuracy: s } };
  };
  return { ...base, combine, combineAsync: async (specs, cs) => combine(specs, cs) };
}

type Levelled = WorldProblem & { level: number };
const world = {
  reflection: (_p: Levelled, c: string) => ({ backtrack: c.includes('ab'), verify: c.includes('ba') }),
  difficultyOf: (p: Levelled) => p.level,
} as unknown as World;

const problems: TaskProblem[] = [2, 5].map((level) => {
  const w: Levelled = { id: `p${level}`, question: 'q', gold: 'bbbb', task: 'trivial', level };
  return { id: w.id, gold: w.gold, prompt: 'a', fields: {}, world: w };
});
const tasks: TaskSource = {
  name: 'trivial',
  draw: () => problems,
  heldOut: () => problems,
  judge: async (texts) => ({ outcomes: texts.map((t) => ({ answer: null, correct: allB(t) })), formatOk: texts.map(() => true) }),
  world,
};

test('per-step reflection shares and per-difficulty accuracy / length / reflection match the rollouts', async () => {
  const out = mkdtempSync(join(tmpdir(), 'r1-refl-'));
  try {
    const cfg = resolveConfig({
      model: 'unused', out, world: 'trivial', steps: 1, promptsPerStep: 2, numGenerations: 8, maxCompletionLength: 6,
      rewards: [{ name: 'accuracy', weight: 1 }], evalEvery: -1, saveEvery: 0, samplesPerStepLogged: 16, seed: 3, temperature: 1.5,
    });
    const model = new Decoder(makeConfig({
      vocab_size: tok.vocabSize, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2,
      bos_token_id: tok.bosId, eos_token_id: tok.eosId,
    }), new Rng(3));
    const m = await new GrpoTrainer(cfg, model, tok, null, tasks, registry()).trainStep();
    const rows = readFileSync(join(out, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { prompt: string; completion: string; tokens: number; gold: string });
    assert.equal(rows.length, 16);
    const share = (xs: boolean[]) => xs.filter(Boolean).length / xs.length;
    assert.equal(m.backtrack, share(rows.map((r) => r.completion.includes('ab'))));
    assert.equal(m.verify, share(rows.map((r) => r.completion.includes('ba'))));
    assert.equal(m.reflection, share(rows.map((r) => r.completion.includes('ab') || r.completion.includes('ba'))));
    assert.ok(m.reflection! > 0 && m.reflection! < 1, `the sampled texts should differ: ${rows.map((r) => r.completion)}`);
    // samples.jsonl spreads over prompts first: even rows are the level-2 problem, odd rows level 5
    for (const [level, parity] of [[2, 0], [5, 1]] as const) {
      const mine = rows.filter((_, q) => q % 2 === parity);
      assert.equal(m[`difficulty/${level}/accuracy`], share(mine.map((r) => allB(r.completion))));
      assert.equal(m[`difficulty/${level}/completion_length`], mine.reduce((s, r) => s + r.tokens, 0) / mine.length);
      assert.equal(m[`difficulty/${level}/reflection`], share(mine.map((r) => r.completion.includes('ab') || r.completion.includes('ba'))));
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
