// Language-consistency reward (R1 paper §2.3.2): the proportion of words in the chain of thought
// that are in the target language, with a small script-and-word-list identifier (English, Chinese,
// a few other Latin-script languages, other scripts). Not a general language detector.

import { chainOfThought } from './format.js';
import type { RewardFn } from './types.js';

/** Languages the identifier names; 'synthetic' is the synthetic worlds' English-with-math. */
export type Lang = 'en' | 'zh' | 'fr' | 'de' | 'es' | 'other';
export type TargetLang = Lang | 'synthetic';

const words = (s: string) => new Set(s.split(' '));

/** Common function words; a Latin-script word found here and not in English is that language's. */
const COMMON: Record<'en' | 'fr' | 'de' | 'es', Set<string>> = {
  en: words(
    'the of and to a in is it you that he was for on are with as i his they be at one have this from or had by ' +
      'but what some we can out other were all there when up use your how said an each she which do their time if ' +
      'will way about many then them write would like so these her long make thing see him two has look more day ' +
      'could go come did number no most my over know than first who may down side been now find any new work ' +
      'part take get made where after back only our little us me let therefore thus because since ' +
      'next we need answer sum total add subtract multiply divide equals result step check wait yes not',
  ),
  fr: words(
    'le la les un une des du de et est dans que qui pour pas sur au aux avec ce cette ces il elle ils elles nous ' +
      'vous je tu mais ou donc ni sa ses leur leurs être avoir fait sont été très moins alors ainsi',
  ),
  de: words(
    'der das und ist nicht ein eine einen dem den des zu mit sich auf für von im ich du er sie es wir ihr ' +
      'sind werden wird auch noch nur aber oder wenn dann weil dass aus bei nach über unter',
  ),
  es: words(
    'el la los las una unos unas es en que de por para con no se su sus al lo como más pero o si ya ' +
      'muy también porque entonces así este esta estos estas fue ser está hay',
  ),
};

const HAN = /\p{Script=Han}/u;
const WORD = /\p{Script=Han}|[\p{L}\p{M}]+(?:['’][\p{L}]+)*/gu;
const LATIN = /^[\p{Script=Latin}'’]+$/u;

/**
 * The language of one word: each Han character is a Chinese word; a Latin-script word is in the
 * language whose common-word list holds it (English first), otherwise in `latinDefault` (the
 * text's dominant Latin-script language), except that letters English does not use (é, ß, ñ …)
 * are never English; any other script is 'other'. Null for single ASCII letters (math variables);
 * digits, operators and punctuation never reach here.
 */
export function wordLanguage(word: string, latinDefault: Lang = 'en'): Lang | null {
  if (HAN.test(word)) return 'zh';
  if (!LATIN.test(word)) return 'other';
  const w = word.toLowerCase();
  if (/^[a-z]$/.test(w)) return null;
  if (COMMON.en.has(w)) return 'en';
  for (const l of LATIN_LANGS) if (COMMON[l].has(w)) return l;
  if (latinDefault !== 'en') return latinDefault;
  return /^[a-z'’]+$/.test(w) ? 'en' : 'other';
}

const LATIN_LANGS = ['fr', 'de', 'es'] as const;

/** The Latin-script language with the most common-word hits in `tokens` (English on ties). */
function dominantLatin(tokens: string[]): Lang {
  let best: Lang = 'en';
  let most = tokens.filter((t) => COMMON.en.has(t.toLowerCase())).length;
  for (const l of LATIN_LANGS) {
    const hits = tokens.filter((t) => COMMON[l].has(t.toLowerCase())).length;
    if (hits > most) [best, most] = [l, hits];
  }
  return best;
}

/**
 * The words of a text that carry a language, each with its language; LaTeX commands are skipped.
 * Latin-script words outside every list take the language of the text's common words.
 */
export function languageWords(text: string): { word: string; lang: Lang }[] {
  const tokens = [...text.replace(/\\[A-Za-z]+/g, ' ').matchAll(WORD)].map((m) => m[0]);
  const latinDefault = dominantLatin(tokens);
  const out: { word: string; lang: Lang }[] = [];
  for (const word of tokens) {
    const lang = wordLanguage(word, latinDefault);
    if (lang) out.push({ word, lang });
  }
  return out;
}

/** Counts of words per language in a text. */
export function languageCounts(text: string): Partial<Record<Lang, number>> {
  const counts: Partial<Record<Lang, number>> = {};
  for (const { lang } of languageWords(text)) counts[lang] = (counts[lang] ?? 0) + 1;
  return counts;
}

/** The majority language of a text, or null when it has no words. */
export function identifyLanguage(text: string): Lang | null {
  let best: Lang | null = null;
  let n = 0;
  for (const [lang, c] of Object.entries(languageCounts(text)) as [Lang, number][]) {
    if (c > n) [best, n] = [lang, c];
  }
  return best;
}

/**
 * The proportion of language-carrying words of `text` in `target` ('synthetic' counts as English:
 * its digits and operators are neutral anyway). A text of neutral tokens only (`12+7=19`) mixes no
 * language and scores 1; an empty text scores 0, so that dropping the chain of thought is never
 * rewarded.
 */
export function languageConsistency(text: string, target: TargetLang): number {
  const want: Lang = target === 'synthetic' ? 'en' : target;
  const ws = languageWords(text);
  if (ws.length === 0) return text.trim() === '' ? 0 : 1;
  return ws.filter((w) => w.lang === want).length / ws.length;
}

const TARGETS = new Set<string>(['en', 'zh', 'fr', 'de', 'es', 'synthetic']);

/**
 * Language-consistency reward on the chain of thought (see chainOfThought in format.ts).
 * ctx.language: the target, one string for all or one per completion (default 'en'); ctx.prompts as
 * for the format rewards; a completion whose target is not a known language gets null. (The registry's
 * `language` reward uses the worlds' line-based share for world tasks: src/rewards/worlds/language.ts.)
 */
export const wordLanguageReward: RewardFn = (completions, ctx) => {
  const lang = ctx.language;
  return completions.map((c, i) => {
    const target = Array.isArray(lang) ? lang[i] : (lang ?? 'en');
    if (typeof target !== 'string' || !TARGETS.has(target)) return null;
    return languageConsistency(chainOfThought(String(c), ctx.prompts?.[i]), target as TargetLang);
  });
};
