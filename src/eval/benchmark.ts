// Benchmark evaluation the DeepSeek-R1 paper's way (§3.1 evaluation setup): k samples per problem at T 0.6 and
// top-p 0.95 with zero-shot prompts (math asks for \boxed{}), pass@1 = mean correctness (± its standard error),
// the unbiased pass@k curve, cons@k over answers grouped by the verifier, lengths and truncation; every sample
// in results.jsonl, the numbers and exact settings in summary.json; an interrupted run resumes without resampling
// the problems it finished. Not a sampler: a Sampler (in-process engine or an endpoint) is passed in; not the loop:
// runner.sampleAndJudge, a problem at a time.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../run/spec.js';
import { createHash } from 'node:crypto';
import { isEquivalent, normalizeAnswer, verify } from '../rewards/math/index.js';
import { sampleAndJudge, type Judge } from './runner.js';
import { consensus, curveKs, meanAndStderr, passAtKCurve, type SampleOutcome } from './metrics.js';
import { EndpointError, type PromptInput, type SampledChoice, type Sampler } from './endpoint.js';

/** The zero-shot instruction the paper recommends for math: the final answer in \boxed{}. */
export const MATH_INSTRUCTION = 'Please reason step by step, and put your final answer within \\boxed{}.';

export interface BenchmarkProblem {
  id: string;
  gold: string;
  prompt: PromptInput;
  /** The rendered prompt ends inside <think> (the R1 distill template): completions are reasoning until </think>. */
  opensThink?: boolean;
}

export interface BenchmarkSettings {
  dataset: string;
  /** A world's held-out split when it is not the test split ('validation'); absent: test. */
  split?: 'validation';
  k: number;
  temperature: number;
  top_p: number;
  max_tokens: number;
  seed: number;
  /** Samples asked for per request (k is split into ceil(k / n) requests, each with its own seed). */
  n_per_request: number;
  /** How prompts were made (chat, or a text template). */
  prompt: string;
  /** What was sampled: a checkpoint folder or an endpoint URL and model name. */
  model: string;
  stop: string[];
  /** A LoRA adapter on a local model (absent: none). */
  adapter?: string;
  /** 'bf16' when a local model decoded from BF16 weight copies (absent: its own weights). */
  sampling_precision?: 'bf16';
}

export interface SampleRecord {
  problem_id: string;
  sample: number;
  gold: string;
  text: string;
  reasoning: string | null;
  answer: string | null;
  correct: boolean;
  tokens: number | null;
  finish_reason: string;
}

export interface BenchmarkSummary {
  settings: BenchmarkSettings;
  problems: number;
  /** Problems not evaluated (sampling failed after retries, or judged unusable), with the reason. */
  skipped: { problem_id: string; error: string }[];
  pass_at_1: number;
  pass_at_1_stderr: number;
  cons_at_k: number;
  /** Problems whose vote tied between answer groups (cons@k counts the tied groups' mean correctness). Answers are
   * grouped by the verifier, up to 150 checks a problem, then by their normalised key. */
  cons_ties: number;
  pass_at_k: { k: number; pass: number }[];
  mean_length: number | null;
  truncation_rate: number;
  answer_rate: number;
  samples: number;
  seconds: number;
}

/** The part of a completion after its reasoning: the text after the last </think>; nothing when a <think> is never closed. */
export function stripReasoning(text: string): string {
  const close = text.lastIndexOf('</think>');
  if (close >= 0) return text.slice(close + '</think>'.length);
  return text.includes('<think>') ? '' : text;
}

/**
 * The samples of one problem with `<think>\n` put in front when the prompt opened the reasoning block (or a sample
 * closes one it never opened: a server applied such a template), so stripReasoning treats an unclosed one as reasoning.
 */
export function withThinkOpened(texts: string[], opened: boolean): string[] {
  const closesUnopened = (t: string) => {
    const c = t.indexOf('</think>');
    return c >= 0 && !t.slice(0, c).includes('<think>');
  };
  if (!opened && !texts.some(closesUnopened)) return texts;
  return texts.map((t) => (t.trimStart().startsWith('<think>') ? t : `<think>\n${t}`));
}

/** Math judge: answer extracted after the reasoning, checked by the verifier against the gold answer. */
export const mathJudge: Judge = async (texts, problems) => {
  const outcomes = texts.map((t, i) => {
    const v = verify(problems[i]!.gold, stripReasoning(t));
    return { answer: v.extracted, correct: v.correct };
  });
  return { outcomes, formatOk: outcomes.map((o) => o.answer !== null) };
};

