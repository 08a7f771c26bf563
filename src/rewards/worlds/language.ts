// The language of a world reply, line by line (R1 paper §2.3.2, language consistency): each reasoning line and
// the summary is English, Spanish or neutral (`342+290=632`: no words) by a character-trigram model of each language
// built from Debian's word lists (lang-ngrams.ts), not from the worlds' phrase table, so it reads any English or
// Spanish, not only what the worlds write. languageShare is the `language` reward, mixed() the mixing-rate metric.
// Not a many-language detector (rewards/language.ts names more languages for real models' text).
import { parseR1, chainOfThought } from '../format.js';
import { WORLD_LANGS, type WorldLang } from './phrases.js';
import { TRIGRAMS } from './lang-ngrams.js';
import { wordLanguage } from '../language.js';

/** Add-k smoothing of the trigram model, and the 26 letters plus the end mark a trigram's last character can be. */
const K = 0.5;
const NEXT = 27;

interface TrigramModel { tri: Map<string, number>; ctx: Map<string, number> }

/** The trigram and two-character-context counts of one language, read from the generated table. */
function model(lang: WorldLang): TrigramModel {
  const tri = new Map<string, number>(), ctx = new Map<string, number>();
  for (const e of TRIGRAMS[lang].trigrams.split(' ')) {
    const g = e.slice(0, 3), c = Number(e.slice(3));
    tri.set(g, c);
    ctx.set(g.slice(0, 2), (ctx.get(g.slice(0, 2)) ?? 0) + c);
  }
  return { tri, ctx };
}

const MODELS: Readonly<Record<WorldLang, TrigramModel>> = { en: model('en'), es: model('es') };

/** log P(word | language): each character given the two before it, from the word's start mark to its end mark. */
function wordLogProb(word: string, m: TrigramModel): number {
  const s = `^${word}$`;
  let lp = 0;
  for (let i = 0; i + 3 <= s.length; i++) {
    const g = s.slice(i, i + 3);
    lp += Math.log(((m.tri.get(g) ?? 0) + K) / ((m.ctx.get(g.slice(0, 2)) ?? 0) + K * NEXT));
  }
  return lp;
}

/** The words a line carries: runs of two or more letters (accents folded), digits and symbols dropped. */
export function lineWords(line: string): string[] {
  return (line.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().match(/[a-z]{2,}/g) ?? []);
}

/** Weight of a common function word (rewards/language.ts's lists: `the`, `and`, `entonces`, `porque`) over its spelling. */
const FUNCTION_WORD = 8;

/** log P(English) − log P(Spanish) of one word: its spelling under each trigram model, plus a common word's own language. */
function wordLogOdds(w: string): number {
  const common = wordLanguage(w, 'other');
  const prior = common === 'en' ? FUNCTION_WORD : common === 'es' ? -FUNCTION_WORD : 0;
  return prior + wordLogProb(w, MODELS.en) - wordLogProb(w, MODELS.es);
}

/** log P(English) − log P(Spanish) of a line's words (0 for a line without words). */
export function englishLogOdds(line: string): number {
  return lineWords(line).reduce((t, w) => t + wordLogOdds(w), 0);
}

/** The language of one line: the more likely of the two for its words; null when it has no words (neutral) or they are equally likely. */
export function lineLanguage(line: string): WorldLang | null {
  const d = englishLogOdds(line);
  return d > 0 ? 'en' : d < 0 ? 'es' : null;
}

export interface ReplyLines {
  /** Language of each non-empty reasoning line (null = neutral). */
  reasoning: (WorldLang | null)[];
  /** Language of the summary (null when neutral or when the reply has no summary). */
  summary: WorldLang | null;
}

/** The languages of a reply's lines; a reply not in the one format counts as reasoning lines only. */
export function replyLanguages(completion: string): ReplyLines {
  const parts = parseR1(completion, { requireReasoning: false });
  const reasoning = parts ? parts.reasoning : chainOfThought(completion);
  return {
    reasoning: reasoning.split('\n').filter((l) => l.trim() !== '').map(lineLanguage),
    summary: parts ? lineLanguage(parts.summary) : null,
  };
}

/**
 * The share of a reply's language-carrying lines (reasoning lines and the summary: a direct answer's only words
 * are its summary's) that are in `lang`. A reply whose lines are all neutral scores 1; an empty one 0.
 */
export function languageShare(completion: string, lang: WorldLang): number {
  const { reasoning, summary } = replyLanguages(completion);
  const carrying = [...reasoning, summary].filter((l): l is WorldLang => l !== null);
  if (carrying.length === 0) return completion.trim() === '' ? 0 : 1;
  return carrying.filter((l) => l === lang).length / carrying.length;
}

/** Whether any reasoning line or the summary is in a language other than `lang` (the mixing-rate metric). */
export function mixed(completion: string, lang: WorldLang): boolean {
  const { reasoning, summary } = replyLanguages(completion);
  return [...reasoning, summary].some((l) => l !== null && l !== lang);
}
