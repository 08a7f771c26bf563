// Dataset adapters: GSM8K, MATH-500, AIME 2024, AMC 2023 (the layouts of ../shared/datasets) and the
// generic {prompt, answer} / {messages} layouts, read as {id, prompt, gold} problems or SFT examples.
// Not a template: prompts are the raw question; src/data/templates.ts wraps them. Errors name the item and the fix.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJsonl, type JsonlReadOptions } from './jsonl.js';
import { UsageError } from '../run/spec.js';
import { goldAnswer, normalizeAnswer } from '../rewards/math/index.js';

/** A problem with a verifiable final answer (RL, evaluation). */
export interface Problem {
  /** Stable id: the row's own id when it has one, else `file:line`. */
  id: string;
  /** The question as text (a conversational row: its last user message). */
  prompt: string;
  gold: string;
  /** A conversational row's prompt (TRL's format: a list of messages), rendered with the checkpoint's chat template. */
  messages?: ChatMessage[];
  /** Every column of the row but the prompt (TRL hands them to reward functions), when read from a dataset. */
  columns?: Record<string, unknown>;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | string;
  content: string;
}

/** A supervised example: the loss is taken on `completion` only. */
export interface SftExample {
  id: string;
  prompt: string;
  completion: string;
}

/** Thrown for a bad dataset or item: the message names the file, the item and what to do. */
export class DatasetError extends UsageError {}

/** Folder of the shared benchmark sets: $R1_DATASETS, else ../shared/datasets next to the repository. */
export function datasetsDir(): string {
  if (process.env.R1_DATASETS) return process.env.R1_DATASETS;
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  return resolve(repo, '../shared/datasets');
}

const NAMED: Record<string, string> = {
  gsm8k: 'gsm8k/test.jsonl',
  'gsm8k:test': 'gsm8k/test.jsonl',
  'gsm8k:train': 'gsm8k/train.jsonl',
  math500: 'math500/test.jsonl',
  aime24: 'aime24/test.jsonl',
  amc23: 'amc23/test.jsonl',
};

/** A dataset name (gsm8k, gsm8k:train, math500, aime24, amc23) or a path, as a file path. */
export function resolveDataset(nameOrPath: string): string {
  const rel = NAMED[nameOrPath];
  const file = rel ? resolve(datasetsDir(), rel) : nameOrPath;
  if (!existsSync(file)) {
    throw new DatasetError(`dataset '${nameOrPath}' not found at ${file}: pass a JSONL path, or one of ${Object.keys(NAMED).join(', ')} (set R1_DATASETS to their folder)`);
  }
  return file;
}

/** The final answer of a GSM8K worked solution: the text after `#### `, thousands separators removed. */
export function gsm8kGold(answer: string): string | null {
  const m = /####\s*(.+?)\s*$/.exec(answer);
  return m ? m[1]!.replace(/,/g, '') : null;
}

/** A number-valued answer as a string: 27.0 → "27". */
function answerString(v: unknown): string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'string') return v.trim();
  return null;
}

type Row = Record<string, unknown>;

/** The problem in a row, whichever known layout it has; a string says what is wrong. */
export function rowToProblem(row: Row, fallbackId: string): Problem | string {
  const id = row.id !== undefined ? String(row.id) : row.unique_id !== undefined ? String(row.unique_id) : fallbackId;
  let prompt: unknown;
  let gold: string | null = null;
  let messages: ChatMessage[] | undefined;
  if (typeof row.question === 'string' && typeof row.answer === 'string' && row.answer.includes('####')) {
    prompt = row.question; // GSM8K
    gold = gsm8kGold(row.answer);
  } else if (typeof row.problem === 'string') {
    prompt = row.problem; // MATH-500, AIME 2024, AMC 2023
    gold = answerString(row.answer ?? row.gold);
  } else if (Array.isArray(row.prompt) || Array.isArray(row.messages)) {
    const key = Array.isArray(row.prompt) ? 'prompt' : 'messages';
    const msgs = row[key] as unknown[];
    const bad = msgs.findIndex((m) => !isMessage(m));
    if (bad >= 0) return `${key}[${bad}] is not a message: a conversational ${key} is a list of {"role": "system" | "user" | "assistant", "content": "..."}`;
    const lastUser = (msgs as ChatMessage[]).map((m) => m.role).lastIndexOf('user');
    if (lastUser < 0) return `${key} has no user message: a conversational prompt ends with the user's turn`;
    messages = (msgs as ChatMessage[]).slice(0, lastUser + 1); // an SFT row's assistant reply is not part of the prompt
    prompt = messages[lastUser]!.content;
    gold = answerString(row.answer ?? row.gold);
  } else {
    prompt = row.prompt ?? row.question;
    gold = answerString(row.answer ?? row.gold);
  }
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    return 'no prompt: expected a string field question, problem or prompt (or a list of messages with a user turn in prompt or messages)';
  }
  if (gold === null || gold === '') return 'no gold answer: expected a field answer (GSM8K: a final line `#### N`) or gold';
  const columns = Object.fromEntries(Object.entries(row).filter(([k]) => k !== 'prompt'));
  return { id, prompt, gold, ...(messages ? { messages } : {}), columns };
}

function isMessage(m: unknown): m is ChatMessage {
  return typeof m === 'object' && m !== null && typeof (m as ChatMessage).role === 'string' && typeof (m as ChatMessage).content === 'string';
}

