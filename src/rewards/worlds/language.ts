// The language of a world reply, line by line (R1 paper §2.3.2, language consistency): each reasoning line and
// the summary is English, Spanish or neutral (`342+290=632`) by the worlds' own vocabulary (phrases.ts);
// languageShare is the `language` reward for world tasks, mixed() the mixing-rate metric. Not a general detector
// (rewards/language.ts is, for real models' text): words outside the worlds' vocabulary are neutral here.
import { parseR1, chainOfThought } from '../format.js';
import { LEXICON, WORLD_LANGS, type WorldLang } from './phrases.js';

/** The language of one line: the language with more of the line's words, null when neutral or tied. */
export function lineLanguage(line: string): WorldLang | null {
  const words = line.toLowerCase().match(/[a-z]+/g) ?? [];
  let best: WorldLang | null = null;
  let most = 0;
  let tied = false;
  for (const l of WORLD_LANGS) {
    const hits = words.filter((w) => LEXICON[l].has(w)).length;
    if (hits > most) [best, most, tied] = [l, hits, false];
    else if (hits === most && hits > 0) tied = true;
  }
  return tied ? null : best;
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
