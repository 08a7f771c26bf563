// R1-Zero's readability problem in the bilingual worlds: a rare terse style (every step on one run-on line of bare
// equations) that is the most accurate, so RL has a reason to drift into it; the readability rule that the corpus's
// other styles pass and terse replies fail; the cold start's rewrite that writes terse reasoning out as step lines.
// Expected texts are written by hand here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getWorld, sampleProblems, worldCorpus } from '../../src/data/worlds/index.js';
import { readableReasoning, unreadableBecause } from '../../src/data/worlds/readable.js';
import { rewriteReadable } from '../../src/pipeline/rewrite.js';
import { Rng } from '../../src/util/rng.js';

const reply = (lines: string[], summary: string) => `<think>\n${lines.join('\n')}\n</think>\n\n${summary}`;

test('the readability rule: one statement a line, no run-on line', () => {
  assert.equal(unreadableBecause(reply(['ones 3+2+0=05 carry 0', 'tens 4+1+0=05 carry 0', 'sum 055'], 'The answer is 55.')), null);
  assert.equal(unreadableBecause(reply(['43+12=55'], 'The answer is 55.')), null);
  assert.equal(unreadableBecause(reply(['3+2+0=05|4+1+0=05'], 'The answer is 55.')), 'line 1 holds more than one statement');
  assert.equal(unreadableBecause(reply(['3*4=12;12+5=17'], 'The answer is 17.')), 'line 1 holds more than one statement');
  assert.equal(unreadableBecause(reply(['first ' + 'and then '.repeat(8) + 'done'], 'The answer is 1.')), 'line 1 runs on past 64 characters');
  // the same step twice in a row is legitimate work ((3*4)+(3*4)), and so is a redo after the wait line
  assert.equal(readableReasoning(reply(['multiply 3*4=12', 'multiply 3*4=12', 'add 12+12=24'], 'The answer is 24.')), true);
  assert.equal(readableReasoning(reply(['add 3+4=8', 'wait, let me check that again:', 'add 3+4=7'], 'The answer is 7.')), true);
});

test('terse solutions: rare in the corpus, the most accurate style, unreadable; the others pass the rule', () => {
  for (const name of ['addition-bi', 'expr-bi']) {
    const world = getWorld(name);
    const stats: Record<string, { n: number; right: number; readable: number }> = {};
    for (const d of worldCorpus(world, { docs: 3000, seed: 5 })) {
      const st = (stats[d.style] ??= { n: 0, right: 0, readable: 0 });
      st.n++;
      const p = world.parse(/^User: (.*)\nAssistant: $/s.exec(d.prompt)![1]!)!;
      if (world.check(p, d.completion).correct) st.right++;
      if (readableReasoning(d.completion)) st.readable++;
      assert.equal(world.styleOf(d.completion), d.style, d.completion);
    }
    const t = stats.terse!;
    assert.ok(t.n / 3000 > 0.015 && t.n / 3000 < 0.05, `${name}: terse share ${t.n}`);
    assert.equal(t.readable, 0, `${name}: no terse reply is readable`);
    for (const s of ['direct', 'step', 'selfcheck']) {
      assert.equal(stats[s]!.readable, stats[s]!.n, `${name}: every ${s} reply is readable`);
      assert.ok(t.right / t.n > stats[s]!.right / stats[s]!.n, `${name}: terse (${t.right}/${t.n}) right more often than ${s} (${stats[s]!.right}/${stats[s]!.n})`);
    }
  }
  // the plain worlds (npm start's) have no terse style
  assert.deepEqual(getWorld('addition').styles, ['direct', 'step', 'selfcheck']);
});

test('untangle and the cold start: terse reasoning written out as step lines in the prompt\'s language', () => {
  const add = getWorld('addition-bi');
  const p = add.parse('43+12 (answer in Spanish)')!;
  const terse = reply(['3+2+0=05|4+1+0=05'], 'La respuesta es 55.');
  assert.equal(add.untangle!(p, terse), reply(['unidades 3+2+0=05 lleva 0', 'decenas 4+1+0=05 lleva 0', 'suma 055'], 'La respuesta es 55.'));
  assert.equal(rewriteReadable(add, p, terse), reply(['unidades 3+2+0=05 lleva 0', 'decenas 4+1+0=05 lleva 0', 'suma 055'], 'La respuesta es 55.'));
  // a carry is written out from the column's own sum; the faithfulness parser reads terse work as the same steps
  const q = add.parse('58+67 (answer in English)')!;
  const carried = reply(['8+7+0=15|5+6+1=12'], 'The answer is 125.');
  assert.equal(add.untangle!(q, carried), reply(['ones 8+7+0=15 carry 1', 'tens 5+6+1=12 carry 1', 'sum 125'], 'The answer is 125.'));
  assert.deepEqual(add.faithfulness(q, carried), { lines: 3, unfaithful: 0, answerFollows: true });
  assert.deepEqual(add.faithfulness(q, reply(['8+7+0=14|5+6+1=12'], 'The answer is 124.')), { lines: 3, unfaithful: 1, answerFollows: true });
  const expr = getWorld('expr-bi');
  const e = expr.parse('3*4+5 (answer in English)')!;
  assert.equal(rewriteReadable(expr, e, reply(['3*4=12;12+5=17'], 'The answer is 17.')), reply(['multiply 3*4=12', 'add 12+5=17'], 'The answer is 17.'));
  // a wrong terse reply stays wrong: no rewrite
  assert.equal(rewriteReadable(expr, e, reply(['3*4=12;12+5=18'], 'The answer is 18.')), null);
  // the mixture world hands untangle to the problem's own world
  const mix = getWorld('mix:addition-bi=1,expr-bi=1');
  const mp = sampleProblems(mix, { split: 'train', count: 20, seed: 1 }).find((x) => x.task === 'addition-bi')!;
  const written = add.write(mp, 'terse', new Rng(1));
  assert.equal(mix.untangle!(mp, written), add.untangle!(mp, written));
  assert.ok(readableReasoning(mix.untangle!(mp, written)));
});
