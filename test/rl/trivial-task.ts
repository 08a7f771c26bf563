// Test fixture of the GRPO tests: the trivial task (one prompt 'a'; reward = share of 'b' in the completion) with a
// two-character tokenizer, and a registry whose 'accuracy' is that share. Not a test.
import { CharTokenizer } from '../../src/model/tokenizer.js';
import { createRegistry, type Registry } from '../../src/rewards/registry.js';
import type { TaskSource, TaskProblem } from '../../src/rl/tasks.js';

export const tok = new CharTokenizer({ chars: 'ab' });

export const shareOfB = (cs: string[]) => cs.map((c) => (c.length ? [...c].filter((x) => x === 'b').length / c.length : 0));

/** A registry whose 'accuracy' is the share of b's (the trivial task). */
export function trivialRegistry(): Registry {
  const base = createRegistry();
  const combine = (specs: { name: string; weight?: number }[], cs: string[]) => {
    const scores = shareOfB(cs);
    return { total: scores.map((s) => s * (specs[0]!.weight ?? 1)), components: { accuracy: scores } };
  };
  return { ...base, combine, combineAsync: async (specs, cs) => combine(specs, cs) };
}

const problem: TaskProblem = { id: 'p', gold: 'bbbb', prompt: 'a', fields: {} };
export const tasks: TaskSource = {
  name: 'trivial',
  draw: (_rng, n) => Array.from({ length: n }, () => problem),
  heldOut: (n) => Array.from({ length: n }, (_, i) => ({ ...problem, id: `p${i}` })),
  judge: async (texts) => ({
    outcomes: shareOfB(texts).map((s) => ({ answer: s === 1 ? 'all-b' : null, correct: s === 1 })),
    formatOk: texts.map(() => true),
  }),
};
