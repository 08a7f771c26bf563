// Reading a world reply in the one format: whether it is well formed, its summary (read leniently: the text after
// the last `</think>`, so a slip in the shape costs the format reward, not the answer) and the answer it states.
// The answer is read from the summary, never from the reasoning. Not a judge of correctness (the task files are).
import { lastAnswerTag, parseR1, stripTrailingEos, THINK_CLOSE } from '../format.js';
import { statedAnswer } from './phrases.js';

/** A judge's verdict on one completion (also the worlds' CheckResult). */
export interface TaskVerdict {
  /** The completion is in the one format (`<think>\n…\n</think>\n\n<summary>`) and states an answer the task can read. */
  format_ok: boolean;
  /** The answer in canonical form (the majority-vote key), or null when none can be read. */
  answer: string | null;
  correct: boolean;
}

export const NO_ANSWER: TaskVerdict = Object.freeze({ format_ok: false, answer: null, correct: false });

/** The summary: the text after the last `</think>`, EOS markers and whitespace stripped; null when none. */
export function summaryOf(completion: string): string | null {
  const at = completion.lastIndexOf(THINK_CLOSE);
  if (at < 0) return null;
  const s = stripTrailingEos(completion.slice(at + THINK_CLOSE.length)).trim();
  return s === '' ? null : s;
}

/** A direct reply's answer: the whole summary, spaces collapsed, one final period dropped. */
export function directAnswer(summary: string): string {
  return summary.replace(/\s+/g, ' ').trim().replace(/\.$/, '').trim();
}

export interface Reply {
  /** In the one format (empty reasoning allowed only when `direct`). */
  shaped: boolean;
  summary: string | null;
  /** The stated answer: `The answer is X.`'s X for reasoning tasks, the whole summary for direct ones. */
  stated: string | null;
}

/** Reads a completion of a reasoning task (`direct` false) or a direct request (`direct` true). Never throws. */
export function readReply(completion: string, direct: boolean): Reply {
  const text = typeof completion === 'string' ? completion : '';
  const summary = summaryOf(text);
  const stated = summary === null ? null : direct ? directAnswer(summary) || null : statedAnswer(summary);
  return { shaped: parseR1(text, { requireReasoning: !direct }) !== null, summary, stated };
}

/** The answer of any reply: the one format's stated answer, else (R1-Zero template) the last `<answer>` tag. */
export function replyAnswer(completion: string): string | null {
  const summary = summaryOf(completion);
  return (summary === null ? null : statedAnswer(summary)) ?? lastAnswerTag(completion);
}
