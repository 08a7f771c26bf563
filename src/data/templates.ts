// Prompt templates: the R1-Zero template of the DeepSeek-R1 paper (Table 1) verbatim (for real models), the compact
// prompt of the tiny character-level worlds (whose completions are in the one format of src/rewards/format.ts), and
// Hugging Face chat templates (Jinja, via @huggingface/jinja): 'chat' renders a question or a conversation (TRL's
// conversational format) with the checkpoint's own template. Not a tokenizer: templates produce text only.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { R1TS_CHAT_TEMPLATE } from '../model/chat.js';
import { CharTokenizer } from '../model/tokenizer.js';
import type { ChatMessage } from './datasets.js';

/** Table 1 of the DeepSeek-R1 paper; {prompt} is replaced by the question. The completion starts after "Assistant:". */
export const R1_ZERO_TEMPLATE =
  'A conversation between User and Assistant. The user asks a question, and the Assistant solves it. ' +
  'The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. ' +
  'The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, respectively, ' +
  'i.e., <think> reasoning process here </think> <answer> answer here </answer>. User: {prompt}. Assistant:';

/**
 * The compact prompt of the character-level worlds (the long preamble would cost most of a tiny context); the
 * completion starts right after it, in the one format `<think>\n…\n</think>\n\n{summary}`.
 */
export const COMPACT_TEMPLATE = 'User: {prompt}\nAssistant: ';

export const TEMPLATES = {
  'r1-zero': R1_ZERO_TEMPLATE,
  compact: COMPACT_TEMPLATE,
  /** The raw question, for models whose chat template or corpus carries the structure. */
  none: '{prompt}',
} as const;

export type TemplateName = keyof typeof TEMPLATES;

/** Fills a template (a name from TEMPLATES or a string with {prompt}) with a question. */
export function applyTemplate(template: TemplateName | string, prompt: string): string {
  const t = (TEMPLATES as Record<string, string>)[template] ?? template;
  if (!t.includes('{prompt}')) throw new Error(`template ${JSON.stringify(template)} has no {prompt} placeholder; use one of ${Object.keys(TEMPLATES).join(', ')} or a string containing {prompt}`);
  return t.replace('{prompt}', () => prompt);
}

export interface ChatTemplateOptions {
  addGenerationPrompt?: boolean;
  bosToken?: string;
  eosToken?: string;
  [extra: string]: unknown;
}

/** Renders messages with a Hugging Face chat template (the `chat_template` string of tokenizer_config.json). */
export function applyChatTemplate(template: string, messages: ChatMessage[], opts: ChatTemplateOptions = {}): string {
  const { addGenerationPrompt = true, bosToken = '', eosToken = '', ...extra } = opts;
  return new Template(template).render({
    messages,
    add_generation_prompt: addGenerationPrompt,
    bos_token: bosToken,
    eos_token: eosToken,
    ...extra,
  });
}

/**
 * The chat template a checkpoint's tokenizer renders with: loadChatTemplate's, or for an r1ts character-level
 * checkpoint written before r1ts wrote one, R1TS_CHAT_TEMPLATE (what loadTokenizer gives it); null when none.
 */
export function checkpointChatTemplate(dir: string): string | null {
  const own = loadChatTemplate(dir);
  if (own !== null) return own;
  const tok = join(dir, 'tokenizer.json');
  if (!existsSync(tok)) return null;
  try {
    return CharTokenizer.fromJSON(JSON.parse(readFileSync(tok, 'utf8'))) ? R1TS_CHAT_TEMPLATE : null;
  } catch {
    return null;
  }
}

/** The template a dataset run gets when none is named: 'chat' when the checkpoint has a chat template, else the paper's 'r1-zero'. */
export function defaultDataTemplate(modelDir: string): 'chat' | 'r1-zero' {
  return checkpointChatTemplate(modelDir) !== null ? 'chat' : 'r1-zero';
}

/** Thrown when a prompt cannot be rendered as asked; the message names the fix. */
export class TemplateError extends Error {}

/**
 * A problem's prompt text: with 'chat', the question (as one user message) or the conversation through renderChat (the
 * checkpoint's chat template, assistant turn opened); otherwise the question in the text template. A conversation
 * needs 'chat': a text template has one {prompt} slot.
 */
export function renderPrompt(template: string, question: string, messages: ChatMessage[] | undefined,
  renderChat: ((m: ChatMessage[]) => string) | null): string {
  if (template !== 'chat') {
    if (messages && (messages.length > 1 || messages[0]?.role !== 'user')) {
      throw new TemplateError(`a conversational prompt (${messages.length} messages) needs --template chat; template ${JSON.stringify(template)} has one {prompt} slot`);
    }
    return applyTemplate(template, question);
  }
  if (!renderChat) throw new TemplateError('--template chat: the checkpoint has no chat template (tokenizer_config.json chat_template); use --template r1-zero or add one');
  return renderChat(messages ?? [{ role: 'user', content: question }]);
}

/** The chat template of a checkpoint folder (tokenizer_config.json's chat_template, or chat_template.jinja); null when none. */
export function loadChatTemplate(dir: string): string | null {
  const jinja = join(dir, 'chat_template.jinja');
  if (existsSync(jinja)) return readFileSync(jinja, 'utf8');
  const cfgPath = join(dir, 'tokenizer_config.json');
  if (!existsSync(cfgPath)) return null;
  const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as { chat_template?: string | { name: string; template: string }[] };
  const t = cfg.chat_template;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x) => x.name === 'default')?.template ?? t[0]?.template ?? null;
  return null;
}
