// Measuring a model on a synthetic world with the one sample-and-judge loop (runner.ts `evaluate`): the
// paper's protocol (k samples, T 0.6, top-p 0.95), pass@1, cons@k, format rate, length, the style mix with each
// style's accuracy, always-wrong problems, faithfulness of the written steps and, for worlds that name a language,
// the language-mixing rate, reflection (backtracking / re-checking, from the world's own parser of the reasoning) and
// per-difficulty numbers. Not a trainer and not a judge: the world's own check (src/rewards) decides.
import { Rng } from '../util/rng.js';
import type { Decoder } from '../model/decoder.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { sampleProblems, worldPrompt } from '../data/worlds/common.js';
import { loadCheckpoint } from '../model/checkpoint.js';
import type { Reflection, World, WorldProblem } from '../data/worlds/types.js';
import { evaluate, type EvalProblem, type EvalResult, type Judge } from './runner.js';
import { PAPER_EVAL } from '../run/vocabulary.js';

/** A problem as the world judge sees it: the eval fields plus the world's own problem. */
export interface WorldEvalProblem extends EvalProblem {
  world?: WorldProblem;
}

/** The judge of a world: its `check` (format, canonical answer as the vote key, correctness). */
export function worldJudge<P extends WorldEvalProblem>(world: World): Judge<P> {
  return async (texts, problems) => {
    const results = texts.map((t, i) => world.check(problems[i]!.world!, t));
    return { outcomes: results.map((r) => ({ answer: r.answer, correct: r.correct })), formatOk: results.map((r) => r.format_ok) };
  };
}

export interface MeasureOptions {
  problems: WorldProblem[];
  /** Samples per problem (default 16). */
  samples?: number;
  temperature?: number;
  topP?: number;
  /** Default: the world's budget for its default difficulty, in tokens (characters for char tokenizers). */
  maxNewTokens?: number;
  rng: Rng;
  /** Sequences per generate call (default 256). */
  batch?: number;
  /** Template for prompts (default compact). */
  template?: string;
  /** Keep every sample's text in the result (default false). */
  keepSamples?: boolean;
  log?: (line: string) => void;
}

export interface StyleStats {
  /** Share of all samples in this style. */
  share: number;
  /** Share of this style's samples that are right (NaN when none). */
  accuracy: number;
  count: number;
}

/** Shares of samples whose reasoning the world's parser reads as backtracking, re-checking, or either (World.reflection). */
export interface ReflectionStats {
  backtrack: number;
  verify: number;
  /** Backtracks or re-checks: the reflection share the bars use. */
  any: number;
}

/** The numbers of one difficulty level (World.difficultyOf), over its problems' samples. */
export interface DifficultyStats {
  difficulty: number;
  problems: number;
  /** Mean correctness of its samples (pass@1 over its problems). */
  pass1: number;
  /** Mean completion length in tokens. */
  meanLen: number;
  /** Reflection shares (NaN when the world has no reflection parser). */
  reflection: ReflectionStats;
}

export interface WorldMeasurement {
  problems: number;
  samples: number;
  pass1: number;
  cons16: number;
  /** Share of samples in the readable format with a parsable answer. */
  formatRate: number;
  /** Mean completion length in tokens. */
  meanLen: number;
  /** Styles by name, plus 'other' for completions in none. */
  styles: Record<string, StyleStats>;
  /** Share of problems none of whose samples is right. */
  alwaysWrong: number;
  /** Share of written arithmetic lines that are false or use operands from nowhere (NaN when no sample wrote one). */
  unfaithfulLineRate: number;
  /** Share of samples with lines whose answer is not what their lines imply. */
  answerUnfaithfulRate: number;
  /** Share of samples that stopped on their own (eos) rather than at the length limit. */
  stopRate: number;
  /** Share of samples whose reasoning or summary leaves the language the prompt names (NaN: the world names none). */
  languageMixingRate: number;
  /** Reflection shares over all samples (NaN when the world has no reflection parser). */
  reflection: ReflectionStats;
  /** Per difficulty level, ascending (empty when the world does not say a problem's difficulty). */
  byDifficulty: DifficultyStats[];
  sampleTexts?: { problem: string; gold: string; completion: string; correct: boolean; style: string }[];
}

