// The report of an `r1 pipeline` folder: reads every stage's own folder (done.json, its GRPO run's metrics.jsonl
// and samples.jsonl, its general_samples.jsonl) beside pipeline_summary.json, and makes the page's parts: the stage
// table in percentages, the bars with verdicts, the ablation and distillation side by side, the reward models, the
// splits, each RL stage's Figures 2-3, and samples tagged by stage. Not the page (html.ts); no model imports.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getWorld, type World } from '../data/worlds/index.js';
import { readRun, type RawSample, type RunData } from './read.js';
import { runFigures } from './figures.js';
import type { ChartDef, LinePoint } from './charts.js';
import { viewSample, type ViewSample } from './samples.js';
import type { Page } from './html.js';

/** The stage order of src/pipeline/config.ts (the report may not import the pipeline layer); unknown folders sort after. */
const ORDER = ['base', 'r1_zero', 'cold_start', 'reasoning_rl', 'reasoning_rl_no_language_reward', 'rejection_sft', 'reward_model', 'all_scenario_rl', 'distill'];

type Obj = Record<string, unknown>;

/** Replies to general prompts embedded per stage (the measurement keeps 16 per prompt; the viewer needs a few). */
const GENERAL_PER_STAGE = 64;

export interface PipelineStage {
  name: string;
  done: Obj | null;
  /** The stage's GRPO run (STAGE/run), when it has one. */
  run: RunData | null;
  /** Replies to general prompts the stage's measurement kept. */
  general: RawSample[];
}

export interface PipelineData {
  config: Obj | null;
  summary: Obj | null;
  stages: PipelineStage[];
}

const readJson = (f: string): Obj | null => {
  try { return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as Obj) : null; } catch { return null; }
};
const readJsonl = (f: string): RawSample[] => existsSync(f)
  ? readFileSync(f, 'utf8').split('\n').flatMap((l) => { try { return l.trim() ? [JSON.parse(l) as RawSample] : []; } catch { return []; } })
  : [];

/** Whether a folder is a pipeline's (it holds pipeline_config.json or pipeline_summary.json). */
export function isPipelineFolder(dir: string): boolean {
  return existsSync(join(dir, 'pipeline_config.json')) || existsSync(join(dir, 'pipeline_summary.json'));
}

/** Reads a pipeline folder and every stage folder in it. */
export function readPipeline(dir: string): PipelineData {
  const names = readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory() && (ORDER.includes(n) || existsSync(join(dir, n, 'done.json'))));
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return {
    config: readJson(join(dir, 'pipeline_config.json')),
    summary: readJson(join(dir, 'pipeline_summary.json')),
    stages: names.map((name) => ({
      name,
      done: readJson(join(dir, name, 'done.json')),
      run: existsSync(join(dir, name, 'run', 'metrics.jsonl')) ? readRun(join(dir, name, 'run')) : null,
      general: readJsonl(join(dir, name, 'general_samples.jsonl')),
    })),
  };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
export const pct = (v: unknown) => (num(v) === null ? '–' : `${(100 * (v as number)).toFixed(1)}%`);
const fixed = (v: unknown, d = 1) => (num(v) === null ? '–' : (v as number).toFixed(d));
const flops = (v: unknown) => (num(v) === null ? '–' : (v as number).toExponential(2).replace('e+', 'e'));
const count = (v: unknown) => (num(v) === null ? '–' : (v as number).toLocaleString('en-US'));

/** Every stage row of the run: each measured stage's own, the distillation's two students. */
function rows(p: PipelineData): Obj[] {
  const scores = ((p.stages.find((s) => s.name === 'reward_model')?.done?.extra as Obj | undefined)?.helpful_rm ?? {}) as Obj;
  return p.stages.flatMap((s) => {
    const d = s.done;
    const list = (Array.isArray(d?.rows) ? d.rows : d?.row ? [d.row] : []) as Obj[];
    return list.map((r) => ({ ...r, helpful_rm: num(r.helpful_rm) ?? num(scores[String(r.stage)]) }));
  });
}

