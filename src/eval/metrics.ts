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

/** Whether two extracted answers say the same thing (the verifier's judgement, e.g. isEquivalent). */
export type Equivalent = (a: string, b: string) => boolean;

/**
 * Groups answers by the verifier: each answer joins the first earlier group whose first answer it is
 * equivalent to (checked both ways), else starts a group. Unparsed answers (null) get group -1.
 * `key` short-cuts the comparison: answers with one key are one group without asking `equivalent`.
 * After `maxChecks` verifier calls the remaining answers are grouped by key alone (a cost bound for noisy samples).
 */
export function groupAnswers(answers: readonly (string | null)[], equivalent?: Equivalent, key: (a: string) => string = (a) => a, maxChecks = Infinity): number[] {
  const reps: { answer: string; key: string }[] = [];
  const byKey = new Map<string, number>();
  let checks = 0;
  const eq = (x: string, y: string) => checks++ < maxChecks && (safeEq(equivalent!, x, y) || safeEq(equivalent!, y, x));
  return answers.map((a) => {
    if (a === null) return -1;
    const k = key(a);
    const known = byKey.get(k);
    if (known !== undefined) return known;
    let g = -1;
    if (equivalent) g = reps.findIndex((r) => eq(r.answer, a));
    if (g < 0) {
      g = reps.length;
      reps.push({ answer: a, key: k });
    }
    byKey.set(k, g);
    return g;
  });
}

function safeEq(eq: Equivalent, a: string, b: string): boolean {
  try {
    return eq(a, b);
  } catch {
    return false;
  }
}

/** How a tie for the most votes is settled: `first` = the group seen first wins; `split` = the mean correctness of the tied groups (the expected cons@k under a random tie-break). */
export type TieRule = 'first' | 'split';

export interface Consensus {
  /** cons@k of the problem: 0 or 1, or a fraction under the `split` rule when groups tie. */
  value: number;
  /** The winning answer (the first sample of the first winning group), or null when nothing parsed. */
  answer: string | null;
  /** Groups sharing the most votes (0 when nothing parsed). */
  tied: number;
  /** Distinct answers after grouping. */
  groups: number;
}

/**
 * cons@k with answers grouped by the verifier rather than by string: the group with the most votes
 * wins, and the problem counts as right when that group's answer is right (its first sample's judgement).
 */
export function consensus(samples: readonly SampleOutcome[], o: { equivalent?: Equivalent; key?: (a: string) => string; ties?: TieRule; maxChecks?: number } = {}): Consensus {
  const g = groupAnswers(samples.map((s) => s.answer), o.equivalent, o.key, o.maxChecks);
  const count: number[] = [];
  const first: number[] = [];
  g.forEach((x, i) => {
    if (x < 0) return;
    count[x] = (count[x] ?? 0) + 1;
    if (first[x] === undefined) first[x] = i;
  });
  if (count.length === 0) return { value: 0, answer: null, tied: 0, groups: 0 };
  const most = Math.max(...count);
  const winners = count.map((c, x) => (c === most ? x : -1)).filter((x) => x >= 0); // in order of first appearance
  const right = (x: number) => (samples[first[x]!]!.correct ? 1 : 0);
  const value = (o.ties ?? 'first') === 'first' ? right(winners[0]!) : winners.reduce((s, x) => s + right(x), 0) / winners.length;
  return { value, answer: samples[first[winners[0]!]!]!.answer, tied: winners.length, groups: count.length };
}

/** Mean over problems of the unbiased pass@k, for every k in ks not above the samples of any problem. */
export function passAtKCurve(perProblem: readonly (readonly SampleOutcome[])[], ks: readonly number[]): { k: number; pass: number }[] {
  if (perProblem.length === 0) return [];
  const n = Math.min(...perProblem.map((s) => s.length));
  return ks.filter((k) => k >= 1 && k <= n).map((k) => ({
    k, pass: perProblem.reduce((acc, s) => acc + passAtK(s.length, s.filter((x) => x.correct).length, k), 0) / perProblem.length,
  }));
}

/** 1, 2, 4, … up to n, and n itself: the k of a pass@k curve. */
export function curveKs(n: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k < n; k *= 2) ks.push(k);
  if (n >= 1) ks.push(n);
  return ks;
}

/** Mean of per-problem values and its standard error (sample standard deviation / sqrt(problems)). */
export function meanAndStderr(xs: readonly number[]): { mean: number; stderr: number } {
  const P = xs.length;
  if (P === 0) return { mean: 0, stderr: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / P;
  if (P < 2) return { mean, stderr: 0 };
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (P - 1);
  return { mean, stderr: Math.sqrt(v / P) };
}
