// Rewards written by the user, TRL's reward_funcs contract in TypeScript: `(prompts, completions, columns) => (number |
// null)[]` (or a Promise of it), loaded from `./reward.ts#name` (through tsx) or passed as functions; and RewardSet, the
// one list of reward specs a GRPO run scores with (registry rewards by name, user functions), weighted as TRL's
// reward_weights. Not the registry's rewards (src/rewards) nor reward models (rm-reward.ts). TRL 1.13 GRPOTrainer._calculate_rewards.
import { existsSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CombinedRewards, Registry } from '../rewards/registry.js';
import type { ChatMessage } from '../data/datasets.js';
import { coveredTotal, isModelReward, type RewardColumns, type RewardCompletion, type RewardPrompt, type RewardSpec, type UserRewardFn } from './covered.js';
import { UsageError } from '../run/spec.js';
import { rewardContext, type TaskProblem } from './tasks.js';

export type { RewardColumns, RewardCompletion, RewardPrompt, UserRewardFn } from './covered.js';

/** A reward module or function that cannot be used, named with the fix; a user error (the CLI exits 2). */
export class RewardModuleError extends UsageError {}

const MODULE_EXTS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/**
 * `--reward-module PATH#EXPORT[:WEIGHT]` as a reward spec (PATH alone: its default export, weight 1); the
 * path is made absolute against cwd so that config.json names the same file from anywhere.
 */
export function parseRewardModuleFlag(text: string, cwd = process.cwd()): RewardSpec {
  const hash = text.lastIndexOf('#');
  const path = hash >= 0 ? text.slice(0, hash) : text;
  const rest = hash >= 0 ? text.slice(hash + 1) : 'default';
  const colon = rest.indexOf(':');
  const exportName = colon >= 0 ? rest.slice(0, colon) : rest;
  const weight = colon >= 0 ? Number(rest.slice(colon + 1)) : 1;
  if (!path || !exportName || !/^[A-Za-z_$][\w$]*$/.test(exportName) || !Number.isFinite(weight) || (colon >= 0 && rest.slice(colon + 1).trim() === '')) {
    throw new RewardModuleError(`--reward-module '${text}' is not PATH#EXPORT or PATH#EXPORT:WEIGHT (e.g. ./reward.ts#correct:1.0)`);
  }
  return { name: exportName, weight, module: `${isAbsolute(path) ? path : resolve(cwd, path)}#${exportName}` };
}

/** Imports `path#export` (TypeScript through tsx, JavaScript natively) and returns the function; errors name the module and the fix. */
export async function loadRewardFunction(module: string, cwd = process.cwd()): Promise<UserRewardFn> {
  const hash = module.lastIndexOf('#');
  const path = hash >= 0 ? module.slice(0, hash) : module;
  const name = hash >= 0 ? module.slice(hash + 1) : 'default';
  const file = isAbsolute(path) ? path : resolve(cwd, path);
  if (!existsSync(file)) throw new RewardModuleError(`reward module ${path}: file not found (${file}); check the path of --reward-module PATH#EXPORT`);
  const ext = extname(file);
  if (!MODULE_EXTS.includes(ext)) throw new RewardModuleError(`reward module ${path}: '${ext || 'no extension'}' is not a module; use a .ts, .mts, .js or .mjs file`);
  let mod: Record<string, unknown>;
  try {
    const url = pathToFileURL(file).href;
    if (/^\.[mc]?ts$/.test(ext)) {
      const { tsImport } = await import('tsx/esm/api');
      mod = await tsImport(url, import.meta.url) as Record<string, unknown>;
    } else {
      mod = await import(url) as Record<string, unknown>;
    }
  } catch (e) {
    throw new RewardModuleError(`reward module ${path} failed to load: ${oneLine(e)}; fix the module (run it with npx tsx to see the error)`);
  }
  const fn = mod[name];
  if (fn === undefined) {
    const fns = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    throw new RewardModuleError(`reward module ${path} has no export '${name}'${fns.length ? `; its functions: ${fns.join(', ')}` : '; export the reward function'}`);
  }
  if (typeof fn !== 'function') throw new RewardModuleError(`reward module ${path}#${name} is a ${typeof fn}, not a function (prompts, completions, columns) => (number | null)[]`);
  return fn as UserRewardFn;
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);
}

/** What a user function receives for a batch of rows: TRL's prompts, completions (messages for conversational prompts) and columns. */
export function userRewardArgs(texts: readonly string[], problems: readonly TaskProblem[]): [RewardPrompt[], RewardCompletion[], RewardColumns] {
  const prompts = problems.map((p) => p.input ?? p.prompt);
  const completions = texts.map((t, i): RewardCompletion => (Array.isArray(prompts[i]) ? [{ role: 'assistant', content: t }] : t));
  const { prompts: _templated, ...columns } = rewardContext(problems);
  return [prompts, completions, columns as RewardColumns];
}

