// Where GRPO's problems come from: a synthetic world (train split for rollouts, test split held out)
// or a JSONL dataset, each templated into prompts, with a judge for held-out evaluation.
// Not a dataset reader (src/data) nor a reward (src/rewards): only the glue the trainer needs.
import type { Rng } from '../util/rng.js';
import type { ChatMessage, Problem } from '../data/datasets.js';
import { renderPrompt } from '../data/chat.js';
import { sampleProblems } from '../data/worlds/common.js';
import type { World, WorldProblem } from '../data/worlds/types.js';
import { registryJudge, type Judge } from '../eval/runner.js';
import { worldJudge } from '../eval/world.js';

/** A problem ready for rollouts: its templated prompt, gold answer, and fields for task rewards. */
export interface TaskProblem {
  id: string;
  gold: string;
  prompt: string;
  /** Extra per-problem fields handed to rewards through the context (e.g. countdown's numbers, target); a dataset's columns. */
  fields: Record<string, unknown>;
  /** The prompt as the data gave it, before templating (a question, or a conversation): what user reward modules receive. */
  input?: string | ChatMessage[];
  /** The world's own problem (for its checker); absent for dataset problems. */
  world?: WorldProblem;
}

/** The held-out splits: test (reported numbers) and validation (choices: learning rates, steps, checkpoints). */
export type HeldOutSplit = 'test' | 'validation';

export interface TaskSource {
  name: string;
  /** n training problems for one step, drawn with rng (distinct problems unless `repeats`: a survey of the source, not a step). */
  draw(rng: Rng, n: number, repeats?: boolean): TaskProblem[];
  /** The first n held-out problems (always the same ones): the test split, or a world's validation split when asked. */
  heldOut(n: number, split?: HeldOutSplit): TaskProblem[];
  /** Judge for held-out evaluation (correctness, format, voting key). */
  judge: Judge<TaskProblem>;
  /** The world the problems come from (its reflection parser and difficulty levels feed the metrics); absent for datasets. */
  world?: World;
}

/** A world's problems in the given template ('chat': the checkpoint's chat template through renderChat); the world's own checker judges evaluations. */
export function worldTasks(world: World, template: string, seed: number, renderChat: ((m: ChatMessage[]) => string) | null = null): TaskSource {
  const toTask = (p: WorldProblem): TaskProblem => {
    const { id, question, gold, ...fields } = p;
    return { id, gold, prompt: renderPrompt(template, question, undefined, renderChat), fields: { question, ...fields }, input: question, world: p };
  };
  const cache = new Map<string, TaskProblem[]>();
  return {
    name: world.name,
    draw: (rng, n, repeats) => sampleProblems(world, { split: 'train', count: n, seed: rng.nextU32(), unique: !repeats }).map(toTask),
    heldOut: (n, split = 'test') => {
      const key = `${split} ${n}`;
      if (!cache.has(key)) cache.set(key, sampleProblems(world, { split, count: n, seed: seed ^ 0x5eed }).map(toTask));
      return cache.get(key)!;
    },
    judge: worldJudge<TaskProblem>(world),
    world,
  };
}

/**
 * Dataset problems: rollouts draw from `train` with replacement across steps; `test` is held out. Prompts are rendered
 * up front (a conversation needs template 'chat' and renderChat, the checkpoint's chat template); a row's columns
 * become its fields.
 */
export function dataTasks(name: string, train: Problem[], test: Problem[], template: string,
  renderChat: ((m: ChatMessage[]) => string) | null = null): TaskSource {
  if (train.length === 0) throw new Error(`dataset ${name} has no training problems left after holding out evaluation problems; pass --eval-data FILE or lower --eval-problems`);
  const toTask = (p: Problem): TaskProblem => ({
    id: p.id, gold: p.gold, prompt: renderPrompt(template, p.prompt, p.messages, renderChat), fields: { ...p.columns }, input: p.messages ?? p.prompt,
  });
  const trainTasks = train.map(toTask), testTasks = test.map(toTask); // a prompt that cannot be rendered fails before any work
  return {
    name,
    draw: (rng, n) => Array.from({ length: n }, () => trainTasks[rng.int(0, trainTasks.length - 1)]!),
    heldOut: (n, split = 'test') => {
      if (split !== 'test') throw new Error(`dataset ${name} has no ${split} split: only a world's problems have one`);
      return testTasks.slice(0, n);
    },
    judge: registryJudge('accuracy', template === 'r1-zero' ? 'r1-zero-format' : 'format'),
  };
}

/** The reward context of a list of problems (one entry per completion): gold, prompts, and every extra field as an array. */
export function rewardContext(problems: readonly TaskProblem[]): Record<string, unknown[]> & { gold: string[]; prompts: string[] } {
  const ctx: Record<string, unknown[]> & { gold: string[]; prompts: string[] } = {
    gold: problems.map((p) => p.gold), prompts: problems.map((p) => p.prompt),
  };
  const keys = new Set(problems.flatMap((p) => Object.keys(p.fields)));
  for (const k of keys) if (!(k in ctx)) ctx[k] = problems.map((p) => p.fields[k]);
  return ctx;
}
