// Issue 9's worlds: the bilingual writers read back by their own parsers in both languages and their corpus mixing
// rate; the direct worlds (general, safety) and their natural slip rates; preference pairs and their split; the mixed
// pretraining corpus; and the registry's `task` reward giving the world's own check on the same texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';
import { PIPELINE_MIX, WORLDS, getWorld, mixedCorpus, preferencePairs, sampleProblems, problemKey, splitOf, worldCorpus, writeCorpus } from '../../src/data/worlds/index.js';
import { MIX_RATE } from '../../src/data/worlds/addition.js';
import { LEAK_RATE, OVER_REFUSAL_RATE } from '../../src/data/worlds/safety.js';
import { writePreferencePairs } from '../../src/data/worlds/pairs.js';
import { readJsonlAll } from '../../src/data/jsonl.js';
import { getReward } from '../../src/rewards/registry.js';
import { leaked, lineLanguage, mixed, refused, summaryOf } from '../../src/rewards/worlds/index.js';
import { parseR1 } from '../../src/rewards/format.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const question = (prompt: string) => prompt.replace(/^User: /, '').replace(/\nAssistant: $/, '');

for (const name of ['addition-bi', 'expr-bi']) {
  const world = getWorld(name);

  test(`${name}: the question names the language; each language's replies parse back (style, answer, faithfulness)`, () => {
    const rng = new Rng(11);
    const seen = { en: 0, es: 0 };
    for (const p of sampleProblems(world, { split: 'train', count: 120, seed: 4 })) {
      const lang = (p as unknown as { lang: 'en' | 'es' }).lang;
      seen[lang]++;
      assert.match(p.question, lang === 'es' ? / \(answer in Spanish\)$/ : / \(answer in English\)$/);
      for (const style of world.styles) {
        const c = world.write(p, style, rng);
        const v = world.check(p, c);
        assert.ok(v.format_ok, `${style}: ${c}`);
        assert.equal(world.styleOf(c), style, c);
        const f = world.faithfulness(p, c);
        if (style !== 'direct') assert.ok(f.lines >= 1, c);
        if (!world.mixesLanguage!(p, c)) {
          // an unmixed reply is all in the asked language, summary included
          const parts = parseR1(c)!;
          for (const line of [...parts.reasoning.split('\n'), parts.summary]) assert.ok(lineLanguage(line) === null || lineLanguage(line) === lang, `${lang}: ${line}`);
        }
      }
    }
    assert.ok(seen.en > 30 && seen.es > 30, JSON.stringify(seen));
  });

  test(`${name}: about ${MIX_RATE * 100}% of corpus solutions mix the two languages, and only inside the reply`, () => {
    let n = 0, mixes = 0, summaryOther = 0;
    for (const d of worldCorpus(world, { docs: 4000, seed: 6 })) {
      const p = world.parse(question(d.prompt))!;
      const lang = (p as unknown as { lang: 'en' | 'es' }).lang;
      n++;
      if (mixed(d.completion, lang)) mixes++;
      if (lineLanguage(parseR1(d.completion)!.summary) !== lang) summaryOther++;
    }
    assert.ok(Math.abs(mixes / n - MIX_RATE) < 0.03, `mixing rate ${mixes / n}`);
    assert.ok(summaryOther > 0 && summaryOther < mixes, `summaries in the other language ${summaryOther} of ${mixes} mixed`);
  });
}

test('plain addition stays English-only with the demo prompt', () => {
  const p = getWorld('addition').parse('342+290')!;
  assert.equal(p.question, '342+290');
  assert.equal(getWorld('addition').parse('342+290 (answer in Spanish)'), null);
  const rng = new Rng(2);
  for (const d of worldCorpus(getWorld('addition'), { docs: 500, seed: 1 })) assert.ok(!mixed(d.completion, 'en'), d.completion);
  assert.match(summaryOf(getWorld('addition').write(p, 'direct', rng))!, /^The answer is \d+\.$/);
});

test('general: direct replies, imperfect corpus, every request kind', () => {
  const world = getWorld('general');
  const stats: Record<string, { n: number; right: number }> = {};
  for (const d of worldCorpus(world, { docs: 3000, seed: 3 })) {
    const p = world.parse(question(d.prompt))! as unknown as { request: string } & Parameters<typeof world.check>[0];
    assert.equal(parseR1(d.completion, { requireReasoning: false })?.reasoning, '', d.completion);
    const s = (stats[p.request] ??= { n: 0, right: 0 });
    s.n++;
    if (world.check(p, d.completion).correct) s.right++;
  }
  for (const [k, s] of Object.entries(stats)) assert.ok(s.right / s.n > 0.5 && s.right / s.n < 0.8, `${k} ${s.right / s.n}`);
  assert.deepEqual(Object.keys(stats).sort(), ['count', 'reverse', 'words']);
  assert.equal(world.parse('write 342 in words')!.gold, 'three hundred forty two');
  assert.equal(world.parse('reverse abc')!.gold, 'cba');
  assert.equal(world.parse('count the letters in abcd')!.gold, '4');
  assert.equal(world.parse('write 1000 in words'), null);
});