/**
 * Answers grouped for cons@k: one normalised key, or equivalent by the verifier. Two answers that both normalise
 * to plain numbers are compared by key alone (the verifier would only confirm it, at a CAS call's cost).
 */
export function mathEquivalent(a: string, b: string): boolean {
  const ka = safeKey(a), kb = safeKey(b);
  if (ka !== '' && kb !== '' && Number.isFinite(Number(ka)) && Number.isFinite(Number(kb))) return ka === kb;
  return isEquivalent(a, b);
}

/** The seed of request `chunk` of a problem: the same for every backend and every run with this seed. */
export function requestSeed(seed: number, problemId: string, chunk: number): number {
  return createHash('sha256').update(`${seed}\u0000${problemId}\u0000${chunk}`).digest().readUInt32LE(0);
}

export interface RunOptions<P extends BenchmarkProblem = BenchmarkProblem> {
  settings: BenchmarkSettings;
  sampler: Sampler;
  judge: Judge<P>;
  /** Grouping of answers for cons@k (default: normalised key only). */
  equivalent?: (a: string, b: string) => boolean;
  /** Problems sampled at once (default 8). */
  concurrency?: number;
  outDir: string;
  log?: (m: string) => void;
  /** After each problem: problems finished of those to do (src/util/progress). */
  progress?: (done: number, total: number) => void;
  /**
   * Judge texts as reasoning until </think> when the prompt opened <think> (p.opensThink) or the samples show it
   * (one closes </think> it never opened): then a truncated sample's unfinished reasoning gives no answer.
   */
  thinkAware?: boolean;
  /** Problems the dataset loader skipped, with reasons (counted in the summary). */
  skipped?: { problem_id: string; error: string }[];
}

