// `r1 bench grpo --model DIR [--data FILE] [--compare-trl --python PY]`: our GRPO trainer and, with --compare-trl,
// TRL's GRPOTrainer on the same checkpoint, prompts and settings: seconds per update, sampling, peak RSS, ratios.
// Parses flags and prints; the measuring is src/bench/grpo.ts.
import { availableParallelism } from 'node:os';
import { UsageError } from '../main.js';
import { parseFlags } from '../args.js';
import { ConfigError } from '../../rl/config.js';
import { DatasetError } from '../../data/datasets.js';
import { benchGrpo } from '../../bench/grpo.js';

/** r1 grpo's options this benchmark takes (kebab-case flag → config key), all numbers but precision/data/world/template. */
const OPTIONS: Record<string, string> = {
  model: 'model', data: 'data', world: 'world', template: 'template', precision: 'precision', steps: 'steps', seed: 'seed',
  'prompts-per-step': 'promptsPerStep', 'num-generations': 'numGenerations', 'max-completion-length': 'maxCompletionLength',
  'num-iterations': 'numIterations', beta: 'beta', epsilon: 'epsilon', 'learning-rate': 'learningRate',
  'gradient-accumulation-steps': 'gradientAccumulationSteps', 'max-tokens-per-micro-batch': 'maxTokensPerMicroBatch',
  'memory-limit-gb': 'memoryLimitGb',
};
const TEXT = new Set(['model', 'data', 'world', 'template', 'precision']);

const HELP = `usage: r1 bench grpo --model DIR (--data FILE.jsonl | --world NAME) [r1 grpo options] [--compare-trl --python PY] [--json]
  r1 grpo's options: --prompts-per-step N --num-generations N --max-completion-length N --num-iterations N
    --precision fp32|bf16|auto --steps N (default 1) --beta X --epsilon X --learning-rate X --seed N --template T
    --gradient-accumulation-steps N --max-tokens-per-micro-batch N --gradient-checkpointing --memory-limit-gb X
  --compare-trl       also run TRL's GRPOTrainer (scripts/ref/bench_grpo_trl.py) on the same checkpoint, prompts, settings
  --python PY         the interpreter with torch and trl for --compare-trl (default: python3)
  --trl-threads LIST  torch thread counts to try on TRL's side; the fastest is compared (default: 1,<cores>)
  --json              {"ours": {update_s, sampling_s, peak_rss_gb}, "trl": {...}, "settings": {...}} on stdout`;

export async function run(argv: string[]): Promise<number | void> {
  const { values } = parseFlags({
    args: argv,
    options: {
      ...Object.fromEntries(Object.keys(OPTIONS).map((f) => [f, { type: 'string' as const }])),
      'gradient-checkpointing': { type: 'boolean' }, 'compare-trl': { type: 'boolean' }, python: { type: 'string' }, 'trl-threads': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const v = values as Record<string, string | boolean | undefined>;
  if (!v.model) throw new UsageError('--model DIR is required (a checkpoint folder in HF layout)');
  const options: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(OPTIONS)) {
    const s = v[flag] as string | undefined;
    if (s === undefined) continue;
    const n = Number(s);
    if (!TEXT.has(flag) && (s.trim() === '' || !Number.isFinite(n))) throw new UsageError(`--${flag} needs a number, got '${s}'`);
    options[key] = TEXT.has(flag) ? s : n;
  }
  if (v['gradient-checkpointing']) options.gradientCheckpointing = true;
  const cores = availableParallelism();
  const threads = ((v['trl-threads'] as string | undefined) ?? [...new Set([1, cores])].join(',')).split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--trl-threads: '${s}' is not a positive integer (e.g. --trl-threads 1,2)`);
    return n;
  });
  const peer = v['compare-trl'] ? { python: (v.python as string | undefined) ?? 'python3', threads } : null;
  const log = (s: string): void => void process.stderr.write(s + '\n');
  let r;
  try {
    r = await benchGrpo(options, peer, log);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof DatasetError) throw new UsageError(e.message);
    throw e;
  }
  if (v.json) {
    console.log(JSON.stringify(r));
    return 0;
  }
  const row = (name: string, f: { update_s: number; sampling_s: number; peak_rss_gb: number }): string =>
    `${name.padEnd(6)} update ${f.update_s.toFixed(2)} s   sampling ${f.sampling_s.toFixed(2)} s   peak RSS ${f.peak_rss_gb.toFixed(1)} GB`;
  console.log(row('r1ts', r.ours) + `   (${r.ours.precision})`);
  if (r.trl) {
    console.log(row('TRL', r.trl) + `   (trl ${r.trl.trl}, torch ${r.trl.torch}, ${r.trl.threads} threads)`);
    console.log(`TRL / r1ts: update ${r.ratios!.update.toFixed(2)}x, sampling ${r.ratios!.sampling.toFixed(2)}x, peak RSS ${r.ratios!.peak_rss.toFixed(2)}x`);
  } else if (r.trl_error) console.log(`TRL: failed (${r.trl_error})`);
  return 0;
}
