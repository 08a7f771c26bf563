// Model-based GRPO rewards: reward models (each scores the replies of the problems it covers) and judge models
// (an endpoint or a local checkpoint says correct/incorrect against the reference); each weighted term joins the rule
// rewards' total as one more logged component. Rewards in src/rewards are pure and never load a model, so these plug
// in at the trainer. Not the models (rm.ts, eval/judge-model.ts). DeepSeek-R1 §2.3.4 (helpfulness on the summary,
// harmlessness on the whole reply) and §2.3.3 (a judge model for answers no rule can check).
import type { CombinedRewards } from '../rewards/registry.js';
import { JUDGE_TEMPLATES, type JudgeTemplate } from '../rewards/judge-model.js';
import { loadCheckpoint } from '../model/checkpoint.js';
import { endpointJudgeModel, judgeModelRewards, localJudgeModel, type JudgeModel } from '../eval/judge-model.js';
import { specCovers, type RewardSpec } from './covered.js';
import { REPLY_VIEWS, loadRewardModel, scoreWithRewardModel, type ReplyView, type RewardModel } from './rm.js';
import type { MatmulPrecision } from '../tensor/index.js';

/** One reward model as ModelRewards scores it (a rewards entry with `rewardModel`; the deprecated `rewardModels` list's shape). */
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

/** One judge model as ModelRewards scores it (a rewards entry with `judge`; the deprecated `judges` list's shape): 1 when it calls the reply's summary correct against the problem's gold answer, else 0. */
export interface JudgeModelSpec {
  /** The component's name in metrics.jsonl and samples.jsonl; must not clash with another reward's. */
  name: string;
  /** With `endpoint`: the served model's name; without: a local checkpoint folder (run greedy with the r1ts sampler). */
  model: string;
  /** An OpenAI-compatible base URL (e.g. http://localhost:8000); absent: `model` is local. */
  endpoint?: string;
  /** The environment variable holding the endpoint's API key (the key itself never goes in a config). */
  apiKeyEnv?: string;
  /** The judge prompt: 'instruct' (default with an endpoint) or 'compact' (default for a local model). */
  template?: JudgeTemplate;
  /** Its weight in the total reward. */
  weight: number;
  /**
   * As for reward models: only problems whose `kind` or `task` is listed (absent: all). A covered problem without a
   * gold answer gets no term; a covered one the judge gives no verdict on is null (left out of the loss, as any
   * unscorable completion), unless the weight is 0.
   */
  kinds?: string[];
}

const RM_FIELDS = ['name', 'path', 'on', 'weight', 'kinds'];
const JUDGE_FIELDS = ['name', 'model', 'endpoint', 'apiKeyEnv', 'template', 'weight', 'kinds'];

const JUDGE_REF_FIELDS = ['model', 'endpoint', 'apiKeyEnv', 'template'];

/** Why a rewards entry's reward-model or judge fields are malformed (naming the entry and the fix), or null. */
export function modelRewardProblem(r: RewardSpec, label: string): string | null {
  if (r.rewardModel !== undefined && r.judge !== undefined) return `${label}: give rewardModel or judge, not both`;
  if (r.rewardModel !== undefined) {
    if (typeof r.rewardModel !== 'string' || !r.rewardModel) return `${label}: rewardModel must be a folder written by r1 train-rm`;
    if (!REPLY_VIEWS.includes(r.on as ReplyView)) return `${label}: on must be 'summary' (helpfulness) or 'whole' (harmlessness), the view the reward model was trained on`;
  } else if (r.on !== undefined) return `${label}: on goes with rewardModel (the view a reward model reads)`;
  if (r.judge === undefined) return null;
  const j = r.judge as unknown as Record<string, unknown>;
  if (!j || typeof j !== 'object' || Array.isArray(j)) return `${label}: judge must be an object {model, endpoint?, apiKeyEnv?, template?}`;
  const extra = Object.keys(j).filter((k) => !JUDGE_REF_FIELDS.includes(k));
  if (extra.length) return `${label}: judge has unknown field(s) ${extra.join(', ')}; it is {model, endpoint?, apiKeyEnv?, template?}`;
  if (typeof j.model !== 'string' || !j.model) return `${label}: judge needs model (the served name with endpoint, else a checkpoint folder)`;
  for (const k of ['endpoint', 'apiKeyEnv'] as const) if (j[k] !== undefined && (typeof j[k] !== 'string' || !j[k])) return `${label}: judge.${k} must be a non-empty string`;
  if (j.template !== undefined && !(String(j.template) in JUDGE_TEMPLATES)) return `${label}: judge.template must be one of ${Object.keys(JUDGE_TEMPLATES).join(', ')}`;
  return null;
}

