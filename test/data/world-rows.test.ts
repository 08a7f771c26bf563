// World problems from a JSONL of questions (src/data/world-rows.ts, `r1 sample --data`): the world from the flag, a row's
// "world" or the first row's; TRL's conversational rows keep their messages for the chat template; bad rows name file:line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conversationPrompts, readWorldRows } from '../../src/data/world-rows.js';
import { UsageError } from '../../src/run/spec.js';

const dir = mkdtempSync(join(tmpdir(), 'r1-world-rows-'));
const file = (name: string, rows: unknown[]) => { writeFileSync(join(dir, name), rows.map((r) => JSON.stringify(r)).join('\n') + '\n'); return join(dir, name); };

test('readWorldRows: questions in the world\'s wording and conversational rows, the world from the first row', async () => {
  const f = file('q.jsonl', [{ question: '611+778', world: 'addition' }, { question: '12+5' }, { prompt: [{ role: 'user', content: '900+541' }] }]);
  const r = await readWorldRows(f, undefined);
  assert.equal(r.world, 'addition');
  assert.deepEqual(r.problems.map((p) => p.question), ['611+778', '12+5', '900+541']);
  assert.deepEqual(r.conversations, [null, null, [{ role: 'user', content: '900+541' }]]);
  const prompts = conversationPrompts(r, (m) => `<${m[0]!.content}>`, f)!;
  assert.equal(prompts[2], '<900+541>');
  assert.ok(prompts[0]!.includes('611+778') && !prompts[0]!.startsWith('<'), prompts[0]);
  assert.equal(conversationPrompts({ problems: r.problems.slice(0, 2), conversations: [null, null] }, () => 'x', f), undefined);
  assert.throws(() => conversationPrompts(r, () => { throw new Error('no template'); }, f), (e: Error) => e instanceof UsageError && e.message.includes('no template'));
});

test('readWorldRows: a row without a world, a question the world cannot read, or no rows at all is a user error naming it', async () => {
  const bad = async (rows: unknown[], world: string | undefined, re: RegExp) =>
    assert.rejects(readWorldRows(file('b.jsonl', rows), world), (e: Error) => e instanceof UsageError && re.test(e.message));
  await bad([{ question: '1+2' }], undefined, /b\.jsonl:1: no world; pass --world NAME/);
  await bad([{ question: 'What is 1+2?' }], 'addition', /b\.jsonl:1: 'What is 1\+2\?' is not a question of world addition/);
  await bad([{ text: '1+2' }], 'addition', /b\.jsonl:1: expected a "question" string/);
  writeFileSync(join(dir, 'empty.jsonl'), '');
  await assert.rejects(readWorldRows(join(dir, 'empty.jsonl'), 'addition'), (e: Error) => e instanceof UsageError && /empty\.jsonl: no problems$/.test(e.message));
});
