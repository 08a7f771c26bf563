// Format rewards: the R1-Zero template (`<think>…</think> <answer>…</answer>`, paper Table 1) and
// the readable R1 format (`|special_token|<reasoning_process>|special_token|<summary>`, paper §2.3.2).
// Structure only: whether the answer is right is the accuracy reward's job, not this file's.

import type { RewardContext, RewardFn } from './types.js';

/** The separator of the readable R1 format, as the paper writes it. */
export const READABLE_SEP = '|special_token|';
/** The readable format's [opening, closing] tokens: the paper's, and the released models' (src/data/templates.ts). */
export const READABLE_TOKENS: readonly [string, string] = [READABLE_SEP, READABLE_SEP];
export const RELEASED_READABLE_TOKENS: readonly [string, string] = ['<think>', '</think>'];
export const THINK_OPEN = '<think>';
export const THINK_CLOSE = '</think>';
export const ANSWER_OPEN = '<answer>';
export const ANSWER_CLOSE = '</answer>';

/** End-of-sequence markers a decoded completion may end with (ours, Qwen, Llama, DeepSeek). */
export const EOS_STRINGS = ['<|eos|>', '<|endoftext|>', '<|im_end|>', '<|eot_id|>', '<|end_of_text|>', '</s>', '<｜end▁of▁sentence｜>'];

/** Builds a readable-format completion: opening token, reasoning, closing token, summary. */
export function formatReadable(reasoning: string, summary: string, tokens: readonly [string, string] = READABLE_TOKENS): string {
  return `${tokens[0]}${reasoning}${tokens[1]}${summary}`;
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
 * Parses the readable R1 format `<open><reasoning><close><summary>` (by default the paper's
 * `|special_token|…|special_token|…`). The opening token may sit at the end of the prompt (same
 * rule as parseR1Zero); otherwise each token exactly once, both parts non-empty, trailing
 * whitespace and EOS markers allowed. Null when malformed.
 */
export function parseReadable(
  completion: string,
  promptHasOpen?: boolean,
  tokens: readonly [string, string] = READABLE_TOKENS,
  eos: readonly string[] = EOS_STRINGS,
): ReadableParts | null {
  const [open, close] = tokens;
  let body = stripTrailingEos(completion, eos).trimStart();
  const opensHere = body.startsWith(open);
  if (promptHasOpen === true && opensHere) return null;
  if (promptHasOpen === false && !opensHere) return null;
  if (opensHere) body = body.slice(open.length);
  if (open !== close && count(body, open) !== 0) return null;
  if (count(body, close) !== 1) return null;
  const at = body.indexOf(close);
  const reasoning = body.slice(0, at).trim();
  const summary = body.slice(at + close.length).trim();
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

/** ctx.readableTokens when it is a pair of non-empty strings, else the paper's READABLE_TOKENS. */
export function readableTokensOf(ctx: RewardContext): readonly [string, string] {
  const t = ctx.readableTokens;
  return Array.isArray(t) && t.length === 2 && t.every((s) => typeof s === 'string' && s !== '') ? [t[0], t[1]] : READABLE_TOKENS;
}

/**
 * 1 when a completion follows the readable R1 format, else 0. Same ctx fields as formatReward,
 * plus ctx.readableTokens: [open, close] (default the paper's READABLE_TOKENS; the released
 * models use RELEASED_READABLE_TOKENS).
 */
export const readableFormatReward: RewardFn = (completions, ctx) => {
  const eos = eosOf(ctx);
  const tokens = readableTokensOf(ctx);
  return completions.map((c, i) => (parseReadable(String(c), promptOpens(ctx.prompts?.[i], tokens[0]), tokens, eos) ? 1 : 0));
};

/**
 * The chain of thought of a completion, for the language reward: the `<think>` block when the
 * R1-Zero shape parses, the reasoning part when the readable shape parses, otherwise the text
 * before the first `<answer>` (or the whole completion), with tags removed.
 */
export function chainOfThought(completion: string, prompt?: string, tokens: readonly [string, string] = READABLE_TOKENS): string {
  const z = parseR1Zero(completion, promptOpens(prompt, THINK_OPEN));
  if (z) return z.think;
  const r = parseReadable(completion, promptOpens(prompt, tokens[0]), tokens);
  if (r) return r.reasoning;
  const at = completion.indexOf(ANSWER_OPEN);
  const head = at === -1 ? completion : completion.slice(0, at);
  const strip = [THINK_OPEN, THINK_CLOSE, ...tokens];
  return stripTrailingEos(strip.reduce((t, tag) => t.split(tag).join(' '), head)).trim();
}
