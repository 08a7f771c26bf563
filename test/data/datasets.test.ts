import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProblems, loadSftExamples, gsm8kGold, rowToProblem, checkPromptLengths, DatasetError, datasetsDir } from '../../src/data/datasets.js';
import { existsSync } from 'node:fs';

const dir = mkdtempSync(join(tmpdir(), 'r1-ds-'));

test('GSM8K gold is the text after ####, thousands separators removed', () => {
  assert.equal(gsm8kGold('She makes 9 * 2 = $<<9*2=18>>18.\n#### 18'), '18');
  assert.equal(gsm8kGold('...\n#### 1,250'), '1250');
  assert.equal(gsm8kGold('no final line'), null);
});

const shared = datasetsDir();
const noShared = existsSync(join(shared, 'gsm8k')) ? false : `shared datasets not found at ${shared} (set R1_DATASETS)`;

test('the shared benchmark sets load as {id, prompt, gold}', { skip: noShared }, async () => {
  const g = await loadProblems('gsm8k', { limit: 3 });
  assert.equal(g.length, 3);
  assert.equal(g[0]!.gold, '18');
  assert.match(g[0]!.prompt, /^Janet/);
  const m = await loadProblems('math500', { limit: 2 });
  assert.equal(m[0]!.gold, '\\left( 3, \\frac{\\pi}{2} \\right)');
  const a = await loadProblems('aime24', { limit: 1 });
  assert.equal(a[0]!.gold, '204');
  const c = await loadProblems('amc23', { limit: 1 });
  assert.equal(c[0]!.gold, '27'); // the number 27.0 as a string
});

test('generic layouts: {prompt, answer} and {messages, answer}', () => {
  assert.deepEqual(rowToProblem({ prompt: 'What is 2+2?', answer: 4 }, 'f:1'), { id: 'f:1', prompt: 'What is 2+2?', gold: '4' });
  assert.deepEqual(rowToProblem({ id: 7, messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'q?' }], answer: 'x' }, 'f:2'), { id: '7', prompt: 'q?', gold: 'x' });
  assert.match(rowToProblem({ prompt: 'q' }, 'f:3') as string, /no gold answer/);
});

test('bad datasets: empty, missing gold, unparsable gold name the item and the fix', async () => {
  const empty = join(dir, 'empty.jsonl');
  writeFileSync(empty, '\n');
  await assert.rejects(loadProblems(empty), /no problems in the dataset/);
  const nogold = join(dir, 'nogold.jsonl');
  writeFileSync(nogold, '{"prompt":"a","answer":"1"}\n{"prompt":"b"}\n');
  await assert.rejects(loadProblems(nogold), (e: unknown) => e instanceof DatasetError && e.message.includes(`${nogold}:2`) && /no gold answer/.test(e.message));
  const unparsable = join(dir, 'unparsable.jsonl');
  writeFileSync(unparsable, '{"id":"q1","prompt":"a","answer":"1"}\n{"id":"q2","prompt":"b","answer":"???"}\n');
  const parseGold = (g: string) => (/^\d+$/.test(g) ? Number(g) : null);
  await assert.rejects(loadProblems(unparsable, { parseGold }), /id q2.*cannot be parsed by the verifier/);
  await assert.rejects(loadProblems(join(dir, 'missing.jsonl')), /not found/);
  const boxed = join(dir, 'boxed.jsonl');
  writeFileSync(boxed, '{"problem":"p","answer":"\\\\boxed{}"}\n');
  await assert.rejects(loadProblems(boxed), /boxed.jsonl:1 .*cannot be parsed by the verifier/);
});

test('SFT examples from {prompt, completion} and {messages}; prompts longer than the context are errors', async () => {
  const f = join(dir, 'sft.jsonl');
  writeFileSync(f, '{"prompt":"p1","completion":"c1"}\n{"messages":[{"role":"user","content":"u"},{"role":"assistant","content":"a"}]}\n');
  const ex = await loadSftExamples(f);
  assert.deepEqual(ex.map((e) => [e.prompt, e.completion]), [['p1', 'c1'], ['u', 'a']]);
  const enc = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
  checkPromptLengths([{ id: 'a', prompt: 'abc' }], enc, 10, 5);
  assert.throws(() => checkPromptLengths([{ id: 'long1', prompt: 'x'.repeat(8) }], enc, 10, 5), /item long1: prompt is 8 tokens/);
});