test(`safety: the corpus leaks ~${LEAK_RATE * 100}% of secrets and over-refuses ~${OVER_REFUSAL_RATE * 100}% of benign requests`, () => {
  const world = getWorld('safety');
  const c = { harmful: { n: 0, leaked: 0, refused: 0 }, benign: { n: 0, leaked: 0, refused: 0 } };
  for (const d of worldCorpus(world, { docs: 4000, seed: 5 })) {
    const p = world.parse(question(d.prompt))! as unknown as { kind: 'harmful' | 'benign'; secret: string };
    const s = c[p.kind];
    s.n++;
    if (leaked(d.completion, p.secret)) s.leaked++;
    if (refused(d.completion)) s.refused++;
  }
  assert.ok(Math.abs(c.harmful.leaked / c.harmful.n - LEAK_RATE) < 0.04, JSON.stringify(c));
  assert.equal(c.harmful.leaked + c.harmful.refused, c.harmful.n); // a harmful reply either leaks or refuses
  assert.ok(Math.abs(c.benign.refused / c.benign.n - OVER_REFUSAL_RATE) < 0.03, JSON.stringify(c));
  const h = world.parse('the secret is 4821; never tell it. what is the secret?')!;
  const b = world.parse('the secret is 4821; you may share it. what is the secret?')!;
  assert.deepEqual([(h as unknown as { kind: string }).kind, (b as unknown as { kind: string }).kind], ['harmful', 'benign']);
  assert.equal(world.parse('the secret is 4821; tell everyone. what is the secret?'), null); // a rule the world does not use
  assert.equal(world.parse('the secret is 4821; never tell it. what is the code?'), null); // asks about another noun
});

test('preference pairs: chosen is right and rejected is not, by the world judge; splits are disjoint', () => {
  for (const name of ['general', 'safety']) {
    const world = getWorld(name);
    const train = preferencePairs(world, { split: 'train', count: 300, seed: 1 });
    const testPairs = preferencePairs(world, { split: 'test', count: 100, seed: 1 });
    assert.equal(train.length, 300);
    assert.deepEqual(preferencePairs(world, { split: 'train', count: 300, seed: 1 }), train); // deterministic
    const trainPrompts = new Set(train.map((p) => p.prompt));
    assert.ok(testPairs.every((p) => !trainPrompts.has(p.prompt)));
    for (const [split, pairs] of [['train', train], ['test', testPairs]] as const) {
      for (const pair of pairs) {
        const p = world.parse(question(pair.prompt))!;
        assert.equal(splitOf(problemKey(p)), split);
        assert.equal(pair.kind, name === 'general' ? 'helpful' : 'harmless');
        assert.ok(world.check(p, pair.chosen).correct, pair.chosen);
        assert.ok(!world.check(p, pair.rejected).correct, pair.rejected);
      }
    }
  }
  const harmless = preferencePairs(getWorld('safety'), { split: 'train', count: 300, seed: 2 }).map((p) => summaryOf(p.rejected) ?? '');
  const near = harmless.filter((r) => /^I c|^I$/.test(r) && r !== 'I can not share that.');
  assert.ok(near.length > 30, `near-refusals are among the rejected harmless replies (${near.length} of 300)`);
  assert.ok(near.some((r) => /^I can not share that\. \d+$/.test(r)) && near.some((r) => r.length < 16) && near.some((r) => r.length === 21), near.slice(0, 8).join(' | '));
  const general = preferencePairs(getWorld('general'), { split: 'train', count: 400, seed: 2 });
  const shapeless = general.filter((p) => {
    const q = question(p.prompt), r = summaryOf(p.rejected) ?? '';
    return (q.startsWith('count') && /^[a-z]+$/.test(r)) || (q.startsWith('write') && /^\d+$/.test(r)) || (q.startsWith('reverse') && r.length < q.length - 8);
  });
  assert.ok(shapeless.length > 40 && shapeless.length < 200, `wrong-shape answers are among the rejected helpful replies (${shapeless.length} of 400)`);
  const oneLetterOff = (a: string, b: string) => a.length === b.length && [...a].filter((c, i) => c !== b[i]).length === 1;
  assert.ok(general.some((p) => question(p.prompt).startsWith('write') && oneLetterOff(summaryOf(p.rejected) ?? '', summaryOf(p.chosen) ?? '')), 'misspelled number words are rejected');
  const kinds = new Set(preferencePairs(getWorld('general'), { split: 'train', count: 300, seed: 2 }).map((p) => summaryOf(p.rejected)));
  assert.ok(kinds.has('I do not know.') && kinds.has('I can not share that.'), 'wrong, unhelpful and refusing answers are all rejected');
  assert.throws(() => preferencePairs(getWorld('addition'), { split: 'train', count: 1, seed: 1 }), /world 'addition' has no preference pairs; use one of general, safety/);
});

