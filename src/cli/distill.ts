// `r1 distill`: R1's distillation (§2.4, §4.1) on its own: a teacher checkpoint samples every world's train prompts,
// the correct replies fine-tune a small student (its own base pretrained once and cached) with SFT only, and the same
// student is trained with GRPO for comparison; prints both students' held-out pass@1 with their compute.
// Parses flags only; the work is src/pipeline/distill.ts.
import { writeFileSync } from 'node:fs';
import { UsageError } from './main.js';
import { numFlag, onInterrupt, parseFlags, POSITIVE_INT, precisionFlag } from './args.js';
import { PipelineConfigError, readPipelineConfigFile, resolvePipelineConfig } from '../pipeline/config.js';
import { distillFromTeacher } from '../pipeline/stages.js';
import { StageError } from '../pipeline/run.js';
import { createPhasedProgress } from '../util/progress.js';
import { LORA_FLAGS, LORA_HELP, loraFlags } from './lora-flags.js';

const HELP = `usage: r1 distill --teacher DIR --out DIR [--student-hidden N] [--student-layers N] [--config FILE] [--json]
  --teacher DIR        the teacher checkpoint (e.g. a pipeline's all_scenario_rl model)
  --out DIR            run folder (distill/: data, the distilled student, the GRPO student, done.json)
  --student-hidden N   student width (default 64: a quarter of the default teacher's parameters or less)
  --student-layers N   student depth (default 4)
  --config FILE        pipeline options (worlds, eval, distill.*) over the defaults
  --json               print {"distilled": {pass1, seconds, tokens}, "rl": {...}} on stdout
  --precision P        matmul precision of every stage: auto (default: bf16 where the CPU has AMX / AVX512-BF16), bf16, or fp32
  -q, --quiet          no progress on stderr
${LORA_HELP}
                       (the distilled student is then an adapter on its base)`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv, allowPositionals: false,
    options: { precision: { type: 'string' },
      teacher: { type: 'string' }, out: { type: 'string' }, 'student-hidden': { type: 'string' }, 'student-layers': { type: 'string' },
      ...LORA_FLAGS, config: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' },
    },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const precision = precisionFlag(values.precision); // the config's precision (default auto) unless given here
  if (!values.teacher) throw new UsageError('--teacher DIR is required (the model to distil)');
  if (!values.out) throw new UsageError('--out DIR is required');
  let cfg;
  try {
    const file = values.config ? readPipelineConfigFile(values.config) : {};
    const distill = { ...((file.distill as Record<string, unknown>) ?? {}),
      ...(values['student-hidden'] ? { studentHidden: numFlag(values['student-hidden'], 'student-hidden', POSITIVE_INT) } : {}),
      ...(values['student-layers'] ? { studentLayers: numFlag(values['student-layers'], 'student-layers', POSITIVE_INT) } : {}),
      ...(values['lora-r'] !== undefined ? loraFlags(values) : {}) }; // LoRA
    cfg = resolvePipelineConfig(file, { out: values.out, distill, ...(precision ? { precision } : {}) });
  } catch (e) {
    if (e instanceof PipelineConfigError) throw new UsageError(e.message);
    throw e;
  }
  const intr = onInterrupt('distill');
  const bar = createPhasedProgress({ label: 'r1 distill', quiet: Boolean(values.quiet) });
  try {
    const r = await distillFromTeacher(cfg, values.teacher, { log: (l) => bar.log(l), shouldStop: intr.stopped, progress: bar.progress }).finally(() => bar.stop());
    const d = r.extra?.distill as { distilled: { pass1: number; seconds: number; tokens: number }; rl: { pass1: number; seconds: number; tokens: number } } | undefined;
    if (!d) return 130;
    writeFileSync(`${cfg.out}/distill/summary.json`, JSON.stringify(d, null, 2) + '\n');
    if (values.json) console.log(JSON.stringify(d));
    else console.log(`distilled student pass@1 ${(100 * d.distilled.pass1).toFixed(1)}% (${d.distilled.seconds.toFixed(0)} s, ${d.distilled.tokens} tokens); GRPO student ${(100 * d.rl.pass1).toFixed(1)}% (${d.rl.seconds.toFixed(0)} s, ${d.rl.tokens} tokens)`);
    return 0;
  } catch (e) {
    if (e instanceof StageError) throw new UsageError(e.message);
    throw e;
  } finally {
    intr.dispose();
  }
}
