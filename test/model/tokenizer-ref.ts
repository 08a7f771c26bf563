// The texts and hashes of test/model/tokenizer-real.test.ts, apart so that a worker thread (test/worker.ts) can
// encode and render half of them beside the test: loadTokenizer, the same code and inputs as on the main thread.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HFTokenizer, loadTokenizer, type ChatMessage, type Tokenizer } from '../../src/model/tokenizer.js';

const ROOT = join(import.meta.dirname, '..', '..');
export const DATA = process.env.R1_DATASETS ?? join(ROOT, '..', 'shared', 'datasets');
export const h = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex').slice(0, 10);
export const idsHash = (ids: number[]) => h(ids.join(','));
/** The tokenizer of each folder, loaded once in this thread (a worker's calls reuse it). */
const loaded = new Map<string, Promise<Tokenizer>>();
const tokenizer = (dir: string | Tokenizer): Promise<Tokenizer> => {
  if (typeof dir !== 'string') return Promise.resolve(dir);
  if (!loaded.has(dir)) loaded.set(dir, loadTokenizer(dir));
  return loaded.get(dir)!;
};
const rows = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, string>);

/** The same lists, in the same order, as scripts/ref/tokenizer_ids.py. */
export function texts(): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (const split of ['train', 'test']) out.push([`gsm8k_${split}`, rows(join(DATA, 'gsm8k', `${split}.jsonl`)).flatMap((x) => [x.question!, x.answer!])]);
  out.push(['math500', rows(join(DATA, 'math500', 'test.jsonl')).flatMap((x) => [x.problem!, x.solution!])]);
  return out;
}

export function chats(): ChatMessage[][] {
  const math = rows(join(DATA, 'math500', 'test.jsonl'));
  const gsm = rows(join(DATA, 'gsm8k', 'test.jsonl'));
  const suffix = '\nPlease reason step by step, and put your final answer within \\boxed{}.';
  const out: ChatMessage[][] = [...math.map((x) => [{ role: 'user', content: x.problem! + suffix }]), ...gsm.map((x) => [{ role: 'user', content: x.question! + suffix }])];
  for (const x of math.slice(0, 50)) {
    out.push([
      { role: 'system', content: 'You are a careful mathematician.' },
      { role: 'user', content: x.problem! },
      { role: 'assistant', content: '<think>\nLet me work it out.\n</think>\n\n' + x.solution! },
      { role: 'user', content: 'Check it again.' },
    ]);
  }
  return out;
}

/** idsHash of each text's token ids (the tokenizer of folder `dir`, loaded once, or `dir` itself), for each list of texts (with the post-processor's special tokens where `special`). */
export async function encodeHashes(dir: string | Tokenizer, jobs: { texts: string[]; special: boolean }[]): Promise<string[][]> {
  const tok = await tokenizer(dir);
  if (!(tok instanceof HFTokenizer)) throw new Error(`${dir}: not an HF tokenizer`);
  return jobs.map(({ texts, special }) => texts.map((t) => idsHash(special ? tok.encode(t, { addSpecialTokens: true }) : tok.encode(t))));
}

/** For each template (undefined: the tokenizer's own), each conversation's rendered chat prompt and the idsHash of its encoding. */
export async function renderChats(dir: string | Tokenizer, conv: ChatMessage[][], templates: (string | undefined)[]): Promise<{ rendered: string[]; ids: string[] }[]> {
  const tok = await tokenizer(dir);
  return templates.map((template) => {
    const rendered = conv.map((c) => tok.applyChatTemplate(c, { addGenerationPrompt: c[c.length - 1]!.role === 'user', template }));
    return { rendered, ids: rendered.map((r) => idsHash(tok.encode(r))) };
  });
}
