// The one sample-and-judge loop: k samples per prompt from a local model (sampleCompletions), judged by the task's
// one judge (a Judge), summarised with the paper's protocol (pass@1, cons@k). GRPO's rollouts and held-out evals,
// world measurement (world.ts), rejection sampling (src/pipeline) and `r1 eval` all call it. Not a benchmark loader
// (src/data) and not the metrics (metrics.ts). DeepSeek-R1 §3 evaluation setup.
import type { Decoder } from '../model/decoder.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { generate } from '../generate/index.js';
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
      rng: o.rng, eosIds, stopStrings: o.stopStrings, tokenizer,
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

/** Judges completions: for each, the voting key and correctness, and whether it is in format. */
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

/** The paper's evaluation: `samples` completions per problem, pass@1 as their mean correctness, cons@samples. */
export async function evaluate<P extends EvalProblem>(model: Decoder, tokenizer: Tokenizer, problems: readonly P[], prompts: readonly string[],
  samples: number, o: SampleOptions, judge: Judge<P>): Promise<EvalResult> {
  const t0 = performance.now();
  const completions = await sampleCompletions(model, tokenizer, prompts, samples, o);
  const r = await scoreSamples(problems, prompts, samples, completions.map((c) => ({ text: c.text, tokens: c.tokens.length, finishReason: c.finishReason })), judge);
  return { ...r, seconds: (performance.now() - t0) / 1000 };
}

/** Judges and summarises completions given in problem order (`samples` per problem), from any sampler. */
export async function scoreSamples<P extends EvalProblem>(problems: readonly P[], prompts: readonly string[], samples: number,
  completions: readonly { text: string; tokens: number; finishReason?: 'stop' | 'length' }[], judge: Judge<P>): Promise<Omit<EvalResult, 'seconds'>> {
  const owner = (i: number) => Math.floor(i / samples);
  const { outcomes, formatOk } = await judge(completions.map((c) => c.text), completions.map((_, i) => problems[owner(i)]!),
    completions.map((_, i) => prompts[owner(i)]!));
  const perProblem = problems.map((p, i) => ({
    id: p.id,
    gold: p.gold,
    samples: completions.slice(i * samples, (i + 1) * samples).map((c, k) => ({
      ...outcomes[i * samples + k]!, formatOk: formatOk[i * samples + k]!, text: c.text, tokens: c.tokens,
      ...(c.finishReason ? { finishReason: c.finishReason } : {}),
    })),
  }));
  return {
    summary: summarize(perProblem.map((p) => p.samples)),
    formatRate: formatOk.filter(Boolean).length / Math.max(1, completions.length),
    meanLength: completions.reduce((s, c) => s + c.tokens, 0) / Math.max(1, completions.length),
    perProblem,
  };
}
