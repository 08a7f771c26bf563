// Reward models as GRPO rewards: each configured model scores the replies of the problems it covers, and its weighted
// score joins the rule rewards' total as one more logged component. Rewards in src/rewards are pure and never load a
// model, so this plugs in at the trainer. Not the model (rm.ts). DeepSeek-R1 §2.3.4: rule rewards for reasoning
// prompts, a helpfulness model on the summary, a harmlessness model on the whole reply.
import type { CombinedRewards } from '../rewards/registry.js';
import { REPLY_VIEWS, loadRewardModel, scoreWithRewardModel, type ReplyView, type RewardModel } from './rm.js';

/** One reward model in a GRPO config (`rewardModels`). */
export interface RewardModelSpec {
  /** The component's name in metrics.jsonl (`rewards/NAME/mean`) and samples.jsonl; must not clash with a rule reward's. */
  name: string;
  /** A folder written by `r1 train-rm`. */
  path: string;
  /** 'summary': the model reads only the text after `</think>` (helpfulness); 'whole': all of the reply (harmlessness). Must be the view it was trained with. */
  on: ReplyView;
  /** Its weight in the total reward. */
  weight: number;
  /**
   * Only problems whose `kind` or `task` field (the world's name, e.g. 'general', 'safety') is listed are scored; the
   * others get no term from this model (0 added to their total; the component logs null, so its mean covers only
   * the scored problems). A group shares one prompt, so a term that is 0 for the whole group changes no advantage.
   * Absent: every problem.
   */
  kinds?: string[];
}

/** The message for a malformed `rewardModels` list (naming the entry and the fix), or null when it is valid. */
export function rewardModelsProblem(list: unknown, ruleNames: readonly string[]): string | null {
  if (!Array.isArray(list)) return 'rewardModels must be a list of {name, path, on, weight, kinds?}';
  const seen = new Set(ruleNames);
  for (const s of list as Record<string, unknown>[]) {
    const label = `rewardModels entry ${JSON.stringify(s)?.slice(0, 80)}`;
    if (!s || typeof s !== 'object') return `${label}: must be an object {name, path, on, weight, kinds?}`;
    const extra = Object.keys(s).filter((k) => !['name', 'path', 'on', 'weight', 'kinds'].includes(k));
    if (extra.length) return `${label}: unknown field(s) ${extra.join(', ')}; an entry is {name, path, on, weight, kinds?}`;
    if (typeof s.name !== 'string' || !s.name) return `${label}: needs a non-empty name (its metrics key)`;
    if (seen.has(s.name)) return `${label}: the name '${s.name}' is already a reward's; give each reward model its own name`;
    seen.add(s.name);
    if (typeof s.path !== 'string' || !s.path) return `${label}: needs path, a folder written by r1 train-rm`;
    if (!REPLY_VIEWS.includes(s.on as ReplyView)) return `${label}: on must be 'summary' (helpfulness) or 'whole' (harmlessness)`;
    if (typeof s.weight !== 'number' || !Number.isFinite(s.weight)) return `${label}: weight must be a finite number`;
    if (s.kinds !== undefined && (!Array.isArray(s.kinds) || s.kinds.some((k) => typeof k !== 'string'))) return `${label}: kinds must be a list of strings (problem kinds or world names)`;
  }
  return null;
}

/** What the model rewards need to know of each completion's problem. */
export interface ScoredProblem {
  prompt: string;
  fields: Record<string, unknown>;
}

/** Whether a spec covers a problem (its `kind` or `task` field is in `kinds`, or no `kinds` are given). */
export function covers(spec: RewardModelSpec, p: ScoredProblem): boolean {
  if (!spec.kinds) return true;
  return [p.fields['kind'], p.fields['task']].some((k) => typeof k === 'string' && spec.kinds!.includes(k));
}

/** The configured reward models, loaded on first use and kept; `add` scores a step's completions with each. */
export class ModelRewards {
  private models: Promise<RewardModel[]> | null = null;

  constructor(readonly specs: readonly RewardModelSpec[], private readonly load: (path: string) => Promise<RewardModel> = loadRewardModel) {}

  private loaded(): Promise<RewardModel[]> {
    this.models ??= Promise.all(this.specs.map(async (s) => {
      const rm = await this.load(s.path);
      if (rm.view !== s.on) {
        throw new Error(`rewardModels '${s.name}': ${s.path} was trained on the '${rm.view}' view but the config says on: '${s.on}'; set on: '${rm.view}' or retrain with r1 train-rm --on ${s.on}`);
      }
      return rm;
    }));
    return this.models;
  }

  /** Adds each model's weighted score to scored.total (null totals stay null) and its scores as a component (null where it does not cover the problem). */
  async add(scored: CombinedRewards, completions: readonly string[], problems: readonly ScoredProblem[]): Promise<void> {
    if (this.specs.length === 0) return;
    const models = await this.loaded();
    this.specs.forEach((spec, m) => {
      const rows = problems.map((p, i) => (covers(spec, p) ? i : -1)).filter((i) => i >= 0);
      const scores = scoreWithRewardModel(models[m]!, rows.map((i) => problems[i]!.prompt), rows.map((i) => completions[i]!));
      const component: (number | null)[] = new Array(completions.length).fill(null);
      rows.forEach((i, k) => {
        component[i] = scores[k]!;
        const t = scored.total[i];
        if (t !== null && t !== undefined) scored.total[i] = t + spec.weight * scores[k]!;
      });
      scored.components[spec.name] = component;
    });
  }
}
