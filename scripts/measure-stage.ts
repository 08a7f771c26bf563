// Measures checkpoints as a pipeline stage row (src/pipeline/measure.ts: every world, safety included) on a split,
// one JSON line each: a pipeline run's stages again with today's measure (`--run DIR STAGE...`, the problems and
// seeds of its pipeline_config.json), or any checkpoint folders under the default recipe's worlds (`DIR...`).
//   node --import tsx scripts/measure-stage.ts --split test|validation --run runs/pipe-seed1 base r1_zero all_scenario_rl
//   node --import tsx scripts/measure-stage.ts --split validation runs/d/distill/student-distilled
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { resolvePipelineConfig } from '../src/pipeline/config.js';
import { measureStage } from '../src/pipeline/measure.js';
import { loadModel } from '../src/model/lora-io.js';
import { refused } from '../src/rewards/worlds/safety.js';

const argv = process.argv.slice(2);
const take = (flag: string): string | null => {
  const i = argv.indexOf(flag);
  return i < 0 ? null : argv.splice(i, 2)[1] ?? null;
};
const split = take('--split') ?? 'test', run = take('--run');
if (split !== 'test' && split !== 'validation' || argv.length === 0) {
  console.error('usage: measure-stage.ts --split test|validation (--run RUN_DIR STAGE... | DIR...)');
  process.exit(2);
}
const saved = run ? JSON.parse(readFileSync(join(run, 'pipeline_config.json'), 'utf8')) : { seed: 1 };
const cfg = resolvePipelineConfig({ out: run ?? '/tmp/r1-measure-stage', seed: saved.seed, ...(saved.reasoningWorlds ? { reasoningWorlds: saved.reasoningWorlds } : {}),
  eval: { ...saved.eval, split } } as Parameters<typeof resolvePipelineConfig>[0]);
const round = (v: unknown) => (typeof v === 'number' ? Math.round(v * 1e4) / 1e4 : v);
for (const item of argv) {
  // a stage's model as its done.json names it (relative paths are the pipeline's working folder's)
  const dir = run ? JSON.parse(readFileSync(join(run, item, 'done.json'), 'utf8')).model as string : item;
  const path = run && !isAbsolute(dir) ? join(run, '..', '..', dir) : dir;
  const m = await loadModel(path, null, 'fp32');
  const { row } = await measureStage(item, m.model, m.tokenizer, cfg, { refused, log: () => {} });
  const { worlds, ...rest } = row as unknown as Record<string, unknown> & { worlds?: Record<string, { pass1: number }> };
  console.log(JSON.stringify({ split, ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, round(v)])),
    worlds: Object.fromEntries(Object.entries(worlds ?? {}).map(([w, v]) => [w, round(v.pass1)])) }));
}
