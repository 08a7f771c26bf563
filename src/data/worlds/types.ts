// The World interface: a seeded generator of verifiable problems plus the writer of a pretraining corpus
// in several styles (direct / step-by-step / self-correcting) with natural error rates, and the checkers
// (answer through the task's one judge in src/rewards/worlds, style, faithfulness) measurement uses. Interface only.
import type { Rng } from '../../util/rng.js';
import type { TaskVerdict } from '../../rewards/worlds/index.js';

/** A problem of a world: the question text (goes into the template), the gold answer, and the world's own data. */
export interface WorldProblem {
  /** The problem as asked (distinct questions have distinct ids; two languages of one problem differ here). */
  id: string;
  /**
   * The canonical problem: language-free, operands in a canonical order, the same expression tree (`add:12,34` for
   * both `34+12 (answer in Spanish)` and `12+34`). What decides the split; absent means the id is already canonical.
   */
  key?: string;
  question: string;
  gold: string;
  /** The task whose judge checks it (src/rewards/worlds TASK_CHECKS; the world's name). Reaches the reward context. */
  task: string;
}

/** train: pretraining, SFT and RL draw from it; validation: every choice of a recipe (learning rate, steps, checkpoint); test: reported only. */
export type Split = 'train' | 'validation' | 'test';

/** `{format_ok, answer, correct}`: the verdict of the task's judge (the completion in the one format with a readable answer; the vote key; right or not). */
export type CheckResult = TaskVerdict;

export interface Faithfulness {
  /** Arithmetic statements written in the reasoning. */
  lines: number;
  /** Statements that are false, or that use operands the problem or earlier lines do not give. */
  unfaithful: number;
  /** Whether the final answer is what the written lines imply (null when there are no lines to imply it). */
  answerFollows: boolean | null;
}

/**
 * What a world's own parser of the reasoning reads in one completion (not a count of a phrase): whether it abandons
 * a line of work and tries another (backtracking), and whether it works a result out a second time (self-verification).
 */
export interface Reflection {
  backtrack: boolean;
  verify: boolean;
}

/** The difficulty to ask generate for when a world mixes its `difficulties` within a run: each problem draws its own level. */
export const MIXED_DIFFICULTY = 0;

export interface World<P extends WorldProblem = WorldProblem> {
  readonly name: string;
  readonly description: string;
  /** Corpus styles, e.g. ['direct', 'step', 'selfcheck']. */
  readonly styles: readonly string[];
  /** The mix of styles a natural corpus has (weights, summing to 1). */
  readonly naturalMix: Readonly<Record<string, number>>;
  readonly defaultDifficulty: number;
  /** Draws a random problem at a difficulty (no split filtering; see sampleProblems). */
  generate(rng: Rng, difficulty: number): P;
  /** Rebuilds a problem from its question text (for prompts read back from files). */
  parse(question: string): P | null;
  /** A completion (the text after the prompt) in the one format, in a style, with that style's natural slips. */
  write(p: P, style: string, rng: Rng): string;
  /** The task's judge on this problem's data (the same function as the registry's `task` reward). Never throws. */
  check(p: P, completion: string): CheckResult;
  /** The style of a completion, or null when it follows none. */
  styleOf(completion: string): string | null;
  faithfulness(p: P, completion: string): Faithfulness;
  /** Whether a completion leaves the language the problem names (null: the problem names none). Optional. */
  mixesLanguage?(p: P, completion: string): boolean | null;
  /** A generous generation budget in characters for a problem of this difficulty. */
  maxCompletionChars(difficulty: number): number;
  /** The levels generate(rng, MIXED_DIFFICULTY) draws from, uniformly, one per problem (a prompt-level variable). Optional. */
  readonly difficulties?: readonly number[];
  /** The difficulty of a problem (e.g. how many numbers its prompt gives), for per-difficulty measurement. Optional. */
  difficultyOf?(p: P): number;
  /**
   * Every canonical key of the problems generate(rng, difficulty) can draw, each once (for the split counts). Optional:
   * a world whose space is too large to list gives spaceSize instead.
   */
  keys?(difficulty: number): Iterable<string>;
  /** How many distinct canonical problems generate can draw at a difficulty (when keys would be too many to list). Optional. */
  spaceSize?(difficulty: number): number;
  /** The completion with any terse (run-on, unlabelled) reasoning written out as the world's step lines in the problem's language; unchanged otherwise. Optional. */
  untangle?(p: P, completion: string): string;
  /** Backtracking and re-checking in a completion's reasoning, read by the world's own parser. Optional. */
  reflection?(p: P, completion: string): Reflection;
}