/** The deprecated rewardModels and judges lists as rewards entries (reward models first, as ModelRewards scores them after the judges either way). */
export function asRewardEntries(rewardModels: readonly RewardModelSpec[], judges: readonly JudgeModelSpec[]): RewardSpec[] {
  return [
    ...rewardModels.map(({ path, on, ...common }) => ({ ...common, rewardModel: path, on })),
    ...judges.map(({ name, weight, kinds, ...judge }) => ({ name, weight, ...(kinds ? { kinds } : {}), judge })),
  ];
}

/** The reward- and judge-model entries of a rewards list, loaded on first use by the ModelRewards it returns. */
export function modelRewardsOf(rewards: readonly RewardSpec[]): ModelRewards {
  const common = (r: RewardSpec) => ({ name: r.name, weight: r.weight, ...(r.kinds ? { kinds: r.kinds } : {}) });
  return new ModelRewards(
    rewards.filter((r) => r.rewardModel !== undefined).map((r) => ({ ...common(r), path: r.rewardModel!, on: r.on! })),
    rewards.filter((r) => r.judge !== undefined).map((r) => ({ ...common(r), ...r.judge! })),
  );
}

/** The message for a malformed `rewardModels` or `judges` list (naming the entry and the fix), or null when both are valid. */
export function rewardModelsProblem(list: unknown, ruleNames: readonly string[], judges: unknown = []): string | null {
  if (!Array.isArray(list)) return 'rewardModels must be a list of {name, path, on, weight, kinds?}';
  if (!Array.isArray(judges)) return 'judges must be a list of {name, model, endpoint?, apiKeyEnv?, template?, weight, kinds?}';
  const seen = new Set(ruleNames);
  for (const [key, fields, entries] of [['rewardModels', RM_FIELDS, list], ['judges', JUDGE_FIELDS, judges]] as const) {
    for (const s of entries as Record<string, unknown>[]) {
      const label = `${key} entry ${JSON.stringify(s)?.slice(0, 80)}`;
      const shape = `{${fields.join(', ')}}`;
      if (!s || typeof s !== 'object') return `${label}: must be an object ${shape}`;
      const extra = Object.keys(s).filter((k) => !fields.includes(k));
      if (extra.length) return `${label}: unknown field(s) ${extra.join(', ')}; an entry is ${shape}`;
      if (typeof s.name !== 'string' || !s.name) return `${label}: needs a non-empty name (its metrics key)`;
      if (seen.has(s.name)) return `${label}: the name '${s.name}' is already a reward's; give each reward its own name`;
      seen.add(s.name);
      if (typeof s.weight !== 'number' || !Number.isFinite(s.weight)) return `${label}: weight must be a finite number`;
      if (s.kinds !== undefined && (!Array.isArray(s.kinds) || s.kinds.some((k) => typeof k !== 'string'))) return `${label}: kinds must be a list of strings (problem kinds or world names)`;
      if (key === 'rewardModels' && (typeof s.path !== 'string' || !s.path)) return `${label}: needs path, a folder written by r1 train-rm`;
      // the rest as the rewards entry it becomes: one set of checks for both shapes
      const [entry] = key === 'rewardModels' ? asRewardEntries([s as unknown as RewardModelSpec], []) : asRewardEntries([], [s as unknown as JudgeModelSpec]);
      const p = modelRewardProblem(entry!, label);
      if (p) return p;
    }
  }
  return null;
}

/** What the model rewards need to know of each completion's problem. */
export interface ScoredProblem {
  prompt: string;
  /** The reference answer a judge compares against ('' or absent: none). */
  gold?: string;
  fields: Record<string, unknown>;
}

