// `r1 demo` (what `npm start` runs): R1-Zero in miniature on the CPU — the default base model (pretrained
// once and cached), evaluated, trained with GRPO on accuracy + format rewards, evaluated again.
// Parses flags and prints; the work is src/rl/demo.ts.
import { writeFileSync } from 'node:fs';
import { UsageError } from './main.js';
import { parseFlags, numFlag, applyPrecisionFlag, POSITIVE } from './args.js';
import { DEMO_SIZES, demoConfig, formatSummary, runDemo, type DemoSize } from '../rl/demo.js';
import { DEFAULT_WORLD } from '../data/worlds/index.js';
import { writeReport } from '../report/index.js';
import { createPhasedProgress } from '../util/progress.js';

const HELP = `usage: r1 demo [options]
  --json-summary FILE   write {"base": {pass1, cons16, format_rate, mean_len, ...}, "rl": {...}, "steps", "seconds"}
  --out DIR             run folder (default runs/<timestamp>)
  --world NAME          world (default: the default world); the search worlds countdown and subset also report
                        reflection (backtracking / re-checking) and by_difficulty in the summary
  --size S              default base model size: small (default), medium, large (each cached on its own)
  --base DIR            start from this base model instead of the cached default
  --rl-seconds S        GRPO wall-clock safety limit (default 900; the run says when it cut GRPO short)
  --steps N             GRPO steps, the budget the LR schedule runs over (default 300; subset 220)
  --pretrain-seconds S  pretraining budget when no base model is cached (default: r1 pretrain's)
  --eval-problems N     held-out problems measured before and after, 16 samples each (default 200)
  --seed N              (default 1)
  --grpo JSON           GRPO options over the world's demo recipe, e.g. '{"beta":0.04,"lossType":"dr_grpo"}' (keys as in r1 grpo's config)
  --precision P         matmul precision of pretraining, GRPO and measurement: fp32 (default), bf16, or auto (bf16 where the CPU has AMX / AVX512-BF16)
  -q, --quiet           no progress on stderr
Ctrl-C stops GRPO after the current step, saves, still measures the result, and exits 130.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv, allowPositionals: false,
    options: {
      'json-summary': { type: 'string' }, out: { type: 'string' }, world: { type: 'string' }, base: { type: 'string' }, size: { type: 'string' },
      'rl-seconds': { type: 'string' }, steps: { type: 'string' }, 'pretrain-seconds': { type: 'string' },
      'eval-problems': { type: 'string' }, seed: { type: 'string' }, grpo: { type: 'string' }, precision: { type: 'string' }, help: { type: 'boolean', short: 'h' }, quiet: { type: 'boolean', short: 'q' },
    },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.size !== undefined && !(DEMO_SIZES as string[]).includes(values.size)) {
    throw new UsageError(`--size: '${values.size}' is not a size; use one of ${DEMO_SIZES.join(', ')}`);
  }
  let grpo: Record<string, unknown> | undefined;
  if (values.grpo !== undefined) {
    try {
      grpo = JSON.parse(values.grpo) as Record<string, unknown>;
    } catch {
      grpo = undefined;
    }
    if (!grpo || typeof grpo !== 'object' || Array.isArray(grpo)) throw new UsageError(`--grpo '${values.grpo}' is not a JSON object; give GRPO options like '{"beta":0.04}'`);
    try {
      demoConfig('base', 'out', values.world ?? DEFAULT_WORLD, { grpo }); // a bad key or value stops here, before any pretraining
    } catch (err) {
      throw new UsageError(`--grpo: ${(err as Error).message}`);
    }
  }
  applyPrecisionFlag(values.precision); // the trainers and samplers inherit the process's matmul precision
  let stop = false;
  const onSigint = () => {
    if (stop) process.exit(130);
    stop = true;
    console.error('\nr1 demo: stopping (Ctrl-C again to quit now)');
  };
  process.on('SIGINT', onSigint);
  const bar = createPhasedProgress({ label: 'r1 demo', quiet: Boolean(values.quiet) });
  try {
    const s = await runDemo({
      out: values.out, world: values.world, base: values.base, size: values.size as DemoSize | undefined,
      rlSeconds: numFlag(values['rl-seconds'], 'rl-seconds', POSITIVE), steps: numFlag(values.steps, 'steps', POSITIVE),
      pretrainSeconds: numFlag(values['pretrain-seconds'], 'pretrain-seconds', POSITIVE), evalProblems: numFlag(values['eval-problems'], 'eval-problems', POSITIVE),
      seed: values.seed === undefined ? undefined : Number(values.seed), grpo,
      log: (l) => bar.log(l), shouldStop: () => stop, progress: bar.progress,
    }).finally(() => bar.stop());
    console.log(formatSummary(s));
    await writeReport(s.run_dir).catch((e: Error) => console.error(`r1 demo: the report could not be written (${e.message}); r1 report ${s.run_dir} retries`));
    if (values['json-summary']) writeFileSync(values['json-summary'], JSON.stringify(s, null, 2) + '\n');
    return s.reason === 'interrupted' ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
