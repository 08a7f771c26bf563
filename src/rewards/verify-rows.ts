// `r1 verify`'s work: {"gold", "pred"} JSONL lines judged by the math verifier, each written back with "correct" and the
// answers read, and a summary (malformed lines counted by number, never fatal). Not the verifier (src/rewards/math)
// and not the command's flags or printing (src/cli/verify.ts).
import { goldAnswer, TEXT_KINDS, verify, type TextKind, type VerifyOptions } from './math/index.js';

export interface VerifyRowsOptions {
  predKind: TextKind;
  goldKind: TextKind;
  /** Relative tolerance for decimals; null: both rounded to 6 places, as Math-Verify. */
  relTol: number | null;
  /** Comma-separated lists must match in order (a line's "ordered": true asks the same). */
  ordered: boolean;
  /** Milliseconds one check may take. */
  timeoutMs: number;
}

export interface VerifySummary {
  total: number;
  correct: number;
  accuracy: number;
  malformed: { line: number; error: string }[];
  no_answer: number;
  seconds: number;
}

/** Judges every non-blank line of text; returns the lines written back (JSON text, in order) and the summary. */
export function verifyRows(text: string, o: VerifyRowsOptions): { summary: VerifySummary; lines: string[] } {
  const t0 = performance.now();
  const summary: VerifySummary = { total: 0, correct: 0, accuracy: 0, malformed: [], no_answer: 0, seconds: 0 };
  const lines: string[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim().length === 0) return;
    const line = i + 1;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(raw);
    } catch (err) {
      summary.malformed.push({ line, error: `not JSON (${(err as Error).message})` });
      return;
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      summary.malformed.push({ line, error: 'not a JSON object' });
      return;
    }
    const gold = typeof row.gold === 'number' ? String(row.gold) : row.gold;
    const pred = typeof row.pred === 'number' ? String(row.pred) : row.pred;
    if (typeof gold !== 'string' || typeof pred !== 'string') {
      summary.malformed.push({ line, error: 'needs string (or number) fields "gold" and "pred"' });
      return;
    }
    const kinds = [rowKind(row.pred_kind, o.predKind), rowKind(row.gold_kind, o.goldKind)];
    if (kinds[0] === null || kinds[1] === null) {
      summary.malformed.push({ line, error: `"pred_kind"/"gold_kind" must be one of ${TEXT_KINDS.join(', ')}` });
      return;
    }
    const opts: VerifyOptions = {
      predKind: kinds[0],
      goldKind: kinds[1],
      question: typeof row.question === 'string' ? row.question : undefined,
      equivalence: {
        timeoutMs: o.timeoutMs,
        ...(o.relTol !== null && { relTol: o.relTol, floatRounding: Infinity }),
        ...((o.ordered || row.ordered === true) && { unorderedLists: false }),
      },
    };
    const g = goldAnswer(gold, opts.goldKind);
    const { correct, extracted: p } = verify(gold, pred, opts);
    summary.total++;
    if (correct) summary.correct++;
    if (p === null) summary.no_answer++;
    lines.push(JSON.stringify({ ...row, correct, gold_extracted: g, pred_extracted: p }));
  });
  summary.accuracy = summary.total === 0 ? 0 : summary.correct / summary.total;
  summary.seconds = (performance.now() - t0) / 1000;
  return { summary, lines };
}

/** A row's own kind (`dflt` when absent), or null when it names no kind. */
function rowKind(v: unknown, dflt: TextKind): TextKind | null {
  if (v === undefined || v === null) return dflt;
  return typeof v === 'string' && (TEXT_KINDS as readonly string[]).includes(v) ? (v as TextKind) : null;
}
