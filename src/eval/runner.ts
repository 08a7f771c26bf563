// The one sample-and-judge loop (sampleAndJudge): k samples per problem from a sampler, judged by the task's one judge
// (a Judge), in groups; `evaluate` is it over a local model (sampleCompletions), summarised with the paper's protocol
// (pass@1, cons@k). GRPO's held-out evals, world measurement (world.ts), rejection sampling (src/pipeline) and `r1 eval`
// (benchmark.ts) all run it. Not a benchmark loader (src/data) and not the metrics (metrics.ts). DeepSeek-R1 §3.
import type { Decoder } from '../model/decoder.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { generate, type Bf16WeightCopies } from '../generate/index.js';
import { combineRewardsAsync } from '../rewards/registry.js';
import { extractAnswer, normalizeAnswer } from '../rewards/math/index.js';
import type { Rng } from '../util/rng.js';
import { summarize, type EvalSummary, type SampleOutcome } from './metrics.js';

export interface SampleOptions {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  topK?: number;
  stopStrings: string[];
  /** Rows per generate call (memory bound); default all. */
  batchSize?: number;
  rng: Rng;
  /** BF16 copies of the weights for the decode steps to read (GRPO's samplingPrecision bf16). */
  bf16Weights?: Bf16WeightCopies;
  /** Called after each generate call with the rows sampled so far and in all (progress). */
  onChunk?: (done: number, total: number) => void;
}

/** A completion with what GRPO needs from the sampler. */
export interface Completion {
  /** Index of its prompt in the list given. */
  promptIndex: number;
  tokens: number[];
  text: string;
  /** Old-policy logprob per token. */
  logprobs: Float32Array;
  finishReason: 'stop' | 'length';
}

/** Samples n completions of every prompt (prompt i's samples are rows i*n .. i*n+n-1). */
export async function sampleCompletions(model: Decoder, tokenizer: Tokenizer, prompts: readonly string[], n: number, o: SampleOptions): Promise<Completion[]> {
  const encoded = prompts.map((p) => tokenizer.encode(p));
  const rows: number[] = [];
  for (let i = 0; i < prompts.length; i++) for (let j = 0; j < n; j++) rows.push(i);
  const bs = o.batchSize ?? rows.length;
  const eosIds = tokenizer.eosId === null ? [] : [tokenizer.eosId];
  const out: Completion[] = [];
  for (let s = 0; s < rows.length; s += bs) {
    const chunk = rows.slice(s, s + bs);
    const res = await generate(model, chunk.map((i) => encoded[i]!), {
      maxNewTokens: o.maxNewTokens, temperature: o.temperature, topP: o.topP, topK: o.topK,
      rng: o.rng, eosIds, stopStrings: o.stopStrings, tokenizer, bf16Weights: o.bf16Weights,
    });
    res.forEach((r, j) => {
      const last = r.tokens[r.tokens.length - 1];
      const text = tokenizer.decode(last !== undefined && eosIds.includes(last) ? r.tokens.slice(0, -1) : r.tokens); // EOS is not text
      out.push({ promptIndex: chunk[j]!, tokens: r.tokens, text, logprobs: r.logprobs, finishReason: r.finishReason });
    });
    o.onChunk?.(Math.min(s + bs, rows.length), rows.length);
  }
  return out;
}

/** A problem as evaluation sees it: an id and a gold answer (the question is already in the prompt). */
export interface EvalProblem {
  id: string;
  gold: string;
}

/**
 * The judge: for completions of problems (with the prompts they answer), each one's voting key (its answer) and
 * correctness, and whether it is in format. The one judge of a task (a world's: world.ts worldJudge; a dataset's:
 * registryJudge; a benchmark's: benchmark.ts mathJudge), asked alike by GRPO's evaluations, measurement, rejection
 * sampling and `r1 eval`. A judge model (judge-model.ts) is a model asked for verdicts, used as a GRPO reward.
 */
export type Judge<P extends EvalProblem = EvalProblem> = (texts: string[], problems: P[], prompts: string[]) => Promise<{ outcomes: SampleOutcome[]; formatOk: boolean[] }>;

/**
 * A judge from registry rewards: `correctness` (a score of 1 is right; 'accuracy' for math answers)
 * and `format` (1 = in format); the voting key is the normalised extracted answer.
 */
export function registryJudge(correctness = 'accuracy', format = 'format'): Judge {
  return async (texts, problems, prompts) => {
    const specs = [{ name: correctness, weight: 1 }, { name: format, weight: 1 }];
    const scored = await combineRewardsAsync(specs, texts, { gold: problems.map((p) => p.gold), prompts });
    const correct = scored.components[correctness]!;
    const fmt = scored.components[format]!;
    const outcomes = texts.map((t, i) => {
      const a = extractAnswer(t);
      return { answer: a === null ? null : normalizeAnswer(a), correct: (correct[i] ?? 0) >= 1 };
    });
    return { outcomes, formatOk: fmt.map((f) => f !== null && f >= 1) };
  };
}

export interface EvalResult {
  summary: EvalSummary;
  /** Share of samples in format. */
  formatRate: number;
  /** Mean completion length in tokens. */
  meanLength: number;
  /** Per problem: its id, gold and its samples' texts and outcomes. */
  perProblem: { id: string; gold: string; samples: (SampleOutcome & { text: string; tokens: number; formatOk: boolean; finishReason?: 'stop' | 'length' })[] }[];
  seconds: number;
}

/** A problem's completions judged: each one's outcome (voting key, correctness) and whether it is in format. */
export interface JudgedProblem<P, C> {
  problem: P;
  completions: C[];
  outcomes: SampleOutcome[];
  formatOk: boolean[];
}

