// `r1 sft --model DIR --data FILE.jsonl --out DIR`: supervised fine-tuning with the loss on completions only.
// Flags and --help from SFT_SPEC (src/sft/config.ts); calls sftTrain (src/sft/sft.ts), no training logic here.
// Progress on stderr, --json prints one object on stdout, Ctrl-C saves the model trained so far.
import { onInterrupt, printJson, readCommandLine } from './args.js';
import { createProgress } from '../util/progress.js';
import { sftTrain } from '../sft/sft.js';
import { SFT_SPEC } from '../sft/config.js';
import { readConfigFile, resolve } from '../run/spec.js';
import { V } from '../run/vocabulary.js';
import { runContext } from '../run/context.js';

const OWN = { config: V.config, json: V.json, quiet: V.quiet, help: V.help };

export async function run(argv: string[]): Promise<number | void> {
  const cl = readCommandLine(SFT_SPEC, OWN, argv, { usage: 'usage: r1 sft --model DIR --data FILE.jsonl --out DIR [options]', footer: 'Ctrl-C saves the model trained so far and exits 130.' });
  if (!cl) return 0;
  const c = resolve(SFT_SPEC, [cl.flags.config ? readConfigFile(cl.flags.config) : {}, cl.layer]);
  const stop = onInterrupt('sft', 'saving the checkpoint');
  const bar = createProgress({ label: 'r1 sft', total: 0, quiet: cl.flags.quiet });
  try {
    const r = await sftTrain(c, runContext({ signal: stop.signal, precision: c.precision, log: (line) => bar.log(line), progress: (_, step, _n, fraction, v) => bar.update(step, v, fraction) }));
    bar.stop();
    if (cl.flags.json) printJson(r);
    return r.stopped ? 130 : 0;
  } finally {
    bar.stop();
    stop.dispose();
  }
}
