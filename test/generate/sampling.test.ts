// sampleRow on hand-made distributions: greedy, temperature, top-k, top-p keep exactly HF's sets, and the
// logprob is the untruncated log-softmax(logits / T) of the chosen token; and the bucketed top-k / top-p draws the
// same tokens as the full sort it replaced (oldSampleRow below, on the same probabilities: the kernels' expShift) on random rows with ties and extreme T.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleRow, checkSampling, SampleScratch, SampleBatch, type SamplingOptions } from '../../src/generate/sampling.js';
import { Rng } from '../../src/util/rng.js';
import { getKernels } from '../../src/tensor/index.js';

const logitsOf = (p: number[]): Float32Array => Float32Array.from(p.map(Math.log));
const scratch = new SampleScratch(16);

function counts(p: number[], opts: Parameters<typeof sampleRow>[1], n = 4000): number[] {
  const rng = new Rng(1);
  const c = p.map(() => 0);
  for (let i = 0; i < n; i++) c[sampleRow(logitsOf(p), opts, rng, scratch).id]!++;
  return c;
}

test('greedy picks the argmax; its logprob is the temperature-1 log-softmax', () => {
  const r = sampleRow(logitsOf([0.2, 0.5, 0.3]), { temperature: 0 }, new Rng(0), scratch);
  assert.equal(r.id, 1);
  assert.ok(Math.abs(r.logprob - Math.log(0.5)) < 1e-6);
});

test('top-p keeps the smallest most-likely set reaching p; top-k keeps k; logprobs are untruncated', () => {
  const p = [0.1, 0.5, 0.2, 0.15, 0.05];
  // p = 0.68: 0.5 + 0.2 reaches it → {1, 2}
  const cp = counts(p, { temperature: 1, topP: 0.68 });
  assert.deepEqual(cp.map((c) => c > 0), [false, true, true, false, false]);
  assert.ok(Math.abs(cp[1]! / cp[2]! - 2.5) < 0.3, `ratio ${cp[1]! / cp[2]!}`);
  // p = 0.72 needs a third token (0.15)
  assert.deepEqual(counts(p, { temperature: 1, topP: 0.72 }).map((c) => c > 0), [false, true, true, true, false]);
  assert.deepEqual(counts(p, { temperature: 1, topK: 3 }).map((c) => c > 0), [false, true, true, true, false]);
  // top-k then top-p on the renormalised top-k set: {0.5, 0.2} of 0.7 mass → 0.5/0.7 = 0.714 ≥ 0.7 keeps only token 1
  assert.deepEqual(counts(p, { temperature: 1, topK: 2, topP: 0.7 }).map((c) => c > 0), [false, true, false, false, false]);
  const rng = new Rng(3);
  for (let i = 0; i < 50; i++) {
    const r = sampleRow(logitsOf(p), { temperature: 1, topP: 0.7 }, rng, scratch);
    assert.ok(Math.abs(r.logprob - Math.log(p[r.id]!)) < 1e-6);
  }
});

test('temperature sharpens; its logprob is log-softmax(logits / T)', () => {
  const p = [0.6, 0.4];
  const c = counts(p, { temperature: 0.5 });
  // at T = 0.5 the probabilities become 0.36 : 0.16 → 0.692 : 0.308
  assert.ok(Math.abs(c[0]! / 4000 - 0.692) < 0.03, `freq ${c[0]! / 4000}`);
  const r = sampleRow(logitsOf(p), { temperature: 0.5 }, new Rng(9), scratch);
  const want = Math.log((p[r.id]! ** 2) / (0.36 + 0.16));
  assert.ok(Math.abs(r.logprob - want) < 1e-6);
});

test('bad options name the fix', () => {
  assert.throws(() => checkSampling({ temperature: -1 }), /temperature -1 must be >= 0/);
  assert.throws(() => checkSampling({ temperature: 1, topP: 0 }), /topP 0 must be in \(0, 1\]/);
  assert.throws(() => checkSampling({ temperature: 1, topK: 1.5 }), /topK 1.5/);
});