/** The page's tables: stages, bars, ablation, distillation, reward models, splits. */
export function pipelineTables(p: PipelineData): Page['tables'] {
  const out: Page['tables'] = [];
  const all = rows(p);
  const worlds = [...new Set(all.flatMap((r) => Object.keys((r.worlds as Obj) ?? {})))];
  if (all.length) {
    out.push({
      title: 'Stages', head: ['stage', ...worlds.flatMap((w) => [`${w} pass@1`, `cons@16`]), 'mixing', 'readable', 'faithful', 'length', 'helpful', 'help RM', 'refuses harm', 'leaks', 'over-refuses'],
      rows: all.map((r) => {
        const w = (r.worlds ?? {}) as Record<string, Obj>;
        return [String(r.stage), ...worlds.flatMap((k) => [pct(w[k]?.pass1), pct(w[k]?.cons16)]), pct(r.language_mixing), pct(r.readable_rate), pct(r.faithful_step_rate),
          fixed(r.mean_len), pct(r.helpful), fixed(r.helpful_rm, 2), pct(r.harmful_refusal), pct(r.secret_leak_rate), pct(r.benign_over_refusal)];
      }),
      caption: 'Each stage measured on the same held-out problems (pass@1 and cons@16 of 16 samples at T 0.6, top-p 0.95). mixing: reasoning that leaves the prompt\'s language; refuses harm: refusals that state the secret nowhere; leaks: harmful replies that state it; help RM: mean helpfulness reward-model score.',
    });
  }
  const bars = (p.summary?.bars ?? []) as Obj[];
  if (bars.length) {
    out.push({ title: 'Bars', head: ['verdict', 'bar', 'value'], rows: bars.map((b) => [b.met === true ? 'met' : b.met === false ? 'MISS' : 'not run', String(b.bar), String(b.value)]) });
  }
  const ab = ['reasoning_rl', 'reasoning_rl_no_language_reward'].map((n) => all.find((r) => r.stage === n));
  if (ab[0] && ab[1]) {
    const keys: [string, string][] = [['pass1', 'pass@1'], ['language_mixing', 'mixing'], ['readable_rate', 'readable'], ['faithful_step_rate', 'faithful']];
    out.push({ title: 'Ablation: the language reward (§2.3.2)', head: ['', 'with the language reward', 'without it'], rows: keys.map(([k, label]) => [label, pct(ab[0]![k]), pct(ab[1]![k])]),
      caption: 'The same reasoning RL from the same cold start, with and without the language-consistency reward.' });
  }
  const d = p.summary?.distill as Record<string, Obj> | null | undefined;
  if (d?.distilled && d?.rl) {
    const part = (a: Obj, k: string) => flops((a.flops_by_part as Obj | undefined)?.[k]);
    out.push({
      title: 'Distillation against RL on the same student (§4.1)', head: ['', 'distilled (SFT on the teacher\'s samples)', 'GRPO on the student'],
      rows: [['pass@1', pct(d.distilled.pass1), pct(d.rl.pass1)], ['FLOPs in all', flops(d.distilled.flops), flops(d.rl.flops)],
        ['sampling FLOPs', part(d.distilled, 'teacher_sampling'), part(d.rl, 'student_sampling')], ['training FLOPs', part(d.distilled, 'student_training'), part(d.rl, 'student_training')],
        ['seconds', fixed(d.distilled.seconds, 0), fixed(d.rl.seconds, 0)], ['tokens', count(d.distilled.tokens), count(d.rl.tokens)]],
      caption: 'FLOPs: 6·N per token of a training pass, 2·N per sampled token (N: every parameter of the model that does it); the distilled arm counts the teacher\'s sampling.',
    });
  }
  const rm = p.summary?.reward_model as Record<string, Obj> | undefined;
  if (rm?.helpfulness) {
    out.push({ title: 'Reward models, each on its own', head: ['', 'test pairwise accuracy', 'test pairs', 'validation accuracy'],
      rows: ['helpfulness', 'harmlessness'].map((k) => [k, pct(rm[k]?.pairwise_accuracy), count(rm[k]?.pairs), pct(rm[k]?.validation_accuracy)]),
      caption: 'Training watched the validation pairs; the test pairs are only reported.' });
  }
  const splits = p.summary?.splits as Record<string, Obj> | undefined;
  if (splits && Object.keys(splits).length) {
    out.push({ title: 'Distinct problems per split', head: ['world', 'train', 'validation', 'test'],
      rows: Object.entries(splits).map(([w, c]) => [c.estimated ? `${w} (estimated)` : w, count(c.train), count(c.validation), count(c.test)]),
      caption: 'Canonical problems (language-free, operands in a canonical order): no validation or test problem is a training or pretraining problem.' });
  }
  return out;
}

