// The pipeline's reward-model stage (R1 §2.3.4): preference pairs drawn from the general and safety worlds, two reward
// models trained with Bradley–Terry from the rejection-SFT model — helpfulness reading only the summary, harmlessness
// the whole reply — watched on validation pairs while training (every choice of pairs and epochs reads those), each
// reported on its own on test pairs; and every stage's stored general replies scored for the table.
// Not the reward model or its trainer (src/rl/rm*.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getWorld, preferencePairs, type Split } from '../data/worlds/index.js';
import { writeJsonl } from '../data/jsonl.js';
import { RewardModel, loadRewardModel, scoreWithRewardModel, type ReplyView } from '../rl/rm.js';
import { trainRewardModel, type PreferencePair } from '../rl/rm-train.js';
import { STAGES } from './config.js';
import { StageError, matmulOf, type StageContext, type StageOutput } from './context.js';

function pairsOf(world: string, split: Split, count: number, seed: number): PreferencePair[] {
  return [...preferencePairs(getWorld(world), { split, count, seed })].map((p) => ({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected, kind: p.kind }));
}

/** Trains the helpfulness (summary) and harmlessness (whole reply) reward models; scores the stages' general replies. */
export async function trainRewardModelStage(ctx: StageContext): Promise<StageOutput> {
  const c = ctx.cfg.rewardModel;
  const from = ctx.done('rejection_sft')?.model;
  if (!from || !existsSync(join(from, 'config.json'))) throw new StageError('stage reward_model: needs the rejection_sft model, which is missing; remove its folder and rerun with --resume');
  const dir = ctx.dir('reward_model');
  const worldOf = { helpful: ctx.cfg.generalWorld, harmless: ctx.cfg.safetyWorld } as const;
  const data = Object.fromEntries((['helpful', 'harmless'] as const).map((k) => [k, {
    train: pairsOf(worldOf[k], 'train', c[k].pairs, ctx.cfg.seed + 701),
    validation: pairsOf(worldOf[k], 'validation', Math.max(100, Math.round(c[k].pairs / 10)), ctx.cfg.seed + 703),
    test: pairsOf(worldOf[k], 'test', Math.max(100, Math.round(c[k].pairs / 5)), ctx.cfg.seed + 702),
  }])) as Record<'helpful' | 'harmless', Record<Split, PreferencePair[]>>;
  for (const split of ['train', 'validation', 'test'] as const) await writeJsonl(join(dir, `pairs_${split}.jsonl`), [...data.helpful[split], ...data.harmless[split]]);
  const results: Record<string, RmResult> = {};
  for (const [name, view] of [['helpful', 'summary'], ['harmless', 'whole']] as ['helpful' | 'harmless', ReplyView][]) {
    const rm = await RewardModel.fromPolicy(from, view, ctx.cfg.seed, matmulOf(ctx.cfg));
    const r = await trainRewardModel(rm, { train: data[name].train, heldOut: data[name].validation }, {
      out: join(dir, name), numTrainEpochs: c[name].epochs, learningRate: c[name].lr, lmWeight: c[name].lmWeight, seed: ctx.cfg.seed,
    }, ctx);
    if (r.stopped) return { interrupted: true };
    const val = r.held_out[r.held_out.length - 1];
    const test = pairwiseAccuracy(await loadRewardModel(join(dir, name), matmulOf(ctx.cfg)), data[name].test);
    results[name] = { pairwise_accuracy: test.accuracy, pairs: test.pairs, validation_accuracy: val?.accuracy ?? NaN, validation_pairs: val?.pairs ?? 0, seconds: r.seconds };
    ctx.log(`reward model ${name} (${view}): pairwise accuracy ${pct(test.accuracy)} on ${test.pairs} test pairs (validation ${pct(val?.accuracy ?? NaN)} on ${val?.pairs ?? 0}; ${r.seconds.toFixed(0)} s)`);
  }
  // helpfulness of every measured stage: the mean reward-model score of its stored general replies
  const helpful = await loadRewardModel(join(dir, 'helpful'), matmulOf(ctx.cfg));
  const helpfulRm: Record<string, number> = {};
  for (const stage of STAGES) {
    const f = join(ctx.dir(stage), 'general_samples.jsonl');
    if (!existsSync(f)) continue;
    const rows = readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { prompt: string; completion: string });
    const s = scoreWithRewardModel(helpful, rows.map((r) => r.prompt), rows.map((r) => r.completion));
    helpfulRm[stage] = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  }
  return { model: join(dir, 'helpful'), extra: { reward_model: { helpfulness: results.helpful, harmlessness: results.harmless }, helpful_rm: helpfulRm, harmless_model: join(dir, 'harmless') } };
}

/** One reward model on its own: accuracy on its test pairs, the same on its validation pairs (what training watched). */
export interface RmResult { pairwise_accuracy: number; pairs: number; validation_accuracy: number; validation_pairs: number; seconds: number }

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Share of pairs whose chosen reply the model scores strictly above the rejected one; pairs that read the same are left out (as training leaves them out). */
export function pairwiseAccuracy(rm: RewardModel, pairs: readonly PreferencePair[]): { accuracy: number; pairs: number } {
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  const kept = pairs.filter((p) => !same(rm.encode(p.prompt, p.chosen).ids, rm.encode(p.prompt, p.rejected).ids));
  const chosen = scoreWithRewardModel(rm, kept.map((p) => p.prompt), kept.map((p) => p.chosen));
  const rejected = scoreWithRewardModel(rm, kept.map((p) => p.prompt), kept.map((p) => p.rejected));
  const right = chosen.filter((c, i) => c > rejected[i]!).length;
  return { accuracy: kept.length ? right / kept.length : NaN, pairs: kept.length };
}
