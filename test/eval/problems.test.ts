// The problems `r1 eval` asks (src/eval/problems.ts): the template default and its user errors, a world's prompts as
// text or as a bare chat question, a dataset's rows with the math instruction and their skipped rows by id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetProblems, evalTemplate, worldProblems, type Skipped } from '../../src/eval/problems.js';
import { MATH_INSTRUCTION } from '../../src/eval/benchmark.js';
import { UsageError } from '../../src/run/spec.js';

test('evalTemplate: asked, else compact for a world, chat with a chat template, else r1-zero; bad cases are user errors', () => {
  assert.equal(evalTemplate(null, 'addition', true, 'm'), 'compact');
  assert.equal(evalTemplate(null, null, true, 'm'), 'chat');
  assert.equal(evalTemplate(null, null, false, 'm'), 'r1-zero');
  assert.equal(evalTemplate('none', null, false, 'm'), 'none');
  assert.throws(() => evalTemplate('chat', null, false, 'ckpt'), (e: Error) => e instanceof UsageError && /ckpt has no chat template/.test(e.message));
  assert.throws(() => evalTemplate(null, 'nosuch', true, 'm'), (e: Error) => e instanceof UsageError && /nosuch/.test(e.message));
});

test('worldProblems: the rendered prompt as text, or the question alone as a chat turn; other fields kept', () => {
  const held = [{ id: 'a', gold: '3', prompt: 'User: 1+2\nAssistant: ', fields: { question: '1+2' }, world: { any: 1 } }];
  assert.deepEqual(worldProblems(held, 'compact')[0], { ...held[0], prompt: { text: 'User: 1+2\nAssistant: ' } });
  assert.deepEqual(worldProblems(held, 'chat')[0]!.prompt, { messages: [{ role: 'user', content: '1+2' }] });
});

test('datasetProblems: the question then the instruction in the template; a row without a usable answer is skipped by id', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'r1-evalp-')), 'd.jsonl');
  writeFileSync(file, [{ id: 'p1', problem: 'What is 1+1?', answer: '2' }, { id: 'p2', problem: 'x', answer: '' }, { problem: 'y', answer: '4' }]
    .map((r) => JSON.stringify(r)).join('\n') + '\n');
  const skipped: Skipped = [], logged: string[] = [];
  const chat = await datasetProblems(file, 'chat', undefined, skipped, (m) => logged.push(m));
  assert.deepEqual(chat.map((p) => p.id), ['p1', `${file}:3`]);
  assert.deepEqual(chat[0]!.prompt, { messages: [{ role: 'user', content: `What is 1+1?\n${MATH_INSTRUCTION}` }] });
  assert.deepEqual(skipped.map((s) => s.problem_id), ['p2']);
  assert.ok(logged.some((l) => l.includes('problem p2')), logged.join('\n'));
  const text = await datasetProblems(file, 'Q: {prompt}\nA:', 1, [], () => {});
  assert.deepEqual(text.map((p) => p.prompt), [{ text: `Q: What is 1+1?\n${MATH_INSTRUCTION}\nA:` }]);
  await assert.rejects(datasetProblems(file, 'no placeholder', 1, [], () => {}), (e: Error) => e instanceof UsageError && /^--template: /.test(e.message));
});
