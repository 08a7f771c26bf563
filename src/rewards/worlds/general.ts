// The judge of the non-reasoning world `general`: requests answered directly, without a chain of thought (R1 paper
// §2.3.3, non-reasoning data), e.g. `write 342 in words` → `three hundred forty two`, `reverse abc` → `cba`,
// `count the letters in abcd` → `4`. The right answer is computed here from the request; the judge is exact match.
import { NO_ANSWER, readReply, type TaskVerdict } from './reply.js';

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** 0..999 in English words, lower case, no hyphens and no "and": 342 → `three hundred forty two`. */
export function numberWords(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 999) throw new RangeError(`numberWords: ${n} is outside 0..999`);
  if (n < 20) return ONES[n]!;
  if (n < 100) return n % 10 ? `${TENS[Math.floor(n / 10)]} ${ONES[n % 10]}` : TENS[n / 10]!;
  const rest = n % 100;
  return `${ONES[Math.floor(n / 100)]} hundred${rest ? ` ${numberWords(rest)}` : ''}`;
}

export interface GeneralRequest {
  /** The question: `write 342 in words`. */
  question: (text: string) => string;
  /** The one right answer. */
  answer: (text: string) => string;
  /** What `text` may be for this request. */
  text: RegExp;
}

export const REQUESTS = {
  words: { question: (t) => `write ${t} in words`, answer: (t) => numberWords(Number(t)), text: /^[1-9]\d{0,2}$/ },
  reverse: { question: (t) => `reverse ${t}`, answer: (t) => [...t].reverse().join(''), text: /^[a-z]{2,9}$/ },
  count: { question: (t) => `count the letters in ${t}`, answer: (t) => String(t.length), text: /^[a-z]{1,9}$/ },
} as const satisfies Record<string, GeneralRequest>;

export type RequestKind = keyof typeof REQUESTS;

export interface GeneralData {
  request: RequestKind;
  /** The request's operand: the number to spell, the letters to reverse or count. */
  text: string;
}

export const isRequestKind = (x: unknown): x is RequestKind => typeof x === 'string' && Object.hasOwn(REQUESTS, x);

/** The right answer of a request (null when the request data is malformed). */
export function generalAnswer(p: GeneralData): string | null {
  if (!isRequestKind(p.request) || typeof p.text !== 'string' || !REQUESTS[p.request].text.test(p.text)) return null;
  return REQUESTS[p.request].answer(p.text);
}

/** Exact match of the whole summary (spaces collapsed, one final period dropped) with the right answer. */
export function checkGeneral(p: GeneralData, completion: string): TaskVerdict {
  const r = readReply(completion, true);
  if (r.stated === null) return { ...NO_ANSWER };
  return { format_ok: r.shaped, answer: r.stated, correct: r.stated === generalAnswer(p) };
}
