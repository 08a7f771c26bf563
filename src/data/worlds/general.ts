// The non-reasoning world `general` (R1 paper §2.3.3's non-reasoning data, in miniature): requests answered directly,
// with empty reasoning (`<think>\n\n</think>\n\nthree hundred forty two`, as the released R1 answers simple queries):
// `write 342 in words`, `reverse abc`, `count the letters in abcd`. The corpus slips at natural rates, so RL has
// something to improve. The right answer and the judge are src/rewards/worlds/general.ts; this file writes.
import type { Rng } from '../../util/rng.js';
import { REQUESTS, generalAnswer, numberWords, type RequestKind } from '../../rewards/worlds/general.js';
import { checkProblem, directFaithfulness, directReply, directStyleOf } from './common.js';
import type { World, WorldProblem } from './types.js';

export interface GeneralProblem extends WorldProblem {
  request: RequestKind;
  /** The operand: the number to spell, the letters to reverse or count. */
  text: string;
}

/** Share of corpus replies that are right, per request. */
const RIGHT: Record<RequestKind, number> = { words: 0.6, reverse: 0.65, count: 0.7 };
const KINDS = Object.keys(REQUESTS) as RequestKind[];
export const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

function make(request: RequestKind, text: string): GeneralProblem {
  const q = REQUESTS[request].question(text);
  return { id: q, question: q, gold: generalAnswer({ request, text })!, task: 'general', request, text };
}

/** n random lowercase letters. */
export const letters = (rng: Rng, n: number) => Array.from({ length: n }, () => LETTERS[rng.int(0, 25)]!).join('');

/** A plausible wrong answer: a neighbouring number's words, two letters swapped or the letters unreversed, a count off by one. */
export function generalSlip(p: GeneralProblem, rng: Rng): string {
  const right = p.gold;
  switch (p.request) {
    case 'words': {
      const n = Number(p.text);
      const off = rng.pick([-10, -1, 1, 10].filter((d) => n + d >= 1 && n + d <= 999));
      return numberWords(n + off);
    }
    case 'reverse': {
      if (rng.next() < 0.4 && p.text !== right) return p.text;
      const s = [...right];
      const i = rng.int(0, s.length - 2);
      [s[i], s[i + 1]] = [s[i + 1]!, s[i]!];
      const out = s.join('');
      return out === right ? right + right[right.length - 1] : out;
    }
    case 'count':
      return String(Number(right) + (right === '1' || rng.next() < 0.5 ? 1 : -1));
  }
}

/** Problem regexes: the question back to its request and operand. */
const QUESTIONS: [RequestKind, RegExp][] = [
  ['words', /^write (\d+) in words$/],
  ['reverse', /^reverse ([a-z]+)$/],
  ['count', /^count the letters in ([a-z]+)$/],
];

export const general: World<GeneralProblem> = {
  name: 'general',
  description: 'non-reasoning requests answered directly with empty reasoning: write a number in words, reverse letters, count letters',
  styles: ['direct'],
  naturalMix: { direct: 1 },
  // difficulty: the most letters is difficulty + 3 (numbers are always 1..999)
  defaultDifficulty: 3,

  generate(rng, difficulty) {
    const kind = rng.pick(KINDS);
    const most = Math.min(9, Math.max(2, difficulty + 3));
    if (kind === 'words') return make(kind, String(rng.int(1, 999)));
    return make(kind, letters(rng, rng.int(kind === 'reverse' ? 2 : 1, most)));
  },

  spaceSize(difficulty) {
    // every number 1-999 in words; every run of 2..most letters to reverse and of 1..most to count
    const most = Math.min(9, Math.max(2, difficulty + 3));
    let n = 999;
    for (let k = 1; k <= most; k++) n += 26 ** k * (k >= 2 ? 2 : 1);
    return n;
  },

  parse(question) {
    for (const [kind, re] of QUESTIONS) {
      const m = re.exec(question.trim());
      if (m && REQUESTS[kind].text.test(m[1]!)) return make(kind, m[1]!);
    }
    return null;
  },

  write(p, style, rng) {
    if (style !== 'direct') throw new Error(`general world: unknown style '${style}'; use direct`);
    return directReply(rng.next() < RIGHT[p.request] ? p.gold : generalSlip(p, rng));
  },

  check: checkProblem,
  styleOf: directStyleOf,
  faithfulness: directFaithfulness,

  maxCompletionChars() {
    // the tags and the longest spelled number (`seven hundred seventy seven`)
    return 64;
  },
};
