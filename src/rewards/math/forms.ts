// The table of answer forms: each dataset's reference answers written the ways graders and datasets
// pass them (bare, `$…$`, `\boxed{}`, escaped once more as JSON/Python strings write LaTeX), judged
// against the reference (the same answer: right; another item's different answer: wrong). For
// measuring the verifier (`r1 bench verify`, test/rewards/math/forms.test.ts); not a verifier itself.

import { parsePlainNumber } from './numbers.js';

export const FORMS = ['bare', 'dollars', 'boxed', 'escaped'] as const;
export type Form = (typeof FORMS)[number];

const WRITE: Record<Form, (x: string) => string> = {
  bare: (x) => x,
  dollars: (x) => `$${x}$`,
  boxed: (x) => `\\boxed{${x}}`,
  // One more level of escaping: every backslash doubled (`\frac` → `\\frac`, a line break `\\` → `\\\\`).
  escaped: (x) => x.replace(/\\/g, '\\\\'),
};

export interface FormCase {
  dataset: string;
  form: Form;
  gold: string;
  pred: string;
  expected: boolean;
}

/**
 * Cases for each dataset's answers in every form: the answer itself (expected right) and the next
 * item's answer when it is plainly different (expected wrong). `gold` is the reference as the dataset
 * stores it (`wrapGold` rewrites it for datasets that write answers another way, e.g. in brackets).
 */
export function formCases(dataset: string, answers: string[], wrapGold: (x: string) => string = (x) => x): FormCase[] {
  const out: FormCase[] = [];
  answers.forEach((answer, i) => {
    const gold = wrapGold(answer);
    const other = answers[(i + 1) % answers.length]!;
    const different = !plainlySame(answer, other);
    for (const form of FORMS) {
      out.push({ dataset, form, gold, pred: WRITE[form](answer), expected: true });
      if (different) out.push({ dataset, form, gold, pred: WRITE[form](other), expected: false });
    }
  });
  return out;
}

/** The same text up to spacing and an `x =`, or the same plain number (`27`, `27.0`): not a wrong-answer case. */
function plainlySame(a: string, b: string): boolean {
  const bare = (s: string) => s.replace(/\s+/g, '').replace(/^[a-z]=/, '');
  if (bare(a) === bare(b)) return true;
  const [x, y] = [parsePlainNumber(a), parsePlainNumber(b)];
  return x !== null && y !== null && x.value === y.value;
}

/**
 * The table's cases: GSM8K (its `#### N` answers), MATH-500 (its answer field), AIME 2024 and AMC 2023
 * (their answers), and the AIME/AMC answers written in brackets (`[27]`), as some datasets store them.
 * A dataset left undefined is left out.
 */
export function datasetFormCases(d: { gsm8k?: string[]; math500?: string[]; aime24?: string[]; amc23?: string[] }): FormCase[] {
  return [
    ...(d.gsm8k ? formCases('gsm8k', d.gsm8k) : []),
    ...(d.math500 ? formCases('math500', d.math500) : []),
    ...(d.aime24 ? formCases('aime24', d.aime24) : []),
    ...(d.amc23 ? formCases('amc23', d.amc23) : []),
    ...(d.aime24 && d.amc23 ? formCases('brackets', [...d.aime24, ...d.amc23], (x) => `[${x}]`) : []),
  ];
}

export interface FormRow {
  dataset: string;
  form: Form;
  cases: number;
  agree: number;
  falseAccepts: number;
  falseRejects: number;
}

/** Agreement per dataset and form, with the cases that disagree. */
export function formAgreement(cases: FormCase[], judge: (gold: string, pred: string) => boolean): { rows: FormRow[]; misses: FormCase[] } {
  const rows = new Map<string, FormRow>();
  const misses: FormCase[] = [];
  for (const c of cases) {
    const key = `${c.dataset}/${c.form}`;
    const row = rows.get(key) ?? { dataset: c.dataset, form: c.form, cases: 0, agree: 0, falseAccepts: 0, falseRejects: 0 };
    rows.set(key, row);
    row.cases++;
    const got = judge(c.gold, c.pred);
    if (got === c.expected) row.agree++;
    else {
      misses.push(c);
      if (got) row.falseAccepts++;
      else row.falseRejects++;
    }
  }
  return { rows: [...rows.values()], misses };
}
