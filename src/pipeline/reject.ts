// Rejection sampling (R1 §2.3.3): k samples per prompt through the one sample-and-judge loop, keep only correct
// ones (the task's rule judge), then drop mixed-language chains of thought, long paragraphs and code blocks, and
// deduplicate; every filter's count is reported. Also builds the rule-rewritten cold-start data (§2.3.1).
// Not SFT (src/sft) and not a judge: world.check and the world's parsers decide.
import type { Decoder } from '../model/decoder.js';
import type { Tokenizer } from '../model/tokenizer.js';
import type { Rng } from '../util/rng.js';
import { worldPrompt } from '../data/worlds/common.js';
import type { World, WorldProblem } from '../data/worlds/types.js';
import { evaluate } from '../eval/runner.js';
import { worldJudge } from '../eval/world.js';

export interface RejectOptions {
  samples: number;
  temperature: number;
  topP: number;
  maxNewTokens: number;
  rng: Rng;
  /** A paragraph (text between blank lines, or the whole reasoning) longer than this is dropped. */
  maxParagraphChars: number;
  /** Keep at most this many per prompt (default all that pass). */
  perPrompt?: number;
  /** Keep wrong and cut samples too (plain sampling, no rejection). */
  keepWrong?: boolean;
  /** Keep mixed-language samples (the cold start rewrites them into one language instead). */
  acceptMixed?: boolean;
  /** Rows per generate call (default 512). */
  batch?: number;
  /** The prompt text of each problem (e.g. a conversation through the chat template); default the world's compact prompt. */
  prompts?: readonly string[];
  log?: (line: string) => void;
  /** After each generate call: samples done of all (replaces the log's `rejection sampling: done/total` lines; src/util/progress). */
  progress?: (done: number, total: number) => void;
}

/** What each filter removed, in the order they run, and what was kept. */
export interface RejectReport {
  prompts: number;
  sampled: number;
  wrong: number;
  mixed_language: number;
  long_paragraph: number;
  code_block: number;
  duplicate: number;
  over_per_prompt: number;
  kept: number;
}

export interface SftRow {
  prompt: string;
  completion: string;
  task?: string;
  /** The id of the world problem it answers. */
  problemId?: string;
}

/** The longest paragraph of a completion's text (paragraphs split at blank lines). */
export function longestParagraph(text: string): number {
  return Math.max(0, ...text.split(/\n\s*\n/).map((p) => p.length));
}

export const hasCodeBlock = (text: string): boolean => /```|~~~/.test(text);

/** Samples `problems` and keeps the correct, single-language, short-paragraph, code-free, distinct completions. */
export async function rejectionSample(model: Decoder, tokenizer: Tokenizer, world: World<WorldProblem>, problems: readonly WorldProblem[],
  o: RejectOptions): Promise<{ rows: SftRow[]; report: RejectReport; sampledTokens: number; seconds: number }> {
  const prompts = o.prompts ?? problems.map((p) => worldPrompt(p));
  const evalProblems = problems.map((p) => ({ id: p.id, gold: p.gold, world: p }));
  const batch = Math.max(o.samples, Math.floor((o.batch ?? 512) / o.samples) * o.samples);
  const r = await evaluate(model, tokenizer, evalProblems, prompts, o.samples, {
    maxNewTokens: o.maxNewTokens, temperature: o.temperature, topP: o.topP, stopStrings: [], rng: o.rng, batchSize: batch,
    onChunk: (done, total) => (o.progress ? o.progress(done, total) : o.log?.(`rejection sampling: ${done}/${total} samples`)),
  }, worldJudge(world));
  const report: RejectReport = { prompts: problems.length, sampled: 0, wrong: 0, mixed_language: 0, long_paragraph: 0, code_block: 0, duplicate: 0, over_per_prompt: 0, kept: 0 };
  const seen = new Set<string>();
  const rows: SftRow[] = [];
  r.perProblem.forEach((pp, i) => {
    const p = problems[i]!;
    let keptHere = 0;
    for (const s of pp.samples) {
      report.sampled++;
      if (!o.keepWrong && (!s.correct || s.finishReason === 'length')) { report.wrong++; continue; }
      if (!o.acceptMixed && world.mixesLanguage?.(p, s.text) === true) { report.mixed_language++; continue; }
      if (longestParagraph(s.text) > o.maxParagraphChars) { report.long_paragraph++; continue; }
      if (hasCodeBlock(s.text)) { report.code_block++; continue; }
      const key = `${prompts[i]}\u0000${s.text}`;
      if (seen.has(key)) { report.duplicate++; continue; }
      seen.add(key);
      if (o.perPrompt !== undefined && keptHere >= o.perPrompt) { report.over_per_prompt++; continue; }
      keptHere++;
      rows.push({ prompt: prompts[i]!, completion: s.text, task: (p as { task?: string }).task, problemId: p.id });
    }
  });
  report.kept = rows.length;
  const sampledTokens = r.perProblem.reduce((t, pp) => t + pp.samples.reduce((u, s) => u + s.tokens, 0), 0);
  return { rows, report, sampledTokens, seconds: r.seconds };
}

/** One line of a report: what each filter removed. */
export function formatRejectReport(r: RejectReport): string {
  return `rejection sampling: ${r.prompts} prompts, ${r.sampled} samples; removed: wrong or cut ${r.wrong}, mixed language ${r.mixed_language}, ` +
    `long paragraph ${r.long_paragraph}, code block ${r.code_block}, duplicate ${r.duplicate}, over the per-prompt cap ${r.over_per_prompt}; kept ${r.kept}`;
}
