// The one output format, R1's readable shape as the released models write it (paper §2.3.1; the paper's
// `|special_token|` is a placeholder): `<think>\n{reasoning}\n</think>\n\n{summary}`; and, under its own name,
// the R1-Zero template (`<think>…</think> <answer>…</answer>`, paper Table 1) for real models prompted with it.
// Structure only: whether the answer is right is the task judge's job (src/rewards/worlds), not this file's.

import type { RewardContext, RewardFn } from './types.js';

export const THINK_OPEN = '<think>';
export const THINK_CLOSE = '</think>';
export const ANSWER_OPEN = '<answer>';
export const ANSWER_CLOSE = '</answer>';

/** End-of-sequence markers a decoded completion may end with (ours, Qwen, Llama, DeepSeek). */
export const EOS_STRINGS = ['<|eos|>', '<|endoftext|>', '<|im_end|>', '<|eot_id|>', '<|end_of_text|>', '</s>', '<｜end▁of▁sentence｜>'];

function count(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** Removes trailing whitespace and EOS markers (any number, in any order). */
export function stripTrailingEos(text: string, eos: readonly string[] = EOS_STRINGS): string {
  let t = text.trimEnd();
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of eos) {
      if (e && t.endsWith(e)) {
        t = t.slice(0, -e.length).trimEnd();
        changed = true;
      }
    }
  }
  return t;
}

/**
 * Whether the prompt already opened the block (it ends with `<think>`, maybe followed by whitespace):
 * true / false from the prompt, undefined when no prompt is known (then both shapes are accepted).
 */
function promptOpens(prompt: string | undefined, opener: string): boolean | undefined {
  return prompt === undefined ? undefined : prompt.trimEnd().endsWith(opener);
}

// ---------------------------------------------------------------------------------------------------------
// The R1 format

/** A completion in the one format: `<think>\n{reasoning}\n</think>\n\n{summary}` (reasoning lines joined by \n; may be empty). */
export function formatR1(reasoning: string | readonly string[], summary: string): string {
  const r = typeof reasoning === 'string' ? reasoning : reasoning.join('\n');
  return `${THINK_OPEN}\n${r}\n${THINK_CLOSE}\n\n${summary}`;
}

export interface R1Parts {
  /** The text between `<think>\n` and `\n</think>` (may be empty), lines kept as written. */
  reasoning: string;
  /** The text after `</think>\n\n`, trimmed; never empty. */
  summary: string;
}

export interface R1ParseOptions {
  /** The prompt: when it ends with `<think>` (and whitespace), the completion continues inside the block. */
  prompt?: string;
  /** Whether empty reasoning is malformed (default true: reasoning requests; false for direct requests). */
  requireReasoning?: boolean;
  eos?: readonly string[];
}

const R1_SHAPE = /^<think>\n([\s\S]*?)\n<\/think>\n\n([\s\S]*)$/;

/**
 * Parses the one format: `<think>\n`, the reasoning, `\n</think>\n\n`, a non-empty summary, then only
 * whitespace and EOS markers. Each think tag exactly once; no `<answer>` tags (that is R1-Zero's shape).
 * Empty reasoning (`<think>\n\n</think>\n\n…`) only where `requireReasoning` is false. When the prompt
 * ends with `<think>`, the completion must continue inside the block (and must not open it again).
 * Null when malformed; never throws.
 */
export function parseR1(completion: string, opts: R1ParseOptions = {}): R1Parts | null {
  if (typeof completion !== 'string') return null;
  const opened = promptOpens(opts.prompt, THINK_OPEN);
  let text = stripTrailingEos(completion, opts.eos ?? EOS_STRINGS);
  if (opened === true) {
    if (text.trimStart().startsWith(THINK_OPEN)) return null;
    const tail = opts.prompt!.slice(opts.prompt!.lastIndexOf(THINK_OPEN));
    text = tail + text;
  }
  if (count(text, THINK_OPEN) !== 1 || count(text, THINK_CLOSE) !== 1) return null;
  if (text.includes(ANSWER_OPEN) || text.includes(ANSWER_CLOSE)) return null;
  const m = R1_SHAPE.exec(text);
  if (!m) return null;
  const reasoning = m[1]!;
  const summary = m[2]!.trim();
  if (summary === '') return null;
  if ((opts.requireReasoning ?? true) && reasoning.trim() === '') return null;
  return { reasoning, summary };
}

