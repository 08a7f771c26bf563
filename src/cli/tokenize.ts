// `r1 tokenize --tokenizer DIR (--text T | --file F | --jsonl F) [--chat] [--json]`: token ids of a text, or of a chat
// rendered with the folder's chat template, as HF tokenizers / transformers give them (test/model/tokenizer-real.test.ts).
// Parses flags and prints; tokenizing lives in src/model/tokenizer.ts.
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from './main.js';
import { printJson, readCommandLine } from './args.js';
import { bool, defineSpec, nullable, required, resolve, str, withDefault } from '../run/spec.js';
import { V } from '../run/vocabulary.js';
import { HFTokenizer, loadTokenizer, type ChatMessage, type Tokenizer } from '../model/tokenizer.js';

const SPEC = defineSpec({
  name: 'tokenize',
  fields: {
    tokenizer: required(str('', 'folder with tokenizer.json (and tokenizer_config.json for the chat template and special tokens)', { metavar: 'DIR' })),
    text: nullable(str('', 'the text to encode', { metavar: 'T' })),
    file: nullable(str('', "a file's whole content", { metavar: 'F' })),
    jsonl: nullable(str('', 'one line per input, {"text"} or {"messages"}; prints one {"ids", "text"} line per input', { metavar: 'F' })),
    chat: withDefault(V.chat, false, { doc: 'treat the text as one user message and render it with the chat template (assistant turn opened)' }),
    special: bool(false, "add the tokenizer's post-processor tokens to raw text (e.g. a BOS), as transformers' tokenizer(text)"),
    json: withDefault(V.json, false, { doc: '{"ids", "text"} on stdout (text: the rendered prompt with --chat, else the input)' }),
    quiet: withDefault(V.quiet, false, { doc: 'nothing on stderr (this command writes none)' }),
    help: V.help,
  },
  check: (c) => ([c.text, c.file, c.jsonl].filter((v) => v !== null).length !== 1 ? 'give exactly one of --text T, --file F and --jsonl F' : null),
});

export async function run(argv: string[]): Promise<number> {
  const cl = readCommandLine(SPEC, {}, argv, { usage: 'usage: r1 tokenize --tokenizer DIR (--text T | --file F | --jsonl F) [--chat] [--special] [--json]' });
  if (!cl) return 0;
  const values = resolve(SPEC, [cl.layer]);
  for (const f of [values.file, values.jsonl]) if (f !== null && !existsSync(f)) throw new UsageError(`${f}: no such file`);
  let tok: Tokenizer;
  try {
    tok = await loadTokenizer(values.tokenizer);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const render = (messages: ChatMessage[]): string => {
    try {
      return tok.applyChatTemplate(messages, { addGenerationPrompt: messages[messages.length - 1]?.role === 'user' });
    } catch (e) {
      throw new UsageError(`${values.tokenizer}: ${(e as Error).message}`);
    }
  };
  const encode = (text: string, raw: boolean) => (raw && values.special && tok instanceof HFTokenizer ? tok.encode(text, { addSpecialTokens: true }) : tok.encode(text));
  if (values.jsonl !== null) {
    const lines = readFileSync(values.jsonl, 'utf8').split('\n');
    const out: string[] = [];
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      let v: { text?: unknown; messages?: unknown };
      try {
        v = JSON.parse(line);
      } catch (e) {
        throw new UsageError(`${values.jsonl}:${i + 1}: not JSON (${(e as Error).message}); one {"text"} or {"messages"} object a line`);
      }
      if (typeof v?.text === 'string') {
        const text = values.chat ? render([{ role: 'user', content: v.text }]) : v.text;
        out.push(JSON.stringify({ ids: encode(text, !values.chat), text }));
      } else if (Array.isArray(v?.messages) && v.messages.every((m) => m && typeof m.role === 'string' && typeof m.content === 'string')) {
        const text = render(v.messages as ChatMessage[]);
        out.push(JSON.stringify({ ids: tok.encode(text), text }));
      } else throw new UsageError(`${values.jsonl}:${i + 1}: expected {"text": string} or {"messages": [{role, content}, ...]}`);
    });
    process.stdout.write(out.map((l) => l + '\n').join(''));
    return 0;
  }
  const input = values.text ?? readFileSync(values.file!, 'utf8');
  const text = values.chat ? render([{ role: 'user', content: input }]) : input;
  const ids = encode(text, !values.chat);
  if (values.json) printJson({ ids, text });
  else console.log(ids.join(' '));
  return 0;
}