export interface SampleAndJudgeOptions<P extends EvalProblem, C extends { text: string }> {
  /** The completions of each problem of a group, in the group's order (a local model samples a group in one batch; an endpoint a problem at a time). */
  sample: (group: readonly P[]) => Promise<C[][]>;
  judge: Judge<P>;
  /** The prompt the judge is given with problem `index` (of the whole list). */
  prompt: (p: P, index: number) => string;
  /** The texts the judge reads of one problem's completions (default their text as sampled). */
  judgeTexts?: (completions: readonly C[], p: P) => string[];
  /** Problems sampled and judged together (default all of them: one group, one judge call). */
  groupSize?: number;
  /** Groups in flight at once (default 1). */
  concurrency?: number;
  /** After each group is judged (results.jsonl is written here); an error thrown here counts as the group's. */
  onGroup?: (judged: JudgedProblem<P, C>[]) => void;
  /**
   * A group whose sampling, judging or onGroup failed: return to skip it, throw to stop (no new group starts; the
   * error is thrown once those in flight finish). Default: throw the error.
   */
  onError?: (group: readonly P[], e: unknown) => void;
}

/**
 * The one sample-and-judge loop: the problems in groups, each group sampled, its texts judged in one call, its
 * problems' outcomes returned in problem order (skipped groups left out). `evaluate` (a local model, one batch)
 * and benchmark.runBenchmark (a Sampler, a problem at a time, resumable) are it with their own sampler and records.
 */
export async function sampleAndJudge<P extends EvalProblem, C extends { text: string }>(problems: readonly P[],
  o: SampleAndJudgeOptions<P, C>): Promise<JudgedProblem<P, C>[]> {
  const size = Math.max(1, o.groupSize ?? problems.length);
  const groups: number[] = [];
  for (let s = 0; s < problems.length; s += size) groups.push(s);
  const judged: (JudgedProblem<P, C>[] | undefined)[] = [];
  let next = 0, stopped = false, fatal: unknown;
  const worker = async () => {
    while (next < groups.length && !stopped) {
      const gi = next++, start = groups[gi]!;
      const group = problems.slice(start, start + size);
      try {
        const sampled = await o.sample(group);
        const owner = sampled.flatMap((cs, j) => cs.map(() => j));
        const texts = sampled.flatMap((cs, j) => (o.judgeTexts ? o.judgeTexts(cs, group[j]!) : cs.map((c) => c.text)));
        const { outcomes, formatOk } = await o.judge(texts, owner.map((j) => group[j]!), owner.map((j) => o.prompt(group[j]!, start + j)));
        let at = 0;
        judged[gi] = sampled.map((cs, j) => {
          const from = at;
          at += cs.length;
          return { problem: group[j]!, completions: cs, outcomes: outcomes.slice(from, at), formatOk: formatOk.slice(from, at) };
        });
        o.onGroup?.(judged[gi]!);
      } catch (e) {
        judged[gi] = undefined;
        try {
          if (!o.onError) throw e;
          o.onError(group, e);
        } catch (f) {
          stopped = true;
          fatal = f;
          return;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 1) }, worker));
  if (stopped) throw fatal;
  return judged.flatMap((g) => g ?? []);
}

/** The paper's evaluation: `samples` completions per problem, pass@1 as their mean correctness, cons@samples. */
export async function evaluate<P extends EvalProblem>(model: Decoder, tokenizer: Tokenizer, problems: readonly P[], prompts: readonly string[],
  samples: number, o: SampleOptions, judge: Judge<P>): Promise<EvalResult> {
  const t0 = performance.now();
  const completions = await sampleCompletions(model, tokenizer, prompts, samples, o); // every problem in one call (o.batchSize rows a generate call)
  const r = await scoreSamples(problems, prompts, samples, completions.map((c) => ({ text: c.text, tokens: c.tokens.length, finishReason: c.finishReason })), judge);
  return { ...r, seconds: (performance.now() - t0) / 1000 };
}

/** Judges and summarises completions given in problem order (`samples` per problem), from any sampler. */
export async function scoreSamples<P extends EvalProblem>(problems: readonly P[], prompts: readonly string[], samples: number,
  completions: readonly { text: string; tokens: number; finishReason?: 'stop' | 'length' }[], judge: Judge<P>): Promise<Omit<EvalResult, 'seconds'>> {
  const sample = async () => problems.map((_, i) => completions.slice(i * samples, (i + 1) * samples));
  return evalResult(await sampleAndJudge(problems, { sample, judge, prompt: (_, i) => prompts[i]! }));
}

/** The loop's judged problems as an EvalResult's numbers and per-problem samples. */
function evalResult<P extends EvalProblem>(judged: readonly JudgedProblem<P, { text: string; tokens: number; finishReason?: 'stop' | 'length' }>[]): Omit<EvalResult, 'seconds'> {
  const perProblem = judged.map((j) => ({
    id: j.problem.id,
    gold: j.problem.gold,
    samples: j.completions.map((c, k) => ({
      ...j.outcomes[k]!, formatOk: j.formatOk[k]!, text: c.text, tokens: c.tokens,
      ...(c.finishReason ? { finishReason: c.finishReason } : {}),
    })),
  }));
  const all = judged.flatMap((j) => j.completions), formatOk = judged.flatMap((j) => j.formatOk);
  return {
    summary: summarize(perProblem.map((p) => p.samples)),
    formatRate: formatOk.filter(Boolean).length / Math.max(1, all.length),
    meanLength: all.reduce((s, c) => s + c.tokens, 0) / Math.max(1, all.length),
    perProblem,
  };
}
