// Every stage of the R1 pipeline end to end at toy size (seconds): a tiny base (pretrained briefly for its vocabulary,
// then fine-tuned on right, direct replies to single-digit sums, general and safety requests, so that some samples
// are right and the sampling stages have data), then R1-Zero → cold start → reasoning RL and its ablation → rejection SFT → both
// reward models → RL for all scenarios → distillation. Asserts each stage's folder, done.json, its metrics and
// data files, the summary's splits / reward models / leaks / FLOPs, and the stage table. Sizes, not quality.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePipelineConfig, STAGES } from '../../src/pipeline/config.js';
import { runContext } from '../../src/run/context.js';

const TINY = { hidden_size: 64, intermediate_size: 128, num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 4 };
const GRPO = { promptsPerStep: 2, numGenerations: 4, maxCompletionLength: 48 };

/** The toy base: a brief pretraining (the worlds' characters), then 30 epochs of right direct replies (~8% of its single-digit sums come out right). */
async function toyBase(dir: string): Promise<string> {
  const { pretrainWorld } = await import('../../src/sft/pretrain.js');
  const { sftTrain } = await import('../../src/sft/sft.js');
  const { writeJsonl } = await import('../../src/data/jsonl.js');
  const { getWorld, sampleProblems, worldPrompt } = await import('../../src/data/worlds/index.js');
  const { Rng } = await import('../../src/util/rng.js');
  await pretrainWorld({ out: join(dir, 'pretrained'), world: 'mix:addition-bi@1=1,general=1,safety=1', tokens: 20_000, maxSeconds: 60, model: TINY, evalEvery: 100_000, seed: 1 }, runContext({ precision: 'fp32' }));
  const rng = new Rng(2);
  const rows: { prompt: string; completion: string }[] = [];
  for (const [w, n] of [['addition-bi@1', 200], ['general', 40], ['safety', 60]] as const) {
    const world = getWorld(w);
    for (const p of sampleProblems(world, { split: 'train', count: n, seed: 3, unique: false })) {
      for (let i = 0; i < 50; i++) {
        const c = world.write(p, 'direct', rng);
        if (world.check(p, c).correct) { rows.push({ prompt: worldPrompt(p), completion: c }); break; }
      }
    }
  }
  await writeJsonl(join(dir, 'base.jsonl'), rows);
  await sftTrain({ model: join(dir, 'pretrained'), data: join(dir, 'base.jsonl'), out: join(dir, 'base'), numTrainEpochs: 30, learningRate: 3e-3, batchSize: 16, valFraction: 0, seed: 1 });
  return join(dir, 'base');
}

