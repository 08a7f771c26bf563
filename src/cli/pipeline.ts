// `r1 pipeline`: DeepSeek-R1's four stages and distillation in miniature (src/pipeline), from one config; prints the
// stage table and writes pipeline_summary.json (and --json-summary FILE). Parses flags only; the work is src/pipeline.
import { writeFileSync } from 'node:fs';
import { onInterrupt, printJson, readCommandLine } from './args.js';
import { PIPELINE_SPEC } from './specs.js';
import { resolve, withDefault } from '../run/spec.js';
import { V } from '../run/vocabulary.js';
import { readPipelineConfigFile, resolvePipelineConfig } from '../pipeline/config.js';
import { formatBars, runPipeline, rowsOf } from '../pipeline/run.js';
import { formatSummaryLines } from '../pipeline/bars.js';
import { formatStageTable } from '../pipeline/measure.js';
import { ensureBases } from '../pipeline/stages.js';
import { writeReport } from '../report/index.js';
import { createPhasedProgress } from '../util/progress.js';

const OWN = {
  config: withDefault(V.config, '', { doc: 'pipeline options over the defaults (src/pipeline/config.ts documents every key; unknown keys are errors)' }),
  jsonSummary: withDefault(V.jsonSummary, '', { doc: 'also write {"seconds", "stages": [...], "reward_model": {...}, "distill": {...}} to FILE' }),
  resume: withDefault(V.resume, false, { doc: 'continue a stopped pipeline: finished stages are kept, the one in flight continues' }),
  json: withDefault(V.json, false, { doc: 'print the summary as one JSON object on stdout instead of the stage table' }),
  quiet: V.quiet, help: V.help,
};
const FOOTER = `Stages: base, r1_zero, cold_start, reasoning_rl, reasoning_rl_no_language_reward, rejection_sft, reward_model,
all_scenario_rl, distill. Ctrl-C stops after the current step; --resume continues.`;

export async function run(argv: string[]): Promise<number> {
  const cl = readCommandLine(PIPELINE_SPEC, OWN, argv, { usage: 'usage: r1 pipeline --out DIR [--config FILE.json|yaml] [--seed N] [--json-summary FILE] [--resume]', footer: FOOTER });
  if (!cl) return 0;
  const values = cl.flags;
  const c = resolve(PIPELINE_SPEC, [cl.layer]);
  const cfg = resolvePipelineConfig(values.config ? readPipelineConfigFile(values.config) : {}, { out: c.out, precision: c.precision ?? undefined, seed: c.seed ?? undefined }); // undefined layers' keys are skipped
  const intr = onInterrupt('pipeline', 'stopping after the current step; --resume continues');
  const stop = intr.stopped;
  const bar = createPhasedProgress({ label: 'r1 pipeline', quiet: values.quiet });
  const log = (l: string) => bar.log(l);
  try {
    if (c.basesOnly) {
      const b = await ensureBases(cfg, { log, signal: intr.signal, progress: bar.progress }).finally(() => bar.stop());
      if (values.json) printJson(b);
      else console.log(`teacher base ${b.teacher}\nstudent base ${b.student}\n${b.seconds.toFixed(0)} s of pretraining in this run`);
      return 0;
    }
    const s = await runPipeline(cfg, { resume: values.resume, log, signal: intr.signal, progress: bar.progress }).finally(() => bar.stop());
    if (values.json) printJson(s);
    else {
      console.log(formatStageTable(rowsOf(cfg)));
      console.log(formatSummaryLines(s));
      console.log(`bars:\n${formatBars(s.bars)}`);
      console.log(`${s.seconds.toFixed(0)} s in all (base model ${s.base_cached ? 'cached' : 'pretrained in this run'})${s.cut_short.length ? `; cut short by their safety time limits: ${s.cut_short.join(', ')}` : ''}; ${cfg.out}`);
    }
    if (values.jsonSummary) writeFileSync(values.jsonSummary, JSON.stringify(s, null, 2) + '\n');
    await writeReport(cfg.out).catch((e: Error) => log(`r1 pipeline: the report could not be written (${e.message}); r1 report ${cfg.out} retries`));
    return stop() ? 130 : 0;
  } finally {
    intr.dispose();
  }
}
