// `r1 tokenize --tokenizer DIR (--text T | --file F | --jsonl F) [--chat] [--json]`: token ids of a text, or of a chat
// rendered with the folder's chat template, as HF tokenizers / transformers give them (test/model/tokenizer-real.test.ts).
// Parses flags and prints; the work is src/model/encode-inputs.ts, tokenizing src/model/tokenizer.ts.
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from './main.js';
import { printJson, readCommandLine } from './args.js';
import { TOKENIZE_SPEC } from './specs.js';
import { resolve } from '../run/spec.js';
import { loadTokenizer, type Tokenizer } from '../model/tokenizer.js';
import { encodeInput, encodeJsonl } from '../model/encode-inputs.js';

export async function run(argv: string[]): Promise<number> {
  const cl = readCommandLine(TOKENIZE_SPEC, {}, argv, { usage: 'usage: r1 tokenize --tokenizer DIR (--text T | --file F | --jsonl F) [--chat] [--special] [--json]' });
  if (!cl) return 0;
  const values = resolve(TOKENIZE_SPEC, [cl.layer]);
  for (const f of [values.file, values.jsonl]) if (f !== null && !existsSync(f)) throw new UsageError(`${f}: no such file`);
  let tok: Tokenizer;
  try {
    tok = await loadTokenizer(values.tokenizer);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const o = { chat: values.chat, special: values.special, where: values.tokenizer };
  if (values.jsonl !== null) {
    const out = encodeJsonl(tok, readFileSync(values.jsonl, 'utf8'), values.jsonl, o);
    process.stdout.write(out.map((l) => JSON.stringify(l) + '\n').join(''));
    return 0;
  }
  const { ids, text } = encodeInput(tok, values.text ?? readFileSync(values.file!, 'utf8'), o);
  if (values.json) printJson({ ids, text });
  else console.log(ids.join(' '));
  return 0;
}
