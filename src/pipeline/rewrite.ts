// The cold start's rule-based rewriting (R1 §2.3.1): an R1-Zero sample that was right is made readable — every
// phrase of the other language replaced by the prompt's language's phrase (the worlds' one phrase table), and a
// summary that states the answer added when missing, and terse run-on reasoning written out as the world's step lines
// (World.untangle). The result must still be right, readable and in one language, or it is dropped. Not a translator
// of free text: only the worlds' own phrases are known.
import type { World, WorldProblem } from '../data/worlds/types.js';
import { PHRASES, WORLD_LANGS, answerSentence, isWorldLang, type WorldLang } from '../rewards/worlds/phrases.js';
import { summaryOf } from '../rewards/worlds/reply.js';
import { readableReasoning } from '../data/worlds/readable.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** [from, to] phrase pairs that carry `from` language's words into `to`, longest first. */
function phrasePairs(from: WorldLang, to: WorldLang): [string, string][] {
  const a = PHRASES[from], b = PHRASES[to];
  const pairs: [string, string][] = [[a.answerIs, b.answerIs], [a.wait, b.wait], [a.carry, b.carry], [a.sum, b.sum]];
  a.columns.forEach((c, i) => pairs.push([c, b.columns[i]!]));
  for (const op of Object.keys(a.ops) as (keyof typeof a.ops)[]) pairs.push([a.ops[op], b.ops[op]]);
  return pairs.filter(([x, y]) => x !== y).sort((x, y) => y[0].length - x[0].length);
}

/** Replaces the other languages' phrases by the target's (whole words, case kept for a capitalised first letter). */
export function toLanguage(text: string, lang: WorldLang): string {
  let out = text;
  for (const from of WORLD_LANGS) {
    if (from === lang) continue;
    for (const [x, y] of phrasePairs(from, lang)) {
      out = out.replace(new RegExp(`(?<![A-Za-z])${escape(x)}(?![A-Za-z])`, 'gi'), (m) => (m[0] === m[0]!.toUpperCase() && m[0] !== m[0]!.toLowerCase() ? y[0]!.toUpperCase() + y.slice(1) : y));
    }
  }
  return out;
}

/**
 * A correct completion rewritten into the problem's language (`lang`, default English) with a summary stating the
 * answer; null when the rewrite is no longer right, still mixes languages, or has no answer to state.
 */
export function rewriteReadable(world: World<WorldProblem>, p: WorldProblem, completion: string): string | null {
  const langField = (p as { lang?: unknown }).lang;
  const lang: WorldLang = isWorldLang(langField) ? langField : 'en';
  let text = toLanguage(world.untangle ? world.untangle(p, completion) : completion, lang);
  const verdict = world.check(p, text);
  const summary = summaryOf(text);
  if (verdict.answer !== null && (summary === null || summary.trim() === '')) {
    const at = text.indexOf('</think>');
    if (at >= 0) text = `${text.slice(0, at + '</think>'.length)}\n\n${answerSentence(verdict.answer, lang)}`;
  }
  const after = world.check(p, text);
  if (!after.correct || !after.format_ok || !readableReasoning(text)) return null;
  if (world.mixesLanguage?.(p, text) === true) return null;
  return text;
}