/**
 * A user function's output made into scores: one finite number, null or NaN (→ null) per row, else a RewardModuleError
 * naming the function, the row and what to return.
 */
export function checkUserScores(label: string, out: unknown, n: number, where: string): (number | null)[] {
  if (!Array.isArray(out)) throw new RewardModuleError(`reward ${label} returned ${out === null ? 'null' : typeof out} ${where}; return an array of one number (or null) per completion`);
  if (out.length !== n) throw new RewardModuleError(`reward ${label} returned ${out.length} scores for ${n} completions ${where}${out.length < n ? ` (row ${out.length} has none)` : ''}; return one number (or null) per completion`);
  return out.map((v, i) => {
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RewardModuleError(`reward ${label}: row ${i} is ${typeof v === 'number' ? String(v) : `${JSON.stringify(v) ?? typeof v} (${typeof v})`} ${where}; return a finite number, or null where the reward does not apply`);
    }
    return v;
  });
}

interface Loaded {
  spec: RewardSpec;
  /** Present for user functions. */
  fn?: UserRewardFn;
  label: string;
}

/**
 * The rewards of a run, in config order: registry rewards by name and user functions (modules or passed in). The total
 * of a row is Σ weight · score over the rewards that cover it (`kinds`); a user function's null adds nothing (TRL's
 * nansum), a registry reward's null makes the row unscorable (its verdict is missing: r1ts's rule), and a row that no
 * weighted user function scored (each returned null) is unscorable too (TRL: all NaN). Unscorable rows are null: the trainer gives them no weight.
 */
export class RewardSet {
  private constructor(private readonly registry: Registry, private readonly rewards: Loaded[]) {}

  /** Loads every user module of specs (reward and judge models are skipped: rm-reward.ts scores them); errors (missing file, export, not a function, a name used twice) are RewardModuleErrors. */
  static async load(specs: readonly RewardSpec[], registry: Registry, cwd = process.cwd()): Promise<RewardSet> {
    const seen = new Set<string>();
    const out: Loaded[] = [];
    for (const spec of specs) {
      if (seen.has(spec.name)) throw new RewardModuleError(`reward '${spec.name}' is listed twice; give each reward its own name (--reward-module PATH#EXPORT names it EXPORT)`);
      seen.add(spec.name);
      if (isModelReward(spec)) continue; // reward and judge models: rm-reward.ts's ModelRewards
      if (spec.fn || spec.module) {
        const fn = spec.fn ?? await loadRewardFunction(spec.module!, cwd);
        if (typeof fn !== 'function') throw new RewardModuleError(`reward '${spec.name}': fn is not a function`);
        out.push({ spec, fn, label: spec.module ?? `function ${spec.name}` });
      } else {
        registry.get(spec.name); // an unknown name fails here, naming the valid ones
        out.push({ spec, label: spec.name });
      }
    }
    return new RewardSet(registry, out);
  }

  /** Whether any reward is a user function. */
  get hasUserRewards(): boolean {
    return this.rewards.some((r) => r.fn);
  }

  /**
   * Calls every user function once on `problems` with empty completions (valid model output: TRL's contract says a
   * reward never fails on it), so that a function that throws or returns the wrong shape fails before any training.
   */
  async probe(problems: readonly TaskProblem[]): Promise<void> {
    await this.score(problems.map(() => ''), problems, 'on the start-of-run check (empty completions)');
  }

  /** Scores completions (texts[i] answers problems[i]); `where` says when, for error messages (e.g. 'at step 12'). */
  async score(texts: readonly string[], problems: readonly TaskProblem[], where = ''): Promise<CombinedRewards> {
    const n = texts.length;
    const builtins = this.rewards.filter((r) => !r.fn).map((r) => ({ name: r.spec.name, weight: r.spec.weight }));
    const fromRegistry = builtins.length ? await this.registry.combineAsync(builtins, [...texts], rewardContext(problems)) : { total: [], components: {} };
    const args = userRewardArgs(texts, problems);
    const user = await Promise.all(this.rewards.filter((r) => r.fn).map(async (r) => {
      let out: unknown;
      try {
        out = await r.fn!(...args);
      } catch (e) {
        throw new RewardModuleError(`reward ${r.label} threw ${where} (rows 0-${n - 1}): ${oneLine(e)}; a reward returns null where it does not apply, it never throws`);
      }
      return [r.spec.name, checkUserScores(r.label, out, n, where)] as const;
    }));
    const components: Record<string, (number | null)[]> = { ...fromRegistry.components, ...Object.fromEntries(user) };
    const total = coveredTotal(this.rewards.map((r) => r.spec), components, problems, new Set(this.rewards.filter((r) => r.fn).map((r) => r.spec.name)));
    return { total, components };
  }
}
