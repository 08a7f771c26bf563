// Language identification and the language-consistency reward: CJK by script, Latin-script
// languages by common-word lists, digits, operators, variables and LaTeX neutral.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identifyLanguage, languageConsistency, wordLanguageReward as languageReward, wordLanguage } from '../../src/rewards/language.js';

test('word languages', () => {
  assert.equal(wordLanguage('the'), 'en');
  assert.equal(wordLanguage('multiply'), 'en'); // not in a list, plain ASCII: English
  assert.equal(wordLanguage('因'), 'zh');
  assert.equal(wordLanguage('dans'), 'fr');
  assert.equal(wordLanguage('nicht'), 'de');
  assert.equal(wordLanguage('entonces'), 'es');
  assert.equal(wordLanguage('déjà'), 'other'); // accented Latin outside the lists: not English
  assert.equal(wordLanguage('число'), 'other'); // Cyrillic
  assert.equal(wordLanguage('x'), null); // a single letter is a math variable
});

test('identifyLanguage', () => {
  assert.equal(identifyLanguage('We add the two numbers and check the result.'), 'en');
  assert.equal(identifyLanguage('我们把两个数相加，然后检查结果。'), 'zh');
  assert.equal(identifyLanguage('Nous ajoutons les deux nombres et vérifions le résultat dans la table.'), 'fr');
  assert.equal(identifyLanguage('Wir addieren die Zahlen und prüfen, ob das Ergebnis nicht stimmt.'), 'de');
  assert.equal(identifyLanguage('12 + 7 = 19'), null); // no words at all
});

// [text, target, expected proportion]
const CONSISTENCY: [string, 'en' | 'zh' | 'synthetic', number][] = [
  ['First add 3 and 4, then multiply by 2.', 'en', 1], // all English, digits neutral
  ['首先 3 加 4，然后乘以 2。', 'zh', 1], // all Chinese characters
  ['首先 add 3 and 4', 'zh', 2 / 4], // 首 先 are Chinese, add and are English
  ['首先 add 3 and 4', 'en', 2 / 4], // the same mix judged for English
  ['Let x = 3, so 2x + y = 7 and \\frac{x}{y} = 3', 'en', 1], // variables and LaTeX commands are neutral
  ['12 + 7 = 19 , 19 * 2 = 38', 'synthetic', 1], // only neutral tokens: nothing in a wrong language
  ['12+7=19', 'zh', 1], // the same holds for any target
  ['   ', 'en', 0], // an empty chain of thought earns nothing
  ['step 1: 12 + 7 = 19 carry 1', 'synthetic', 1], // the synthetic worlds' English-with-math
  ['we add 这两个 numbers', 'en', 3 / 6], // we add numbers / 这 两 个
];

test('language consistency table', () => {
  for (const [text, target, expected] of CONSISTENCY) {
    const got = languageConsistency(text, target);
    assert.ok(Math.abs(got - expected) < 1e-12, `${JSON.stringify(text)} → ${target}: ${got} ≠ ${expected}`);
  }
});

test('languageReward reads the chain of thought and ctx.language', () => {
  const completions = ['<think>我们先相加</think><answer>7</answer>', '<think>we add them</think><answer>7</answer>'];
  assert.deepEqual(languageReward(completions, { language: 'zh' }), [1, 0]);
  assert.deepEqual(languageReward(completions, { language: ['zh', 'en'] }), [1, 1]);
  assert.deepEqual(languageReward(completions, {}), [0, 1]); // default target: English
  assert.deepEqual(languageReward(['<think>a 这 b</think><answer>7</answer> 汉字汉字'], { language: 'zh' }), [1]); // only the CoT counts
  assert.deepEqual(languageReward(completions, { language: 'klingon' }), [null, null]); // unknown target: cannot be scored
  assert.deepEqual(languageReward([' <think>\n12+7=19\n</think> <answer> 19 </answer>'], { language: 'synthetic' }), [1]); // the addition world's direct style
  assert.deepEqual(languageReward(['<answer>19</answer>'], { language: 'synthetic' }), [0]); // no chain of thought at all
});
