// `r1 pretrain --world NAME --out DIR` (or `--data FILE.jsonl` of {"text"} rows): train a base model from scratch.
// Parses flags and calls src/sft (pretrainWorld / pretrainCorpus) and, with --measure N, measureWorld.
// No training logic here. Progress on stderr; --json prints one object on stdout; Ctrl-C saves and stops.
import { UsageError } from './main.js';
import { parseFlags, numFlag, printJson, precisionFlag, POSITIVE_INT, POSITIVE } from './args.js';
import { createProgress } from '../util/progress.js';
import { DatasetError } from '../data/datasets.js';
import { JsonlError } from '../data/jsonl.js';
import { Rng } from '../util/rng.js';
import { pretrainWorld } from '../sft/pretrain.js';
import { pretrainCorpus } from '../sft/corpus.js';
import { WORLDS, DEFAULT_WORLD, getWorld, worldNameProblem, sampleProblems, writeWorldCorpus } from '../data/worlds/index.js';
import { measureWorld, formatMeasurement } from '../eval/world.js';
import { loadCheckpoint } from '../model/checkpoint.js';
import type { ModelConfig } from '../model/config.js';

const HELP = `usage: r1 pretrain [--world NAME | --data FILE.jsonl] --out DIR [options]
       r1 pretrain --world NAME --write-corpus FILE.jsonl [--docs N]
  --world NAME        synthetic world (${Object.keys(WORLDS).join(', ')}; default ${DEFAULT_WORLD})
  --data FILE.jsonl   raw-text corpus instead, one {"text": ...} a line
  --out DIR           checkpoint folder (HF layout)                         [required]
  --difficulty N      world difficulty (addition: digits; default the world's)
  --tokens N          token budget (default 12000000); the run and its LR schedule cover exactly these tokens
  --max-seconds S     wall-clock safety limit (default none): stops early and says so; never shapes the schedule
  --precision P       matmul precision: fp32 (default), bf16, or auto (bf16 where the CPU has AMX / AVX512-BF16)
  --batch-size N      rows per batch (default 32)
  --lr X              peak learning rate (default 0.003)
  --dim N --layers N --heads N --ffn N   model size (default 128 / 4 / 4 / 352)
  --epochs N          corpus epochs (--data only; default 1)
  --seed N            (default 1)
  --write-corpus FILE write the world's corpus (--docs N rows of {text, prompt, completion, style}, natural mix) and exit
  --docs N            documents for --write-corpus (default 10000)
  --measure N         afterwards, sample 16 per held-out problem on N problems and report pass@1, cons@16, styles
  --json              one JSON object on stdout
  -q, --quiet         no progress on stderr
Ctrl-C saves the model trained so far and exits 130.`;