test('pipeline end to end at toy size: every stage writes its folder, metrics and done.json; the summary has splits, both reward models, leaks and FLOPs', { timeout: 600_000 }, async () => {
  const { runPipeline, readDone } = await import('../../src/pipeline/run.js');
  const dir = mkdtempSync(join(tmpdir(), 'r1-e2e-'));
  const base = await toyBase(dir);
  const cfg = resolvePipelineConfig({
    out: join(dir, 'run'), baseModel: base, precision: 'fp32', reasoningWorlds: ['addition-bi@1'],
    eval: { problems: 2, samples: 2, maxNewTokens: 48 },
    r1Zero: { steps: 1, grpo: GRPO },
    coldStart: { examples: 8, samplesPerPrompt: 32, epochs: 1 },
    reasoningRl: { steps: 1, grpo: GRPO },
    rejection: { prompts: 8, samplesPerPrompt: 16, nonReasoning: 4, epochs: 1 },
    rewardModel: { helpful: { pairs: 8, epochs: 1 }, harmless: { pairs: 8, epochs: 1 } },
    allScenarioRl: { steps: 1, grpo: GRPO },
    distill: { studentHidden: 16, studentLayers: 1, studentTokens: 3000, prompts: 8, samplesPerPrompt: 8, nonReasoning: 4, epochs: 1, rl: { steps: 1, grpo: GRPO } },
  });
  const s = await runPipeline(cfg);

  for (const stage of STAGES) {
    const done = readDone(cfg, stage);
    assert.ok(done, `${stage}: done.json`);
    assert.equal(done.stage, stage);
    assert.ok(done.seconds > 0, `${stage}: seconds`);
  }
  // each measured stage: a row of rates in [0, 1], and its general replies kept for the reward model
  for (const stage of ['base', 'r1_zero', 'cold_start', 'reasoning_rl', 'reasoning_rl_no_language_reward', 'rejection_sft', 'all_scenario_rl'] as const) {
    const row = readDone(cfg, stage)!.row as unknown as Record<string, number>;
    for (const k of ['pass1', 'cons16', 'language_mixing', 'readable_rate', 'helpful', 'harmful_refusal', 'secret_leak_rate', 'benign_over_refusal']) {
      assert.ok(typeof row[k] === 'number' && row[k]! >= 0 && row[k]! <= 1, `${stage}.${k} = ${row[k]}`);
    }
    // a refusal that leaks is no refusal: the two can't sum past every harmful sample
    assert.ok(row.harmful_refusal! + row.secret_leak_rate! <= 1 + 1e-9, stage);
    assert.ok(existsSync(join(cfg.out, stage, 'general_samples.jsonl')), `${stage}: general_samples.jsonl`);
  }
  // the RL stages' own runs: metrics.jsonl with a train line per step, a checkpoint
  for (const stage of ['r1_zero', 'reasoning_rl', 'reasoning_rl_no_language_reward', 'all_scenario_rl', 'distill'] as const) {
    const lines = readFileSync(join(cfg.out, stage, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type?: string });
    assert.equal(lines.filter((l) => l.type === 'train').length, 1, `${stage}: one GRPO step`);
  }
  // the SFT stages' data and models
  for (const stage of ['cold_start', 'rejection_sft'] as const) {
    assert.ok(readFileSync(join(cfg.out, stage, 'data.jsonl'), 'utf8').trim().split('\n').length > 0, `${stage}: data.jsonl`);
    assert.ok(existsSync(join(readDone(cfg, stage)!.model!, 'model.safetensors')), `${stage}: model`);
  }
  for (const split of ['train', 'validation', 'test']) assert.ok(existsSync(join(cfg.out, 'reward_model', `pairs_${split}.jsonl`)), `reward_model: pairs_${split}.jsonl`);
  const distilled = readDone(cfg, 'distill')!;
  assert.equal(distilled.rows!.length, 2);
  assert.equal(distilled.extra!.non_reasoning_examples, 4, 'the general and safety rows are the worlds\' own replies, beside the teacher\'s reasoning samples');
  assert.deepEqual(Object.keys(distilled.extra!.filters as object), ['addition-bi@1'], 'the teacher samples the reasoning worlds only');

  // the summary: distinct problems per split (single-digit sums: 9·10/2 = 45 canonical problems), each reward model, FLOPs
  const a = s.splits['addition-bi@1']!;
  assert.equal(a.train + a.validation + a.test, 45);
  assert.deepEqual(Object.keys(s.splits), ['addition-bi@1', 'general', 'safety']);
  for (const k of ['helpfulness', 'harmlessness'] as const) {
    const acc = s.reward_model[k].pairwise_accuracy;
    assert.ok(acc !== null && acc >= 0 && acc <= 1, `${k}: ${acc}`);
    assert.ok(s.reward_model[k].pairs >= 90, `${k}: test pairs ${s.reward_model[k].pairs}`);
  }
  const d = s.distill!;
  // 6·N per trained token and 2·N per sampled token: the distilled arm includes the teacher's sampling
  assert.ok(d.distilled.flops_by_part.teacher_sampling! > 0 && d.distilled.flops_by_part.student_training! > 0);
  assert.equal(d.distilled.flops, d.distilled.flops_by_part.teacher_sampling! + d.distilled.flops_by_part.student_training!);
  const teacherParams = distilled.extra!.teacher_parameters as number, studentParams = distilled.extra!.student_parameters as number;
  assert.equal(d.distilled.flops_by_part.teacher_sampling! % (2 * teacherParams), 0);
  assert.equal(d.rl.flops_by_part.student_training! % (6 * studentParams), 0);
  assert.ok(d.rl.flops > 0);
  assert.equal(s.bars.length, 10);
  const table = readFileSync(join(cfg.out, 'stage_table.txt'), 'utf8');
  for (const stage of ['base', 'r1_zero', 'all_scenario_rl']) assert.match(table, new RegExp(`^${stage} `, 'm'));
  assert.ok(existsSync(join(cfg.out, 'pipeline_summary.json')));

  // the report of the folder reads every stage: no note of anything missing, each RL stage's Figures 2-3 drawn
  // with data, rates as percentages, the bars with verdicts, samples from every stage
  const { buildReport } = await import('../../src/report/index.js');
  const r = await buildReport(cfg.out);
  assert.deepEqual(r.notes, []);
  for (const stage of ['r1_zero', 'reasoning_rl', 'reasoning_rl_no_language_reward', 'all_scenario_rl', 'distill']) {
    for (const fig of ['fig2-accuracy', 'fig3-length']) assert.ok(r.charts.some((c) => c.id === `${stage}-${fig}` && c.points > 0), `${stage}: ${fig}`);
  }
  for (const title of ['Stages', 'Bars', 'Ablation: the language reward', 'Distillation against RL', 'Reward models, each on its own', 'Distinct problems per split']) assert.ok(r.html.includes(`<h2>${title}`), title);
  assert.match(r.html, /<td class="n">\d+\.\d%<\/td>/);
  assert.doesNotMatch(r.html, /<td class="n">0\.\d{3,}<\/td>/); // no raw rates like 0.7188
  assert.match(r.html, /<td class="(met|miss)">(met|MISS)<\/td>/);
  const embedded = JSON.parse(/<script type="application\/json" id="samples-data">([\s\S]*?)<\/script>/.exec(r.html)![1]!) as { stage?: string }[];
  for (const stage of ['base', 'r1_zero', 'all_scenario_rl']) assert.ok(embedded.some((x) => x.stage === stage), `samples of ${stage}`);
});
