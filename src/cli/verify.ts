// `r1 verify --jsonl FILE [--json]`: judges {"gold","pred"} lines with the math verifier and writes each
// line back with "correct" and the answers read; a summary goes to stderr (with --json, stdout holds one
// object: the summary and the lines). Exit code 1 when a line was malformed. No verifier logic here.

import { readFileSync } from 'node:fs';
import { goldAnswer, TEXT_KINDS, verify, type TextKind, type VerifyOptions } from '../rewards/math/index.js';
import { UsageError } from './main.js';
import { parseFlags } from './args.js';

const HELP = `usage: r1 verify --jsonl FILE [--json] [--timeout-ms N] [--pred-kind K] [--gold-kind K] [--rel-tol R] [--ordered]
  Reads lines {"gold": ..., "pred": ...}; gold is an answer in any form (bare, $...$, \\boxed{} - several
  boxes are one set - "the answer is X", or a worked solution, #### included); pred an answer or a
  completion. Optional fields per line: "pred_kind", "gold_kind" (as the flags), "question" (its
  wording sets the list-order and several-boxes policies), "ordered" (true: lists keep their order).
  Writes each line back with "correct", "gold_extracted" and "pred_extracted".
  --json           print one object {total, correct, accuracy, malformed, no_answer, seconds, results: [lines]}
  --timeout-ms N   time budget of one check (default 1000)
  --pred-kind K    answer (parse whole) | completion (search for the final answer) | auto (default: whole
                   when it is one bare answer, searched otherwise)
  --gold-kind K    the same for gold (default auto)
  --rel-tol R      relative tolerance for decimals (default: Math-Verify's rule, both rounded to 6 places)
  --ordered        comma-separated lists must match in order (default: any order)`;

interface Summary {
  total: number;
  correct: number;
  accuracy: number;
  malformed: { line: number; error: string }[];
  no_answer: number;
  seconds: number;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      jsonl: { type: 'string' },
      json: { type: 'boolean', default: false },
      'timeout-ms': { type: 'string' },
      'pred-kind': { type: 'string', default: 'auto' },
      'gold-kind': { type: 'string', default: 'auto' },
      'rel-tol': { type: 'string' },
      ordered: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.jsonl) throw new UsageError(`--jsonl FILE is required\n${HELP}`);
  const timeoutMs = values['timeout-ms'] === undefined ? 1000 : Number(values['timeout-ms']);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout-ms must be a positive number of milliseconds, got '${values['timeout-ms']}'`);
  const predKind = kindFlag(values['pred-kind']!, '--pred-kind');
  const goldKind = kindFlag(values['gold-kind']!, '--gold-kind');
  const relTol = values['rel-tol'] === undefined ? undefined : Number(values['rel-tol']);
  if (relTol !== undefined && !(relTol >= 0 && relTol < 1)) throw new UsageError(`--rel-tol must be a number in [0, 1), e.g. 1e-4; got '${values['rel-tol']}'`);
  let text: string;
  try {
    text = readFileSync(values.jsonl, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --jsonl ${values.jsonl}: ${(err as Error).message}`);
  }
  const t0 = performance.now();
  const summary: Summary = { total: 0, correct: 0, accuracy: 0, malformed: [], no_answer: 0, seconds: 0 };
  const out: string[] = [];
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
    const kinds = [rowKind(row.pred_kind, predKind), rowKind(row.gold_kind, goldKind)];
    if (kinds[0] === null || kinds[1] === null) {
      summary.malformed.push({ line, error: `"pred_kind"/"gold_kind" must be one of ${TEXT_KINDS.join(', ')}` });
      return;
    }
    const opts: VerifyOptions = {
      predKind: kinds[0],
      goldKind: kinds[1],
      question: typeof row.question === 'string' ? row.question : undefined,
      equivalence: {
        timeoutMs,
        ...(relTol !== undefined && { relTol, floatRounding: Infinity }),
        ...((values.ordered || row.ordered === true) && { unorderedLists: false }),
      },
    };
    const g = goldAnswer(gold, opts.goldKind);
    const { correct, extracted: p } = verify(gold, pred, opts);
    summary.total++;
    if (correct) summary.correct++;
    if (p === null) summary.no_answer++;
    out.push(JSON.stringify({ ...row, correct, gold_extracted: g, pred_extracted: p }));
  });
  summary.accuracy = summary.total === 0 ? 0 : summary.correct / summary.total;
  summary.seconds = (performance.now() - t0) / 1000;
  if (values.json) console.log(`{${JSON.stringify(summary).slice(1, -1)},"results":[${out.join(',')}]}`);
  else if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
  for (const m of summary.malformed) console.error(`${values.jsonl}:${m.line}: malformed line skipped: ${m.error}`);
  console.error(
    `verify: ${summary.correct}/${summary.total} correct (${(100 * summary.accuracy).toFixed(1)}%), ` +
      `${summary.no_answer} without an answer, ${summary.malformed.length} malformed, ${summary.seconds.toFixed(2)} s`,
  );
  return summary.malformed.length > 0 ? 1 : 0;
}

function kindFlag(v: string, flag: string): TextKind {
  if (!(TEXT_KINDS as readonly string[]).includes(v)) throw new UsageError(`${flag} must be one of ${TEXT_KINDS.join(', ')}; got '${v}'`);
  return v as TextKind;
}

/** A row's own kind (`dflt` when absent), or null when it names no kind. */
function rowKind(v: unknown, dflt: TextKind): TextKind | null {
  if (v === undefined || v === null) return dflt;
  return typeof v === 'string' && (TEXT_KINDS as readonly string[]).includes(v) ? (v as TextKind) : null;
}