function eosOf(ctx: RewardContext): readonly string[] {
  const e = ctx.eosStrings;
  return Array.isArray(e) && e.every((s) => typeof s === 'string') ? [...EOS_STRINGS, ...(e as string[])] : EOS_STRINGS;
}

/**
 * The R1 format reward: 1 when a completion is in the one format, else 0. `directOk(i)` says whether
 * completion i may have empty reasoning (a non-reasoning request); the registry's `format` reward
 * decides it from ctx.task (src/rewards/worlds/index.ts). ctx.prompts (optional) decides whether the
 * completion continues a `<think>` the prompt opened; ctx.eosStrings (optional) adds EOS markers.
 */
export function r1FormatReward(directOk: (ctx: RewardContext, i: number) => boolean): RewardFn {
  return (completions, ctx) => {
    const eos = eosOf(ctx);
    return completions.map((c, i) => (parseR1(String(c), { prompt: ctx.prompts?.[i], requireReasoning: !directOk(ctx, i), eos }) ? 1 : 0));
  };
}

// ---------------------------------------------------------------------------------------------------------
// The R1-Zero template (for real models prompted with Table 1's template)

export interface R1ZeroParts {
  think: string;
  answer: string;
}

/**
 * Parses a completion in the R1-Zero template. The completion may begin with `<think>` or not:
 * templates that end the prompt with `Assistant: <think>` make the model continue inside the
 * block. `promptHasThink` true: the completion must not open it again; false: it must; undefined:
 * either. Each tag exactly once, only whitespace between `</think>` and `<answer>`, both parts
 * non-empty, and after `</answer>` nothing but whitespace and EOS markers. Null when malformed.
 */
export function parseR1Zero(completion: string, promptHasThink?: boolean, eos: readonly string[] = EOS_STRINGS): R1ZeroParts | null {
  let body = stripTrailingEos(completion, eos).trimStart();
  const opensHere = body.startsWith(THINK_OPEN);
  if (promptHasThink === true && opensHere) return null;
  if (promptHasThink === false && !opensHere) return null;
  if (opensHere) body = body.slice(THINK_OPEN.length);
  if (count(body, THINK_OPEN) !== 0 || count(body, THINK_CLOSE) !== 1) return null;
  if (count(body, ANSWER_OPEN) !== 1 || count(body, ANSWER_CLOSE) !== 1) return null;
  const m = /^([\s\S]*?)<\/think>\s*<answer>([\s\S]*?)<\/answer>$/.exec(body);
  if (!m) return null;
  const think = m[1].trim();
  const answer = m[2].trim();
  if (think === '' || answer === '') return null;
  return { think, answer };
}

/** The last `<answer>…</answer>` of a completion (trimmed), or null; lenient, for task rewards. */
export function lastAnswerTag(completion: string): string | null {
  const close = completion.lastIndexOf(ANSWER_CLOSE);
  if (close === -1) return null;
  const open = completion.lastIndexOf(ANSWER_OPEN, close);
  if (open === -1) return null;
  return completion.slice(open + ANSWER_OPEN.length, close).trim();
}

/**
 * 1 when a completion follows the R1-Zero template, else 0 (registry name `r1-zero-format`). ctx.prompts
 * (optional) decides whether the completion must open `<think>` itself; ctx.eosStrings adds EOS markers.
 */
export const r1ZeroFormatReward: RewardFn = (completions, ctx) => {
  const eos = eosOf(ctx);
  return completions.map((c, i) => (parseR1Zero(String(c), promptOpens(ctx.prompts?.[i], THINK_OPEN), eos) ? 1 : 0));
};

/**
 * The chain of thought of a completion, for the language reward: the reasoning when the R1 shape parses
 * (empty reasoning allowed), the `<think>` block when the R1-Zero shape parses, otherwise the text before the
 * first `<answer>` (or the whole completion), with tags removed.
 */
export function chainOfThought(completion: string, prompt?: string): string {
  const r = parseR1(completion, { prompt, requireReasoning: false });
  if (r) return r.reasoning.trim();
  const z = parseR1Zero(completion, promptOpens(prompt, THINK_OPEN));
  if (z) return z.think;
  const at = completion.indexOf(ANSWER_OPEN);
  const head = at === -1 ? completion : completion.slice(0, at);
  return stripTrailingEos([THINK_OPEN, THINK_CLOSE].reduce((t, tag) => t.split(tag).join(' '), head)).trim();
}
