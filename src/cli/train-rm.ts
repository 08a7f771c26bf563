// `r1 train-rm --model DIR --data pairs.jsonl --out DIR`: a reward model (the policy's decoder + a scalar head)
// trained with the Bradley–Terry loss on {prompt, chosen, rejected} pairs. Flags and --help from TRAIN_RM_SPEC
// (src/rl/rm-config.ts); calls src/rl/rm*.ts, no training logic here. --json: one object on stdout; Ctrl-C saves.
import { onInterrupt, printJson, readCommandLine } from './args.js';
import { resolvePrecision } from '../tensor/precision.js';
import { RewardModel } from '../rl/rm.js';
import { readPairs, splitByPrompt, trainRewardModel } from '../rl/rm-train.js';
import { RM_TRAINER_SPEC, TRAIN_RM_SPEC } from '../rl/rm-config.js';
import { pick, readConfigFile, resolve } from '../run/spec.js';
import { V } from '../run/vocabulary.js';
import { runContext } from '../run/context.js';
import { createProgress } from '../util/progress.js';

const OWN = { config: V.config, json: V.json, quiet: V.quiet, help: V.help };

export async function run(argv: string[]): Promise<number | void> {
  const cl = readCommandLine(TRAIN_RM_SPEC, OWN, argv, { usage: 'usage: r1 train-rm --model DIR --data pairs.jsonl --out DIR [options]' });
  if (!cl) return 0;
  const c = resolve(TRAIN_RM_SPEC, [cl.flags.config ? readConfigFile(cl.flags.config) : {}, cl.layer]);
  const stop = onInterrupt('train-rm', 'saving the reward model');
  const bar = createProgress({ label: 'r1 train-rm', total: 0, quiet: cl.flags.quiet });
  const ctx = runContext({ signal: stop.signal, precision: c.precision, log: (line) => bar.log(line), progress: (_, step, _n, fraction, v) => bar.update(step, v, fraction) });
  try {
    const pairs = await readPairs(c.data);
    const split = c.evalData ? { train: pairs, heldOut: await readPairs(c.evalData) } : splitByPrompt(pairs, c.heldOut, c.seed);
    const rm = await RewardModel.fromPolicy(c.model, c.on, c.seed, resolvePrecision(ctx.precision));
    const r = await trainRewardModel(rm, split, { ...pick(c, RM_TRAINER_SPEC.fields), out: c.out }, ctx).finally(() => bar.stop());
    const last = r.held_out[r.held_out.length - 1];
    if (cl.flags.json) printJson({ ...r, view: c.on, held_out_accuracy: last?.accuracy ?? null });
    return 0;
  } finally {
    bar.stop();
    stop.dispose();
  }
}