export interface LoadProblemsOptions extends Partial<JsonlReadOptions> {
  /** Keep at most this many problems (in file order). */
  limit?: number;
  /**
   * Checks that a verifier can parse a gold answer (e.g. the math verifier's normalizeAnswer);
   * returning null or throwing makes the item an error. Default: mathGold (the math verifier's reading).
   */
  parseGold?: (gold: string) => unknown;
}

/** The math verifier's canonical key of a gold answer; null when it reads nothing (e.g. an empty \\boxed{}). */
export function mathGold(gold: string): string | null {
  return normalizeAnswer(goldAnswer(gold)) || null;
}

/** Reads problems from a named dataset or a JSONL path; bad items are errors that name the item and the fix. */
export async function loadProblems(nameOrPath: string, opts: LoadProblemsOptions = {}): Promise<Problem[]> {
  const file = resolveDataset(nameOrPath);
  const out: Problem[] = [];
  for await (const { value, line } of readJsonl<Row>(file, { onError: opts.onError ?? 'fail', onSkip: opts.onSkip })) {
    const p = rowToProblem(value, `${file}:${line}`);
    if (typeof p === 'string') throw new DatasetError(`${file}:${line}: ${p}`);
    {
      let parsed: unknown = null;
      try {
        parsed = (opts.parseGold ?? mathGold)(p.gold);
      } catch {
        parsed = null;
      }
      if (parsed === null || parsed === undefined) {
        throw new DatasetError(`${file}:${line} (id ${p.id}): gold answer ${JSON.stringify(p.gold)} cannot be parsed by the verifier; correct it or drop the item`);
      }
    }
    out.push(p);
    if (opts.limit !== undefined && out.length >= opts.limit) break;
  }
  if (out.length === 0) throw new DatasetError(`${file}: no problems in the dataset; check the path and that it has one JSON object a line`);
  return out;
}

/**
 * The SFT example in a row: {prompt, completion}, {prompt, response|answer}, or TRL's conversational layouts: {messages}
 * ending with an assistant turn, or {prompt: messages, completion: [one assistant message]}. A conversation's prompt is
 * rendered with renderPrompt (the chat template, the assistant turn opened); the loss covers the last assistant turn.
 */
export function rowToSftExample(row: Row, fallbackId: string, renderPrompt?: (messages: ChatMessage[]) => string): SftExample | string {
  const id = row.id !== undefined ? String(row.id) : fallbackId;
  const conversational = Array.isArray(row.messages) || (Array.isArray(row.prompt) && Array.isArray(row.completion));
  if (conversational) {
    const key = Array.isArray(row.messages) ? 'messages' : 'prompt + completion';
    const msgs = (Array.isArray(row.messages) ? row.messages : [...(row.prompt as unknown[]), ...(row.completion as unknown[])]) as ChatMessage[];
    const bad = msgs.findIndex((m) => !isMessage(m));
    if (bad >= 0) return `${key}: item ${bad} is not a message {"role": ..., "content": "..."}`;
    if (!Array.isArray(row.messages) && (row.completion as unknown[]).length !== 1) return 'a conversational completion is a list of one assistant message';
    const last = msgs[msgs.length - 1];
    if (!last || last.role !== 'assistant' || typeof last.content !== 'string') return `${key} must end with an assistant message (the completion the loss is taken on)`;
    const context = msgs.slice(0, -1);
    const prompt = renderPrompt ? renderPrompt(context) : context.map((m) => m.content).join('\n');
    return { id, prompt, completion: last.content };
  }
  const prompt = row.prompt;
  const completion = row.completion ?? row.response ?? row.answer;
  if (typeof prompt !== 'string') return 'no prompt: expected a string field prompt, or messages';
  if (typeof completion !== 'string' || completion === '') return 'no completion: expected a non-empty string field completion (or response / answer)';
  return { id, prompt, completion };
}

/** Reads SFT examples from JSONL; bad items are errors naming file:line and the fix. */
export async function loadSftExamples(file: string, opts: Partial<JsonlReadOptions> & { renderPrompt?: (m: ChatMessage[]) => string } = {}): Promise<SftExample[]> {
  if (!existsSync(file)) throw new DatasetError(`SFT data ${file} not found: pass a JSONL file of {prompt, completion} or {messages} rows`);
  const out: SftExample[] = [];
  for await (const { value, line } of readJsonl<Row>(file, { onError: opts.onError ?? 'fail', onSkip: opts.onSkip })) {
    const ex = rowToSftExample(value, `${file}:${line}`, opts.renderPrompt);
    if (typeof ex === 'string') throw new DatasetError(`${file}:${line}: ${ex}`);
    out.push(ex);
  }
  if (out.length === 0) throw new DatasetError(`${file}: no examples; check that it has one JSON object a line`);
  return out;
}

/** Throws for the first prompt whose token count (plus room for `minNew` new tokens) exceeds the context. */
export function checkPromptLengths(items: { id: string; prompt: string }[], encode: (s: string) => number[], context: number, minNew = 1): void {
  for (const it of items) {
    const n = encode(it.prompt).length;
    if (n + minNew > context) {
      throw new DatasetError(`item ${it.id}: prompt is ${n} tokens, longer than the context of ${context} minus ${minNew} for the answer; shorten it, drop the item, or use a model with a longer max_position_embeddings`);
    }
  }
}
