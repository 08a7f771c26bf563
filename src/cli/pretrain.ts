// `r1 pretrain --world NAME --out DIR` (or `--data FILE.jsonl` of {"text"} rows): train a base model from scratch.
// Flags and --help from PRETRAIN_SPEC (src/sft/config.ts); calls src/sft (pretrainWorld / pretrainCorpus) and, with
// --measure N, measureCheckpoint (src/eval/world.ts). Progress on stderr; --json one object on stdout; Ctrl-C saves.
import { onInterrupt, printJson, readCommandLine } from './args.js';
import { UsageError } from './main.js';
import { createProgress } from '../util/progress.js';
import { pretrainWorld } from '../sft/pretrain.js';
import { pretrainCorpus } from '../sft/corpus.js';
import { PRETRAIN_SPEC, pretrainModelFields } from '../sft/config.js';
import { readConfigFile, resolve } from '../run/spec.js';
import { V } from '../run/vocabulary.js';
import { runContext } from '../run/context.js';
import { DEFAULT_WORLD, getWorld, worldNameProblem, writeWorldCorpus } from '../data/worlds/index.js';
import { measureCheckpoint, formatMeasurement } from '../eval/world.js';

const OWN = { config: V.config, json: V.json, quiet: V.quiet, help: V.help };
const USAGE = `usage: r1 pretrain [--world NAME | --data FILE.jsonl] --out DIR [options]
       r1 pretrain --world NAME --write-corpus FILE.jsonl [--docs N]`;

export async function run(argv: string[]): Promise<number | void> {
  const cl = readCommandLine(PRETRAIN_SPEC, OWN, argv, { usage: USAGE, footer: 'Ctrl-C saves the model trained so far and exits 130.' });
  if (!cl) return 0;
  const { flags } = cl;
  const c = resolve(PRETRAIN_SPEC, [flags.config ? readConfigFile(flags.config) : {}, cl.layer]);
  if (c.writeCorpus) {
    const world = getWorld(c.world ?? DEFAULT_WORLD);
    const n = await writeWorldCorpus(world, c.writeCorpus!, { docs: c.docs, seed: c.seed, difficulty: c.difficulty ?? undefined });
    process.stderr.write(`wrote ${n} ${world.name} documents to ${c.writeCorpus}\n`);
    if (flags.json) printJson({ file: c.writeCorpus, docs: n, world: world.name });
    return 0;
  }
  if (c.world && worldNameProblem(c.world)) throw new UsageError(worldNameProblem(c.world)!);
  const stop = onInterrupt('pretrain', 'saving the checkpoint');
  const bar = createProgress({ label: 'r1 pretrain', total: 0, quiet: flags.quiet });
  const ctx = runContext({ signal: stop.signal, precision: c.precision, log: (line) => bar.log(line), progress: (_, step, _n, fraction, v) => bar.update(step, v, fraction) });
  try {
    if (c.data) {
      const r = await pretrainCorpus({ ...c, data: c.data }, ctx);
      bar.stop();
      if (flags.json) printJson(r);
      return r.stopped ? 130 : 0;
    }
    const worldName = c.world ?? DEFAULT_WORLD, difficulty = c.difficulty ?? undefined;
    const r = await pretrainWorld(c, ctx);
    bar.stop();
    const measurement = c.measure ? await measureCheckpoint(c.out, getWorld(worldName), c.measure, difficulty, ctx.log) : undefined;
    if (measurement) ctx.log(formatMeasurement(measurement));
    if (flags.json) printJson({ ...r, measurement });
    return r.stopped ? 130 : 0;
  } finally {
    bar.stop();
    stop.dispose();
  }
}