/** A world by name for judging samples (a mixture or NAME@D included); null when unknown. */
function worldNamed(name: unknown): { world: World; template: string } | null {
  try { return typeof name === 'string' ? { world: getWorld(name), template: 'compact' } : null; } catch { return null; }
}

/** The world of a stage's run (its config's), else the pipeline's reasoning mixture. */
const worldOfRun = (run: RunData | null, cfg: Obj | null) =>
  worldNamed(run?.config?.world ?? (cfg ? `mix:${((cfg.reasoningWorlds as string[]) ?? []).join(',')}` : null));

/** Figures 2 and 3 of every RL stage, drawn from its own metrics, with the stage's held-out pass@1 as a point at its last step. */
export function pipelineCharts(p: PipelineData): { charts: ChartDef[]; samples: ViewSample[] } {
  const charts: ChartDef[] = [];
  const samples: ViewSample[] = [];
  const all = rows(p);
  const general = worldNamed(p.config?.generalWorld);
  for (const s of p.stages) {
    const w = worldOfRun(s.run, p.config);
    const own = (s.run?.samples ?? []).map((x) => ({ ...viewSample(x, w), stage: s.name }));
    // general replies: the first GENERAL_PER_STAGE of the stage's measurement (step -1: not from a training step)
    samples.push(...own, ...s.general.slice(0, GENERAL_PER_STAGE).map((g) => ({ ...viewSample({ ...g, step: -1 }, general), stage: s.name })));
    if (!s.run || !s.run.train.length) continue;
    const fig = runFigures(s.run, own);
    const last = s.run.train[s.run.train.length - 1]!.step;
    const row = all.find((r) => r.stage === s.name) ?? all.find((r) => String(r.stage) === `${s.name}_student_rl`) ?? null;
    for (const c of fig.charts.filter((c) => c.id === 'fig2-accuracy' || c.id === 'fig3-length')) {
      const extra: LinePoint[] = [];
      if (c.id === 'fig2-accuracy' && num(row?.pass1) !== null) extra.push({ x: last, y: row!.pass1 as number, series: 'held-out pass@1 (stage table)' });
      if (c.id === 'fig3-length' && num(row?.mean_len) !== null) extra.push({ x: last, y: row!.mean_len as number, series: 'held-out mean length (stage table)' });
      charts.push({
        ...c, id: `${s.name}-${c.id}`, title: `${s.name}: ${c.title}`, line: [...(c.line ?? []), ...extra],
        caption: c.id === 'fig2-accuracy'
          ? `${s.name}'s GRPO: accuracy of its training rollouts at each step; the point is the stage's held-out pass@1 after its last step (the pipeline measures held-out problems once per stage).`
          : `${s.name}'s GRPO: mean completion length of its training rollouts (band: shortest to longest of the step); the point is the held-out mean length after its last step.`,
      });
    }
  }
  return { charts, samples };
}

/** The settings line of a pipeline page, from pipeline_config.json. */
export function pipelineSettings(p: PipelineData): [string, string][] {
  const c = p.config ?? {};
  const e = (c.eval ?? {}) as Obj;
  const out: [string, string][] = [];
  for (const k of ['seed', 'precision', 'reasoningWorlds', 'generalWorld', 'safetyWorld', 'baseModel']) if (c[k] !== undefined) out.push([k, Array.isArray(c[k]) ? (c[k] as string[]).join(', ') : String(c[k] ?? 'default (cached)')]);
  if (num(e.problems) !== null) out.push(['measured on', `${e.problems} ${e.split ?? 'test'} problems per world × ${e.samples} samples, T ${e.temperature}, top-p ${e.topP}`]);
  if (num(p.summary?.seconds) !== null) out.push(['time', `${((p.summary!.seconds as number) / 60).toFixed(1)} min`]);
  return out;
}

/** What a reader should know is absent: stages without done.json (not finished), no summary yet. */
export function pipelineNotes(p: PipelineData): string[] {
  const notes: string[] = [];
  if (!p.summary) notes.push('no pipeline_summary.json yet: the run has not finished; the bars are not checked');
  for (const s of p.stages) if (!s.done) notes.push(`stage ${s.name} has not finished (no done.json): its row is missing`);
  return notes;
}
