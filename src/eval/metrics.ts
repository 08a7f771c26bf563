// Evaluation metrics of the R1 paper: pass@1 as the mean correctness over k samples per problem,
// cons@k as the correctness of the majority-voted answer, and the unbiased pass@k estimator
// (Chen et al. 2021, "Evaluating Large Language Models Trained on Code"). Pure: no model, no verifier.

/** One sample of one problem: the extracted answer (null when none could be parsed) and whether it was judged right. */
export interface SampleOutcome {
  answer: string | null;
  correct: boolean;
}

/** pass@1 of one problem: the share of its samples that are right. */
export function pass1(samples: readonly SampleOutcome[]): number {
  if (samples.length === 0) return 0;
  return samples.filter((s) => s.correct).length / samples.length;
}

/**
 * Unbiased pass@k from n samples of which c are right: 1 - C(n-c, k) / C(n, k), computed as a
 * product to stay finite for large n.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (k > n) throw new Error(`passAtK: k = ${k} exceeds the ${n} samples drawn; draw at least k samples`);
  if (n - c < k) return 1;
  let miss = 1;
  for (let i = n - c + 1; i <= n; i++) miss *= 1 - k / i;
  return 1 - miss;
}

/**
 * Majority vote over the samples' answers, grouped by key (a normalised answer). Unparsed answers
 * do not vote. Ties go to the answer whose first occurrence comes earliest, so the result is
 * deterministic. Returns the index of the first sample holding the winning answer, or -1 when no
 * sample has an answer.
 */
export function majorityVote(answers: readonly (string | null)[], key: (answer: string) => string = (a) => a): number {
  const votes = new Map<string, { count: number; first: number }>();
  answers.forEach((a, i) => {
    if (a === null) return;
    const k = key(a);
    const v = votes.get(k);
    if (v) v.count++;
    else votes.set(k, { count: 1, first: i });
  });
  let best = -1, bestCount = 0;
  for (const v of votes.values()) {
    if (v.count > bestCount || (v.count === bestCount && v.first < best)) {
      best = v.first;
      bestCount = v.count;
    }
  }
  return best;
}

/** cons@k of one problem: 1 when the majority-voted answer is right, else 0 (0 when nothing parsed). */
export function consAtK(samples: readonly SampleOutcome[], key?: (answer: string) => string): number {
  const i = majorityVote(samples.map((s) => s.answer), key);
  return i >= 0 && samples[i]!.correct ? 1 : 0;
}

export interface EvalSummary {
  problems: number;
  samplesPerProblem: number;
  /** Mean over problems of each problem's pass@1. */
  pass1: number;
  /** Mean over problems of cons@k (k = samplesPerProblem). */
  consK: number;
  /** Problems none of whose samples is right. */
  alwaysWrong: number;
  /** Share of samples with a parsable answer. */
  answerRate: number;
}

/** Aggregates per-problem samples into the paper's numbers. */
export function summarize(perProblem: readonly (readonly SampleOutcome[])[], key?: (answer: string) => string): EvalSummary {
  const P = perProblem.length;
  let p1 = 0, cons = 0, alwaysWrong = 0, parsed = 0, total = 0;
  for (const s of perProblem) {
    p1 += pass1(s);
    cons += consAtK(s, key);
    if (!s.some((x) => x.correct)) alwaysWrong++;
    parsed += s.filter((x) => x.answer !== null).length;
    total += s.length;
  }
  return {
    problems: P,
    samplesPerProblem: P ? perProblem[0]!.length : 0,
    pass1: P ? p1 / P : 0,
    consK: P ? cons / P : 0,
    alwaysWrong,
    answerRate: total ? parsed / total : 0,
  };
}
