// The words the synthetic worlds write, per language (English and Spanish, ASCII only: the worlds' character
// vocabulary has no accents), and the one rule that reads a reasoning world's answer from its summary.
// One table serves the writers (src/data/worlds) and the judges and language parsers here. Not a translator.

export type WorldLang = 'en' | 'es';
export const WORLD_LANGS: readonly WorldLang[] = ['en', 'es'];

export interface Phrases {
  /** The language's name in the question: `342+290 (answer in Spanish)`. */
  name: string;
  /** The summary: `{answerIs} {answer}.` */
  answerIs: string;
  /** The self-checking line that starts a redo. */
  wait: string;
  /** Addition column labels, ones first (past the table: `col5`, `col6`, … in both languages). */
  columns: readonly string[];
  carry: string;
  sum: string;
  /** Expression steps: `{verb} 3*4=12`. */
  ops: Readonly<Record<'+' | '-' | '*', string>>;
}

export const PHRASES: Readonly<Record<WorldLang, Phrases>> = {
  en: {
    name: 'English',
    answerIs: 'The answer is',
    wait: 'wait, let me check that again:',
    columns: ['ones', 'tens', 'hund', 'thou'],
    carry: 'carry',
    sum: 'sum',
    ops: { '+': 'add', '-': 'subtract', '*': 'multiply' },
  },
  es: {
    name: 'Spanish',
    answerIs: 'La respuesta es',
    wait: 'espera, lo compruebo otra vez:',
    columns: ['unidades', 'decenas', 'centenas', 'millares'],
    carry: 'lleva',
    sum: 'suma',
    ops: { '+': 'sumo', '-': 'resto', '*': 'multiplico' },
  },
};

export const isWorldLang = (x: unknown): x is WorldLang => x === 'en' || x === 'es';

/** The summary of a reasoning world's reply: `The answer is 632.` / `La respuesta es 632.` */
export function answerSentence(answer: string | number, lang: WorldLang = 'en'): string {
  return `${PHRASES[lang].answerIs} ${answer}.`;
}

/** Column label i (0 = ones) in a language. */
export function columnLabel(i: number, lang: WorldLang = 'en'): string {
  return PHRASES[lang].columns[i] ?? `col${i + 1}`;
}

const ANSWER_IS = new RegExp(`(?:${WORLD_LANGS.map((l) => PHRASES[l].answerIs).join('|')})[ \\t]+`, 'gi');

/**
 * The answer a summary states: the rest of the line after the last `The answer is` / `La respuesta es`
 * (either language, any case), one final period dropped, trimmed; null when no such sentence or it is empty.
 */
export function statedAnswer(summary: string): string | null {
  let from = -1;
  for (const m of summary.matchAll(ANSWER_IS)) from = m.index + m[0].length;
  if (from < 0) return null;
  const a = summary.slice(from).split('\n')[0]!.trim().replace(/\.$/, '').trim();
  return a === '' ? null : a;
}

/** Every word the worlds write in each language (lower case), for the line-language parser. */
export const LEXICON: Readonly<Record<WorldLang, ReadonlySet<string>>> = Object.fromEntries(
  WORLD_LANGS.map((l) => {
    const p = PHRASES[l];
    const text = [p.answerIs, p.wait, ...p.columns, p.carry, p.sum, ...Object.values(p.ops)].join(' ').toLowerCase();
    return [l, new Set(text.match(/[a-z]+/g) ?? [])];
  }),
) as unknown as Record<WorldLang, ReadonlySet<string>>;
