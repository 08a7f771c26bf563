// The registry of synthetic worlds: a name → World table (the default is addition, the experiment).
// Not the worlds themselves (one file each) nor measurement (measure.ts).
import type { World, WorldProblem } from './types.js';
import { addition } from './addition.js';
import { expr } from './expr.js';
import { countdown } from './countdown.js';
import { subset } from './subset.js';

export const WORLDS: Record<string, World<WorldProblem>> = {
  addition,
  expr,
  countdown,
  subset,
};

export const DEFAULT_WORLD = 'addition';

export function getWorld(name: string): World<WorldProblem> {
  const w = WORLDS[name];
  if (!w) throw new Error(`unknown world '${name}'; choose one of ${Object.keys(WORLDS).join(', ')}`);
  return w;
}

export type { World, WorldProblem, Split, CheckResult, Faithfulness } from './types.js';
export { sampleProblems, splitOf, worldPrompt, worldCorpus, writeWorldCorpus, hash32, TEST_FRACTION } from './common.js';
