// Measuring a model on a world: samples per held-out problem (R1 protocol: 16 samples, T 0.6, top-p 0.95),
// then pass@1, cons@16, the share of samples in the template with a parsable answer, length, the style mix with
// each style's accuracy, always-wrong problems and the rate of unfaithful arithmetic lines. Not a trainer.
import type { Rng } from '../../util/rng.js';
import type { Decoder } from '../../model/decoder.js';
import type { Tokenizer } from '../../model/tokenizer.js';
import { generate } from '../../generate/index.js';
import { summarize, type SampleOutcome } from '../../eval/metrics.js';
import { worldPrompt } from './common.js';
import type { World, WorldProblem } from './types.js';

export interface MeasureOptions {
  problems: WorldProblem[];
  /** Samples per problem (default 16). */
  samples?: number;
  temperature?: number;
  topP?: number;
  /** Default: the world's budget for the problems' difficulty, in tokens (characters for char tokenizers). */
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

export interface WorldMeasurement {
  problems: number;
  samples: number;
  pass1: number;
  cons16: number;
  /** Share of samples in the R1-Zero template with a parsable answer. */
  formatRate: number;
  /** Mean completion length in tokens. */
  meanLen: number;
  /** Styles by name, plus 'other' for completions in none. */
  styles: Record<string, StyleStats>;
  /** Share of problems none of whose samples is right. */
  alwaysWrong: number;
  /** Share of written arithmetic lines that are false or use operands from nowhere. */
  unfaithfulLineRate: number;
  /** Share of samples with lines whose answer is not what their lines imply. */
  answerUnfaithfulRate: number;
  /** Share of samples that stopped on their own (eos) rather than at the length limit. */
  stopRate: number;
  sampleTexts?: { problem: string; gold: string; completion: string; correct: boolean; style: string }[];
}

/** Samples a model on world problems and measures it (see WorldMeasurement). */
export async function measureWorld(model: Decoder, tokenizer: Tokenizer, world: World<WorldProblem>, opts: MeasureOptions): Promise<WorldMeasurement> {
  const k = opts.samples ?? 16;
  const batch = Math.max(k, opts.batch ?? 256);
  const maxNewTokens = opts.maxNewTokens ?? world.maxCompletionChars(world.defaultDifficulty);
  const eos = tokenizer.eosId;
  const perProblem: SampleOutcome[][] = [];
  const styleCount: Record<string, { n: number; right: number }> = {};
  for (const s of [...world.styles, 'other']) styleCount[s] = { n: 0, right: 0 };
  let formatOk = 0, lenSum = 0, lines = 0, unfaithful = 0, withLines = 0, answerBad = 0, stops = 0, total = 0;
  const texts: NonNullable<WorldMeasurement['sampleTexts']> = [];
  const perCall = Math.max(1, Math.floor(batch / k));
  for (let start = 0; start < opts.problems.length; start += perCall) {
    const group = opts.problems.slice(start, start + perCall);
    const prompts: number[][] = [];
    for (const p of group) {
      const ids = tokenizer.encode(worldPrompt(p, opts.template));
      for (let j = 0; j < k; j++) prompts.push(ids);
    }
    const results = await generate(model, prompts, {
      maxNewTokens, temperature: opts.temperature ?? 0.6, topP: opts.topP ?? 0.95, rng: opts.rng,
      eosIds: eos === null ? [] : [eos],
    });
    group.forEach((p, gi) => {
      const outcomes: SampleOutcome[] = [];
      for (let j = 0; j < k; j++) {
        const r = results[gi * k + j]!;
        const toks = r.finishReason === 'stop' && eos !== null && r.tokens[r.tokens.length - 1] === eos ? r.tokens.slice(0, -1) : r.tokens;
        const text = tokenizer.decode(toks);
        const c = world.check(p, text);
        const style = world.styleOf(text) ?? 'other';
        const f = world.faithfulness(p, text);
        outcomes.push({ answer: c.answer, correct: c.correct });
        total++;
        if (c.formatOk) formatOk++;
        if (r.finishReason === 'stop') stops++;
        lenSum += r.tokens.length;
        styleCount[style]!.n++;
        if (c.correct) styleCount[style]!.right++;
        lines += f.lines;
        unfaithful += f.unfaithful;
        if (f.answerFollows !== null) {
          withLines++;
          if (!f.answerFollows) answerBad++;
        }
        if (opts.keepSamples) texts.push({ problem: p.question, gold: p.gold, completion: text, correct: c.correct, style });
      }
      perProblem.push(outcomes);
    });
    opts.log?.(`measure: ${Math.min(start + perCall, opts.problems.length)}/${opts.problems.length} problems`);
  }
  const sum = summarize(perProblem);
  const styles: Record<string, StyleStats> = {};
  for (const [name, s] of Object.entries(styleCount)) styles[name] = { share: total ? s.n / total : 0, accuracy: s.n ? s.right / s.n : NaN, count: s.n };
  return {
    problems: sum.problems,
    samples: k,
    pass1: sum.pass1,
    cons16: sum.consK,
    formatRate: total ? formatOk / total : 0,
    meanLen: total ? lenSum / total : 0,
    styles,
    alwaysWrong: sum.problems ? sum.alwaysWrong / sum.problems : 0,
    unfaithfulLineRate: lines ? unfaithful / lines : 0,
    answerUnfaithfulRate: withLines ? answerBad / withLines : 0,
    stopRate: total ? stops / total : 0,
    ...(opts.keepSamples ? { sampleTexts: texts } : {}),
  };
}

/** A few lines of text for a measurement (for logs and reports). */
export function formatMeasurement(m: WorldMeasurement): string {
  const pct = (x: number) => (Number.isNaN(x) ? '  -  ' : `${(100 * x).toFixed(1)}%`);
  const styles = Object.entries(m.styles).filter(([, s]) => s.count > 0).map(([n, s]) => `${n} ${pct(s.share)} (acc ${pct(s.accuracy)})`).join(', ');
  return [
    `pass@1 ${pct(m.pass1)}  cons@${m.samples} ${pct(m.cons16)}  format ${pct(m.formatRate)}  mean length ${m.meanLen.toFixed(1)}  always wrong ${pct(m.alwaysWrong)}`,
    `styles: ${styles}`,
    `unfaithful lines ${pct(m.unfaithfulLineRate)}  answers not following their lines ${pct(m.answerUnfaithfulRate)}  stopped on eos ${pct(m.stopRate)}`,
  ].join('\n');
}
