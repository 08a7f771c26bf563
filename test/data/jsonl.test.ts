import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonl, readJsonlAll, writeJsonl, JsonlWriter, JsonlError } from '../../src/data/jsonl.js';

const dir = mkdtempSync(join(tmpdir(), 'r1-jsonl-'));

test('readJsonl streams objects with line numbers, skipping blank lines', async () => {
  const f = join(dir, 'ok.jsonl');
  writeFileSync(f, '{"a":1}\n\n{"a":2}\r\n  {"a":3}  \n');
  const rows = await readJsonlAll<{ a: number }>(f, { onError: 'fail' });
  assert.deepEqual(rows.map((r) => [r.value.a, r.line]), [[1, 1], [2, 3], [3, 4]]);
});

test('a malformed line is fatal with file:line under onError fail', async () => {
  const f = join(dir, 'bad.jsonl');
  writeFileSync(f, '{"a":1}\n{"a":\n{"a":3}\n');
  await assert.rejects(readJsonlAll(f, { onError: 'fail' }), (e: unknown) => e instanceof JsonlError && e.line === 2 && e.message.startsWith(`${f}:2:`));
});

test('under onError skip each malformed line is reported, the rest read', async () => {
  const f = join(dir, 'skip.jsonl');
  writeFileSync(f, '[1,2]\n{"a":2}\nnot json\n42\n{"a":5}\n');
  const skipped: number[] = [];
  const rows = await readJsonlAll<{ a: number }>(f, { onError: 'skip', onSkip: (e) => skipped.push(e.line) });
  assert.deepEqual(rows.map((r) => r.value.a), [2, 5]);
  assert.deepEqual(skipped, [1, 3, 4]);
});

test('writer round trip, and a large file is streamed row by row', async () => {
  const f = join(dir, 'big.jsonl');
  function* rows() {
    for (let i = 0; i < 20000; i++) yield { i, text: 'x'.repeat(50) };
  }
  assert.equal(await writeJsonl(f, rows()), 20000);
  let n = 0;
  let last = -1;
  for await (const { value } of readJsonl<{ i: number }>(f, { onError: 'fail' })) {
    n++;
    last = value.i;
    if (n === 10) break; // early exit closes the stream
  }
  assert.equal(n, 10);
  assert.equal(last, 9);
  const w = new JsonlWriter(f, { append: true });
  await w.write({ i: 20000 });
  await w.close();
  const all = await readJsonlAll<{ i: number }>(f, { onError: 'fail' });
  assert.equal(all.length, 20001);
  assert.equal(all[20000]!.value.i, 20000);
});
