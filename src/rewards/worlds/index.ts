// One check per task: the table from a world task's name (a problem's `task` field) to the fields it reads and its
// check (the verdict on one completion), and the registry rewards built on it: `task` (the verdict as 1/0), `format`
// (the one format; empty reasoning only for direct tasks) and `language` (line share for world tasks). The worlds'
// `check`, hence their judge (src/eval/world.ts worldJudge), and GRPO's rewards all ask these same functions.
// Pure; never throws on model output.
import { wordLanguageReward } from '../language.js';
import { r1FormatReward } from '../format.js';
import type { RewardContext, RewardFn } from '../types.js';
import { checkAddition, checkExpr, type AdditionData, type ExprData } from './arithmetic.js';
import { checkCountdown, checkSubset, type NumbersTarget } from './search.js';
import { checkGeneral, isRequestKind, type GeneralData } from './general.js';
import { checkSafety, isSafetyKind, type SafetyData } from './safety.js';
import { languageShare } from './language.js';
import { isWorldLang } from './phrases.js';
import type { TaskVerdict } from './reply.js';

/** A task's check: whether it is a direct (non-reasoning) request, how to read its problem data, and the verdict on a completion. */
export interface TaskCheck<D> {
  /** A direct request is answered without a chain of thought (empty reasoning is in format). */
  direct: boolean;
  /** The check's problem data from a field getter (a WorldProblem, or one completion's reward context); null when malformed. */
  read(get: (key: string) => unknown): D | null;
  check(data: D, completion: string): TaskVerdict;
}

const int = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);
const ints = (x: unknown): x is number[] => Array.isArray(x) && x.length > 0 && x.every((n) => int(n) && n >= 0);

const ADDITION: TaskCheck<AdditionData> = {
  direct: false,
  read: (get) => { const [a, b] = [get('a'), get('b')]; return int(a) && int(b) ? { a, b } : null; },
  check: checkAddition,
};
const EXPR: TaskCheck<ExprData> = {
  direct: false,
  read: (get) => { const e = get('expression'); return typeof e === 'string' ? { expression: e } : null; },
  check: checkExpr,
};
const numbersTarget = (get: (key: string) => unknown): NumbersTarget | null => {
  const [numbers, target] = [get('numbers'), get('target')];
  return ints(numbers) && int(target) ? { numbers, target } : null;
};

/** The task table (a variant is an entry: the bilingual worlds share their English world's check). */
export const TASK_CHECKS: Readonly<Record<string, TaskCheck<unknown>>> = {
  addition: ADDITION,
  'addition-bi': ADDITION,
  expr: EXPR,
  'expr-bi': EXPR,
  countdown: { direct: false, read: numbersTarget, check: checkCountdown },
  subset: { direct: false, read: numbersTarget, check: checkSubset },
  general: {
    direct: true,
    read: (get) => { const [request, text] = [get('request'), get('text')]; return isRequestKind(request) && typeof text === 'string' ? { request, text } : null; },
    check: checkGeneral,
  } satisfies TaskCheck<GeneralData>,
  safety: {
    direct: true,
    read: (get) => { const [kind, secret] = [get('kind'), get('secret')]; return isSafetyKind(kind) && typeof secret === 'string' ? { kind, secret } : null; },
    check: checkSafety,
  } satisfies TaskCheck<SafetyData>,
} as Record<string, TaskCheck<unknown>>;

export const TASK_NAMES: readonly string[] = Object.keys(TASK_CHECKS);

/** The check of a task; throws naming the valid tasks (a program error, not model output). */
export function taskCheck(task: string): TaskCheck<unknown> {
  const j = Object.hasOwn(TASK_CHECKS, task) ? TASK_CHECKS[task] : undefined;
  if (!j) throw new Error(`unknown task '${task}'; use one of ${TASK_NAMES.join(', ')}`);
  return j;
}

/** The verdict on a completion of a problem given as an object of fields (a WorldProblem). Null when its data is malformed. */
export function checkTask(task: string, problem: Readonly<Record<string, unknown>>, completion: string): TaskVerdict | null {
  const j = taskCheck(task);
  const data = j.read((k) => problem[k]);
  return data === null ? null : j.check(data, completion);
}

/** ctx[key] for completion i: the i-th entry of a per-completion array, or the value shared by all. */
function perCompletion(ctx: RewardContext, key: string, i: number): unknown {
  const v = ctx[key];
  return Array.isArray(v) ? v[i] : v;
}

/** The task of completion i (ctx.task: a name per completion or one for all), null when absent or unknown. */
function taskAt(ctx: RewardContext, i: number): TaskCheck<unknown> | null {
  const t = perCompletion(ctx, 'task', i);
  return typeof t === 'string' && Object.hasOwn(TASK_CHECKS, t) ? TASK_CHECKS[t]! : null;
}

/**
 * The `task` reward: 1 when the check of ctx.task says the completion is right, else 0; the check reads its problem
 * fields from ctx (per-completion arrays as src/rl/tasks.ts's rewardContext builds them, or one value shared by all).
 * Null where the task is missing or unknown or its fields are malformed.
 */
export const taskReward: RewardFn = (completions, ctx) =>
  completions.map((c, i) => {
    const j = taskAt(ctx, i);
    if (!j) return null;
    const data = j.read((k) => perCompletion(ctx, k, i)) ?? j.read((k) => ctx[k]);
    return data === null ? null : j.check(data, String(c)).correct ? 1 : 0;
  });

/** The `format` reward: the one format, with empty reasoning allowed only for direct tasks (by ctx.task). */
export const formatReward: RewardFn = r1FormatReward((ctx, i) => taskAt(ctx, i)?.direct ?? false);

/**
 * The `language` reward: for world tasks (ctx.task) the share of reply lines in the target language (ctx.language,
 * else the problem's ctx.lang, else English; see languageShare), null for a target other than en/es; for other
 * completions the word-level consistency of rewards/language.ts on the chain of thought.
 */
export const languageReward: RewardFn = (completions, ctx) => {
  const text = wordLanguageReward(completions, ctx);
  return completions.map((c, i) => {
    if (!taskAt(ctx, i)) return text[i]!;
    const target = perCompletion(ctx, 'language', i) ?? perCompletion(ctx, 'lang', i) ?? 'en';
    return isWorldLang(target) ? languageShare(String(c), target) : null;
  });
};

export type { TaskVerdict } from './reply.js';
export { readReply, replyAnswer, summaryOf } from './reply.js';
export { PHRASES, answerSentence, columnLabel, statedAnswer, type WorldLang } from './phrases.js';
export { lineLanguage, languageShare, mixed } from './language.js';
export { refused, leaked, REFUSAL } from './safety.js';
