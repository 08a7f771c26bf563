// The table of answer forms on real data (../shared/datasets, skipped with a message when absent):
// each dataset's answers written bare, in $…$, in \boxed{} and escaped once more are judged right
// against the reference, and another item's different answer wrong, in every form. The expectation is
// the mathematics: the same answer in another wrapping is the same answer.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { datasetsDir } from '../../../src/data/datasets.js';
import { verify } from '../../../src/rewards/math/index.js';
import { datasetFormCases, formAgreement, formCases, FORMS } from '../../../src/rewards/math/forms.js';

/** $R1_DATASETS, else ../shared/datasets beside the repository. */
const root = datasetsDir();
const answers = (name: string, field: (r: Record<string, unknown>) => string) =>
  readFileSync(join(root, name, 'test.jsonl'), 'utf8').trim().split('\n').map((l) => field(JSON.parse(l) as Record<string, unknown>));
const present = ['gsm8k', 'math500', 'aime24', 'amc23'].every((d) => existsSync(join(root, d, 'test.jsonl')));

test('formCases: every form of the answer (right) and of a plainly different neighbour (wrong)', () => {
  const cases = formCases('t', ['\\frac{1}{2}', '3', '3.0']);
  assert.deepEqual(
    cases.filter((c) => c.gold === '\\frac{1}{2}').map((c) => [c.form, c.pred, c.expected]),
    [
      ['bare', '\\frac{1}{2}', true],
      ['bare', '3', false],
      ['dollars', '$\\frac{1}{2}$', true],
      ['dollars', '$3$', false],
      ['boxed', '\\boxed{\\frac{1}{2}}', true],
      ['boxed', '\\boxed{3}', false],
      ['escaped', '\\\\frac{1}{2}', true],
      ['escaped', '3', false],
    ],
  );
  // `3` and `3.0` are one number: no wrong-answer case between them.
  assert.equal(cases.filter((c) => c.gold === '3' && !c.expected).length, 0);
});

test('answer forms of GSM8K, MATH-500, AIME, AMC and bracketed answers: every case agrees', { skip: !present && `datasets not found under ${root}` }, () => {
  const cases = datasetFormCases({
    gsm8k: answers('gsm8k', (r) => String(r.answer).split('####')[1]!.trim()),
    math500: answers('math500', (r) => String(r.answer)),
    aime24: answers('aime24', (r) => String(r.answer)),
    amc23: answers('amc23', (r) => String(r.answer)),
  });
  const { rows, misses } = formAgreement(cases, (g, p) => verify(g, p).correct);
  assert.equal(rows.length, 5 * FORMS.length);
  assert.deepEqual(misses.map((m) => `${m.dataset}/${m.form}: gold ${JSON.stringify(m.gold)} pred ${JSON.stringify(m.pred)} should be ${m.expected}`), []);
});
