// `r1 verify --data FILE [--json]`: checks {"gold","pred"} lines with the math verifier and writes each
// line back with "correct" and the answers read; a summary goes to stderr (with --json, stdout holds one
// object: the summary and the lines). Exit code 1 when a line was malformed. The work is src/rewards/verify-rows.ts.
import { readFileSync } from 'node:fs';
import { UsageError } from './main.js';
import { readCommandLine } from './args.js';
import { VERIFY_SPEC } from './specs.js';
import { resolve } from '../run/spec.js';
import { verifyRows } from '../rewards/verify-rows.js';

const USAGE = `usage: r1 verify --data FILE [--json] [--timeout S] [--pred-kind K] [--gold-kind K] [--rel-tol R] [--ordered]
Writes each line back with "correct", "gold_extracted" and "pred_extracted". Policies: src/rewards/math/POLICIES.md.`;

export async function run(argv: string[]): Promise<number> {
  const cl = readCommandLine(VERIFY_SPEC, {}, argv, { usage: USAGE });
  if (!cl) return 0;
  const values = resolve(VERIFY_SPEC, [cl.layer]);
  let text: string;
  try {
    text = readFileSync(values.data, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --data ${values.data}: ${(err as Error).message}`);
  }
  const { summary, lines: out } = verifyRows(text, { ...values, timeoutMs: values.timeout * 1000 });
  if (values.json) console.log(`{${JSON.stringify(summary).slice(1, -1)},"results":[${out.join(',')}]}`);
  else if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
  for (const m of summary.malformed) console.error(`${values.data}:${m.line}: malformed line skipped: ${m.error}`);
  if (!values.quiet) console.error(
    `verify: ${summary.correct}/${summary.total} correct (${(100 * summary.accuracy).toFixed(1)}%), ` +
      `${summary.no_answer} without an answer, ${summary.malformed.length} malformed, ${summary.seconds.toFixed(2)} s`,
  );
  return summary.malformed.length > 0 ? 1 : 0;
}