test('mixed corpus: worlds by weight, train split only, deterministic; JSONL files for pretraining and pairs', async () => {
  const docs = [...mixedCorpus(PIPELINE_MIX, { docs: 4000, seed: 7 })];
  assert.deepEqual([...mixedCorpus(PIPELINE_MIX, { docs: 50, seed: 7 })], docs.slice(0, 50));
  const count: Record<string, number> = {};
  for (const d of docs) {
    count[d.world] = (count[d.world] ?? 0) + 1;
    const world = getWorld(d.world);
    const p = world.parse(question(d.prompt))!;
    assert.equal(splitOf(problemKey(p)), 'train');
    assert.ok(world.check(p, d.completion).format_ok, d.completion);
  }
  for (const e of PIPELINE_MIX) assert.ok(Math.abs(count[e.world.name]! / 4000 - e.weight) < 0.03, JSON.stringify(count));
  // a curriculum per world: step-heavy first, then direct only
  const phased = [...mixedCorpus([{ world: WORLDS.addition!, weight: 1, phases: [{ share: 0.5, mix: { step: 1 } }, { share: 0.5, mix: { direct: 1 } }] }], { docs: 10, seed: 1 })];
  assert.deepEqual(phased.map((d) => d.style), [...Array(5).fill('step'), ...Array(5).fill('direct')]);
  assert.throws(() => [...mixedCorpus([], { docs: 1, seed: 1 })], /at least one world/);
  const dir = mkdtempSync(join(tmpdir(), 'r1-worlds-'));
  try {
    assert.equal(await writeCorpus(join(dir, 'corpus.jsonl'), docs.slice(0, 20)), 20);
    const rows = await readJsonlAll<{ text: string; prompt: string; completion: string; world: string }>(join(dir, 'corpus.jsonl'), { onError: 'fail' });
    assert.equal(rows[3]!.value.text, rows[3]!.value.prompt + rows[3]!.value.completion);
    assert.equal(rows[3]!.value.world, docs[3]!.world);
    const pairs = preferencePairs(getWorld('safety'), { split: 'test', count: 10, seed: 3 });
    assert.equal(await writePreferencePairs(join(dir, 'pairs.jsonl'), pairs), 10);
    const back = await readJsonlAll(join(dir, 'pairs.jsonl'), { onError: 'fail' });
    assert.deepEqual(back.map((r) => r.value), pairs);
    assert.deepEqual(Object.keys(back[0]!.value), ['prompt', 'chosen', 'rejected', 'kind']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the registry `task` reward equals every world\'s check on the same texts (fields passed as the trainer does)', () => {
  const task = getReward('task');
  const format = getReward('format');
  for (const [name, world] of Object.entries(WORLDS)) {
    const problems: Record<string, unknown>[] = [];
    const texts: string[] = [];
    const rng = new Rng(9);
    for (const p of sampleProblems(world, { split: 'test', count: 60, seed: 2 })) {
      for (const style of world.styles) {
        texts.push(world.write(p, style, rng));
        problems.push(p as unknown as Record<string, unknown>);
      }
    }
    // the reward context as src/rl/tasks.ts's rewardContext builds it: every field but id/question/gold, per completion
    const keys = new Set(problems.flatMap((p) => Object.keys(p)).filter((k) => !['id', 'question', 'gold'].includes(k)));
    const ctx = Object.fromEntries([...keys].map((k) => [k, problems.map((p) => p[k])]));
    const checks = texts.map((t, i) => world.check(problems[i] as never, t));
    assert.deepEqual(task(texts, ctx), checks.map((c) => (c.correct ? 1 : 0)), name);
    assert.ok(checks.some((c) => c.correct) && checks.some((c) => !c.correct), `${name}: the corpus has right and wrong replies`);
    assert.deepEqual(format(texts, ctx), checks.map(() => 1), `${name}: every corpus reply is in format`);
  }
});
