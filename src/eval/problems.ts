// The problems `r1 eval` asks, each prompt as text or chat messages: a dataset's rows (the question, then the paper's
// math instruction; a row without a usable answer is skipped with its id) for the math judge, or a world's held-out
// problems for the world's judge; evalJudge gives the run the one that fits. Not the sample-and-judge loop
// (benchmark.ts) and not flag parsing (src/cli/eval.ts).
import { UsageError } from '../run/spec.js';
import { resolveDataset, rowToProblem, mathGold, DatasetError, type Problem } from '../data/datasets.js';
import { readJsonl } from '../data/jsonl.js';
import { applyTemplate } from '../data/templates.js';
import { worldNameProblem } from '../data/worlds/index.js';
import type { World } from '../data/worlds/types.js';
import { MATH_INSTRUCTION, mathJudge, type BenchmarkProblem } from './benchmark.js';
import type { PromptInput } from './endpoint.js';
import type { Judge } from './runner.js';
import { worldJudge, type WorldEvalProblem } from './world.js';

/**
 * A problem `r1 eval` asks: a benchmark problem, and for a world's, the world's own problem (`world`: what the world's
 * judge, world.ts worldJudge, reads). A dataset's problems have no `world`; the math judge does not read it.
 */
export type EvalRunProblem = BenchmarkProblem & WorldEvalProblem;

/** The judge of a run: the world's own check (the same judge as worldTasks' judge), or the math judge for a dataset. */
export function evalJudge(world: World | null): Judge<EvalRunProblem> {
  return world ? worldJudge(world) : mathJudge;
}

/** Problems left out of a run, with why (summary.json's `skipped`). */
export type Skipped = { problem_id: string; error: string }[];

/**
 * The prompt template of a run on a world (world: its name) or a dataset: the one asked for, else 'compact' for a world,
 * 'chat' where the checkpoint's tokenizer has a chat template, else 'r1-zero'. An unknown world or chat without a template
 * is a user error.
 */
export function evalTemplate(asked: string | null, world: string | null, hasChat: boolean, model: string | null): string {
  if (world !== null && worldNameProblem(world)) throw new UsageError(worldNameProblem(world)!);
  const template = asked ?? (world !== null ? 'compact' : hasChat ? 'chat' : 'r1-zero');
  if (template === 'chat' && !hasChat) throw new UsageError(`--template chat: ${model} has no chat template (tokenizer_config.json); use --template r1-zero or compact`);
  return template;
}

/** A world's held-out problems (prompts already in `template`, or 'compact' for chat) with chat prompts as the bare question. */
export function worldProblems<T extends { prompt: string; fields: Record<string, unknown> }>(heldOut: readonly T[], template: string):
  (Omit<T, 'prompt'> & { prompt: PromptInput })[] {
  return heldOut.map((p) => ({ ...p, prompt: template === 'chat' ? { messages: [{ role: 'user', content: String(p.fields.question) }] } : { text: p.prompt } }));
}

/** A dataset's problems (at most limit) in template: chat messages, or text through the template; skipped rows go to skipped. */
export async function datasetProblems(dataset: string, template: string, limit: number | undefined, skipped: Skipped, log: (m: string) => void): Promise<BenchmarkProblem[]> {
  const rows = await loadRows(dataset, limit, skipped, log);
  return rows.map((p) => {
    // reward (issue 22): a conversational row (TRL's prompt: [messages]) is sent as its messages, without the instruction
    if (p.messages && template === 'chat') return { id: p.id, gold: p.gold, prompt: { messages: p.messages } };
    if (p.messages && p.messages.length > 1) throw new UsageError(`${dataset}: problem ${p.id} is a conversation of ${p.messages.length} messages; it needs --template chat`);
    const content = `${p.prompt}\n${MATH_INSTRUCTION}`;
    return { id: p.id, gold: p.gold, prompt: template === 'chat' ? { messages: [{ role: 'user', content }] } : { text: applyTemplateOrThrow(template, content) } };
  });
}

function applyTemplateOrThrow(template: string, content: string): string {
  try {
    return applyTemplate(template, content);
  } catch (e) {
    throw new UsageError(`--template: ${(e as Error).message}`);
  }
}

/** The dataset's problems; a line without a usable answer is reported with its id and skipped (counted in the summary). */
async function loadRows(name: string, limit: number | undefined, skipped: Skipped, log: (m: string) => void): Promise<Problem[]> {
  let file: string;
  try {
    file = resolveDataset(name);
  } catch (e) {
    throw new UsageError((e as DatasetError).message);
  }
  const out: Problem[] = [];
  for await (const { value, line } of readJsonl<Record<string, unknown>>(file, {
    onError: 'skip', onSkip: (e) => { log(`skipped ${e.message}`); skipped.push({ problem_id: `${file}:${e.line ?? '?'}`, error: e.message }); },
  })) {
    const id = value.id !== undefined ? String(value.id) : value.unique_id !== undefined ? String(value.unique_id) : `${file}:${line}`;
    const p = rowToProblem(value, `${file}:${line}`);
    let why = typeof p === 'string' ? p : null;
    if (typeof p !== 'string') {
      let ok: string | null = null;
      try { ok = mathGold(p.gold); } catch { ok = null; }
      if (ok === null) why = `gold answer ${JSON.stringify(p.gold)} cannot be parsed by the verifier`;
    }
    if (why !== null || typeof p === 'string') {
      log(`problem ${id} (${file}:${line}) skipped: ${why}`);
      skipped.push({ problem_id: id, error: why! });
      continue;
    }
    out.push(p);
    if (limit !== undefined && out.length >= limit) break;
  }
  if (out.length === 0) throw new UsageError(`${file}: no usable problems (${skipped.length} skipped); check the file's fields (question/problem/prompt and answer)`);
  return out;
}
