// Prompt templates: the R1-Zero template of the DeepSeek-R1 paper (Table 1) verbatim (for real models), the compact
// prompt of the tiny character-level worlds (whose completions are in the one format of src/rewards/format.ts), and
// Hugging Face chat templates (Jinja, via @huggingface/jinja). Not a tokenizer: templates produce text only.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
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
