// `r1 verify --jsonl FILE [--json]`: judges {"gold","pred"} lines with the math verifier and writes each
// line back with "correct" and the extracted answers; a summary goes to stderr (with --json, stdout holds
// one object: the summary and the lines). Exit code 1 when a line was malformed. No verifier logic here.

import { readFileSync } from 'node:fs';
import { extractAnswer, goldAnswer, isEquivalent } from '../rewards/math/index.js';
import { UsageError } from './main.js';
import { parseFlags } from './args.js';

const HELP = `usage: r1 verify --jsonl FILE [--json] [--timeout-ms N]
  Reads lines {"gold": ..., "pred": ...}; gold is an answer in any form (bare, $...$, \\boxed{} - several
  boxes are one set - or a worked solution, #### included), pred a completion, read as Math-Verify reads it.
  Writes each line back with "correct", "gold_extracted" and "pred_extracted".
  --json   print one object {total, correct, accuracy, malformed, no_answer, seconds, results: [lines]}
  --timeout-ms N   time budget of one check (default 1000)`;

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
    options: { jsonl: { type: 'string' }, json: { type: 'boolean', default: false }, 'timeout-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.jsonl) throw new UsageError(`--jsonl FILE is required\n${HELP}`);
  const timeoutMs = values['timeout-ms'] === undefined ? 1000 : Number(values['timeout-ms']);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout-ms must be a positive number of milliseconds, got '${values['timeout-ms']}'`);
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
    const g = goldAnswer(gold);
    const p = extractAnswer(pred);
    const correct = p !== null && isEquivalent(g, p, { timeoutMs });
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
