// `r1 distill`: R1's distillation (§2.4, §4.1) on its own: a teacher checkpoint samples every world's train prompts,
// the correct replies fine-tune a small student (its own base pretrained once and cached) with SFT only, and the same
// student is trained with GRPO for comparison; prints both students' held-out pass@1 with their compute.
// Parses flags only; the work is src/pipeline/distill.ts.
import { fmtFlops, type ArmCompute } from '../pipeline/flops.js';
import { writeFileSync } from 'node:fs';
import { onInterrupt, printJson, readCommandLine } from './args.js';
import { DISTILL_SPEC } from './specs.js';
import { resolve, withDefault } from '../run/spec.js';
import { V } from '../run/vocabulary.js';
import { readPipelineConfigFile, resolvePipelineConfig } from '../pipeline/config.js';
import { distillFromTeacher } from '../pipeline/stages.js';
import { createPhasedProgress } from '../util/progress.js';

const OWN = {
  config: withDefault(V.config, '', { doc: 'pipeline options (worlds, eval, distill.*) over the defaults' }),
  json: withDefault(V.json, false, { doc: 'print {"distilled": {pass1, seconds, tokens, flops, flops_by_part}, "rl": {...}} on stdout' }),
  quiet: V.quiet, help: V.help,
};

export async function run(argv: string[]): Promise<number> {
  const cl = readCommandLine(DISTILL_SPEC, OWN, argv, { usage: 'usage: r1 distill --teacher DIR --out DIR [--student-hidden N] [--student-layers N] [--config FILE] [--json]' });
  if (!cl) return 0;
  const values = cl.flags;
  const c = resolve(DISTILL_SPEC, [cl.layer]);
  const file = values.config ? readPipelineConfigFile(values.config) : {};
  const distill = { ...((file.distill as Record<string, unknown>) ?? {}),
    ...(c.studentHidden ? { studentHidden: c.studentHidden } : {}), ...(c.studentLayers ? { studentLayers: c.studentLayers } : {}),
    ...Object.fromEntries(Object.entries(cl.layer).filter(([k]) => k.startsWith('lora'))) }; // LoRA flags given
  const cfg = resolvePipelineConfig(file, { out: c.out, distill, ...(c.precision ? { precision: c.precision } : {}) });
  const intr = onInterrupt('distill');
  const bar = createPhasedProgress({ label: 'r1 distill', quiet: values.quiet });
  try {
    const r = await distillFromTeacher(cfg, c.teacher, { log: (l) => bar.log(l), signal: intr.signal, progress: bar.progress }).finally(() => bar.stop());
    const d = r.extra?.distill as { distilled: ArmCompute; rl: ArmCompute } | undefined;
    if (!d) return 130;
    writeFileSync(`${cfg.out}/distill/summary.json`, JSON.stringify(d, null, 2) + '\n');
    if (values.json) printJson(d);
    else console.log(`distilled student pass@1 ${(100 * d.distilled.pass1).toFixed(1)}% (${fmtFlops(d.distilled.flops)} FLOPs, ${d.distilled.seconds.toFixed(0)} s); GRPO student ${(100 * d.rl.pass1).toFixed(1)}% (${fmtFlops(d.rl.flops)} FLOPs, ${d.rl.seconds.toFixed(0)} s)`);
    return 0;
  } finally {
    intr.dispose();
  }
}
