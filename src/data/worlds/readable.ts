// Readability of a reasoning reply (R1 §2.2.4, R1-Zero's "poor readability"): a rule, not a model. Readable
// reasoning holds one statement a line and no line runs on past READABLE_LINE_CHARS; `terse` replies (every step
// crammed into one line of bare equations, `2+0+0=02|4+9+0=13`) fail it. A line equal to the one before is allowed:
// `(3*4)+(3*4)` has the same step twice.
// Not the format check (the judge's format_ok: tags and a summary), which a reply must pass as well to be readable.
import { reasoningLines } from './common.js';

/** The longest reasoning line a reader takes in at a glance (the worlds' longest step line is about 40). */
export const READABLE_LINE_CHARS = 64;

/** The terse style's separators: the column sums of addition (`|`), the steps of an expression (`;`). */
export const TERSE_SEPARATOR = { addition: '|', expr: ';' } as const;

/** Why a reply's reasoning is not readable (the first reason), or null when it is. */
export function unreadableBecause(completion: string): string | null {
  const lines = reasoningLines(completion);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if ((l.match(/=/g) ?? []).length > 1) return `line ${i + 1} holds more than one statement`;
    if (l.length > READABLE_LINE_CHARS) return `line ${i + 1} runs on past ${READABLE_LINE_CHARS} characters`;
  }
  return null;
}

/** Whether a reply's reasoning is readable by the rule above. */
export const readableReasoning = (completion: string): boolean => unreadableBecause(completion) === null;
