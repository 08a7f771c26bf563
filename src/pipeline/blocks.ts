// The building blocks the pipeline's stages are made of (stages.ts, distill.ts): cached pretrained bases, a GRPO
// stage from the demo's recipe, an SFT stage, measuring a checkpoint for a table row, the worlds' mixture and rewards.
// Not the stage table (stages.ts) or the runner (run.ts).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Decoder } from '../model/decoder.js';
import { loadModel } from '../model/lora-io.js';
import type { LoraTrainOptions } from '../model/lora.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { getWorld, sampleProblems, worldPrompt } from '../data/worlds/index.js';
import { Rng } from '../util/rng.js';
import type { WorldProblem } from '../data/worlds/types.js';
import { refused } from '../rewards/worlds/safety.js';
import { pretrainIntoCache } from '../sft/cache.js';
import { resolvePrecision } from '../tensor/precision.js';
import { sftTrain } from '../sft/sft.js';
import { resolveConfig } from '../rl/config.js';
import { readRecipe } from '../run/spec.js';
import { runGrpo } from '../rl/run.js';
import type { PipelineConfig, RlStage, StageName } from './config.js';
import { measureStage, type GeneralSample, type StageRow } from './measure.js';
import type { SftRow } from './reject.js';
import { matmulOf, writeStageData, StageError, type StageContext } from './context.js';
import { grpoTokenCounts } from './flops.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `mix:` spec of the pipeline's worlds: reasoning only, or all four. */
export function mixSpec(cfg: PipelineConfig, which: 'reasoning' | 'all'): string {
  const parts = cfg.reasoningWorlds.map((w) => `${w}=${cfg.baseMix.reasoning}`);
  if (which === 'all') parts.push(`${cfg.generalWorld}=${cfg.baseMix.general}`, `${cfg.safetyWorld}=${cfg.baseMix.safety}`);
  return `mix:${parts.filter((p) => !p.endsWith('=0')).join(',')}`;
}

/** The seed every cached base is pretrained with: the cache key is the recipe, and `seed` varies the stages after it. */
export const BASE_SEED = 1;

/** Cache folder of a pretrained pipeline base: a hash of its recipe (worlds, mix, size, budget, and the source files that define them). */
function baseCacheDir(kind: string, spec: string, model: Record<string, unknown>, tokens: number, precision: string): string {
  const h = createHash('sha256').update(JSON.stringify({ kind, spec, model, tokens, ...(precision === 'fp32' ? {} : { precision }) }));
  // the worlds of the mixture (a `-bi` world lives in its plain world's file), what they share, their judges
  const worldFiles = spec.slice(4).split(',').map((part) => `src/data/worlds/${part.split('=')[0]!.replace(/-bi$/, '')}.ts`);
  const judges = readdirSync(join(REPO, 'src/rewards/worlds')).sort().map((f) => `src/rewards/worlds/${f}`);
  for (const f of [...new Set(worldFiles), 'src/data/worlds/common.ts', 'src/data/worlds/types.ts', 'src/data/worlds/mix.ts', ...judges,
    'src/sft/pretrain.ts', 'src/sft/trainer.ts', 'src/data/templates.ts']) {
    const path = join(REPO, f);
    h.update(f).update(existsSync(path) ? readFileSync(path) : '');
  }
  return join(REPO, '.cache', `pipeline-${kind}-${h.digest('hex').slice(0, 12)}`);
}

/** A cached pretrained base (or pretrains it into a temporary folder, renamed into the cache when complete). */
export async function cachedBase(ctx: StageContext, kind: string, model: Record<string, unknown>, tokens: number): Promise<{ dir: string; cached: boolean; seconds: number }> {
  const spec = mixSpec(ctx.cfg, 'all');
  const precision = resolvePrecision(ctx.cfg.precision);
  const dir = baseCacheDir(kind, spec, model, tokens, precision);
  if (existsSync(join(dir, 'model.safetensors'))) {
    ctx.log(`${kind}: cached at ${dir}`);
    return { dir, cached: true, seconds: 0 };
  }
  ctx.log(`${kind}: none cached; pretraining on ${spec} (${(tokens / 1e6).toFixed(1)}M tokens) into ${dir}`);
  const r = await pretrainIntoCache(dir, { world: spec, tokens, maxSeconds: 3600, model, seed: BASE_SEED },
    { ...ctx, precision, progress: ctx.progress && ((_, ...rest) => ctx.progress!(`pretrain ${kind}`, ...rest)) });
  if (r.stopped) throw new StageError(`${kind}: pretraining was interrupted; nothing is cached (run again with --resume)`);
  return { dir: r.dir, cached: false, seconds: r.seconds };
}

