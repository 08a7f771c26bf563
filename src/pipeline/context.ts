// What the pipeline's stages share: the context a stage runs in (config, the run context: log, signal, progress; earlier stages' records), what
// a stage returns, the finished-stage record (done.json) and how it is read, the stage error, and the helpers that load
// an earlier stage's model and write a stage's data. No stage logic and no runner here (stages.ts, run.ts).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../model/checkpoint.js';
import { writeJsonl } from '../data/jsonl.js';
import type { PipelineConfig, StageName } from './config.js';
import type { StageRow } from './measure.js';
import type { RunContext } from '../run/context.js';
import { UsageError } from '../run/spec.js';
import { resolvePrecision, type MatmulPrecision } from '../tensor/precision.js';

export interface StageContext extends RunContext {
  cfg: PipelineConfig;
  done: (s: StageName) => StageDone | null;
  dir: (s: StageName) => string;
}

/** What a stage leaves: its model folder, its table row(s), free-form extras; `interrupted` leaves no done.json. */
export interface StageOutput {
  model?: string;
  row?: StageRow;
  rows?: StageRow[];
  extra?: Record<string, unknown>;
  /** The stage hit its safety time limit before its step budget. */
  cut_short?: boolean;
  interrupted?: boolean;
}

export interface StageImpl {
  name: StageName;
  title: string;
  enabled: (cfg: PipelineConfig) => boolean;
  run: (ctx: StageContext) => Promise<StageOutput>;
}

/** The finished-stage record (done.json), written only when a stage completed. */
export interface StageDone extends StageOutput {
  stage: StageName;
  seconds: number;
}

/** Thrown when a stage cannot go on; the message names the stage and the fix. Finished stages stay on disk. */
export class StageError extends UsageError {}

/** Folder of a stage's outputs. */
export const stageDir = (cfg: PipelineConfig, stage: StageName) => join(cfg.out, stage);

export function readDone(cfg: PipelineConfig, stage: StageName): StageDone | null {
  const f = join(stageDir(cfg, stage), 'done.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as StageDone) : null;
}

/** Writes a JSONL data file of a stage (used by stages.ts). */
export async function writeStageData(file: string, rows: unknown[]): Promise<void> {
  rmSync(file, { force: true });
  await writeJsonl(file, rows);
}

/** The matmul precision every model of the pipeline runs in: the config's, 'auto' resolved. */
export function matmulOf(cfg: PipelineConfig): MatmulPrecision {
  return resolvePrecision(cfg.precision);
}

/** Loads a finished stage's model; a missing one is a StageError naming the stage and the fix. */
export async function loadStageModel(cfg: PipelineConfig, stage: StageName, needer: StageName) {
  const d = readDone(cfg, stage);
  if (!d?.model || !existsSync(join(d.model, 'config.json'))) {
    throw new StageError(`stage ${needer}: needs the model of stage ${stage}, which is missing (${d?.model ?? join(stageDir(cfg, stage), 'done.json')}); rerun with --resume after removing ${stageDir(cfg, stage)} so it is rebuilt`);
  }
  return { dir: d.model, ...(await loadCheckpoint(d.model, matmulOf(cfg))) };
}
