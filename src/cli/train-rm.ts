// `r1 train-rm --model DIR --data pairs.jsonl --out DIR`: a reward model (the policy's decoder + a scalar head)
// trained with the Bradley–Terry loss on {prompt, chosen, rejected} pairs. Parses flags and calls src/rl/rm*.ts;
// no training logic here. Progress on stderr, --json prints one object on stdout, Ctrl-C saves the model so far.
import { UsageError } from './main.js';
import { parseFlags, numFlag, POSITIVE_INT, POSITIVE, NON_NEGATIVE_INT, NON_NEGATIVE, applyPrecisionFlag } from './args.js';
import { REPLY_VIEWS, RewardModel, type ReplyView } from '../rl/rm.js';
import { PairError, readPairs, splitByPrompt, trainRewardModel } from '../rl/rm-train.js';
import { LORA_FLAGS, LORA_HELP, loraFlags } from './lora-flags.js';

const HELP = `usage: r1 train-rm --model DIR --data pairs.jsonl --out DIR [options]
  --model DIR          policy checkpoint the reward model starts from (HF layout)       [required]
  --data FILE.jsonl    {"prompt", "chosen", "rejected", "kind"?} preference pairs          [required]
  --out DIR            where the reward model goes (HF LlamaForSequenceClassification)  [required]
  --eval-data FILE     held-out pairs for the per-epoch pairwise accuracy
                       (default: the pairs of --held-out of the prompts of --data)
  --held-out X         share of --data's prompts held out when no --eval-data (default 0.1; 0 = none)
  --on VIEW            what the model reads of a reply: 'whole' (default; harmlessness) or 'summary'
                       (the text after </think>; helpfulness, as DeepSeek-R1 §2.3.4)
  --epochs N           passes over the pairs (default 2)
  --batch-size N       pairs per step (default 16)
  --lr X               peak learning rate (default 1e-4), cosine to 10% after --warmup N steps (default 10)
  --max-length N       longest sequence in tokens (default the model's context; longer ones keep their end)
  --lm-weight X        add X × next-token loss on the chosen replies (default 0; GRM-style regulariser that
                       teaches the trunk the preferred reply, so the score can check a reply against it)
  --seed N             (default 1)
${LORA_HELP}
                       (the saved reward model has the adapter merged into its weights)
  --json               one JSON object on stdout
  --precision P        matmul precision: fp32 (default), bf16, or auto (bf16 where the CPU has AMX / AVX512-BF16)`;

export async function run(argv: string[]): Promise<number | void> {
  const { values } = parseFlags({
    args: argv,
    options: { precision: { type: 'string' },
      model: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, 'eval-data': { type: 'string' },
      'held-out': { type: 'string' }, on: { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' },
      lr: { type: 'string' }, warmup: { type: 'string' }, 'max-length': { type: 'string' }, seed: { type: 'string' }, 'lm-weight': { type: 'string' },
      json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...LORA_FLAGS,
    },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  applyPrecisionFlag(values.precision); // the trainers and samplers below inherit it
  for (const k of ['model', 'data', 'out'] as const) if (!values[k]) throw new UsageError(`--${k} is required\n${HELP}`);
  const view = (values.on ?? 'whole') as ReplyView;
  if (!REPLY_VIEWS.includes(view)) throw new UsageError(`--on must be one of ${REPLY_VIEWS.join(', ')} (got '${values.on}')`);
  const heldFraction = numFlag(values['held-out'], 'held-out', { ...NON_NEGATIVE, max: 0.9 }, 0.1);
  const opts = {
    epochs: numFlag(values.epochs, 'epochs', POSITIVE_INT), batchSize: numFlag(values['batch-size'], 'batch-size', POSITIVE_INT),
    lr: numFlag(values.lr, 'lr', POSITIVE), warmupSteps: numFlag(values.warmup, 'warmup', NON_NEGATIVE_INT),
    maxLength: numFlag(values['max-length'], 'max-length', POSITIVE_INT), seed: numFlag(values.seed, 'seed', POSITIVE_INT, 1),
    lmWeight: numFlag(values['lm-weight'], 'lm-weight', NON_NEGATIVE), ...loraFlags(values),
  };
  const ac = new AbortController();
  const onInt = () => {
    process.stderr.write('\ninterrupted: saving the reward model (Ctrl-C again to quit without saving)\n');
    ac.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onInt);
  try {
    const pairs = await readPairs(values.data!);
    const split = values['eval-data']
      ? { train: pairs, heldOut: await readPairs(values['eval-data']) }
      : splitByPrompt(pairs, heldFraction, opts.seed);
    const rm = await RewardModel.fromPolicy(values.model!, view, opts.seed);
    const r = await trainRewardModel(rm, {
      ...split, out: values.out!, ...opts, signal: ac.signal, log: (line) => process.stderr.write(line + '\n'),
    });
    const last = r.held_out[r.held_out.length - 1];
    if (values.json) console.log(JSON.stringify({ ...r, view, held_out_accuracy: last?.accuracy ?? null }));
    return 0;
  } catch (err) {
    if (err instanceof PairError) throw new UsageError(err.message);
    throw err;
  } finally {
    process.removeListener('SIGINT', onInt);
  }
}
