// `r1 verify --jsonl FILE [--json]`: judges {"gold","pred"} lines with the math verifier and writes each
// line back with "correct" and the extracted answers; a summary goes to stderr (with --json, stdout holds
// one object: the summary and the lines). Exit code 1 when a line was malformed. No verifier logic here.

import { readFileSync } from 'node:fs';
import { extractAnswer, goldAnswer, isEquivalent } from '../rewards/math/index.js';
import { UsageError } from './main.js';
import { readCommandLine } from './args.js';
import { defineSpec, required, resolve, withDefault } from '../run/spec.js';
import { V } from '../run/vocabulary.js';

const SPEC = defineSpec({
  name: 'verify',
  fields: {
    data: required(withDefault(V.data, '', { aliases: ['jsonl'], doc: 'lines {"gold": ..., "pred": ...}: gold an answer in any form (bare, $...$, \\boxed{}, a worked solution), pred a completion' })),
    timeout: withDefault(V.timeout, 1, { doc: 'seconds one check may take' }),
    json: withDefault(V.json, false, { doc: 'print one object {total, correct, accuracy, malformed, no_answer, seconds, results: [lines]}' }),
    quiet: withDefault(V.quiet, false, { doc: 'no summary on stderr' }),
    help: V.help,
  },
});
const USAGE = `usage: r1 verify --data FILE [--json] [--timeout S]
Writes each line back with "correct", "gold_extracted" and "pred_extracted", read as Math-Verify reads them.`;

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
  for (const m of summary.malformed) console.error(`${values.data}:${m.line}: malformed line skipped: ${m.error}`);
  if (!values.quiet) console.error(
    `verify: ${summary.correct}/${summary.total} correct (${(100 * summary.accuracy).toFixed(1)}%), ` +
      `${summary.no_answer} without an answer, ${summary.malformed.length} malformed, ${summary.seconds.toFixed(2)} s`,
  );
  return summary.malformed.length > 0 ? 1 : 0;
}