/** A judge model as configured: an endpoint (API key from the environment) or a local checkpoint. */
export async function loadJudgeModel(spec: JudgeModelSpec, precision: MatmulPrecision = 'fp32'): Promise<JudgeModel> {
  if (spec.endpoint) {
    const apiKey = spec.apiKeyEnv ? process.env[spec.apiKeyEnv] : undefined;
    if (spec.apiKeyEnv && !apiKey) throw new Error(`judges '${spec.name}': the environment variable ${spec.apiKeyEnv} is not set; export the API key there or drop apiKeyEnv`);
    return endpointJudgeModel({ url: spec.endpoint, model: spec.model, apiKey, template: spec.template ?? 'instruct' });
  }
  const { model, tokenizer } = await loadCheckpoint(spec.model, precision);
  return localJudgeModel(model, tokenizer, { template: spec.template ?? 'compact' });
}

/** The configured reward models and judge models, loaded on first use and kept; `add` scores a step's completions with each. */
export class ModelRewards {
  private models: Promise<RewardModel[]> | null = null;
  private judgeModels: Promise<JudgeModel[]> | null = null;
  /** The matmul precision the models load in (the trainer sets its own before the first step). */
  precision: MatmulPrecision = 'fp32';

  constructor(readonly specs: readonly RewardModelSpec[], readonly judges: readonly JudgeModelSpec[] = [],
    private readonly load: (path: string, precision: MatmulPrecision) => Promise<RewardModel> = loadRewardModel,
    private readonly loadJudge: (spec: JudgeModelSpec, precision: MatmulPrecision) => Promise<JudgeModel> = loadJudgeModel) {}

  private loaded(): Promise<RewardModel[]> {
    this.models ??= Promise.all(this.specs.map(async (s) => {
      const rm = await this.load(s.path, this.precision);
      if (rm.view !== s.on) {
        throw new Error(`rewardModels '${s.name}': ${s.path} was trained on the '${rm.view}' view but the config says on: '${s.on}'; set on: '${rm.view}' or retrain with r1 train-rm --on ${s.on}`);
      }
      return rm;
    }));
    return this.models;
  }

  /** Adds each model's weighted score to scored.total (null totals stay null) and its scores as a component (null where it does not cover the problem). */
  async add(scored: CombinedRewards, completions: readonly string[], problems: readonly ScoredProblem[]): Promise<void> {
    if (this.judges.length) await this.addJudges(scored, completions, problems);
    if (this.specs.length === 0) return;
    const models = await this.loaded();
    this.specs.forEach((spec, m) => {
      const rows = problems.map((p, i) => (specCovers(spec, p) ? i : -1)).filter((i) => i >= 0);
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

  /** Each judge's 1/0 verdict where it covers the problem and there is a gold answer; a missing verdict makes the total null (weight 0: reported only). */
  private async addJudges(scored: CombinedRewards, completions: readonly string[], problems: readonly ScoredProblem[]): Promise<void> {
    this.judgeModels ??= Promise.all(this.judges.map((j) => this.loadJudge(j, this.precision)));
    const fns = await this.judgeModels;
    const question = (p: ScoredProblem) => (typeof p.fields['question'] === 'string' ? p.fields['question'] as string : p.prompt);
    for (const [j, spec] of this.judges.entries()) {
      const rows = problems.map((p, i) => (specCovers(spec, p) && p.gold ? i : -1)).filter((i) => i >= 0);
      const scores = await judgeModelRewards(fns[j]!, rows.map((i) => completions[i]!), rows.map((i) => question(problems[i]!)), rows.map((i) => problems[i]!.gold));
      const component: (number | null)[] = new Array(completions.length).fill(null);
      rows.forEach((i, k) => {
        const v = scores[k] ?? null;
        component[i] = v;
        const t = scored.total[i];
        if (t !== null && t !== undefined) scored.total[i] = v === null ? (spec.weight === 0 ? t : null) : t + spec.weight * v;
      });
      scored.components[spec.name] = component;
    }
  }
}
