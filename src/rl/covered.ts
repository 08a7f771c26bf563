// Rule rewards limited to some problems (R1 §2.3.4: rules for reasoning prompts, reward models for general ones): a
// reward spec with `kinds` counts only for problems whose `kind` or `task` field is listed; elsewhere it adds nothing
// to the total. Pure; the registry still reports every component as scored. Not the registry's combine.
import type { RewardSpec } from './config.js';

/** A problem's fields as the trainer holds them. */
export interface KindedProblem {
  fields: Record<string, unknown>;
}

/** Whether spec counts for problem p (no `kinds`: every problem). */
export function specCovers(spec: RewardSpec, p: KindedProblem): boolean {
  if (!spec.kinds) return true;
  return [p.fields['kind'], p.fields['task']].some((k) => typeof k === 'string' && spec.kinds!.includes(k));
}

/**
 * Σ weight · component over the specs that cover each row's problem; null where a covering component with a non-zero
 * weight is null (the row cannot be scored), as the registry's own total does.
 */
export function coveredTotal(specs: readonly RewardSpec[], components: Record<string, (number | null)[]>, rows: readonly KindedProblem[]): (number | null)[] {
  return rows.map((p, i) => {
    let t = 0;
    for (const s of specs) {
      if (!specCovers(s, p)) continue;
      const v = components[s.name]?.[i] ?? null;
      if (v === null) {
        if (s.weight !== 0) return null;
        continue;
      }
      t += s.weight * v;
    }
    return t;
  });
}