export async function run(argv: string[]): Promise<number | void> {
  const { values } = parseFlags({
    args: argv,
    options: {
      world: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, difficulty: { type: 'string' },
      tokens: { type: 'string' }, 'max-seconds': { type: 'string' }, precision: { type: 'string' }, 'batch-size': { type: 'string' }, lr: { type: 'string' },
      dim: { type: 'string' }, layers: { type: 'string' }, heads: { type: 'string' }, ffn: { type: 'string' },
      epochs: { type: 'string' }, seed: { type: 'string' }, measure: { type: 'string' }, 'write-corpus': { type: 'string' }, docs: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, quiet: { type: 'boolean', short: 'q' },
    },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values['write-corpus']) {
    if (values.data) throw new UsageError('--write-corpus writes a world corpus; give --world NAME, not --data');
    const world = getWorld(values.world ?? DEFAULT_WORLD);
    const n = await writeWorldCorpus(world, values['write-corpus'], { docs: numFlag(values.docs, 'docs', POSITIVE_INT) ?? 10_000, seed: numFlag(values.seed, 'seed', POSITIVE_INT) ?? 1, difficulty: numFlag(values.difficulty, 'difficulty', POSITIVE_INT) });
    process.stderr.write(`wrote ${n} ${world.name} documents to ${values['write-corpus']}\n`);
    if (values.json) console.log(JSON.stringify({ file: values['write-corpus'], docs: n, world: world.name }));
    return 0;
  }
  if (!values.out) throw new UsageError('--out DIR is required (the checkpoint folder to write)');
  if (values.world && values.data) throw new UsageError('give --world NAME or --data FILE.jsonl, not both');
  if (values.world && worldNameProblem(values.world)) throw new UsageError(worldNameProblem(values.world)!);
  const model: Partial<ModelConfig> = {};
  const dim = numFlag(values.dim, 'dim', POSITIVE_INT), layers = numFlag(values.layers, 'layers', POSITIVE_INT), heads = numFlag(values.heads, 'heads', POSITIVE_INT), ffn = numFlag(values.ffn, 'ffn', POSITIVE_INT);
  if (dim) model.hidden_size = dim;
  if (layers) model.num_hidden_layers = layers;
  if (heads) model.num_attention_heads = model.num_key_value_heads = heads;
  if (ffn) model.intermediate_size = ffn;
  const ac = new AbortController();
  const onInt = () => {
    process.stderr.write('\ninterrupted: saving the checkpoint (Ctrl-C again to quit without saving)\n');
    ac.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onInt);
  const bar = createProgress({ label: 'r1 pretrain', total: 0, quiet: values.quiet });
  const log = (line: string) => bar.log(line);
  const progress = (step: number, fraction: number, v: Record<string, number | string>) => bar.update(step, v, fraction);
  const seed = numFlag(values.seed, 'seed', POSITIVE_INT);
  try {
    if (values.data) {
      const r = await pretrainCorpus({
        data: values.data, out: values.out, model, epochs: numFlag(values.epochs, 'epochs', POSITIVE_INT), maxSeconds: numFlag(values['max-seconds'], 'max-seconds', POSITIVE),
        batchSize: numFlag(values['batch-size'], 'batch-size', POSITIVE_INT), lr: numFlag(values.lr, 'lr', POSITIVE), seed, signal: ac.signal, log, progress,
        precision: precisionFlag(values.precision),
      });
      bar.stop();
      if (values.json) printJson(r);
      return r.stopped ? 130 : 0;
    }
    const worldName = values.world ?? DEFAULT_WORLD;
    const difficulty = numFlag(values.difficulty, 'difficulty', POSITIVE_INT);
    const r = await pretrainWorld({
      world: worldName, out: values.out, difficulty, model, tokens: numFlag(values.tokens, 'tokens', POSITIVE_INT),
      maxSeconds: numFlag(values['max-seconds'], 'max-seconds', POSITIVE), batchSize: numFlag(values['batch-size'], 'batch-size', POSITIVE_INT),
      lr: numFlag(values.lr, 'lr', POSITIVE), seed, signal: ac.signal, log, progress, precision: precisionFlag(values.precision),
    });
    bar.stop();
    let measurement;
    const nMeasure = numFlag(values.measure, 'measure', POSITIVE_INT);
    if (nMeasure) {
      const world = getWorld(worldName);
      const { model: m, tokenizer } = await loadCheckpoint(values.out);
      const problems = sampleProblems(world, { split: 'test', count: nMeasure, seed: 1234, difficulty });
      measurement = await measureWorld(m, tokenizer, world, { problems, rng: new Rng(4321), log, maxNewTokens: world.maxCompletionChars(difficulty ?? world.defaultDifficulty) });
      log(formatMeasurement(measurement));
    }
    if (values.json) printJson({ ...r, measurement });
    return r.stopped ? 130 : 0;
  } catch (err) {
    if (err instanceof DatasetError || err instanceof JsonlError) throw new UsageError(err.message);
    throw err;
  } finally {
    bar.stop();
    process.removeListener('SIGINT', onInt);
  }
}
