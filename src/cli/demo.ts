// `r1 demo` (what `npm start` runs): R1-Zero in miniature on the CPU — the default base model (pretrained
// once and cached), evaluated, trained with GRPO on the recipe configs/demo.yaml (+ configs/<world>.yaml), evaluated
// again. Flags and --help from DEMO_SPEC; parses and prints only, the work is src/rl/demo.ts.
import { writeFileSync } from 'node:fs';
import { onInterrupt, printJson, readCommandLine } from './args.js';
import { DEMO_SPEC, demoConfig, formatSummary, runDemo } from '../rl/demo.js';
import { readConfigFile, resolve, withDefault } from '../run/spec.js';
import { V } from '../run/vocabulary.js';
import { writeReport } from '../report/index.js';
import { createPhasedProgress } from '../util/progress.js';

const OWN = {
  config: V.config, json: withDefault(V.json, false, { doc: 'print the summary as one JSON object on stdout instead of the table' }), quiet: V.quiet, help: V.help,
  jsonSummary: withDefault(V.jsonSummary, '', { doc: 'write {"base": {pass1, cons16, format_rate, mean_len, ...}, "rl": {...}, "steps", "seconds"} to FILE' }),
};

export async function run(argv: string[]): Promise<number> {
  const cl = readCommandLine(DEMO_SPEC, OWN, argv, { usage: 'usage: r1 demo [options]', footer: 'Ctrl-C stops GRPO after the current step, saves, still measures the result, and exits 130.' });
  if (!cl) return 0;
  const c = resolve(DEMO_SPEC, [cl.flags.config ? readConfigFile(cl.flags.config) : {}, cl.layer]);
  demoConfig('base', 'out', c.world, c); // a bad GRPO key or value stops here, before any pretraining
  const stop = onInterrupt('demo', 'stopping');
  const bar = createPhasedProgress({ label: 'r1 demo', quiet: cl.flags.quiet });
  try {
    const s = await runDemo({ ...c, log: (l) => bar.log(l), signal: stop.signal, progress: bar.progress }).finally(() => bar.stop());
    if (cl.flags.json) printJson(s);
    else console.log(formatSummary(s));
    await writeReport(s.run_dir).catch((e: Error) => console.error(`r1 demo: the report could not be written (${e.message}); r1 report ${s.run_dir} retries`));
    if (cl.flags.jsonSummary) writeFileSync(cl.flags.jsonSummary, JSON.stringify(s, null, 2) + '\n');
    return s.reason === 'interrupted' ? 130 : 0;
  } finally {
    stop.dispose();
  }
}
