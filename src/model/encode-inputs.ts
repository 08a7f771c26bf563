// What `r1 tokenize` computes: the token ids of a text, or of a chat rendered with the tokenizer's chat template (the
// assistant turn opened after a user message), for one input or for a JSONL of {"text"} / {"messages"} lines, as HF
// tokenizers / transformers give them. Not the tokenizers (tokenizer.ts) and not the command's flags or printing.
import { UsageError } from '../run/spec.js';
import { HFTokenizer, type ChatMessage, type Tokenizer } from './tokenizer.js';

export interface EncodeOptions {
  /** A text is one user message rendered with the chat template. */
  chat: boolean;
  /** Raw text gets the tokenizer's post-processor tokens (e.g. a BOS), as transformers' tokenizer(text). */
  special: boolean;
  /** The tokenizer's folder, named in a chat template's error. */
  where: string;
}

export interface Encoded {
  ids: number[];
  /** The text encoded: the rendered prompt for a chat, else the input. */
  text: string;
}

/** Renders messages with the chat template (generation prompt after a user turn); a template error is a user error. */
function render(tok: Tokenizer, messages: ChatMessage[], where: string): string {
  try {
    return tok.applyChatTemplate(messages, { addGenerationPrompt: messages[messages.length - 1]?.role === 'user' });
  } catch (e) {
    throw new UsageError(`${where}: ${(e as Error).message}`);
  }
}

const encodeRaw = (tok: Tokenizer, text: string, special: boolean): number[] =>
  (special && tok instanceof HFTokenizer ? tok.encode(text, { addSpecialTokens: true }) : tok.encode(text));

/** One text's ids (a user message in the chat template with o.chat). */
export function encodeInput(tok: Tokenizer, input: string, o: EncodeOptions): Encoded {
  if (!o.chat) return { ids: encodeRaw(tok, input, o.special), text: input };
  const text = render(tok, [{ role: 'user', content: input }], o.where);
  return { ids: tok.encode(text), text };
}

/** Every non-blank line of a JSONL file's content, {"text"} or {"messages"}; a bad line is a user error naming file:line. */
export function encodeJsonl(tok: Tokenizer, content: string, file: string, o: EncodeOptions): Encoded[] {
  const out: Encoded[] = [];
  content.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: { text?: unknown; messages?: unknown };
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new UsageError(`${file}:${i + 1}: not JSON (${(e as Error).message}); one {"text"} or {"messages"} object a line`);
    }
    if (typeof v?.text === 'string') out.push(encodeInput(tok, v.text, o));
    else if (Array.isArray(v?.messages) && v.messages.every((m) => m && typeof m.role === 'string' && typeof m.content === 'string')) {
      const text = render(tok, v.messages as ChatMessage[], o.where);
      out.push({ ids: tok.encode(text), text });
    } else throw new UsageError(`${file}:${i + 1}: expected {"text": string} or {"messages": [{role, content}, ...]}`);
  });
  return out;
}
