// Runs a verifier table: rows of [gold, predicted, expected], each with a comment in its test file.
// A failing row names itself, so a new surprising model output becomes one more row.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEquivalent, type EquivalenceOptions } from '../../../src/rewards/math/index.js';

export type Row = [gold: string, pred: string, expected: boolean];

export function runTable(name: string, rows: Row[], opts?: EquivalenceOptions): void {
  test(`${name}: ${rows.length} rows`, () => {
    const wrong = rows.filter(([g, p, want]) => isEquivalent(g, p, opts) !== want);
    assert.deepEqual(
      wrong.map(([g, p, want]) => `gold ${JSON.stringify(g)} pred ${JSON.stringify(p)} should be ${want ? 'equivalent' : 'different'}`),
      [],
    );
  });
}
