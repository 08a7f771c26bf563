// The registry of synthetic worlds: a name → World table (the default is addition, the experiment; the
// `-bi` variants are bilingual). Not the worlds themselves (one file each) nor their judges (src/rewards/worlds).
import type { World, WorldProblem } from './types.js';
import { addition, additionBi } from './addition.js';
import { expr, exprBi } from './expr.js';
import { countdown } from './countdown.js';
import { subset } from './subset.js';
import { mixWorld } from './mix.js';

export const WORLDS: Record<string, World<WorldProblem>> = {
  addition,
  'addition-bi': additionBi,
  expr,
  'expr-bi': exprBi,
  countdown,
  subset,
};

export const DEFAULT_WORLD = 'addition';

/** A world by name; `mix:a=2,b=1` is a mixture of registered worlds (mix.ts). */
export function getWorld(name: string): World<WorldProblem> {
  if (name.startsWith('mix:')) return mixWorld(name.slice(4), getWorld);
  const w = WORLDS[name];
  if (!w) throw new Error(`unknown world '${name}'; choose one of ${Object.keys(WORLDS).join(', ')}, or a mixture such as mix:${Object.keys(WORLDS).slice(0, 2).join('=1,')}=1`);
  return w;
}

export type { World, WorldProblem, Split, CheckResult, Faithfulness } from './types.js';
export { sampleProblems, splitOf, worldPrompt, worldCorpus, writeWorldCorpus, hash32, TEST_FRACTION } from './common.js';
