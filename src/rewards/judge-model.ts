// A judge model's text side: the prompt that shows a judge model the question, the reference answer and the
// prediction, and the reading of its verdict ('correct' / 'incorrect'). Pure: no model, no network (src/eval/judge-model.ts
// makes the call). DeepSeek-R1 §2.3.3: answers no rule can check are judged by DeepSeek-V3 given ground truth and prediction.

/** What the judge is shown. */
export interface JudgeItem {
  question: string;
  /** The ground-truth answer. */
  reference: string;
  /** The answer under judgement (the reply's summary, see predictionOf). */
  prediction: string;
}

export type Verdict = 'correct' | 'incorrect';

/**
 * Prompt templates, by name. 'instruct': for a large instruction-following model behind an endpoint (sent as one user
 * message). 'compact': the one format's `User: …\nAssistant: ` prompt, for a small local model trained on judgements.
 */
export const JUDGE_TEMPLATES = {
  instruct: (it: JudgeItem) => [
    'You are grading an answer against a reference answer. Decide whether the predicted answer means the same as the',
    'reference for this question (equivalent forms, units or wording count as the same; a different value, an extra',
    'or missing part, or no answer is incorrect). Reply with one word: correct or incorrect.',
    '',
    `Question: ${it.question}`,
    `Reference answer: ${it.reference}`,
    `Predicted answer: ${it.prediction}`,
  ].join('\n'),
  compact: (it: JudgeItem) => `User: judge ${oneLine(it.question)} | reference ${oneLine(it.reference)} | prediction ${oneLine(it.prediction)}\nAssistant: `,
} as const satisfies Record<string, (it: JudgeItem) => string>;

export type JudgeTemplate = keyof typeof JUDGE_TEMPLATES;

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** The judge's prompt for an item in a template. */
export function judgePrompt(item: JudgeItem, template: JudgeTemplate = 'instruct'): string {
  const t = JUDGE_TEMPLATES[template];
  if (!t) throw new Error(`judge: unknown template '${String(template)}'; use one of ${Object.keys(JUDGE_TEMPLATES).join(', ')}`);
  return t(item);
}

/** What of a reply the judge sees: its summary (the text after the last `</think>`), or the whole reply when it has none. */
export function predictionOf(completion: string): string {
  const text = typeof completion === 'string' ? completion : '';
  const at = text.lastIndexOf('</think>');
  return (at < 0 ? text : text.slice(at + '</think>'.length)).trim();
}

const VERDICT = /\b(not\s+correct|incorrect|correct|wrong|right)\b/gi;
const MEANING: Record<string, Verdict> = { incorrect: 'incorrect', wrong: 'incorrect', correct: 'correct', right: 'correct' };

/**
 * The verdict of a judge's reply: the last verdict word of its summary (its whole text when it has no `</think>`):
 * correct / right, or incorrect / wrong / not correct; null when there is none (cannot be scored). Never throws.
 */
export function parseVerdict(reply: string): Verdict | null {
  const text = predictionOf(reply);
  let last: string | null = null;
  for (const m of text.matchAll(VERDICT)) last = m[1]!.toLowerCase().replace(/\s+/g, ' ');
  if (last === null) return null;
  return last === 'not correct' ? 'incorrect' : MEANING[last]!;
}

/** Verdicts as rewards: 1 for correct, 0 for incorrect, null when the judge gave none. */
export function verdictScores(verdicts: readonly (Verdict | null)[]): (number | null)[] {
  return verdicts.map((v) => (v === null ? null : v === 'correct' ? 1 : 0));
}
