// Prompts of problems for a checkpoint: 'chat' renders a question (one user turn) or a conversation (TRL's
// conversational format) with the checkpoint's own chat template; text templates (templates.ts) take one question.
// Kept apart from templates.ts, whose source keys the demo's cached base models. Not a tokenizer (it renders nothing itself).
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { R1TS_CHAT_TEMPLATE } from '../model/chat.js';
import { CharTokenizer } from '../model/tokenizer.js';
import type { ChatMessage } from './datasets.js';
import { applyTemplate, loadChatTemplate } from './templates.js';

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
