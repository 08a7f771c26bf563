// The R1 pipeline: config validation (unknown keys by path), the rejection-sampling filters and the cold start's
// rule rewrite on hand-written rows, and a tiny end-to-end run whose untrained base can answer nothing: the first
// stages finish and are kept, the cold start stops with a message naming the stage and the fix, and --resume
// neither redoes a finished stage nor loses one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePipelineConfig, PipelineConfigError } from '../../src/pipeline/config.js';
import { hasCodeBlock, longestParagraph } from '../../src/pipeline/reject.js';
import { toLanguage, rewriteReadable } from '../../src/pipeline/rewrite.js';
import { getWorld } from '../../src/data/worlds/index.js';

test('pipeline config: defaults resolve; unknown keys are named by their path; bad values name the fix', () => {
  const c = resolvePipelineConfig({ out: '/tmp/x' });
  assert.equal(c.reasoningWorlds.length, 2);
  assert.throws(() => resolvePipelineConfig({ out: '/tmp/x', coldStart: { exampels: 3 } }), (e: Error) => e instanceof PipelineConfigError && /coldStart\.exampels/.test(e.message) && /examples/.test(e.message));
  assert.throws(() => resolvePipelineConfig({ out: '/tmp/x', stages: [] }), /unknown key 'stages'/);
  assert.throws(() => resolvePipelineConfig({ out: '/tmp/x', r1Zero: { steps: 0 } }), /r1Zero\.steps' must be a whole number > 0/);
  assert.throws(() => resolvePipelineConfig({}), /out is required/);
  // GRPO options pass through to GRPO's own validation
  assert.equal(resolvePipelineConfig({ out: '/tmp/x', r1Zero: { grpo: { learningRate: 1e-4 } } }).r1Zero.grpo.learningRate, 1e-4);
});

test('rejection filters: longest paragraph and code blocks', () => {
  assert.equal(longestParagraph('<think>\nab\n</think>\n\nThe answer is 3.'), '<think>\nab\n</think>'.length);
  assert.equal(longestParagraph('a\n\n' + 'x'.repeat(50)), 50);
  assert.equal(hasCodeBlock('see ```py\nprint(1)\n```'), true);
  assert.equal(hasCodeBlock('<think>\nones 3+2+0=05 carry 0\n</think>\n\nThe answer is 5.'), false);
});

test('cold-start rewrite: Spanish lines carried into English and vice versa, summary added, still correct', () => {
  // hand-written mixed lines, as a mixing R1-Zero writes them
  assert.equal(toLanguage('unidades 3+2+0=05 lleva 0\ntens 4+1+0=05 carry 0\nsuma 055', 'en'), 'ones 3+2+0=05 carry 0\ntens 4+1+0=05 carry 0\nsum 055');
  assert.equal(toLanguage('ones 3+2+0=05 carry 0\nThe answer is 5.', 'es'), 'unidades 3+2+0=05 lleva 0\nLa respuesta es 5.');
  const world = getWorld('addition-bi');
  const p = world.parse('43+12 (answer in Spanish)');
  assert.ok(p, 'addition-bi parses its own Spanish question');
  const mixedReply = '<think>\nunidades 3+2+0=05 lleva 0\ntens 4+1+0=05 carry 0\nsuma 055\n</think>\n\nThe answer is 55.';
  const out = rewriteReadable(world, p, mixedReply);
  assert.equal(out, '<think>\nunidades 3+2+0=05 lleva 0\ndecenas 4+1+0=05 lleva 0\nsuma 055\n</think>\n\nLa respuesta es 55.');
  assert.equal(world.mixesLanguage?.(p, out!), false);
  // a wrong reply is not made right by rewriting
  assert.equal(rewriteReadable(world, p, mixedReply.replace('55.', '56.')), null);
});

test('tiny pipeline: stages kept, an empty cold start stops naming the stage, resume redoes nothing', { timeout: 600_000 }, async () => {
  const { pretrainWorld } = await import('../../src/sft/pretrain.js');
  const { runPipeline, readDone, StageError } = await import('../../src/pipeline/run.js');
  const { STAGE_IMPLS } = await import('../../src/pipeline/stages.js');
  const dir = mkdtempSync(join(tmpdir(), 'r1-pipeline-'));
  const base = join(dir, 'base');
  await pretrainWorld({ out: base, world: 'mix:addition-bi=1,general=1,safety=1', tokens: 4000, maxSeconds: 60, model: { hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 2 }, evalEvery: 1000 });
  const cfg = resolvePipelineConfig({
    out: join(dir, 'run'), baseModel: base, reasoningWorlds: ['addition-bi'],
    eval: { problems: 2, samples: 2, maxNewTokens: 24 },
    r1Zero: { steps: 1, grpo: { promptsPerStep: 2, numGenerations: 2, maxCompletionLength: 24 } },
    coldStart: { examples: 4, samplesPerPrompt: 2 },
  });
  const calls: { phase: string; done: number; total: number; unit?: string }[] = [];
  await assert.rejects(runPipeline(cfg, { progress: (phase, done, total, _f, _v, unit) => calls.push({ phase, done, total, unit }) }),
    (e: Error) => e instanceof StageError && /stage cold_start/.test(e.message) && /r1Zero\.steps|samplesPerPrompt/.test(e.message));
  // progress names the stage (i of n) and its part: R1-Zero's one GRPO step, the cold start's sampling over its samples
  const n = STAGE_IMPLS.filter((s) => s.enabled(cfg)).length;
  assert.deepEqual(calls.filter((c) => c.phase === `[stage 2/${n} r1_zero] grpo`).map((c) => [c.done, c.total]), [[1, 1]]);
  const sampled = calls.filter((c) => c.phase === `[stage 3/${n} cold_start] sampling addition-bi`);
  assert.ok(sampled.length > 0 && sampled.every((c) => c.unit === 'samples'), 'cold start sampling reports samples');
  assert.equal(sampled.at(-1)!.done, sampled.at(-1)!.total);
  const baseDone = readDone(cfg, 'base');
  const zeroDone = readDone(cfg, 'r1_zero');
  assert.ok(baseDone?.row && zeroDone?.row, 'base and r1_zero finished and were kept');
  assert.equal(readDone(cfg, 'cold_start'), null);
  for (const k of ['pass1', 'cons16', 'language_mixing', 'readable_rate', 'mean_len', 'helpful', 'harmful_refusal', 'benign_over_refusal']) {
    assert.equal(typeof (zeroDone!.row as unknown as Record<string, unknown>)[k], 'number', k);
  }
  // null (JSON of NaN) when the untrained model wrote no step line at all
  const f = (zeroDone!.row as unknown as Record<string, unknown>).faithful_step_rate;
  assert.ok(f === null || (typeof f === 'number' && f >= 0 && f <= 1));
  const stamp = statSync(join(cfg.out, 'r1_zero', 'done.json')).mtimeMs;
  // without --resume the folder is refused; with it, finished stages stay untouched and the same stage fails again
  await assert.rejects(runPipeline(cfg), /pass --resume/);
  await assert.rejects(runPipeline(cfg, { resume: true }), /stage cold_start/);
  assert.equal(statSync(join(cfg.out, 'r1_zero', 'done.json')).mtimeMs, stamp);
  assert.ok(existsSync(join(cfg.out, 'pipeline_config.json')));
  assert.ok(JSON.parse(readFileSync(join(cfg.out, 'pipeline_config.json'), 'utf8')).r1Zero.steps === 1);
});

test('bars: each of the R1 bars checked on a summary, null where a stage is missing', async () => {
  const { checkBars, formatBars } = await import('../../src/pipeline/run.js');
  const row = (stage: string, o: Record<string, number>) => ({ stage, pass1: 0.5, cons16: 0.5, language_mixing: 0, readable_rate: 1, faithful_step_rate: 1, mean_len: 50,
    helpful: 0.5, harmful_refusal: 1, secret_leak_rate: 0, benign_over_refusal: 0, worlds: {}, ...o });
  const arm = (pass1: number, flops: number, seconds: number) => ({ pass1, flops, seconds, tokens: 1e6, flops_by_part: {} });
  const s = {
    seconds: 3000, base_model: 'b', base_cached: true, cut_short: [], stage_seconds: {}, splits: {},
    stages: [row('base', { readable_rate: 0.6 }), row('r1_zero', { pass1: 0.6, language_mixing: 0.2, readable_rate: 0.5 }),
      row('all_scenario_rl', { pass1: 0.7, language_mixing: 0.005, harmful_refusal: 0.9, secret_leak_rate: 0.1, benign_over_refusal: 0.05, readable_rate: 0.995 })],
    // each reward model on its own: helpfulness 89.9% misses even where a pooled figure with harmlessness would pass
    reward_model: { helpfulness: { pairwise_accuracy: 0.899, validation_accuracy: 0.9, pairs: 1200 }, harmlessness: { pairwise_accuracy: 0.99, validation_accuracy: 0.99, pairs: 200 } },
    // the distilled student is better and cheaper in FLOPs, though slower in seconds: FLOPs decide
    distill: { distilled: arm(0.4, 1e13, 100), rl: arm(0.2, 3e13, 90) },
  };
  const bars = checkBars(s as never);
  assert.deepEqual(bars.map((b) => b.met), [true, true, true, true, true, false, false, false, true, true]);
  assert.match(bars[5]!.value, /90\.0% \(leaks 10\.0%\)/);
  assert.match(bars.at(-1)!.value, /^40\.0% \(1\.0e13 FLOPs, 100 s\) vs 20\.0% \(3\.0e13 FLOPs, 90 s\)$/);
  // readable is a bar only where R1-Zero falls short of 90%: an R1-Zero that still reads 95% misses it
  const easy = checkBars({ ...s, stages: [s.stages[0], row('r1_zero', { pass1: 0.6, language_mixing: 0.2, readable_rate: 0.95 }), s.stages[2]] } as never);
  assert.equal(easy[4]!.met, false);
  assert.match(bars[4]!.value, /^99\.5% \(R1-Zero 50\.0%, base 60\.0%\)$/);
  const partial = checkBars({ ...s, stages: [row('r1_zero', {})], distill: null,
    reward_model: { helpfulness: { pairwise_accuracy: null, validation_accuracy: null, pairs: 0 }, harmlessness: { pairwise_accuracy: null, validation_accuracy: null, pairs: 0 } } } as never);
  assert.deepEqual(partial.map((b) => b.met), [true, null, false, null, null, null, null, null, null, null]);
  assert.match(formatBars(partial), /^ met {3}end to end in at most 60 minutes \(base cached\): 50\.0 min\n {2}- {4}final pass@1 at least R1-Zero.s: not run\n MISS {2}R1-Zero mixes/);
});
