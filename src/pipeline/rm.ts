// The pipeline's reward-model stage (R1 §2.3.4): preference pairs drawn from the general and safety worlds, two reward
// models trained with Bradley–Terry from the rejection-SFT model — helpfulness reading only the summary, harmlessness
// the whole reply — their held-out pairwise accuracy, and every stage's stored general replies scored for the table.
// Not the reward model or its trainer (src/rl/rm*.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getWorld, preferencePairs } from '../data/worlds/index.js';
import { writeJsonl } from '../data/jsonl.js';
import { RewardModel, loadRewardModel, scoreWithRewardModel, type ReplyView } from '../rl/rm.js';
import { trainRewardModel, type PreferencePair } from '../rl/rm-train.js';
import { STAGES } from './config.js';
import { StageError, type StageContext, type StageOutput } from './context.js';

function pairsOf(world: string, split: 'train' | 'test', count: number, seed: number): PreferencePair[] {
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
    test: pairsOf(worldOf[k], 'test', Math.max(100, Math.round(c[k].pairs / 5)), ctx.cfg.seed + 702),
  }])) as Record<'helpful' | 'harmless', { train: PreferencePair[]; test: PreferencePair[] }>;
  await writeJsonl(join(dir, 'pairs_train.jsonl'), [...data.helpful.train, ...data.harmless.train]);
  await writeJsonl(join(dir, 'pairs_test.jsonl'), [...data.helpful.test, ...data.harmless.test]);
  const results: Record<string, { accuracy: number; pairs: number; seconds: number; by_kind: Record<string, number> }> = {};
  for (const [name, view] of [['helpful', 'summary'], ['harmless', 'whole']] as ['helpful' | 'harmless', ReplyView][]) {
    const rm = await RewardModel.fromPolicy(from, view, ctx.cfg.seed);
    const r = await trainRewardModel(rm, {
      train: data[name].train, heldOut: data[name].test, out: join(dir, name),
      epochs: c[name].epochs, lr: c[name].lr, lmWeight: c[name].lmWeight, seed: ctx.cfg.seed, signal: ctx.signal, log: ctx.log,
    });
    if (r.stopped) return { interrupted: true };
    const last = r.held_out[r.held_out.length - 1];
    results[name] = { accuracy: last?.accuracy ?? NaN, pairs: last?.pairs ?? 0, seconds: r.seconds, by_kind: last?.by_kind ?? {} };
    ctx.log(`reward model ${name} (${view}): held-out pairwise accuracy ${((last?.accuracy ?? NaN) * 100).toFixed(1)}% on ${last?.pairs ?? 0} pairs (${r.seconds.toFixed(0)} s)`);
  }
  const pooled = Object.values(results).reduce((s, r) => s + r.accuracy * r.pairs, 0) / Math.max(1, Object.values(results).reduce((s, r) => s + r.pairs, 0));
  // helpfulness of every measured stage: the mean reward-model score of its stored general replies
  const helpful = await loadRewardModel(join(dir, 'helpful'));
  const helpfulRm: Record<string, number> = {};
  for (const stage of STAGES) {
    const f = join(ctx.dir(stage), 'general_samples.jsonl');
    if (!existsSync(f)) continue;
    const rows = readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { prompt: string; completion: string });
    const s = scoreWithRewardModel(helpful, rows.map((r) => r.prompt), rows.map((r) => r.completion));
    helpfulRm[stage] = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  }
  return { model: join(dir, 'helpful'), extra: { pairwise_accuracy: pooled, models: results, helpful_rm: helpfulRm, harmless_model: join(dir, 'harmless') } };
}