/**
 * The implementation before the bucketed search (full sort of the candidates), kept as the reference. Split in two,
 * the code otherwise as it was: the part that depends only on the row and the options (the probabilities, the sorted
 * candidates, the kept set and its mass) runs once, and the returned draw, the only part that uses the rng, once per
 * token; oldSampler(logits, o, probs)(rng) is the old oldSampleRow(logits, o, rng, probs). The probabilities stay in
 * `probs`, so nothing may write there between the draws.
 */
function oldSampler(logits: Float32Array, o: SamplingOptions, probs: Float64Array): (rng: Rng) => { id: number; logprob: number } {
  const V = logits.length;
  const invT = o.temperature > 0 ? 1 / o.temperature : 1;
  let m = -Infinity;
  let arg = 0;
  for (let i = 0; i < V; i++) {
    const v = logits[i]!;
    if (v > m) { m = v; arg = i; }
  }
  const sum = getKernels().expShift(logits, probs, m, invT); // the probabilities sampleRow uses; the search below is the full sort's
  const logZ = Math.log(sum);
  const logprobOf = (id: number): number => (logits[id]! - m) * invT - logZ;
  if (o.temperature === 0) return () => ({ id: arg, logprob: logprobOf(arg) });
  const topK = o.topK ?? 0;
  const topP = o.topP ?? 1;
  if (topK <= 0 && topP >= 1) {
    return (rng) => {
      let u = rng.next() * sum;
      for (let i = 0; i < V; i++) {
        u -= probs[i]!;
        if (u < 0) return { id: i, logprob: logprobOf(i) };
      }
      return { id: arg, logprob: logprobOf(arg) };
    };
  }
  const floor = topP < 1 && topK <= 0 ? ((1 - topP) / V) * sum : 0;
  const cand: number[] = [];
  for (let i = 0; i < V; i++) if (probs[i]! >= floor) cand.push(i);
  cand.sort((a, b) => probs[b]! - probs[a]! || a - b);
  let keep = topK > 0 ? Math.min(topK, cand.length) : cand.length;
  if (topP < 1) {
    let keptMass = sum;
    if (topK > 0) {
      keptMass = 0;
      for (let j = 0; j < keep; j++) keptMass += probs[cand[j]!]!;
    }
    let acc = 0;
    for (let j = 0; j < keep; j++) {
      acc += probs[cand[j]!]!;
      if (acc >= topP * keptMass) { keep = j + 1; break; }
    }
  }
  let mass = 0;
  for (let j = 0; j < keep; j++) mass += probs[cand[j]!]!;
  return (rng) => {
    let u = rng.next() * mass;
    for (let j = 0; j < keep; j++) {
      u -= probs[cand[j]!]!;
      if (u < 0) return { id: cand[j]!, logprob: logprobOf(cand[j]!) };
    }
    return { id: cand[keep - 1]!, logprob: logprobOf(cand[keep - 1]!) };
  };
}

