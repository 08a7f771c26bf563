// `r1 sft --model DIR --data FILE.jsonl --out DIR`: supervised fine-tuning with the loss on completions only.
// Parses flags and calls sftTrain (src/sft/sft.ts); no training logic here. Progress on stderr,
// --json prints one object on stdout, Ctrl-C saves the model trained so far.
import { parseArgs } from 'node:util';
import { UsageError } from './main.js';
import { DatasetError } from '../data/datasets.js';
import { JsonlError } from '../data/jsonl.js';
import { sftTrain } from '../sft/sft.js';

const HELP = `usage: r1 sft --model DIR --data FILE.jsonl --out DIR [options]
  --model DIR          starting checkpoint (HF layout)                          [required]
  --data FILE.jsonl    {"prompt","completion"} or {"messages": [...]} rows      [required]
  --out DIR            where the fine-tuned checkpoint goes                      [required]
  --val FILE.jsonl     validation set (default: 5% of --data held out)
  --epochs N           (default 1)
  --batch-size N       rows per micro-batch (default 16)
  --grad-accum N       micro-batches per optimizer step (default 1)
  --lr X               peak learning rate (default 1e-4), cosine to 10% after --warmup N steps (default 10)
  --max-length N       longest sequence in tokens (default the model's context); longer completions are cut
  --eval-every N       validation loss every N steps (default each epoch end)
  --save-every N       also save OUT/checkpoints/step-N every N steps
  --skip-bad-lines     skip malformed JSONL lines (each reported) instead of failing
  --seed N             (default 1)
  --json               one JSON object on stdout`;

function num(v: string | undefined, name: string, int = true): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (int && !Number.isInteger(n))) throw new UsageError(`--${name} must be a positive ${int ? 'integer' : 'number'} (got '${v}')`);
  return n;
}

export async function run(argv: string[]): Promise<number | void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        model: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, val: { type: 'string' },
        epochs: { type: 'string' }, 'batch-size': { type: 'string' }, 'grad-accum': { type: 'string' }, lr: { type: 'string' },
        warmup: { type: 'string' }, 'max-length': { type: 'string' }, 'eval-every': { type: 'string' }, 'save-every': { type: 'string' },
        'skip-bad-lines': { type: 'boolean' }, seed: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${HELP}`);
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  for (const k of ['model', 'data', 'out'] as const) if (!values[k]) throw new UsageError(`--${k} is required\n${HELP}`);
  const ac = new AbortController();
  const onInt = () => {
    process.stderr.write('\ninterrupted: saving the checkpoint (Ctrl-C again to quit without saving)\n');
    ac.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onInt);
  try {
    const r = await sftTrain({
      model: values.model!, data: values.data!, out: values.out!, val: values.val,
      epochs: num(values.epochs, 'epochs'), batchSize: num(values['batch-size'], 'batch-size'), gradAccum: num(values['grad-accum'], 'grad-accum'),
      lr: num(values.lr, 'lr', false), warmupSteps: num(values.warmup, 'warmup'), maxLength: num(values['max-length'], 'max-length'),
      evalEvery: num(values['eval-every'], 'eval-every'), saveEvery: num(values['save-every'], 'save-every'), seed: num(values.seed, 'seed'),
      onError: values['skip-bad-lines'] ? 'skip' : 'fail', signal: ac.signal,
      log: (line) => process.stderr.write(line + '\n'),
    });
    if (values.json) console.log(JSON.stringify(r));
    return 0;
  } catch (err) {
    if (err instanceof DatasetError || err instanceof JsonlError) throw new UsageError(err.message);
    throw err;
  } finally {
    process.removeListener('SIGINT', onInt);
  }
}
