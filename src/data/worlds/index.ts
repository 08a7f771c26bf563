// The registry of synthetic worlds: a name → World table (the default is addition, the experiment; the
// `-bi` variants are bilingual). Not the worlds themselves (one file each) nor their judges (src/rewards/worlds).
import type { World, WorldProblem } from './types.js';
import { addition, additionBi } from './addition.js';
import { expr, exprBi } from './expr.js';
import { countdown } from './countdown.js';
import { subset } from './subset.js';
import { general } from './general.js';
import { safety } from './safety.js';
import { mixWorld } from './mix.js';
import type { MixedCorpusEntry } from './common.js';

export const WORLDS: Record<string, World<WorldProblem>> = {
  addition,
  'addition-bi': additionBi,
  expr,
  'expr-bi': exprBi,
  countdown,
  subset,
  general,
  safety,
};

export const DEFAULT_WORLD = 'addition';

/** The pipeline base model's corpus mix (issue 9 §1.1): the two bilingual reasoning worlds, general and safety requests. */
export const PIPELINE_MIX: readonly MixedCorpusEntry[] = [
  { world: additionBi, weight: 0.35 },
  { world: exprBi, weight: 0.35 },
  { world: general, weight: 0.15 },
  { world: safety, weight: 0.15 },
];

/** A world by name; `mix:a=2,b=1` is a mixture of registered worlds (mix.ts); `NAME@D` is NAME at difficulty D by default. */
export function getWorld(name: string): World<WorldProblem> {
  if (name.startsWith('mix:')) return mixWorld(name.slice(4), getWorld);
  const at = /^(.+)@(\d+)$/.exec(name);
  if (at) {
    const base = getWorld(at[1]!);
    const d = Number(at[2]);
    if (d < 1) throw new Error(`world '${name}': the difficulty after @ must be a whole number >= 1`);
    return Object.assign(Object.create(base) as World<WorldProblem>, { name, defaultDifficulty: d });
  }
  const w = WORLDS[name];
  if (!w) throw new Error(`unknown world '${name}'; choose one of ${Object.keys(WORLDS).join(', ')}, or a mixture such as mix:${Object.keys(WORLDS).slice(0, 2).join('=1,')}=1`);
  return w;
}

export type { World, WorldProblem, Split, CheckResult, Faithfulness } from './types.js';
export { sampleProblems, splitOf, splitOfProblem, problemKey, splitCounts, SPLITS, worldPrompt, worldCorpus, writeWorldCorpus, mixedCorpus, writeCorpus, hash32, TEST_FRACTION, VALIDATION_FRACTION } from './common.js';
export type { MixedCorpusEntry, CorpusDoc, CorpusPhase } from './common.js';
export { preferencePairs, writePreferencePairs, PAIR_WORLDS, type PreferencePair } from './pairs.js';

/** Why `name` is not a world (a registered name, `mix:…` or `NAME@D`), or null when it is one. */
export function worldNameProblem(name: string): string | null {
  try {
    getWorld(name);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
