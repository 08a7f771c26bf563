import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProblems, loadSftExamples, gsm8kGold, rowToProblem, rowToSftExample, checkPromptLengths, DatasetError, datasetsDir, type Problem } from '../../src/data/datasets.js';
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

test('generic layouts: {prompt, answer} and {messages, answer}; every column but the prompt is kept', () => {
  assert.deepEqual(rowToProblem({ prompt: 'What is 2+2?', answer: 4 }, 'f:1'), { id: 'f:1', prompt: 'What is 2+2?', gold: '4', columns: { answer: 4 } });
  const msgs = [{ role: 'system', content: 's' }, { role: 'user', content: 'q?' }];
  assert.deepEqual(rowToProblem({ id: 7, messages: msgs, answer: 'x' }, 'f:2'), { id: '7', prompt: 'q?', gold: 'x', messages: msgs, columns: { id: 7, messages: msgs, answer: 'x' } });
  assert.match(rowToProblem({ prompt: 'q' }, 'f:3') as string, /no gold answer/);
});

test("TRL's conversational prompt: a list of messages, the question its last user turn, an SFT row's reply left out", () => {
  const conv = [{ role: 'system', content: 'Add.' }, { role: 'user', content: '12+30' }];
  const p = rowToProblem({ prompt: conv, answer: '42', level: 2 }, 'f:1') as Problem;
  assert.deepEqual(p, { id: 'f:1', prompt: '12+30', gold: '42', messages: conv, columns: { answer: '42', level: 2 } });
  const withReply = rowToProblem({ messages: [...conv, { role: 'assistant', content: '42' }], answer: '42' }, 'f:2') as Problem;
  assert.deepEqual(withReply.messages, conv);
  assert.match(rowToProblem({ prompt: [{ role: 'user' }], answer: '1' }, 'f:3') as string, /prompt\[0\] is not a message/);
  assert.match(rowToProblem({ prompt: [{ role: 'system', content: 's' }], answer: '1' }, 'f:4') as string, /no user message/);
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

test("SFT in TRL's conversational layouts: the prompt rendered by the chat template, the loss on the assistant reply only", () => {
  const render = (m: { role: string; content: string }[]) => m.map((x) => `<${x.role}>${x.content}`).join('') + '<assistant>';
  const sys = { role: 'system', content: 'S' }, user = { role: 'user', content: 'U' }, reply = { role: 'assistant', content: 'A' };
  assert.deepEqual(rowToSftExample({ messages: [sys, user, reply] }, 'f:1', render), { id: 'f:1', prompt: '<system>S<user>U<assistant>', completion: 'A' });
  assert.deepEqual(rowToSftExample({ prompt: [sys, user], completion: [reply] }, 'f:2', render), { id: 'f:2', prompt: '<system>S<user>U<assistant>', completion: 'A' });
  assert.match(rowToSftExample({ prompt: [user], completion: [reply, reply] }, 'f:3', render) as string, /list of one assistant message/);
  assert.match(rowToSftExample({ prompt: [user], completion: [user] }, 'f:4', render) as string, /must end with an assistant message/);
  assert.match(rowToSftExample({ prompt: [user], completion: [{ role: 'assistant' }] }, 'f:5', render) as string, /item 1 is not a message/);
});
