// `r1 bench verify [--json] [--seconds S]`: verifications per second of the math verifier on MATH-500
// (reference solution vs answer field: extraction + equivalence; and mismatched pairs, which take the
// full CAS path) and on plain numbers (GSM8K style), and its agreement with Math-Verify's verdicts on
// GSM8K/MATH-500 answers written in real models' styles (src/rewards/math/styles.ts), and agreement per
// answer form (bare, $…$, \boxed{}, escaped) on GSM8K, MATH-500, AIME, AMC and bracketed answers
// (src/rewards/math/forms.ts). Measures only.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetsDir } from '../../data/datasets.js';
import { isEquivalent, normalizeAnswer, verify } from '../../rewards/math/index.js';
import { datasetFormCases, formAgreement, type FormRow } from '../../rewards/math/forms.js';
import { agreement, gsm8kCases, math500Cases } from '../../rewards/math/styles.js';
import { UsageError } from '../main.js';
import { parseFlags } from '../args.js';


interface Pair {
  gold: string;
  completion: string;
}

/** Runs `fn` over `pairs` round-robin for about `seconds`; verifications per second. */
function rate(pairs: Pair[], seconds: number, fn: (p: Pair) => boolean): { perSecond: number; n: number; correct: number } {
  let n = 0;
  let correct = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  while (performance.now() < until || n < pairs.length) {
    if (fn(pairs[n % pairs.length]!)) correct++;
    n++;
  }
  return { perSecond: n / ((performance.now() - t0) / 1000), n, correct };
}

const VERIFY_USAGE = 'usage: r1 bench verify [--json] [--seconds S] [--datasets DIR]\n  verifications per second on MATH-500 solutions, mismatched pairs and GSM8K-style numbers (--seconds each, default 2)';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: { json: { type: 'boolean', default: false }, seconds: { type: 'string', default: '2' }, datasets: { type: 'string', default: datasetsDir() }, help: { type: 'boolean', short: 'h' } },
  }, VERIFY_USAGE);
  if (values.help) {
    console.log(VERIFY_USAGE);
    return 0;
  }
  const seconds = Number(values.seconds);
  if (!(seconds > 0)) throw new UsageError(`--seconds must be a positive number, got '${values.seconds}'`);
  const file = join(values.datasets, 'math500', 'test.jsonl');
  if (!existsSync(file)) throw new UsageError(`MATH-500 not found at ${file}; pass --datasets DIR (the folder holding math500/test.jsonl)`);
  const rows = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { solution: string; answer: string | number });
  const math: Pair[] = rows.map((r) => ({ gold: String(r.answer), completion: r.solution }));
  const shifted: Pair[] = rows.map((r, i) => ({ gold: String(r.answer), completion: String(rows[(i + 1) % rows.length]!.answer) }));
  const numbers: Pair[] = Array.from({ length: 1000 }, (_, i) => {
    const v = (i * 7919) % 100000;
    return { gold: String(v), completion: `So she pays ${(i * 31) % 17} + ${v} in total. The answer is ${v.toLocaleString('en-US')}.` };
  });

  const say = (m: string) => console.error(`bench verify: ${m}`);
  say(`MATH-500 solutions vs answers (extract + equivalence), ${seconds}s`);
  const mathVerify = rate(math, seconds, (p) => verify(p.gold, p.completion).correct);
  say('MATH-500 mismatched answer pairs (full CAS path)');
  const mathWrong = rate(shifted, seconds, (p) => isEquivalent(p.gold, p.completion));
  say('plain numbers (GSM8K style completions)');
  const plainVerify = rate(numbers, seconds, (p) => verify(p.gold, p.completion).correct);
  const plainEq = rate(numbers, seconds, (p) => isEquivalent(p.gold, p.completion.slice(p.completion.lastIndexOf(' ') + 1, -1)));

  const gsmFile = join(values.datasets, 'gsm8k', 'test.jsonl');
  let styles: ReturnType<typeof agreement> | null = null;
  if (existsSync(gsmFile)) {
    say('model-style answers (agreement with Math-Verify)');
    const gsm = readFileSync(gsmFile, 'utf8').trim().split('\n').map((l) => String((JSON.parse(l) as { answer: string }).answer).split('####')[1]!.trim().replace(/,/g, ''));
    const same = (a: string, b: string) => a === b || normalizeAnswer(a) === normalizeAnswer(b) || isEquivalent(a, b);
    const cases = [...gsm8kCases(gsm), ...math500Cases(rows.map((r) => String(r.answer)), same)];
    styles = agreement(cases, (g, c) => verify(g, c).correct);
  }

  say('answer forms (agreement per dataset and form)');
  const forms = formTable(values.datasets, rows.map((r) => String(r.answer)));

  const result = {
    math500_verify_per_s: Math.round(mathVerify.perSecond),
    math500_verify_accuracy: mathVerify.correct / mathVerify.n,
    math500_mismatched_per_s: Math.round(mathWrong.perSecond),
    math500_mismatched_judged_equal: mathWrong.correct,
    plain_numbers_verify_per_s: Math.round(plainVerify.perSecond),
    plain_numbers_isEquivalent_per_s: Math.round(plainEq.perSecond),
    model_styles_cases: styles?.total ?? null,
    model_styles_agreement: styles === null ? null : styles.agree / styles.total,
    model_styles_false_accepts: styles?.false_accepts ?? null,
    seconds_per_case: seconds,
    forms: forms.map((r) => ({ dataset: r.dataset, form: r.form, cases: r.cases, agreement: r.agree / r.cases, false_accepts: r.falseAccepts, false_rejects: r.falseRejects })),
  };
  if (values.json) console.log(JSON.stringify(result));
  else {
    for (const [k, v] of Object.entries(result)) if (k !== 'forms') console.log(`${k.padEnd(36)} ${v}`);
    {
      console.log(`\n${'dataset'.padEnd(10)} ${'form'.padEnd(8)} ${'cases'.padStart(6)} ${'agreement'.padStart(10)} ${'false acc.'.padStart(10)} ${'false rej.'.padStart(10)}`);
      for (const r of forms) {
        console.log(`${r.dataset.padEnd(10)} ${r.form.padEnd(8)} ${String(r.cases).padStart(6)} ${(100 * r.agree / r.cases).toFixed(2).padStart(9)}% ${String(r.falseAccepts).padStart(10)} ${String(r.falseRejects).padStart(10)}`);
      }
    }
  }
  return 0;
}

/** Agreement per answer form (forms.ts) on the datasets found in `dir` (MATH-500 is always there). */
function formTable(dir: string, math500: string[]): FormRow[] {
  const read = (name: string, field: (r: Record<string, unknown>) => string): string[] | undefined => {
    const file = join(dir, name, 'test.jsonl');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => field(JSON.parse(l) as Record<string, unknown>)) : undefined;
  };
  const cases = datasetFormCases({
    gsm8k: read('gsm8k', (r) => String(r.answer).split('####')[1]!.trim()),
    math500,
    aime24: read('aime24', (r) => String(r.answer)),
    amc23: read('amc23', (r) => String(r.answer)),
  });
  return formAgreement(cases, (g, p) => verify(g, p).correct).rows;
}
