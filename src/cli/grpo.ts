// `r1 grpo --model DIR (--world NAME | --data FILE) [options] --out RUN_DIR`: GRPO with rule-based rewards.
// Every config key is a kebab-case flag (--num-generations 8, --loss-type dapo, …); --config FILE.json|yaml
// supplies defaults that flags override. Parses and reports only; the run lives in src/rl/run.ts.
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './main.js';
import { ConfigError, DEFAULTS, parseRewardList, readConfigFile, resolveConfig, type GrpoConfig, type RewardSpec } from '../rl/config.js';
import { parseRewardModuleFlag, RewardModuleError } from '../rl/reward-module.js';
import { runGrpo } from '../rl/run.js';
import { writeReport } from '../report/index.js';
import { worldNameProblem } from '../data/worlds/index.js';
import { DatasetError } from '../data/datasets.js';
import { createProgress } from '../util/progress.js';

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
const CONFIG_KEYS = ['model', 'out', ...Object.keys(DEFAULTS)] as (keyof GrpoConfig)[];
const BOOL_KEYS = CONFIG_KEYS.filter((k) => typeof (DEFAULTS as Record<string, unknown>)[k] === 'boolean');

const HELP = `usage: r1 grpo --model DIR (--world NAME | --data FILE.jsonl) --out RUN_DIR [options]
       r1 grpo --config FILE.json|yaml [options]      (flags override the file)
       r1 grpo --out RUN_DIR --resume                 (continue a stopped run)

options (defaults in parentheses; see src/rl/config.ts for what each does):
${CONFIG_KEYS.filter((k) => k !== 'model' && k !== 'out').map((k) => `  --${kebab(k)}${BOOL_KEYS.includes(k) ? '' : ' V'}  (${JSON.stringify((DEFAULTS as Record<string, unknown>)[k])})`).join('\n')}
  --rewards NAME:W,...   rewards and weights (accuracy:1,format:0.1)
  --reward-module PATH#EXPORT[:W]  a reward function of your own, (prompts, completions, columns) => (number | null)[]
                         (TRL's contract; .ts or .js; repeatable); with it the rewards are these plus any --rewards
  --template chat        conversational data (prompt: [{role, content}, ...]) through the checkpoint's chat template
  --stop-strings S,...   comma-separated stop strings
  --adam-betas B1,B2
  --json                 print one JSON summary on stdout
  -q, --quiet            no progress on stderr
Ctrl-C saves a checkpoint and exits; --resume continues from the latest one.`;

/** Converts one flag's text to the type its config key has. */
function flagValue(key: keyof GrpoConfig, text: string): unknown {
  if (key === 'rewards') return parseRewardList(text);
  if (key === 'stopStrings') return text.split(',').filter(Boolean);
  if (key === 'adamBetas') return text.split(',').map(Number);
  if (key === 'scaleRewards' && (text === 'true' || text === 'false')) return text === 'true';
  const def = (DEFAULTS as Record<string, unknown>)[key];
  const numeric = typeof def === 'number' || ['epsilonHigh', 'evalMaxNewTokens', 'generationBatchSize'].includes(key);
  if (numeric) {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${kebab(key)} needs a number, got '${text}'`);
    return n;
  }
  return text;
}

export async function run(argv: string[]): Promise<number> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = { config: { type: 'string' }, resume: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, quiet: { type: 'boolean', short: 'q' } };
  for (const k of CONFIG_KEYS) options[kebab(k)] = { type: BOOL_KEYS.includes(k) ? 'boolean' : 'string' };
  options['reward-module'] = { type: 'string', multiple: true }; // reward (issue 22)
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}; see r1 grpo --help`);
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const flags: Record<string, unknown> = {};
  for (const k of CONFIG_KEYS) {
    const v = values[kebab(k)];
    if (v === undefined) continue;
    flags[k] = typeof v === 'boolean' ? v : flagValue(k, v as string);
  }
  // --- reward (issue 22): --reward-module PATH#EXPORT[:WEIGHT], repeatable; with --rewards or alone, the whole list (TRL's reward_funcs) ---
  try {
    const modules = ((values['reward-module'] as string[] | undefined) ?? []).map((m) => parseRewardModuleFlag(m));
    if (modules.length) flags.rewards = [...((flags.rewards as RewardSpec[] | undefined) ?? []), ...modules];
  } catch (e) {
    if (e instanceof RewardModuleError) throw new UsageError(e.message);
    throw e;
  }
  // --- end reward ---
  const layers: Record<string, unknown>[] = [];
  let cfg: GrpoConfig;
  try {
    if (values.resume) {
      const out = (flags.out as string | undefined) ?? (values.config ? (readConfigFile(values.config as string).out as string) : undefined);
      if (!out) throw new UsageError('--resume needs --out RUN_DIR (the run folder to continue)');
      const saved = join(out, 'config.json');
      if (!existsSync(saved)) throw new UsageError(`--resume: ${saved} not found; is ${out} a run folder written by r1 grpo?`);
      layers.push(readConfigFile(saved));
    }
    if (values.config) layers.push(readConfigFile(values.config as string));
    layers.push(flags);
    cfg = resolveConfig(...layers);
    if (!existsSync(join(cfg.model, 'config.json'))) throw new UsageError(`--model ${cfg.model}: no config.json there; pass a checkpoint folder (HF layout), e.g. one written by r1 pretrain`);
    if (cfg.world && worldNameProblem(cfg.world)) throw new UsageError(worldNameProblem(cfg.world)!);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }

  let stop = false;
  const onSigint = () => {
    if (stop) process.exit(130);
    stop = true;
    console.error('\nr1 grpo: stopping after this step and saving a checkpoint (Ctrl-C again to quit now)');
  };
  process.on('SIGINT', onSigint);
  try {
    const bar = createProgress({ label: 'r1 grpo', total: cfg.steps, quiet: Boolean(values.quiet) });
    const r = await runGrpo(cfg, { resume: Boolean(values.resume), log: (m) => bar.log(m), shouldStop: () => stop, progress: (s, n, f, v) => bar.update(s, v, f),
      onEval: () => writeReport(cfg.out).catch((e: Error) => bar.log(`r1 grpo: the report could not be written (${e.message})`)) })
      .finally(() => bar.stop());
    await writeReport(cfg.out).catch((e: Error) => console.error(`r1 grpo: the report could not be written (${e.message}); r1 report ${cfg.out} retries`));
    const summary = { out: cfg.out, reason: r.reason, steps: r.steps, seconds: r.seconds, checkpoint: r.checkpoint, eval: r.lastEval };
    if (values.json) console.log(JSON.stringify(summary));
    else console.error(`r1 grpo: ${r.reason} after ${r.steps} steps (${r.seconds.toFixed(0)} s); checkpoint ${r.checkpoint}`);
    return r.reason === 'interrupted' ? 130 : 0;
  } catch (e) {
    if (e instanceof DatasetError || e instanceof RewardModuleError) throw new UsageError(e.message); // reward (issue 22): RewardModuleError
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
