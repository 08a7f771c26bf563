// Math-Verify's behaviour as our spec: every row of mathverify-spec.ts (rephrased from the public test
// suite of HuggingFace's math-verify) judged with verify(reference, output), as Math-Verify parses both
// sides. A failing row names its rule; a new disagreement with Math-Verify becomes one more row there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verify } from '../../../src/rewards/math/index.js';
import { ALL_SPEC_ROWS } from './mathverify-spec.js';

test(`Math-Verify's verdicts: ${ALL_SPEC_ROWS.length} rows`, () => {
  const wrong = ALL_SPEC_ROWS.filter(([gold, out, want]) => verify(gold, out).correct !== want).map(
    ([gold, out, want, why]) => `${why}: reference ${JSON.stringify(gold)} output ${JSON.stringify(out)} should be ${want ? 'accepted' : 'rejected'} (extracted ${JSON.stringify(verify(gold, out).extracted)})`,
  );
  assert.deepEqual(wrong, []);
});
