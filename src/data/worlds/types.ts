// The World interface: a seeded generator of verifiable problems plus the writer of a pretraining corpus
// in several styles (direct / step-by-step / self-correcting) with natural error rates, and the checkers
// (answer, style, faithfulness of written arithmetic) that measurement and rewards use. Interface only.
import type { Rng } from '../../util/rng.js';

/** A problem of a world: the question text (goes into the template), the gold answer, and the world's own data. */
export interface WorldProblem {
  /** Canonical key of the problem (also what decides its split). */
  id: string;
  question: string;
  gold: string;
}

export type Split = 'train' | 'test';

export interface CheckResult {
  /** The completion is `<think> … </think> <answer> … </answer>` with an answer the world can parse. */
  formatOk: boolean;
  /** The parsed answer in canonical form (a majority-vote key), or null. */
  answer: string | null;
  correct: boolean;
}

export interface Faithfulness {
  /** Arithmetic statements written in the reasoning. */
  lines: number;
  /** Statements that are false, or that use operands the problem or earlier lines do not give. */
  unfaithful: number;
  /** Whether the final answer is what the written lines imply (null when there are no lines to imply it). */
  answerFollows: boolean | null;
}

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
  /** A completion (the text after "Assistant:") in a style, with that style's natural slips. */
  write(p: P, style: string, rng: Rng): string;
  check(p: P, completion: string): CheckResult;
  /** The style of a completion, or null when it follows none. */
  styleOf(completion: string): string | null;
  faithfulness(p: P, completion: string): Faithfulness;
  /** Whether a completion leaves the language the problem names (null: the problem names none). Optional. */
  mixesLanguage?(p: P, completion: string): boolean | null;
  /** A generous generation budget in characters for a problem of this difficulty. */
  maxCompletionChars(difficulty: number): number;
}