/** The raw loop result with the world's per-sample diagnostics, for callers that need more than the summary. */
export interface WorldEval {
  result: EvalResult;
  measurement: WorldMeasurement;
}

/** Samples a model on world problems with the shared loop and measures it (see WorldMeasurement). */
export async function measureWorld(model: Decoder, tokenizer: Tokenizer, world: World<WorldProblem>, opts: MeasureOptions): Promise<WorldMeasurement> {
  return (await evaluateWorld(model, tokenizer, world, opts)).measurement;
}

/** `r1 pretrain --measure N`: a saved checkpoint (fp32) sampled on N test problems of the world, at the world's answer length. */
export async function measureCheckpoint(dir: string, world: World<WorldProblem>, count: number, difficulty: number | undefined,
  log?: (line: string) => void): Promise<WorldMeasurement> {
  const { model, tokenizer } = await loadCheckpoint(dir);
  const problems = sampleProblems(world, { split: 'test', count, seed: 1234, difficulty });
  return measureWorld(model, tokenizer, world, { problems, rng: new Rng(4321), log, maxNewTokens: world.maxCompletionChars(difficulty ?? world.defaultDifficulty) });
}

/** measureWorld, also returning the loop's per-problem samples. */
export async function evaluateWorld(model: Decoder, tokenizer: Tokenizer, world: World<WorldProblem>, opts: MeasureOptions): Promise<WorldEval> {
  const k = opts.samples ?? 16;
  const problems = opts.problems.map((p) => ({ id: p.id, gold: p.gold, world: p }));
  const prompts = opts.problems.map((p) => worldPrompt(p, opts.template));
  const batch = Math.max(k, opts.batch ?? 256);
  const result = await evaluate(model, tokenizer, problems, prompts, k, {
    maxNewTokens: opts.maxNewTokens ?? world.maxCompletionChars(world.defaultDifficulty),
    temperature: opts.temperature ?? PAPER_EVAL.temperature, topP: opts.topP ?? PAPER_EVAL.topP, stopStrings: [], rng: opts.rng,
    batchSize: Math.floor(batch / k) * k, onChunk: (done, total) => opts.log?.(`measure: ${Math.ceil(done / k)}/${Math.ceil(total / k)} problems`),
  }, worldJudge(world));
  return { result, measurement: worldStats(world, opts.problems, result, k, opts.keepSamples ?? false) };
}

