// Preference pairs for the reward models (R1 paper §2.3.4): `{prompt, chosen, rejected, kind}` from the worlds with
// a preference: general (helpful: the right answer over a wrong, unhelpful or refusing one) and safety (harmless:
// refusal over a leak on harmful requests, the answer over a refusal on benign ones). Split by the world's hash
// split, so train and test pairs never share a problem. Not the reward model (src/rl/rm*.ts).
import { Rng } from '../../util/rng.js';
import { REFUSAL } from '../../rewards/worlds/safety.js';
import { writeJsonl } from '../jsonl.js';
import { directReply, sampleProblems, worldPrompt } from './common.js';
import { LETTERS, generalSlip, letters, type GeneralProblem } from './general.js';
import { safetyReply, type SafetyProblem } from './safety.js';
import type { Split, World, WorldProblem } from './types.js';

export type PairKind = 'helpful' | 'harmless';

export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
  kind: PairKind;
}

type PairWriter = (p: WorldProblem, rng: Rng) => { chosen: string; rejected: string; kind: PairKind };

/** A reply that answers nothing (helpfulness's other failure). */
export const UNHELPFUL = 'I do not know.';

/** The worlds with preferences, by name (a world is an entry here, not a branch). */
const PAIR_WRITERS: Readonly<Record<string, PairWriter>> = {
  general: (p, rng) => {
    const g = p as GeneralProblem;
    const r = rng.next();
    // a quarter of the rejected replies answer in the wrong shape (letters for a count, a short run of other letters
    // for a reversal, digits or a misspelling for words): an RM that saw only near misses scored such strings above
    // the right answer, and RL on it learned to answer `reverse fld` with `pp`, then `247` with `teir hundred ...`
    const rejected = r < 0.45 ? generalSlip(g, rng) : r < 0.6 ? UNHELPFUL : r < 0.75 ? REFUSAL : wrongShape(g, rng);
    return { chosen: directReply(g.gold), rejected: directReply(rejected), kind: 'helpful' };
  },
  safety: (p, rng) => {
    const s = p as SafetyProblem;
    // on harmful requests, half the rejected replies are the leak and half a near-miss of the refusal (garbled words,
    // cut short, or a refusal that still gives digits of the secret): an RM trained on leaks alone scores any
    // refusal-shaped text above the leak, and RL then writes garbled refusals that no rule accepts
    const rejected = s.kind === 'harmful' && rng.next() < 0.5 ? directReply(nearRefusal(s, rng)) : safetyReply(s, false);
    return { chosen: safetyReply(s, true), rejected, kind: 'harmless' };
  },
};

/** `text` with `count` of the letters at `positions` changed, each to another letter (one position may be drawn twice). */
function changeLetters(text: string, positions: readonly number[], count: number, rng: Rng): string {
  const chars = [...text];
  for (let k = 0; k < count; k++) {
    const i = positions[rng.int(0, positions.length - 1)]!;
    const was = chars[i];
    while (chars[i] === was) chars[i] = LETTERS[rng.int(0, 25)]!;
  }
  return chars.join('');
}

/** Positions of the lowercase letters of `text` in [from, to). */
const letterPositions = (text: string, from = 0, to = text.length) => [...text].flatMap((c, i) => (i >= from && i < to && /[a-z]/.test(c) ? [i] : []));

/** An answer of the wrong shape for a general request (never its right answer): letters for a count, a run of letters not the reversal (often shorter), digits or a misspelling (`teir hundred`) for a number in words. */
export function wrongShape(p: GeneralProblem, rng: Rng): string {
  let out: string;
  do {
    if (p.request === 'count') out = rng.next() < 0.5 ? letters(rng, rng.int(1, 3)) : p.text;
    else if (p.request === 'reverse') out = rng.next() < 0.5 ? letters(rng, rng.int(1, Math.max(1, p.text.length - 1))) : [...p.text].map(() => p.text[rng.int(0, p.text.length - 1)]).join('');
    else out = rng.next() < 0.5 ? String(rng.int(1, 999)) : changeLetters(p.gold, letterPositions(p.gold), 1, rng);
  } while (out === p.gold);
  return out;
}

/** A reply that looks like the refusal but is not one (the safety judge rejects each): a letter or two of `can not share` changed, cut short, or the refusal followed by the secret. */
export function nearRefusal(p: SafetyProblem, rng: Rng): string {
  const r = rng.next();
  if (r < 0.25) return `${REFUSAL} ${p.secret}`;
  if (r < 0.4) return REFUSAL.slice(0, rng.int(4, REFUSAL.indexOf('share') + 3));
  return changeLetters(REFUSAL, letterPositions(REFUSAL, REFUSAL.indexOf('can'), REFUSAL.indexOf('share') + 'share'.length), rng.int(1, 2), rng);
}

export const PAIR_WORLDS: readonly string[] = Object.keys(PAIR_WRITERS);

export interface PairOptions {
  split: Split;
  count: number;
  seed: number;
  difficulty?: number;
  /** Prompt template (default the worlds' compact one). */
  template?: string;
}

/** `count` preference pairs of a world's split (distinct problems), deterministic in the seed. */
export function preferencePairs(world: World<WorldProblem>, opts: PairOptions): PreferencePair[] {
  const write = Object.hasOwn(PAIR_WRITERS, world.name) ? PAIR_WRITERS[world.name]! : undefined;
  if (!write) throw new Error(`world '${world.name}' has no preference pairs; use one of ${PAIR_WORLDS.join(', ')}`);
  const rng = new Rng(opts.seed ^ 0x9a1f);
  return sampleProblems(world, { split: opts.split, count: opts.count, seed: opts.seed, difficulty: opts.difficulty })
    .map((p) => ({ prompt: worldPrompt(p, opts.template), ...write(p, rng) }));
}

/** Writes pairs as JSONL rows `{prompt, chosen, rejected, kind}` (what `r1 train-rm --data` reads); returns the count. */
export function writePreferencePairs(file: string, pairs: Iterable<PreferencePair>): Promise<number> {
  return writeJsonl(file, pairs);
}
