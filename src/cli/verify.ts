// `r1 verify --data FILE [--json]`: judges {"gold","pred"} lines with the math verifier and writes each
// line back with "correct" and the answers read; a summary goes to stderr (with --json, stdout holds one
// object: the summary and the lines). Exit code 1 when a line was malformed. No verifier logic here.

import { readFileSync } from 'node:fs';
import { goldAnswer, TEXT_KINDS, verify, type TextKind, type VerifyOptions } from '../rewards/math/index.js';
import { UsageError } from './main.js';
import { readCommandLine } from './args.js';
import { bool, defineSpec, nullable, num, oneOf, required, resolve, withDefault } from '../run/spec.js';
import { V } from '../run/vocabulary.js';

const SPEC = defineSpec({
  name: 'verify',
  fields: {
    data: required(withDefault(V.data, '', { aliases: ['jsonl'], doc: 'lines {"gold": ..., "pred": ...}: gold an answer in any form (bare, $...$, \\boxed{}, "the answer is X", a worked solution), pred an answer or a completion; optional per line: "pred_kind", "gold_kind", "question" (its wording sets the list-order and several-boxes policies), "ordered"' })),
    predKind: oneOf(TEXT_KINDS, 'auto', 'what pred is: answer (parsed whole), completion (searched for its final answer), auto (whole when it is one bare answer, else searched)'),
    goldKind: oneOf(TEXT_KINDS, 'auto', 'the same for gold'),
    relTol: nullable(num(0, 'relative tolerance for decimals (default: both rounded to 6 places, as Math-Verify)', { min: 0, check: (v) => (v < 1 ? null : '--rel-tol must be below 1 (a relative tolerance such as 1e-4)') })),
    ordered: bool(false, 'comma-separated lists must match in order (default: any order)'),
    timeout: withDefault(V.timeout, 1, { doc: 'seconds one check may take' }),
    json: withDefault(V.json, false, { doc: 'print one object {total, correct, accuracy, malformed, no_answer, seconds, results: [lines]}' }),
    quiet: withDefault(V.quiet, false, { doc: 'no summary on stderr' }),
    help: V.help,
  },
});
const USAGE = `usage: r1 verify --data FILE [--json] [--timeout S] [--pred-kind K] [--gold-kind K] [--rel-tol R] [--ordered]
Writes each line back with "correct", "gold_extracted" and "pred_extracted". Policies: src/rewards/math/POLICIES.md.`;

interface Summary {
  total: number;
  correct: number;
  accuracy: number;
  malformed: { line: number; error: string }[];
  no_answer: number;
  seconds: number;
}

export async function run(argv: string[]): Promise<number> {
  const cl = readCommandLine(SPEC, {}, argv, { usage: USAGE });
  if (!cl) return 0;
  const values = resolve(SPEC, [cl.layer]);
  const timeoutMs = values.timeout * 1000;
  let text: string;
  try {
    text = readFileSync(values.data, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --data ${values.data}: ${(err as Error).message}`);
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
    const kinds = [rowKind(row.pred_kind, values.predKind), rowKind(row.gold_kind, values.goldKind)];
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
        ...(values.relTol !== null && { relTol: values.relTol, floatRounding: Infinity }),
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
  for (const m of summary.malformed) console.error(`${values.data}:${m.line}: malformed line skipped: ${m.error}`);
  if (!values.quiet) console.error(
    `verify: ${summary.correct}/${summary.total} correct (${(100 * summary.accuracy).toFixed(1)}%), ` +
      `${summary.no_answer} without an answer, ${summary.malformed.length} malformed, ${summary.seconds.toFixed(2)} s`,
  );
  return summary.malformed.length > 0 ? 1 : 0;
}

/** A row's own kind (`dflt` when absent), or null when it names no kind. */
function rowKind(v: unknown, dflt: TextKind): TextKind | null {
  if (v === undefined || v === null) return dflt;
  return typeof v === 'string' && (TEXT_KINDS as readonly string[]).includes(v) ? (v as TextKind) : null;
}
