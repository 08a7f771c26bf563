// Format rewards: the R1-Zero template (`<think>…</think> <answer>…</answer>`, paper Table 1) and
// the readable R1 format (`|special_token|<reasoning_process>|special_token|<summary>`, paper §2.3.2).
// Structure only: whether the answer is right is the accuracy reward's job, not this file's.

import type { RewardContext, RewardFn } from './types.js';

/** The separator of the readable R1 format, as the paper writes it. */
export const READABLE_SEP = '|special_token|';
export const THINK_OPEN = '<think>';
export const THINK_CLOSE = '</think>';
export const ANSWER_OPEN = '<answer>';
export const ANSWER_CLOSE = '</answer>';

/** End-of-sequence markers a decoded completion may end with (ours, Qwen, Llama, DeepSeek). */
export const EOS_STRINGS = ['<|eos|>', '<|endoftext|>', '<|im_end|>', '<|eot_id|>', '<|end_of_text|>', '</s>', '<｜end▁of▁sentence｜>'];

/** Builds a readable-format completion: separator, reasoning, separator, summary. */
export function formatReadable(reasoning: string, summary: string): string {
  return `${READABLE_SEP}${reasoning}${READABLE_SEP}${summary}`;
}

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
 * Whether the prompt already opened the block (it ends with `<think>` or the readable separator):
 * true / false from the prompt, undefined when no prompt is known (then both shapes are accepted).
 */
function promptOpens(prompt: string | undefined, opener: string): boolean | undefined {
  return prompt === undefined ? undefined : prompt.trimEnd().endsWith(opener);
}

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

export interface ReadableParts {
  reasoning: string;
  summary: string;
}

/**
 * Parses the readable R1 format `|special_token|<reasoning>|special_token|<summary>`; the first
 * separator may sit at the end of the prompt (same rule as parseR1Zero). Exactly two separators in
 * all, both parts non-empty, trailing whitespace and EOS markers allowed. Null when malformed.
 */
export function parseReadable(completion: string, promptHasSep?: boolean, eos: readonly string[] = EOS_STRINGS): ReadableParts | null {
  let body = stripTrailingEos(completion, eos).trimStart();
  const opensHere = body.startsWith(READABLE_SEP);
  if (promptHasSep === true && opensHere) return null;
  if (promptHasSep === false && !opensHere) return null;
  if (opensHere) body = body.slice(READABLE_SEP.length);
  if (count(body, READABLE_SEP) !== 1) return null;
  const at = body.indexOf(READABLE_SEP);
  const reasoning = body.slice(0, at).trim();
  const summary = body.slice(at + READABLE_SEP.length).trim();
  if (reasoning === '' || summary === '') return null;
  return { reasoning, summary };
}

/** The last `<answer>…</answer>` of a completion (trimmed), or null; lenient, for task rewards. */
export function lastAnswerTag(completion: string): string | null {
  const close = completion.lastIndexOf(ANSWER_CLOSE);
  if (close === -1) return null;
  const open = completion.lastIndexOf(ANSWER_OPEN, close);
  if (open === -1) return null;
  return completion.slice(open + ANSWER_OPEN.length, close).trim();
}

function eosOf(ctx: RewardContext): readonly string[] {
  const e = ctx.eosStrings;
  return Array.isArray(e) && e.every((s) => typeof s === 'string') ? [...EOS_STRINGS, ...(e as string[])] : EOS_STRINGS;
}

/**
 * 1 when a completion follows the R1-Zero template, else 0. ctx.prompts (optional) decides whether
 * the completion must open `<think>` itself; ctx.eosStrings (optional) adds EOS markers.
 */
export const formatReward: RewardFn = (completions, ctx) => {
  const eos = eosOf(ctx);
  return completions.map((c, i) => (parseR1Zero(String(c), promptOpens(ctx.prompts?.[i], THINK_OPEN), eos) ? 1 : 0));
};

/** 1 when a completion follows the readable R1 format, else 0 (same ctx fields as formatReward). */
export const readableFormatReward: RewardFn = (completions, ctx) => {
  const eos = eosOf(ctx);
  return completions.map((c, i) => (parseReadable(String(c), promptOpens(ctx.prompts?.[i], READABLE_SEP), eos) ? 1 : 0));
};

/**
 * The chain of thought of a completion, for the language reward: the `<think>` block when the
 * R1-Zero shape parses, the reasoning part when the readable shape parses, otherwise the text
 * before the first `<answer>` (or the whole completion), with tags removed.
 */
export function chainOfThought(completion: string, prompt?: string): string {
  const z = parseR1Zero(completion, promptOpens(prompt, THINK_OPEN));
  if (z) return z.think;
  const r = parseReadable(completion, promptOpens(prompt, READABLE_SEP));
  if (r) return r.reasoning;
  const at = completion.indexOf(ANSWER_OPEN);
  const head = at === -1 ? completion : completion.slice(0, at);
  return stripTrailingEos(head.split(THINK_OPEN).join(' ').split(THINK_CLOSE).join(' ').split(READABLE_SEP).join(' ')).trim();
}
