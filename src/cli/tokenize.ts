// `r1 tokenize --tokenizer DIR (--text T | --file F | --jsonl F) [--chat] [--json]`: token ids of a text, or of a chat
// rendered with the folder's chat template, as HF tokenizers / transformers give them (test/model/tokenizer-real.test.ts).
// Parses flags and prints; tokenizing lives in src/model/tokenizer.ts.
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from './main.js';
import { parseFlags } from './args.js';
import { HFTokenizer, loadTokenizer, type ChatMessage, type Tokenizer } from '../model/tokenizer.js';

const HELP = `usage: r1 tokenize --tokenizer DIR (--text T | --file F | --jsonl F) [--chat] [--special] [--json]
  --tokenizer DIR   folder with tokenizer.json (and tokenizer_config.json for the chat template and special tokens)
  --text T          the text to encode          --file F   a file's whole content
  --jsonl F         one line per input, {"text"} or {"messages"}; prints one {"ids", "text"} line per input
  --chat            treat the text as one user message and render it with the chat template (assistant turn opened)
  --special         add the tokenizer's post-processor tokens to raw text (e.g. a BOS), as transformers' tokenizer(text)
  --json            {"ids", "text"} on stdout (text: the rendered prompt with --chat, else the input)
  -q, --quiet       nothing on stderr (this command writes none)`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv, allowPositionals: false,
    options: {
      tokenizer: { type: 'string' }, text: { type: 'string' }, file: { type: 'string' }, jsonl: { type: 'string' }, chat: { type: 'boolean' },
      special: { type: 'boolean' }, json: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' },
    },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.tokenizer) throw new UsageError('--tokenizer DIR is required (a folder with tokenizer.json)');
  if ([values.text, values.file, values.jsonl].filter((v) => v !== undefined).length !== 1) throw new UsageError('give exactly one of --text T, --file F and --jsonl F');
  for (const f of [values.file, values.jsonl]) if (f !== undefined && !existsSync(f)) throw new UsageError(`${f}: no such file`);
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
  if (values.jsonl !== undefined) {
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
  if (values.json) console.log(JSON.stringify({ ids, text }));
  else console.log(ids.join(' '));
  return 0;
}