/** Runs (or resumes) the evaluation of `problems`, writing results.jsonl and summary.json into outDir. */
export async function runBenchmark<P extends BenchmarkProblem>(problems: readonly P[], o: RunOptions<P>): Promise<BenchmarkSummary> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const s = o.settings;
  mkdirSync(o.outDir, { recursive: true });
  const settingsFile = join(o.outDir, 'settings.json');
  if (existsSync(settingsFile)) {
    const before = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    const diff = [...new Set([...Object.keys(before), ...Object.keys(s)])].filter((key) => JSON.stringify(before[key]) !== JSON.stringify((s as unknown as Record<string, unknown>)[key]));
    if (diff.length) throw new UsageError(`${o.outDir} holds an eval with other settings (${diff.map((d) => `${d}: ${JSON.stringify(before[d])}`).join(', ')}); use another --out or delete it`);
  } else writeFileSync(settingsFile, JSON.stringify(s, null, 2) + '\n');

  const resultsFile = join(o.outDir, 'results.jsonl');
  const done = readFinished(resultsFile, s.k);
  const todo = problems.filter((p) => !done.has(p.id));
  if (done.size) log(`resuming: ${problems.length - todo.length} of ${problems.length} problems already in ${resultsFile}`);
  const skipped = [...(o.skipped ?? [])];
  let finished = 0;
  const chunks = Math.ceil(s.k / s.n_per_request);
  const sample = async ([p]: readonly P[]): Promise<SampledChoice[][]> => [(await Promise.all(Array.from({ length: chunks }, (_, c) => o.sampler({
    prompt: p!.prompt, n: Math.min(s.n_per_request, s.k - c * s.n_per_request), maxTokens: s.max_tokens,
    temperature: s.temperature, topP: s.top_p, stop: s.stop.length ? s.stop : undefined, seed: requestSeed(s.seed, p!.id, c),
  })))).flat()];
  await sampleAndJudge(todo, {
    sample, judge: o.judge, prompt: (p) => JSON.stringify(p.prompt), groupSize: 1, concurrency: Math.max(1, o.concurrency ?? 8),
    judgeTexts: (choices, p) => (o.thinkAware ? withThinkOpened(choices.map((c) => c.text), p.opensThink === true) : choices.map((c) => c.text)),
    onGroup: ([{ problem: p, completions: choices, outcomes }]) => {
      const lines = choices.map((c, j) => JSON.stringify({
        problem_id: p.id, sample: j, gold: p.gold, text: c.text, reasoning: c.reasoning, answer: outcomes[j]!.answer,
        correct: outcomes[j]!.correct, tokens: c.tokens, finish_reason: c.finishReason,
      } satisfies SampleRecord) + '\n');
      appendFileSync(resultsFile, lines.join('')); // one write per problem: a problem is in the file whole or not at all
      done.set(p.id, lines.map((l) => JSON.parse(l) as SampleRecord));
      finished++;
      o.progress?.(finished, todo.length);
      if (finished % 10 === 0 || finished === todo.length) log(`${finished}/${todo.length} problems sampled`);
    },
    onError: ([p], e) => {
      if (e instanceof EndpointError && e.fatal) throw new EndpointError(`problem ${p!.id}: ${e.message}`, e.status, true);
      const msg = (e as Error).message;
      log(`problem ${p!.id}: skipped: ${msg}`);
      skipped.push({ problem_id: p!.id, error: msg });
    },
  });

  const perProblem = problems.filter((p) => done.has(p.id)).map((p) => done.get(p.id)!);
  const summary = summarizeRecords(perProblem, s, o.equivalent, skipped, (performance.now() - t0) / 1000);
  writeFileSync(join(o.outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

/** Problems with all k samples in results.jsonl (lines of an interrupted write are ignored). */
function readFinished(file: string, k: number): Map<string, SampleRecord[]> {
  const byId = new Map<string, SampleRecord[]>();
  if (!existsSync(file)) return byId;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let r: SampleRecord;
    try {
      r = JSON.parse(line) as SampleRecord;
    } catch {
      continue; // a line cut short by an interruption
    }
    if (typeof r.problem_id !== 'string') continue;
    if (!byId.has(r.problem_id)) byId.set(r.problem_id, []);
    byId.get(r.problem_id)!.push(r);
  }
  for (const [id, rs] of byId) if (rs.length !== k) byId.delete(id);
  return byId;
}

/** The summary of k samples a problem as `r1 eval` prints it: one line, percentages to a tenth, where summary.json went. */
export function formatBenchmarkSummary(s: BenchmarkSummary, k: number, outDir: string): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return `pass@1 ${pct(s.pass_at_1)} ± ${pct(s.pass_at_1_stderr)}  cons@${k} ${pct(s.cons_at_k)}  pass@k ${s.pass_at_k.map((p) => `${p.k}:${pct(p.pass)}`).join(' ')}  ` +
    `mean length ${s.mean_length?.toFixed(1) ?? '?'}  truncated ${pct(s.truncation_rate)}  (${s.problems} problems, ${s.skipped.length} skipped; ${outDir}/summary.json)`;
}

/** The summary numbers from per-problem sample records. */
export function summarizeRecords(perProblem: readonly SampleRecord[][], settings: BenchmarkSettings, equivalent: ((a: string, b: string) => boolean) | undefined,
  skipped: { problem_id: string; error: string }[], seconds: number): BenchmarkSummary {
  const outcomes: SampleOutcome[][] = perProblem.map((rs) => rs.map((r) => ({ answer: r.answer, correct: r.correct })));
  const p1 = meanAndStderr(outcomes.map((s) => s.filter((x) => x.correct).length / Math.max(1, s.length)));
  const cons = outcomes.map((s) => consensus(s, { equivalent, key: safeKey, ties: 'split', maxChecks: 150 }));
  const all = perProblem.flat();
  const withTokens = all.filter((r) => typeof r.tokens === 'number');
  return {
    settings,
    problems: perProblem.length,
    skipped,
    pass_at_1: p1.mean,
    pass_at_1_stderr: p1.stderr,
    cons_at_k: cons.length ? cons.reduce((a, c) => a + c.value, 0) / cons.length : 0,
    cons_ties: cons.filter((c) => c.tied > 1).length,
    pass_at_k: passAtKCurve(outcomes, curveKs(settings.k)),
    mean_length: withTokens.length ? withTokens.reduce((a, r) => a + r.tokens!, 0) / withTokens.length : null,
    truncation_rate: all.length ? all.filter((r) => r.finish_reason === 'length').length / all.length : 0,
    answer_rate: all.length ? all.filter((r) => r.answer !== null).length / all.length : 0,
    samples: all.length,
    seconds,
  };
}

function safeKey(a: string): string {
  try {
    return normalizeAnswer(a);
  } catch {
    return a;
  }
}
