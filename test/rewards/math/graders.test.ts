// Cases in the forms other graders' test suites and datasets write them (bare answers without $ or
// \boxed, escaped JSON-style LaTeX, dataset golds, "Answer: X"), each with the grader whose documented
// behaviour gives the verdict, or the mathematics. Our own rows with our own numbers (no grader's held-out
// rows). Judged through verify() with the default pred_kind/gold_kind `auto`, as `r1 verify --jsonl` does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verify } from '../../../src/rewards/math/index.js';

type GraderRow = [gold: string, pred: string, expected: boolean, source: string];

const rows: GraderRow[] = [
  // hendrycks MATH, modeling/math_equivalence.py: strip_string then string equality.
  ['\\frac{2}{9}', '\\frac29', true, 'hendrycks: _fix_fracs reads \\frac29'],
  ['\\frac{5}{7}', '\\tfrac{5}{7}', true, 'hendrycks: tfrac is frac'],
  ['\\frac{5}{7}', '\\dfrac{5}{7}', true, 'hendrycks: dfrac is frac'],
  ['\\frac{3}{8}', '3/8', true, 'hendrycks: _fix_a_slash_b'],
  ['0.5', '\\frac{1}{2}', true, 'hendrycks: 0.5 is written \\frac{1}{2}'],
  ['\\sqrt{7}', '\\sqrt7', true, 'hendrycks: _fix_sqrt'],
  ['12', '12\\%', true, 'hendrycks: the percent sign is removed'],
  ['7', '7\\text{ cm}', true, 'hendrycks: _remove_right_units'],
  ['4', 'y = 4', true, 'hendrycks: a short "y =" prefix is dropped'],
  ['0.25', '.25', true, 'hendrycks: a leading 0 is added'],
  ['45', '45^\\circ', true, 'hendrycks: ^\\circ removed'],
  ['(2,5)', '\\left( 2, 5 \\right)', true, 'hendrycks: \\left and \\right removed'],
  ['\\frac{1}{6}', '\\\\frac{1}{6}', true, 'hendrycks: "\\\\\\\\" is replaced by "\\\\"'],
  ['\\frac{1}{6}', '\\frac{1}{7}', false, 'different fractions'],
  ['-3', '3', false, 'a sign matters'],
  // Bare answers parsed whole (graders that compare answers, not completions).
  ['\\tfrac{5}{7}', '\\tfrac{5}{7}', true, 'an answer identical to its gold'],
  ['(x+2)^2', 'x^2 + 4*x + 4', true, 'mathematics: the same polynomial (sympy-based graders: MARIO_EVAL, Qwen math_equal)'],
  ['(x+2)^2', 'x^2 + 4*x + 5', false, 'mathematics: a different polynomial'],
  ['2\\sqrt{3}', '\\sqrt{12}', true, 'mathematics'],
  ['\\pi/4', '\\frac{\\pi}{4}', true, 'mathematics'],
  ['x^2 - 1', '(x-1)(x+1)', true, 'mathematics'],
  ['\\{1, 4\\}', '\\{4, 1\\}', true, 'mathematics: a set has no order'],
  ['[2, 6)', '[2,6)', true, 'intervals (MARIO_EVAL)'],
  ['[2, 6)', '(2,6]', false, 'other ends'],
  // Escaped once more (JSON or Python strings): doubled backslashes.
  ['x \\in [-3,5]', '-3 \\\\le x \\\\le 5', false, 'Math-Verify test_set_rel_assymetry: a set gold is not matched by a relation by default'],
  ['-3 \\\\le x \\\\le 5', 'x \\in [-3,5]', true, 'Math-Verify test_set_rel_assymetry: a relation gold against its set'],
  ['\\\\left(\\\\frac{2}{7},\\\\frac{3}{7}\\\\right)', '\\left( \\frac{2}{7}, \\frac{3}{7} \\right)', true, 'Math-Verify edge cases: an escaped gold'],
  ['\\\\begin{pmatrix} 1 \\\\\\\\ 4 \\\\end{pmatrix}', '\\begin{pmatrix} 1 \\\\ 4 \\end{pmatrix}', true, 'an escaped matrix: \\\\\\\\ is its line break'],
  ['\\begin{pmatrix} 1 \\\\ 4 \\end{pmatrix}', '\\begin{pmatrix} 1 \\\\ 5 \\end{pmatrix}', false, 'a different column'],
  // Square-bracketed answers.
  ['60', 'The angle is [60].', true, 'a dataset that writes the answer in brackets'],
  ['60', '[60]', true, 'a bracketed bare answer'],
  ['60', '[61]', false, 'a different bracketed answer'],
  // Golds written as phrases.
  ['answer is 0.75', '\\boxed{3/4}', true, 'Math-Verify parses the gold with its answer phrase'],
  ['The answer is 12', '12', true, 'a gold sentence'],
  ['answer is 0.75', '\\boxed{3/5}', false, 'a wrong answer to a phrase gold'],
  // Chains and spacing commands.
  ['4', '2 = \\foo = y = 4', true, 'Math-Verify: the last value of a chain'],
  ['1 = \\foo = x = 0', '0', true, 'Math-Verify test_relations_math: a chained gold gives its last value'],
  ['7 = 11a+c', '11a+c', false, 'Math-Verify test_relations_math: not an assignment'],
  ['3, 5', 'x_1=3,\\quadx_2=5', true, 'a glued \\quad (NeMo-Skills and others strip spacing)'],
  ['3, 5', 'x_1=3,\\quadx_2=6', false, 'one root wrong'],
  // Percent on either side.
  ['50', '50\\%', true, 'Math-Verify: x% is x'],
  ['0.5', '50\\%', true, 'Math-Verify: x% is x/100'],
  ['31\\%', '31 pct', true, 'Math-Verify test_percent_notation: pct'],
  ['31', '32\\%', false, 'another number'],
  ['50/700', '7 1/7%', true, 'Math-Verify test_mixed_number_extraction: a mixed-number percentage is the whole value / 100'],
  ['50/7', '7 1/7%', false, 'Math-Verify test_mixed_number_extraction: not the unscaled value'],
  ['50/7', '7 1/7 pct', false, 'Math-Verify test_mixed_number_extraction: pct too'],
  ['0.16', '16%', true, 'Math-Verify: 16% parses as 16/100'],
  // Mixed numbers, times of day.
  ['\\frac{7}{3}', '2 1/3', true, 'mathematics: a mixed number'],
  ['2 1/3', '\\frac{7}{3}', true, 'a mixed-number gold'],
  ['\\frac{7}{3}', '2 1/4', false, 'another mixed number'],
  ['-23/7', '-3 2/7', true, 'Math-Verify test_mixed_number_extraction: a negative mixed number'],
  ['5002/5', '1 000 2/5', true, 'Math-Verify: spaced thousands in the whole part'],
  ['9', '8 5/5', false, 'Math-Verify: a fraction that is not proper makes no mixed number'],
  ['1', '8 5/5', false, 'Math-Verify: nor its fraction alone'],
  ['3', '6 2/7 3', true, 'Math-Verify: numbers side by side are no mixed number; the last one counts'],
  ['2^3 \\cdot 5^2', '2^3 5^2', true, 'MARIO_EVAL: powers side by side are a product'],
  ['9:15 PM', '21:15', true, 'a time of day on the 12- and 24-hour clock'],
  ['21:15', '9:15 p.m.', true, 'p.m. with dots'],
  ['21:15', '9:15 AM', false, 'the morning is not the evening'],
  ['12:30 AM', '00:30', true, 'twelve past midnight'],
  // Matrices and lists.
  ['\\begin{pmatrix} 3 \\\\ -1 \\end{pmatrix}', '(3, -1)', true, 'Math-Verify/MARIO_EVAL: a column against a tuple'],
  ['\\begin{pmatrix} 3 \\\\ -1 \\end{pmatrix}', '[3, -1]', true, 'a column against a bracketed list (Qwen math_equal reads lists)'],
  ['\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '[[1, 2], [3, 4]]', true, 'Qwen math_equal: a pmatrix against nested lists'],
  ['\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', '[[1, 2], [4, 3]]', false, 'rows differ'],
  ['\\begin{pmatrix} 4 & 6 \\\\ 8 & 10 \\end{pmatrix}', '\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix} + \\begin{pmatrix} 3 & 4 \\\\ 5 & 6 \\end{pmatrix}', true, 'Math-Verify test_matrix_extraction: a sum of matrices'],
  ['\\begin{pmatrix} 2 & 1 \\\\ 4 & 3 \\end{pmatrix}', '\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix} \\begin{pmatrix} 0 & 1 \\\\ 1 & 0 \\end{pmatrix}', true, 'mathematics: a product of matrices'],
  ['\\begin{pmatrix} 2 & 4 \\\\ 6 & 8 \\end{pmatrix}', '2\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}', true, 'mathematics: a scalar multiple'],
  ['[2, 7, 11]', '2, 7, 11', true, 'a bracketed list gold (TheoremQA-style) against the bare list'],
  ['[2, 7, 11]', '11, 7, 2', false, 'in its order'],
  ['2, 7, 11', '[2, 7, 11]', true, 'a bare list gold against a bracketed list'],
  // Inequalities and the intervals they describe.
  ['x < -3 \\text{ or } x > 5', '(-\\infty, -3) \\cup (5, \\infty)', true, 'Math-Verify sympy_expr_eq: a relation gold is compared as the set it describes'],
  ['x \\le 2', '(-\\infty, 2]', true, 'Math-Verify: a relation gold against its interval'],
  ['x < -3 \\text{ or } x > 5', '(-\\infty, -3] \\cup (5, \\infty)', false, 'a closed end'],
  ['x \\ne 4', '(-\\infty, 4) \\cup (4, \\infty)', true, 'Math-Verify: a relation gold as its set (the line without a point)'],
  ['x \\ne 4', '(-\\infty, 4) \\cup (5, \\infty)', false, 'another set'],
  // Several boxes.
  ['C', 'First I thought \\boxed{C}, then I checked again: \\boxed{D}', false, 'hendrycks last_boxed_only_string: the last box'],
  ['D', 'First I thought \\boxed{C}, then I checked again: \\boxed{D}', true, 'hendrycks last_boxed_only_string: the last box'],
  ['-2, 1', 'The integers are \\boxed{-2} and \\boxed{1}.', true, 'Math-Verify: boxes joined by "and" are one answer'],
  // Dataset golds and "Answer: X" completions (verl math_dapo, simple-evals).
  ['34', 'Answer: 34', true, 'verl math_dapo / simple-evals: the text after "Answer:"'],
  ['34', 'Answer: 43', false, 'the wrong number'],
  ['18', 'Janet sells 16 - 3 - 4 = 9 duck eggs a day.\nShe makes 9 * 2 = $18 every day at the market.\n#### 18', true, 'GSM8K: the number after ####'],
  ['\\text{Evelyn}', 'Evelyn', true, 'Math-Verify test_latex_notation_math: a name'],
  ['\\text{(B)}', 'B', true, 'MATH multiple choice'],
  ['D', 'D. x = 17', true, 'NeMo-Skills math_equal: a lone letter against a labelled option'],
  ['C', 'D. x = 17', false, 'another option'],
  ['27.0', '27', true, 'AMC23 writes 27.0'],
  ['033', '33', true, 'AIME answers are integers 000-999'],
];

test(`other graders' forms: ${rows.length} rows`, () => {
  const wrong = rows.filter(([g, p, want]) => verify(g, p).correct !== want).map(([g, p, want, why]) => `${why}: gold ${JSON.stringify(g)} pred ${JSON.stringify(p)} should be ${want} (read ${JSON.stringify(verify(g, p).extracted)})`);
  assert.deepEqual(wrong, []);
});