test('bucketed top-k / top-p, and plain sampling\'s block walk, draw what the full sort and the token-by-token walk drew: random rows, ties, extreme temperatures, V up to 151,936', () => {
  const gen = new Rng(42);
  const rows: { name: string; logits: Float32Array }[] = [];
  for (const V of [7, 300, 2000]) {
    for (const sigma of [0.01, 0.5, 3, 20]) {
      for (let r = 0; r < 3; r++) rows.push({ name: `V=${V} normal σ=${sigma} #${r}`, logits: Float32Array.from({ length: V }, () => gen.normal() * sigma) });
    }
    // ties: few distinct values, and every logit equal
    rows.push({ name: `V=${V} 5 levels`, logits: Float32Array.from({ length: V }, () => gen.int(0, 4)) });
    rows.push({ name: `V=${V} 3 levels, one high`, logits: Float32Array.from({ length: V }, (_, i) => (i === V >> 1 ? 4 : gen.int(0, 2) * 0.5)) });
    rows.push({ name: `V=${V} all equal`, logits: new Float32Array(V).fill(1.5) });
    // a peaked row, as a trained model gives: a few large logits over a long tail
    rows.push({ name: `V=${V} peaked`, logits: Float32Array.from({ length: V }, (_, i) => (i % 97 === 3 ? 12 + gen.normal() : gen.normal() * 2 - 5)) });
  }
  rows.push({ name: 'V=151936 normal σ=1', logits: Float32Array.from({ length: 151936 }, () => gen.normal()) });
  rows.push({ name: 'V=151936 peaked', logits: Float32Array.from({ length: 151936 }, (_, i) => (i < 40 ? 15 + gen.normal() * 3 : gen.normal() * 2)) });
  const settings: SamplingOptions[] = [];
  for (const temperature of [1e-3, 0.3, 1, 1.7, 1e3]) {
    for (const topP of [undefined, 0.05, 0.5, 0.95, 0.999]) {
      for (const topK of [undefined, 1, 3, 50, 4999, 200000]) settings.push({ temperature, topP, topK }); // neither: plain sampling's block walk
    }
  }
  const probs = new Float64Array(151936);
  const scr = new SampleScratch(151936);
  let draws = 0;
  for (const { name, logits } of rows) {
    const big = logits.length > 2000;
    settings.forEach((o, si) => {
      if (big && si % 11 !== 0) return; // the full sort is slow at this size: every 11th setting
      const a = new Rng(si + 1000 * draws), b = new Rng(si + 1000 * draws);
      const old = oldSampler(logits, o, probs); // the full sort once per row and setting (it was once per draw: ~80% of this test's time)
      for (let k = 0; k < (big ? 2 : 8); k++) {
        const want = old(a);
        const got = sampleRow(logits, o, b, scr);
        draws++;
        if (got.id !== want.id || got.logprob !== want.logprob) {
          assert.fail(`${name} ${JSON.stringify(o)} draw ${k}: got ${got.id} (${got.logprob}), the full sort drew ${want.id} (${want.logprob})`);
        }
      }
      assert.equal(a.next(), b.next(), 'one rng draw per token, as before');
    });
  }
  assert.ok(draws > 15000, `${draws} draws`);
});

test('a SampleBatch row draws what a fresh scratch draws: every row of a batch, greedy, plain, top-k, top-p, both; the one rng draw', () => {
  const gen = new Rng(7);
  for (const V of [300, 151936]) {
    const R = V > 300 ? 3 : 9;
    const logits = new Float32Array(R * V);
    for (let r = 0; r < R; r++) {
      for (let i = 0; i < V; i++) logits[r * V + i] = r % 3 === 2 ? (i % 89 === 5 ? 10 + gen.normal() : gen.normal() * 2 - 4) : gen.normal() * (r + 1) * 0.7;
    }
    if (V === 300) logits.fill(-Infinity, 4 * V, 5 * V - 1); // one row with a single finite logit
    const batch = new SampleBatch(V, R + 2); // more rows than a step fills
    const scr = new SampleScratch(V);
    const settings: SamplingOptions[] = [{ temperature: 0 }, { temperature: 1 }, { temperature: 0.6, topP: 0.95 }, { temperature: 1.3, topK: 20 },
      { temperature: 0.6, topP: 0.9, topK: 50 }, { temperature: 1e-3, topP: 0.5 }];
    settings.forEach((o, si) => {
      batch.prepare(logits, R, o);
      for (let r = 0; r < R; r++) {
        const row = logits.subarray(r * V, (r + 1) * V);
        const a = new Rng(100 * si + r), b = new Rng(100 * si + r);
        for (let k = 0; k < 3; k++) {
          const want = sampleRow(row, o, a, scr);
          const got = sampleRow(row, o, b, batch.row(r));
          assert.deepEqual(got, want, `V=${V} row ${r} ${JSON.stringify(o)} draw ${k}`);
        }
        assert.equal(a.next(), b.next(), 'the same rng draws');
      }
    });
    assert.throws(() => batch.prepare(logits, R + 3, settings[2]!), /SampleBatch.prepare: \d+ rows, the batch holds/);
  }
});
