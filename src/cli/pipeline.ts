// `r1 pipeline`: DeepSeek-R1's four stages and distillation in miniature (src/pipeline), from one config; prints the
// stage table and writes pipeline_summary.json (and --json-summary FILE). Parses flags only; the work is src/pipeline.
import { writeFileSync } from 'node:fs';
import { UsageError } from './main.js';
import { NON_NEGATIVE_INT, numFlag, onInterrupt, parseFlags, precisionFlag } from './args.js';
import { PipelineConfigError, readPipelineConfigFile, resolvePipelineConfig } from '../pipeline/config.js';
import { formatBars, runPipeline, rowsOf, StageError } from '../pipeline/run.js';
import { formatSummaryLines } from '../pipeline/bars.js';
import { formatStageTable } from '../pipeline/measure.js';
import { ensureBases } from '../pipeline/stages.js';
import { writeReport } from '../report/index.js';
import { createPhasedProgress } from '../util/progress.js';

const HELP = `usage: r1 pipeline --out DIR [--config FILE.json|yaml] [--seed N] [--json-summary FILE] [--resume]
  --out DIR            the run folder: one sub-folder per stage (model, data, metrics, done.json), the stage table
  --config FILE        pipeline options over the defaults (src/pipeline/config.ts documents every key; unknown keys are errors)
  --seed N             seed of every stage after the cached base (the config's seed, default 1)
  --json-summary FILE  also write {"seconds", "stages": [...], "reward_model": {...}, "distill": {...}} to FILE
  --resume             continue a stopped pipeline: finished stages are kept, the one in flight continues
  --bases-only         only pretrain (or find cached) the default teacher and student bases, then stop
  --precision P        matmul precision of every stage: auto (default: bf16 where the CPU has AMX / AVX512-BF16), bf16, or fp32
  -q, --quiet          no progress on stderr
Stages: base, r1_zero, cold_start, reasoning_rl, reasoning_rl_no_language_reward, rejection_sft, reward_model,
all_scenario_rl, distill. Ctrl-C stops after the current step; --resume continues.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv, allowPositionals: false,
    options: { precision: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, config: { type: 'string' }, 'json-summary': { type: 'string' }, resume: { type: 'boolean' }, 'bases-only': { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' } },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const precision = precisionFlag(values.precision); // the config's precision (default auto) unless given here
  const seed = numFlag(values.seed, 'seed', NON_NEGATIVE_INT); // likewise the config's seed
  if (!values.out) throw new UsageError('--out DIR is required (the pipeline run folder)');
  let cfg;
  try {
    cfg = resolvePipelineConfig(values.config ? readPipelineConfigFile(values.config) : {}, { out: values.out, precision, seed }); // undefined layers' keys are skipped
  } catch (e) {
    if (e instanceof PipelineConfigError) throw new UsageError(e.message);
    throw e;
  }
  const intr = onInterrupt('pipeline', 'stopping after the current step; --resume continues');
  const stop = intr.stopped;
  const bar = createPhasedProgress({ label: 'r1 pipeline', quiet: Boolean(values.quiet) });
  const log = (l: string) => bar.log(l);
  try {
    if (values['bases-only']) {
      const b = await ensureBases(cfg, { log, shouldStop: stop, progress: bar.progress }).finally(() => bar.stop());
      console.log(`teacher base ${b.teacher}\nstudent base ${b.student}\n${b.seconds.toFixed(0)} s of pretraining in this run`);
      return 0;
    }
    const s = await runPipeline(cfg, { resume: values.resume, log, shouldStop: stop, progress: bar.progress }).finally(() => bar.stop());
    console.log(formatStageTable(rowsOf(cfg)));
    console.log(formatSummaryLines(s));
    console.log(`bars:\n${formatBars(s.bars)}`);
    console.log(`${s.seconds.toFixed(0)} s in all (base model ${s.base_cached ? 'cached' : 'pretrained in this run'})${s.cut_short.length ? `; cut short by their safety time limits: ${s.cut_short.join(', ')}` : ''}; ${cfg.out}`);
    if (values['json-summary']) writeFileSync(values['json-summary'], JSON.stringify(s, null, 2) + '\n');
    await writeReport(cfg.out).catch((e: Error) => log(`r1 pipeline: the report could not be written (${e.message}); r1 report ${cfg.out} retries`));
    return stop() ? 130 : 0;
  } catch (e) {
    if (e instanceof StageError) throw new UsageError(e.message);
    throw e;
  } finally {
    intr.dispose();
  }
}