/** A model measured for a stage's table row (held-out pass@1 and the rest), with its general replies. */
export async function measure(ctx: StageContext, stage: string, model: Decoder, tokenizer: Tokenizer): Promise<{ row: StageRow; general: GeneralSample[] }> {
  return measureStage(stage, model, tokenizer, ctx.cfg, { refused, log: ctx.log });
}

/** A stage's checkpoint measured for its table row; its general replies are kept for the reward model to score. */
export async function measureCheckpoint(ctx: StageContext, stage: StageName, dir: string): Promise<{ row: StageRow; general: GeneralSample[] }> {
  const { model, tokenizer } = await loadModel(dir, null, matmulOf(ctx.cfg)); // a LoRA stage's folder is an adapter on its base
  const m = await measure(ctx, stage, model, tokenizer);
  await writeStageData(join(ctx.dir(stage), 'general_samples.jsonl'), m.general);
  return m;
}

/** The pipeline's GRPO recipe: the demo's (configs/demo.yaml: 8 prompts × 8, T 1.0, ε 0.2, β 0, lr 3e-4, μ 2, cosine), the stage's budget and rewards, then its options. */
export async function grpoStage(ctx: StageContext, stage: StageName, from: string, world: string, rewards: { name: string; weight: number }[],
  rl: RlStage, extra: Record<string, unknown> = {}): Promise<{ model: string; cutShort: boolean; interrupted: boolean; seconds: number; tokens: number }> {
  const out = join(ctx.dir(stage), 'run');
  const cfg = resolveConfig({ model: from, out, world }, readRecipe('demo')!, {
    seed: ctx.cfg.seed, steps: rl.steps, maxSeconds: rl.maxSeconds, maxCompletionLength: ctx.cfg.eval.maxNewTokens, rewards,
    evalEvery: -1, evalProblems: ctx.cfg.eval.problems, saveEvery: 25, ...extra,
  }, rl.grpo);
  const resume = existsSync(join(out, 'checkpoints'));
  const r = await runGrpo(cfg, ctx, { resume });
  if (r.reason === 'time') ctx.log(`stage ${stage}: its safety limit of ${rl.maxSeconds} s cut it short at step ${r.steps} of ${rl.steps}`);
  return { model: r.checkpoint, cutShort: r.reason === 'time', interrupted: r.reason === 'interrupted', seconds: r.seconds, tokens: grpoTokens(out) };
}

/** SFT of `from` on rows (written to the stage's data.jsonl) into out (default the stage's model/ folder). */
export async function sftStage(ctx: StageContext, stage: StageName, from: string, rows: SftRow[], epochs: number, lr: number, out?: string, lora?: Partial<LoraTrainOptions>) {
  const dir = ctx.dir(stage);
  const data = join(dir, 'data.jsonl');
  await writeStageData(data, rows.map((r) => ({ prompt: r.prompt, completion: r.completion })));
  return sftTrain({ ...lora, model: from, data, out: out ?? join(dir, 'model'), numTrainEpochs: epochs, learningRate: lr, batchSize: 16, valFraction: 0.05, seed: ctx.cfg.seed }, ctx);
}

/** rejectionSample's progress as the stage's `sampling WORLD` phase (samples done of all). */
export const sampling = (ctx: StageContext, world: string) => (done: number, total: number) =>
  ctx.progress?.(`sampling ${world}`, done, total, done / Math.max(1, total), {}, 'samples');

/** `count` train problems of a world. */
/** `count` train problems of a world. */
export const trainProblems = (world: string, count: number, seed: number): WorldProblem[] => sampleProblems(getWorld(world), { split: 'train', count, seed });

/** The rule rewards of a reasoning stage: task accuracy, format, and language consistency when weighted. */
export const rewardsOf = (languageWeight: number) => [
  { name: 'task', weight: 1 }, { name: 'format', weight: 0.1 }, ...(languageWeight > 0 ? [{ name: 'language', weight: languageWeight }] : []),
];

/** Tokens a GRPO run processed: sampled completion tokens plus the tokens of its training passes, from its metrics.jsonl. */
function grpoTokens(out: string): number {
  const t = grpoTokenCounts(out);
  return t.sampled + t.trained;
}

/** Non-reasoning SFT data (the paper's DeepSeek-V3 data, here the general and safety worlds' own right replies). */
export function nonReasoningRows(cfg: PipelineConfig, count: number, seed: number): SftRow[] {
  const rows: SftRow[] = [];
  const rng = new Rng(seed);
  for (const name of [cfg.generalWorld, cfg.safetyWorld]) {
    const world = getWorld(name);
    const n = Math.ceil(count / 2);
    for (const p of sampleProblems(world, { split: 'train', count: n, seed: seed + rows.length })) {
      for (let i = 0; i < 50; i++) {
        const c = world.write(p, world.styles[0]!, rng);
        if (world.check(p, c).correct) {
          rows.push({ prompt: worldPrompt(p), completion: c, task: name });
          break;
        }
      }
    }
  }
  return rows;
}
