// `r1 sft --model DIR --data FILE.jsonl --out DIR`: supervised fine-tuning with the loss on completions only.
// Parses flags and calls sftTrain (src/sft/sft.ts); no training logic here. Progress on stderr,
// --json prints one object on stdout, Ctrl-C saves the model trained so far.
import { UsageError } from './main.js';
import { parseFlags, numFlag, printJson, precisionFlag, POSITIVE_INT, POSITIVE } from './args.js';
import { createProgress } from '../util/progress.js';
import { DatasetError } from '../data/datasets.js';
import { JsonlError } from '../data/jsonl.js';
import { sftTrain } from '../sft/sft.js';
import { LORA_FLAGS, LORA_HELP, loraFlags } from './lora-flags.js';

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
  --precision P        matmul precision: fp32 (default), bf16, or auto (bf16 where the CPU has AMX / AVX512-BF16)
  --eval-every N       validation loss every N steps (default each epoch end)
  --save-every N       also save OUT/checkpoints/step-N every N steps
  --skip-bad-lines     skip malformed JSONL lines (each reported) instead of failing
  --seed N             (default 1)
${LORA_HELP}
  --json               one JSON object on stdout
  -q, --quiet          no progress on stderr
Ctrl-C saves the model trained so far and exits 130.`;

export async function run(argv: string[]): Promise<number | void> {
  const { values } = parseFlags({
    args: argv,
    options: {
      model: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, val: { type: 'string' },
      epochs: { type: 'string' }, 'batch-size': { type: 'string' }, 'grad-accum': { type: 'string' }, lr: { type: 'string' },
      warmup: { type: 'string' }, 'max-length': { type: 'string' }, precision: { type: 'string' }, 'eval-every': { type: 'string' }, 'save-every': { type: 'string' },
      ...LORA_FLAGS, 'skip-bad-lines': { type: 'boolean' }, seed: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, quiet: { type: 'boolean', short: 'q' },
    },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  for (const k of ['model', 'data', 'out'] as const) if (!values[k]) throw new UsageError(`--${k} is required; see r1 sft --help`);
  const ac = new AbortController();
  const onInt = () => {
    process.stderr.write('\ninterrupted: saving the checkpoint (Ctrl-C again to quit without saving)\n');
    ac.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onInt);
  const bar = createProgress({ label: 'r1 sft', total: 0, quiet: values.quiet });
  try {
    const r = await sftTrain({
      model: values.model!, data: values.data!, out: values.out!, val: values.val,
      epochs: numFlag(values.epochs, 'epochs', POSITIVE_INT), batchSize: numFlag(values['batch-size'], 'batch-size', POSITIVE_INT), gradAccum: numFlag(values['grad-accum'], 'grad-accum', POSITIVE_INT),
      lr: numFlag(values.lr, 'lr', POSITIVE), warmupSteps: numFlag(values.warmup, 'warmup', POSITIVE_INT), maxLength: numFlag(values['max-length'], 'max-length', POSITIVE_INT),
      evalEvery: numFlag(values['eval-every'], 'eval-every', POSITIVE_INT), saveEvery: numFlag(values['save-every'], 'save-every', POSITIVE_INT), seed: numFlag(values.seed, 'seed', POSITIVE_INT),
      ...loraFlags(values), onError: values['skip-bad-lines'] ? 'skip' : 'fail', signal: ac.signal, precision: precisionFlag(values.precision),
      log: (line) => bar.log(line), progress: (step, fraction, v) => bar.update(step, v, fraction),
    });
    bar.stop();
    if (values.json) printJson(r);
    return r.stopped ? 130 : 0;
  } catch (err) {
    if (err instanceof DatasetError || err instanceof JsonlError) throw new UsageError(err.message);
    throw err;
  } finally {
    bar.stop();
    process.removeListener('SIGINT', onInt);
  }
}
