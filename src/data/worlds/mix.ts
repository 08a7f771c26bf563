// A mixture of worlds as one world: `mix:addition-bi=2,expr-bi=2,general=1,safety=1` draws each problem from a
// sub-world by weight and tags it with `task` (the sub-world's name), so pretraining, GRPO and measurement run on
// one model over several tasks, as R1 is one model over reasoning and general data. Not a world of its own: every
// question is a sub-world's, and check / parsers / splits dispatch to that sub-world unchanged.
import type { Rng } from '../../util/rng.js';
import { pickWeighted } from './common.js';
import type { CheckResult, Faithfulness, World, WorldProblem } from './types.js';

/** A problem of a mixture: the sub-world's problem plus its task (the world's name without `@D`, what the judges key on) and the part it came from. */
export type MixProblem = WorldProblem & { task: string; mix_part: string };

const taskOf = (name: string) => name.replace(/@\d+$/, '');

/** Parses `a=2,b=1` (weights default 1) into [name, weight] pairs; throws a message naming the bad part. */
export function parseMixSpec(spec: string): [string, number][] {
  const parts = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new Error(`world 'mix:${spec}': list sub-worlds, e.g. mix:addition-bi=2,general=1`);
  return parts.map((part) => {
    const [name, w] = part.split('=');
    const weight = w === undefined ? 1 : Number(w);
    if (!name || !Number.isFinite(weight) || weight <= 0) throw new Error(`world 'mix:${spec}': '${part}' is not name=weight with a positive weight`);
    return [name.trim(), weight];
  });
}

/** The mixture of `parts` (sub-worlds with weights); `lookup` resolves names (the world registry). */
export function mixWorld(spec: string, lookup: (name: string) => World<WorldProblem>): World<MixProblem> {
  const parts = parseMixSpec(spec).map(([name, weight]) => ({ name, weight, world: lookup(name) }));
  const byName = new Map(parts.map((p) => [p.name, p.world]));
  const weights = Object.fromEntries(parts.map((p) => [p.name, p.weight]));
  const total = parts.reduce((s, p) => s + p.weight, 0);
  const sub = (p: WorldProblem): World<WorldProblem> => {
    const part = (p as MixProblem).mix_part ?? (p as MixProblem).task;
    const w = byName.get(part);
    if (!w) throw new Error(`mix:${spec}: problem ${p.id} comes from '${part}', not one of ${[...byName.keys()].join(', ')}`);
    return w;
  };
  const styles = [...new Set(parts.flatMap((p) => p.world.styles))];
  const naturalMix: Record<string, number> = {};
  for (const p of parts) for (const [s, w] of Object.entries(p.world.naturalMix)) naturalMix[s] = (naturalMix[s] ?? 0) + (w * p.weight) / total;
  return {
    name: `mix:${spec}`,
    description: `a mixture of ${parts.map((p) => `${p.name} (weight ${p.weight})`).join(', ')}; each problem is its sub-world's`,
    styles,
    naturalMix,
    // 0 = every sub-world at its own default difficulty
    defaultDifficulty: 0,
    generate(rng: Rng, difficulty: number): MixProblem {
      const name = pickWeighted(rng, weights);
      const w = byName.get(name)!;
      return { ...w.generate(rng, difficulty > 0 ? difficulty : w.defaultDifficulty), task: taskOf(name), mix_part: name };
    },
    parse(question) {
      for (const p of parts) {
        const q = p.world.parse(question);
        if (q) return { ...q, task: taskOf(p.name), mix_part: p.name };
      }
      return null;
    },
    write(p, style, rng) {
      const w = sub(p);
      return w.write(p, w.styles.includes(style) ? style : pickWeighted(rng, w.naturalMix), rng);
    },
    check(p, completion): CheckResult {
      return sub(p).check(p, completion);
    },
    styleOf(completion) {
      for (const p of parts) {
        const s = p.world.styleOf(completion);
        if (s !== null) return s;
      }
      return null;
    },
    faithfulness(p, completion): Faithfulness {
      return sub(p).faithfulness(p, completion);
    },
    untangle(p, completion) {
      const w = sub(p);
      return w.untangle ? w.untangle(p, completion) : completion;
    },
    mixesLanguage(p, completion) {
      const w = sub(p);
      // a sub-world that names no language never mixes
      return w.mixesLanguage ? w.mixesLanguage(p, completion) === true : false;
    },
    maxCompletionChars(difficulty) {
      return Math.max(...parts.map((p) => p.world.maxCompletionChars(difficulty > 0 ? difficulty : p.world.defaultDifficulty)));
    },
  };
}
