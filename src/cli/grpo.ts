// `r1 grpo --model DIR (--world NAME | --data FILE) [options] --out RUN_DIR`: GRPO with rule-based rewards.
// Flags, --help, config files and validation come from GRPO_SPEC (src/rl/config.ts); --config FILE.json|yaml
// supplies values that flags override. Parses and reports only; the run lives in src/rl/run.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './main.js';
import { onInterrupt, printJson, readCommandLine } from './args.js';
import { GRPO_SPEC, resolveConfig } from '../rl/config.js';
import { readConfigFile } from '../run/spec.js';
import { V } from '../run/vocabulary.js';
import { runGrpo } from '../rl/run.js';
import { runContext } from '../run/context.js';
import { writeReport } from '../report/index.js';
import { worldNameProblem } from '../data/worlds/index.js';
import { createProgress } from '../util/progress.js';

const OWN = { config: V.config, resume: V.resume, json: V.json, quiet: V.quiet, help: V.help };
const USAGE = `usage: r1 grpo --model DIR (--world NAME | --data FILE.jsonl) --out RUN_DIR [options]
       r1 grpo --config FILE.json|yaml [options]      (flags override the file)
       r1 grpo --out RUN_DIR --resume                 (continue a stopped run)`;

export async function run(argv: string[]): Promise<number> {
  const cl = readCommandLine(GRPO_SPEC, OWN, argv, { usage: USAGE, footer: 'Ctrl-C saves a checkpoint and exits; --resume continues from the latest one.' });
  if (!cl) return 0;
  const { flags, layer } = cl;
  const layers: Record<string, unknown>[] = [];
  if (flags.resume) {
    const out = layer.out ?? (flags.config ? (readConfigFile(flags.config).out as string | undefined) : undefined);
    if (!out) throw new UsageError('--resume needs --out RUN_DIR (the run folder to continue)');
    const saved = join(out, 'config.json');
    if (!existsSync(saved)) throw new UsageError(`--resume: ${saved} not found; is ${out} a run folder written by r1 grpo?`);
    layers.push(readConfigFile(saved));
  }
  if (flags.config) layers.push(readConfigFile(flags.config));
  const cfg = resolveConfig(...layers, layer);
  if (!existsSync(join(cfg.model, 'config.json'))) throw new UsageError(`--model ${cfg.model}: no config.json there; pass a checkpoint folder (HF layout), e.g. one written by r1 pretrain`);
  if (cfg.world && worldNameProblem(cfg.world)) throw new UsageError(worldNameProblem(cfg.world)!);

  const stop = onInterrupt('grpo', 'stopping after this step and saving a checkpoint');
  try {
    const bar = createProgress({ label: 'r1 grpo', total: cfg.steps, quiet: flags.quiet });
    const ctx = runContext({ log: (m) => bar.log(m), signal: stop.signal, progress: (_, s, n, f, v) => bar.update(s, v, f) });
    const r = await runGrpo(cfg, ctx, { resume: flags.resume, onEval: () => writeReport(cfg.out).catch((e: Error) => bar.log(`r1 grpo: the report could not be written (${e.message})`)) })
      .finally(() => bar.stop());
    await writeReport(cfg.out).catch((e: Error) => console.error(`r1 grpo: the report could not be written (${e.message}); r1 report ${cfg.out} retries`));
    const summary = { out: cfg.out, reason: r.reason, steps: r.steps, seconds: r.seconds, checkpoint: r.checkpoint, eval: r.lastEval };
    if (flags.json) printJson(summary);
    else console.error(`r1 grpo: ${r.reason} after ${r.steps} steps (${r.seconds.toFixed(0)} s); checkpoint ${r.checkpoint}`);
    return r.reason === 'interrupted' ? 130 : r.reason === 'no-servers' ? 1 : 0;
  } finally {
    stop.dispose();
  }
}