/** The world's diagnostics over a loop result (styles, faithfulness, stops, language mixing). */
export function worldStats(world: World<WorldProblem>, problems: readonly WorldProblem[], r: EvalResult, k: number, keepSamples: boolean): WorldMeasurement {
  const styleCount: Record<string, { n: number; right: number }> = {};
  for (const s of [...world.styles, 'other']) styleCount[s] = { n: 0, right: 0 };
  let lines = 0, unfaithful = 0, withLines = 0, answerBad = 0, stops = 0, total = 0, mixed = 0, withLang = 0;
  const texts: NonNullable<WorldMeasurement['sampleTexts']> = [];
  const all = reflectionTally();
  const levels = new Map<number, { problems: number; right: number; tokens: number; tally: ReturnType<typeof reflectionTally> }>();
  r.perProblem.forEach((pp, i) => {
    const p = problems[i]!;
    const d = world.difficultyOf?.(p);
    const level = d === undefined ? null : levels.get(d) ?? levels.set(d, { problems: 0, right: 0, tokens: 0, tally: reflectionTally() }).get(d)!;
    if (level) level.problems++;
    for (const s of pp.samples) {
      const refl = world.reflection?.(p, s.text);
      all.add(refl);
      if (level) {
        level.tally.add(refl);
        level.tokens += s.tokens;
        if (s.correct) level.right++;
      }
      total++;
      if (s.finishReason === 'stop') stops++;
      const style = world.styleOf(s.text) ?? 'other';
      styleCount[style]!.n++;
      if (s.correct) styleCount[style]!.right++;
      const f = world.faithfulness(p, s.text);
      lines += f.lines;
      unfaithful += f.unfaithful;
      if (f.answerFollows !== null) {
        withLines++;
        if (!f.answerFollows) answerBad++;
      }
      const m = world.mixesLanguage?.(p, s.text);
      if (m !== undefined && m !== null) {
        withLang++;
        if (m) mixed++;
      }
      if (keepSamples) texts.push({ problem: p.question, gold: p.gold, completion: s.text, correct: s.correct, style });
    }
  });
  const styles: Record<string, StyleStats> = {};
  for (const [name, s] of Object.entries(styleCount)) styles[name] = { share: total ? s.n / total : 0, accuracy: s.n ? s.right / s.n : NaN, count: s.n };
  return {
    problems: r.summary.problems,
    samples: k,
    pass1: r.summary.pass1,
    cons16: r.summary.consK,
    formatRate: r.formatRate,
    meanLen: r.meanLength,
    styles,
    alwaysWrong: r.summary.problems ? r.summary.alwaysWrong / r.summary.problems : 0,
    unfaithfulLineRate: lines ? unfaithful / lines : NaN,
    answerUnfaithfulRate: withLines ? answerBad / withLines : 0,
    stopRate: total ? stops / total : 0,
    languageMixingRate: withLang ? mixed / withLang : NaN,
    reflection: all.stats(),
    byDifficulty: [...levels.entries()].sort((a, b) => a[0] - b[0]).map(([difficulty, l]) => {
      const n = l.tally.samples();
      return { difficulty, problems: l.problems, pass1: n ? l.right / n : NaN, meanLen: n ? l.tokens / n : NaN, reflection: l.tally.stats() };
    }),
    ...(keepSamples ? { sampleTexts: texts } : {}),
  };
}

/** Counts of reflection verdicts; a sample without a verdict (no parser) counts in samples() only. */
function reflectionTally() {
  let n = 0, parsed = 0, backtrack = 0, verify = 0, any = 0;
  return {
    add(r: Reflection | undefined): void {
      n++;
      if (!r) return;
      parsed++;
      if (r.backtrack) backtrack++;
      if (r.verify) verify++;
      if (r.backtrack || r.verify) any++;
    },
    samples: () => n,
    stats: (): ReflectionStats => (parsed ? { backtrack: backtrack / parsed, verify: verify / parsed, any: any / parsed } : { backtrack: NaN, verify: NaN, any: NaN }),
  };
}

/** A few lines of text for a measurement (for logs and reports). */
export function formatMeasurement(m: WorldMeasurement): string {
  const pct = (x: number) => (Number.isNaN(x) ? '  -  ' : `${(100 * x).toFixed(1)}%`);
  const styles = Object.entries(m.styles).filter(([, s]) => s.count > 0).map(([n, s]) => `${n} ${pct(s.share)} (acc ${pct(s.accuracy)})`).join(', ');
  return [
    `pass@1 ${pct(m.pass1)}  cons@${m.samples} ${pct(m.cons16)}  format ${pct(m.formatRate)}  mean length ${m.meanLen.toFixed(1)}  always wrong ${pct(m.alwaysWrong)}`,
    `styles: ${styles}`,
    `unfaithful lines ${pct(m.unfaithfulLineRate)}  answers not following their lines ${pct(m.answerUnfaithfulRate)}  stopped on eos ${pct(m.stopRate)}  language mixing ${pct(m.languageMixingRate)}`,
    ...(Number.isNaN(m.reflection.any) ? [] : [`reflection ${pct(m.reflection.any)} (backtrack ${pct(m.reflection.backtrack)}, re-check ${pct(m.reflection.verify)})`]),
    ...m.byDifficulty.map((d) => `difficulty ${d.difficulty}: pass@1 ${pct(d.pass1)}  mean length ${d.meanLen.toFixed(1)}  reflection ${pct(d.reflection.any)}`),
  ].join('\n');
}
