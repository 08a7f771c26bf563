// `r1 bench grpo --model DIR [--data FILE] [--compare-trl --python PY]`: our GRPO trainer and, with --compare-trl,
// TRL's GRPOTrainer on the same checkpoint, prompts and settings: seconds per update, sampling, peak RSS, ratios.
// Parses flags and prints; the measuring is src/bench/grpo.ts.
import { availableParallelism } from 'node:os';
import { UsageError } from '../main.js';
import { readCommandLine } from '../args.js';
import { GRPO_SPEC } from '../../rl/config.js';
import { bool, num, str } from '../../run/spec.js';
import { V } from '../../run/vocabulary.js';
import { benchGrpo } from '../../bench/grpo.js';

/** The benchmark's own options; every r1 grpo option (GRPO_SPEC) is taken too (steps default 1, no evaluation, no checkpoints). */
const OWN = {
  compareTrl: bool(false, "also run TRL's GRPOTrainer (scripts/ref/bench_grpo_trl.py) on the same checkpoint, prompts, settings"),
  python: str('python3', 'the interpreter with torch and trl for --compare-trl', { metavar: 'PY' }),
  trlThreads: str('', 'torch thread counts to try on TRL\'s side; the fastest is compared (default: 1,<cores>)', { metavar: 'LIST' }),
  settleSeconds: num(60, 'seconds to wait after each measured process exits, before the next side runs (its freed memory slows the machine meanwhile)', { min: 0, metavar: 'S' }),
  json: V.json, help: V.help,
};
const USAGE = `usage: r1 bench grpo --model DIR (--data FILE.jsonl | --world NAME) [r1 grpo options] [--compare-trl --python PY] [--json]
  --json prints {"ours": {update_s, sampling_s, peak_rss_gb}, "trl": {...}, "settings": {...}} on stdout`;

export async function run(argv: string[]): Promise<number | void> {
  const cl = readCommandLine(GRPO_SPEC, OWN, argv, { usage: USAGE });
  if (!cl) return 0;
  const { flags: v, layer: options } = cl;
  if (!options.model) throw new UsageError('--model DIR is required (a checkpoint folder in HF layout)');
  const cores = availableParallelism();
  const threads = (v.trlThreads || [...new Set([1, cores])].join(',')).split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--trl-threads: '${s}' is not a positive integer (e.g. --trl-threads 1,2)`);
    return n;
  });
  const peer = v.compareTrl ? { python: v.python, threads } : null;
  const log = (s: string): void => void process.stderr.write(s + '\n');
  const r = await benchGrpo(options, peer, log, v.settleSeconds); // a bad option or dataset: ConfigError / DatasetError, user errors (exit 2)
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
