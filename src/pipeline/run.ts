// The R1 pipeline runner: the stages of PipelineConfig in order (base → R1-Zero → cold start → reasoning RL, with
// and without the language reward → rejection sampling + SFT → reward model → RL for all scenarios → distillation),
// each in its own folder with its checkpoint, data, metrics and a done.json written last; a stopped pipeline resumes
// after the last finished stage and never redoes one. Writes pipeline_summary.json and the stage table.
// Not the stages' algorithms (src/rl, src/sft, reject.ts) and not flag parsing (src/cli/pipeline.ts). DeepSeek-R1 §2.3–2.4.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PipelineConfig } from './config.js';
import type { PhaseProgressFn } from '../util/progress.js';
import { runContext, type RunContext } from '../run/context.js';
import { formatStageTable, splitsOf, type StageRow } from './measure.js';
import { checkBars, formatBars, type PipelineSummary } from './bars.js';
import type { ArmCompute } from './flops.js';
import { STAGE_IMPLS } from './stages.js';
import { readDone, stageDir, StageError, type StageContext, type StageDone, type StageOutput } from './context.js';

export { readDone, stageDir, StageError, type StageDone } from './context.js';

export { checkBars, formatBars, type PipelineSummary } from './bars.js';

/** Runs every stage not yet done (with resume) or all of them into a fresh folder; returns the summary. */
export async function runPipeline(cfg: PipelineConfig, o: { resume?: boolean } & Partial<Omit<RunContext, 'precision'>> = {}): Promise<PipelineSummary> {
  const log = o.log ?? (() => {});
  const t0 = performance.now();
  if (!o.resume && existsSync(join(cfg.out, 'pipeline_config.json'))) {
    throw new StageError(`${cfg.out} already holds a pipeline run; pass --resume to continue it, or choose another --out`);
  }
  mkdirSync(cfg.out, { recursive: true });
  if (o.resume && existsSync(join(cfg.out, 'pipeline_config.json'))) {
    const old = readFileSync(join(cfg.out, 'pipeline_config.json'), 'utf8');
    if (old.trim() !== JSON.stringify(cfg, null, 2).trim()) log(`resume: the config differs from the one ${cfg.out} was started with; finished stages are kept as they are`);
  }
  writeFileSync(join(cfg.out, 'pipeline_config.json'), JSON.stringify(cfg, null, 2) + '\n');
  const ctx: StageContext = { cfg, ...runContext({ ...o, precision: cfg.precision }), log, done: (s) => readDone(cfg, s), dir: (s) => stageDir(cfg, s) };
  let prior = 0;
  const enabled = STAGE_IMPLS.filter((impl) => impl.enabled(cfg));
  for (const [i, impl] of enabled.entries()) {
    const nth = `${i + 1}/${enabled.length}`;
    const done = readDone(cfg, impl.name);
    if (done) {
      log(`stage ${nth} ${impl.name}: done before (${done.seconds.toFixed(0)} s); kept`);
      prior += done.seconds;
      continue;
    }
    if (ctx.signal.aborted) break;
    const dir = stageDir(cfg, impl.name);
    mkdirSync(dir, { recursive: true });
    log(`stage ${nth} ${impl.name}: ${impl.title}`);
    const ts = performance.now();
    let out: StageOutput;
    const outer = o.progress;
    const stageProgress: PhaseProgressFn | undefined = outer && ((phase, ...rest) => outer(`[stage ${nth} ${impl.name}] ${phase}`, ...rest));
    try {
      out = await impl.run({ ...ctx, progress: stageProgress });
    } catch (e) {
      if (e instanceof StageError) throw e;
      throw new StageError(`stage ${impl.name}: ${(e as Error).message} (finished stages are kept in ${cfg.out}; fix this and rerun with --resume)`, { cause: e });
    }
    if (out.interrupted) {
      log(`stage ${impl.name}: interrupted; its progress is saved, --resume continues it`);
      break;
    }
    const rec: StageDone = { stage: impl.name, seconds: (performance.now() - ts) / 1000, ...out };
    const tmp = join(dir, 'done.json.tmp');
    writeFileSync(tmp, JSON.stringify(rec, null, 2) + '\n');
    renameSync(tmp, join(dir, 'done.json'));
    if (out.row) log(`stage ${impl.name}: ${rowLine(out.row)} (${rec.seconds.toFixed(0)} s)`);
    else log(`stage ${impl.name}: done (${rec.seconds.toFixed(0)} s)`);
  }
  const summary = summarize(cfg, prior + (performance.now() - t0) / 1000 - 0);
  writeFileSync(join(cfg.out, 'pipeline_summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(cfg.out, 'stage_table.txt'), `${formatStageTable(rowsOf(cfg))}\n\nbars (issue 9):\n${formatBars(summary.bars)}\n`);
  return summary;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
function rowLine(r: StageRow): string {
  return `pass@1 ${pct(r.pass1)} cons@16 ${pct(r.cons16)} mixing ${pct(r.language_mixing)} readable ${pct(r.readable_rate)} faithful ${pct(r.faithful_step_rate)} ` +
    `len ${r.mean_len.toFixed(1)} helpful ${pct(r.helpful)} refuse-harmful ${pct(r.harmful_refusal)} leaks ${pct(r.secret_leak_rate)} over-refuse ${pct(r.benign_over_refusal)}`;
}

/** The rows of the finished stages, in order, with reward-model helpfulness filled in where it was scored. */
export function rowsOf(cfg: PipelineConfig): StageRow[] {
  const rm = readDone(cfg, 'reward_model');
  const scores = (rm?.extra?.helpful_rm ?? {}) as Record<string, number>;
  const rows: StageRow[] = [];
  for (const impl of STAGE_IMPLS) {
    const d = readDone(cfg, impl.name);
    for (const r of d?.rows ?? (d?.row ? [d.row] : [])) rows.push({ ...r, helpful_rm: scores[r.stage] ?? r.helpful_rm });
  }
  return rows;
}

function summarize(cfg: PipelineConfig, seconds: number): PipelineSummary {
  const rows = rowsOf(cfg);
  const rm = readDone(cfg, 'reward_model');
  const dist = readDone(cfg, 'distill');
  const stageSeconds: Record<string, number> = {};
  const cut: string[] = [];
  for (const impl of STAGE_IMPLS) {
    const d = readDone(cfg, impl.name);
    if (!d) continue;
    stageSeconds[impl.name] = d.seconds;
    if (d.cut_short) cut.push(impl.name);
  }
  const base = readDone(cfg, 'base');
  const s: Omit<PipelineSummary, 'bars'> = {
    seconds,
    stages: rows.filter((r) => !r.stage.startsWith('distill_')).map(({ seconds: _s, ...r }) => r),
    splits: splitsOf(cfg),
    reward_model: rmSummary(rm?.extra?.reward_model as Record<string, { pairwise_accuracy: number; validation_accuracy?: number; pairs?: number }> | undefined),
    distill: (dist?.extra?.distill as { distilled: ArmCompute; rl: ArmCompute } | undefined) ?? null,
    cut_short: cut,
    base_model: (base?.extra?.model as string) ?? '',
    base_cached: (base?.extra?.cached as boolean) ?? false,
    stage_seconds: stageSeconds,
  };
  return { ...s, bars: checkBars(s) };
}


/** Each reward model on its own: test pairwise accuracy (null until trained), with what training watched (validation). */
function rmSummary(r: Record<string, { pairwise_accuracy: number; validation_accuracy?: number; pairs?: number }> | undefined): PipelineSummary['reward_model'] {
  const one = (k: string) => ({ pairwise_accuracy: r?.[k]?.pairwise_accuracy ?? null, validation_accuracy: r?.[k]?.validation_accuracy ?? null, pairs: r?.[k]?.pairs ?? 0 });
  return { helpfulness: one('helpfulness'), harmlessness: one('harmlessness') };
}
