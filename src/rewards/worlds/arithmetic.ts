// The judges of the arithmetic worlds: addition (`{a, b}`) and expressions (`{expression}`, evaluated exactly by
// ../expr.ts, never with eval or floating point). The answer is the summary's stated integer. Pure; never throws
// on model output. The worlds (src/data/worlds/addition.ts, expr.ts) call these from their `check`.
import { parseExpr } from '../expr.js';
import { parseIntegerAnswer } from '../tasks.js';
import { NO_ANSWER, readReply, type TaskVerdict } from './reply.js';

/** An integer reply judged against an exact integer gold (null gold: the problem itself is malformed). */
export function integerVerdict(completion: string, gold: bigint | null): TaskVerdict {
  const r = readReply(completion, false);
  const n = r.stated === null ? null : parseIntegerAnswer(r.stated);
  if (n === null) return { ...NO_ANSWER };
  return { format_ok: r.shaped, answer: String(n), correct: gold !== null && n === gold };
}

export interface AdditionData {
  a: number;
  b: number;
}

export function checkAddition(p: AdditionData, completion: string): TaskVerdict {
  return integerVerdict(completion, BigInt(p.a) + BigInt(p.b));
}

export interface ExprData {
  /** The expression as the question writes it, e.g. `(3+4)*2`. */
  expression: string;
}

/** The exact integer value of an expression, or null when it does not parse or is not an integer. */
export function exprValue(expression: string): bigint | null {
  const r = parseExpr(expression);
  return r.ok && r.expr.value.den === 1n ? r.expr.value.num : null;
}

export function checkExpr(p: ExprData, completion: string): TaskVerdict {
  return integerVerdict(completion, exprValue(p.expression));
}
