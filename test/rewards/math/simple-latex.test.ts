// The fast arithmetic reader against the compute engine it stands in for: on every MATH-500 answer and
// on random expressions of its grammar, whatever it reads has the engine's value at random points;
// what is outside its grammar (or read differently by the engine) it leaves to the engine (null).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetsDir } from '../../../src/data/datasets.js';
import { test } from 'node:test';
import { parseLatexWithEngine } from '../../../src/rewards/math/cas.js';
import { evaluate, freeVariables, type Json } from '../../../src/rewards/math/evaluate.js';
import { parseSimpleLatex } from '../../../src/rewards/math/simple-latex.js';
import { Rng } from '../../../src/util/rng.js';

/** The engine's reading, as cas.ts asks it when the fast reader declines. */
const engineParse = (s: string) => parseLatexWithEngine(s) ?? ['Error'];

/** Whether two trees have the same value at a few random points (undefined equal to undefined). */
function sameValue(a: Json, b: Json, rng: Rng): boolean {
  const vars = [...new Set([...freeVariables(a), ...freeVariables(b)])];
  for (let k = 0; k < 4; k++) {
    const point = Object.fromEntries(vars.map((v) => [v, 0.3 + 2.4 * rng.next()]));
    const x = evaluate(a, point);
    const y = evaluate(b, point);
    // Undefined on both sides (a division by zero grouped either way) is agreement.
    if (!Number.isFinite(x.re) || !Number.isFinite(y.re)) {
      if (Number.isFinite(x.re) !== Number.isFinite(y.re)) return false;
      continue;
    }
    for (const [p, q] of [[x.re, y.re], [x.im, y.im]] as const) {
      if (p === q) continue;
      if (!(Math.abs(p - q) <= 1e-9 * Math.max(1, Math.abs(p), Math.abs(q)))) return false;
    }
  }
  return true;
}

test('reads as the engine does: the same tree for the forms the engine writes', () => {
  const cases = ['\\frac{1}{2}', '2\\sqrt{3}', 'x^2+3x-6', '(a+5)(b+2)', '-2^2', '\\frac{\\pi}{2}', '2\\pi r', '\\sqrt[3]{2}', 'ab', '2^{-1}', '\\sqrt2', 'x^23', '\\left(1+x\\right)', '2\\cdot 3', '.5', '3\\frac{1}{2}', '\\frac12', '6/2\\cdot 3', '-\\frac{1}{2}', '\\frac{-1}{2}', '{2}', '2(3)', 'x^{1/2}'];
  for (const s of cases) {
    const ours = parseSimpleLatex(s);
    assert.notEqual(ours, null, s);
    assert.ok(sameValue(ours!, engineParse(s), new Rng(1)), `${s}: ours ${JSON.stringify(ours)}, engine ${JSON.stringify(engineParse(s))}`);
  }
  // The mixed number keeps the engine's shape, which evaluate reads as 3 + 1/2.
  assert.deepEqual(parseSimpleLatex('3\\frac{1}{2}'), engineParse('3\\frac{1}{2}'));
  assert.deepEqual(parseSimpleLatex('2x^2y^3'), engineParse('2x^2y^3'));
});

test('leaves to the engine what it does not read, or what the engine reads its own way', () => {
  // `2 3` is 23 to the engine, `1e5` is 100000, `x^-1` a superscript minus, `2^x^2` a list.
  for (const s of ['2 3', '1e5', 'x^-1', '2^x^2', '3i', 'e^x', 'x_1', '90^\\circ', '\\text{east}', '1,2', 'x=5', '\\infty', '\\sin x', '5!', '(1,2)', '\\left[1\\right]', '12345678901234567890', '3.', '\\dfrac{1}{2}', '2\\,3', '|x|', "f'", '1/2x', '1/2x\\cdot 3', '3\\frac{1}{2}\\cdot 2', 'a\\div 2z', '8.60(15)']) {
    assert.equal(parseSimpleLatex(s), null, s);
  }
});

test('every MATH-500 answer it reads has the engine value', () => {
  // $R1_DATASETS, else ../shared/datasets beside the repository
  const rows = readFileSync(join(datasetsDir(), 'math500', 'test.jsonl'), 'utf8').trim().split('\n');
  const rng = new Rng(3);
  let read = 0;
  for (const line of rows) {
    // Items of lists and tuples are read one by one, as equivalence reads them.
    for (const item of String((JSON.parse(line) as { answer: unknown }).answer).split(',')) {
      const s = item.trim().replace(/^\\left\(|\\right\)$/g, '');
      const ours = parseSimpleLatex(s);
      if (ours === null) continue;
      read++;
      assert.ok(sameValue(ours, engineParse(s), rng), `${s}: ours ${JSON.stringify(ours)}, engine ${JSON.stringify(engineParse(s))}`);
    }
  }
  assert.ok(read > 400, `read ${read} items`);
});

/** A random expression of the grammar, written as LaTeX in the ways answers write it. */
function randomLatex(rng: Rng, depth: number): string {
  const leaf = () => {
    const r = rng.next();
    if (r < 0.4) return String(Math.floor(rng.next() * 30));
    if (r < 0.5) return (rng.next() * 10).toFixed(2);
    if (r < 0.85) return 'xyzabn'[Math.floor(rng.next() * 6)]!;
    return '\\pi';
  };
  if (depth <= 0) return leaf();
  const a = () => randomLatex(rng, depth - 1);
  const forms = [
    () => `${a()}+${a()}`, () => `${a()} - ${a()}`, () => `-${a()}`, () => `${a()}\\cdot ${a()}`, () => `${a()}\\times${a()}`,
    () => `${a()}/${a()}`, () => `\\frac{${a()}}{${a()}}`, () => `\\sqrt{${a()}}`, () => `\\sqrt[3]{${a()}}`, () => `(${a()})`,
    () => `\\left(${a()}\\right)`, () => `{${a()}}^{${a()}}`, () => `${leaf()}^${Math.floor(rng.next() * 10)}`, () => `${a()}(${a()})`,
    () => `2${'xyz'[Math.floor(rng.next() * 3)]}`, () => `${a()}\\cdot ${a()}/${a()}`, () => `${Math.floor(rng.next() * 9) + 1}\\frac{${Math.floor(rng.next() * 9) + 1}}{${Math.floor(rng.next() * 9) + 2}}`,
  ];
  return forms[Math.floor(rng.next() * forms.length)]!();
}

test('random expressions of its grammar: read, and the engine value whenever the engine reads them', () => {
  const rng = new Rng(7);
  let read = 0;
  let compared = 0;
  for (let n = 0; n < 600; n++) {
    const s = randomLatex(rng, 1 + Math.floor(rng.next() * 3));
    // A division by zero has no value to compare (the two groupings give different infinities and NaNs).
    if (/\/0(?![.\d])|\{0\}/.test(s)) continue;
    const ours = parseSimpleLatex(s);
    if (ours === null) continue;
    read++;
    const theirs = engineParse(s);
    if (Array.isArray(theirs) && theirs[0] === 'Error') continue;
    compared++;
    assert.ok(sameValue(ours, theirs, rng), `${s}: ours ${JSON.stringify(ours)}, engine ${JSON.stringify(theirs)}`);
  }
  assert.ok(read > 450 && compared > 400, `read ${read}, compared ${compared}`);
});
