// Equivalence table for structured answers: ordered pairs and tuples, sets in any order, multiple
// answers and ±, intervals with open/closed ends and their unions, inequalities read as intervals,
// and matrices/vectors (pmatrix, bmatrix). Rows modelled on MATH-500 golds and model outputs.
import { runTable, type Row } from './table.js';

const rows: Row[] = [
  ['(8,-2)', '(8, -2)', true], // spacing in a pair
  ['(8,-2)', '\\left(8,-2\\right)', true], // \left( \right)
  ['(8,-2)', '(-2,8)', false], // ordered pair reversed
  ['(8,-2)', '8, -2', true], // parentheses dropped, order kept
  ['(8,-2)', '(8,-2,0)', false], // extra coordinate
  ['(8,-2)', '(8,2)', false], // sign error in one coordinate
  ['\\left( 3, \\frac{\\pi}{2} \\right)', '(3,\\frac{\\pi}{2})', true], // polar point without \left
  ['\\left( 3, \\frac{\\pi}{2} \\right)', '(3, \\pi/2)', true], // slash fraction inside a tuple
  ['\\left( 3, \\frac{\\pi}{2} \\right)', '(3, 90^\\circ)', true], // 90° inside an expression is π/2 (the CAS converts it)
  ['\\left( 3, \\frac{\\pi}{2} \\right)', '(3, 90)', false], // 90 without a degree sign is not π/2
  ['\\left( \\frac{3}{2}, -13 \\right)', '(1.5,-13)', true], // decimal coordinate
  ['(6,31,-1)', '(6, 31, -1)', true], // triple
  ['(6,31,-1)', '(6,31,1)', false], // sign error in a triple
  ['(1,-16,-4,43)', '(1, -16, -4, 43)', true], // quadruple
  ['(1,-16,-4,43)', '(1,-16,43,-4)', false], // swapped entries
  ['(15,-29)', '(x, y) = (15, -29)', true], // an assigned pair against a bare pair: its value (Math-Verify)
  ['(15,-29)', '(x, y) = (-29, 15)', false], // the pair is ordered
  ['\\{1\\pm\\sqrt{5},-2\\}', '\\{-2, 1+\\sqrt{5}, 1-\\sqrt{5}\\}', true], // set with ± expanded, reordered
  ['\\{1\\pm\\sqrt{5},-2\\}', '-2, 1+\\sqrt5, 1-\\sqrt5', true], // bare list for a set
  ['\\{1\\pm\\sqrt{5},-2\\}', '1+\\sqrt{5}, 1-\\sqrt{5}', false], // one root missing
  ['\\{1\\pm\\sqrt{5},-2\\}', '\\{1\\pm\\sqrt{5}, 2\\}', false], // wrong sign on the rational root
  ['\\{1,2\\}', '\\{2,1\\}', true], // set order does not matter
  ['\\{1,2\\}', '\\{1,2,3\\}', false], // extra element
  ['\\{1,2\\}', '\\{1\\}', false], // missing element
  ['1,-2', '-2,1', true], // MATH "enter all solutions": any order
  ['1,-2', '1, -2', true], // spacing
  ['1,-2', 'x = 1, x = -2', true], // each solution written as an equation
  ['1,-2', 'x=1 \\text{ or } x=-2', true], // "or" between solutions
  ['1,-2', '1 \\text{ and } -2', true], // "and" between solutions
  ['1,-2', '1', false], // only one of two solutions
  ['1,-2', '1, -2, 3', false], // an extra solution
  ['-2,1', '\\{-2, 1\\}', true], // set braces for a list gold
  ['3, 5, 7', '7,5,3', true], // three answers reversed
  ['3, 5, 7', '3, 5', false], // one answer missing
  ['3, 5, 7', '3; 5; 7', true], // semicolons as separators
  ['1 \\pm \\sqrt{19}', '1+\\sqrt{19}, 1-\\sqrt{19}', true], // ± expanded by the model
  ['1 \\pm \\sqrt{19}', '1 \\pm \\sqrt{19}', true], // ± kept
  ['1 \\pm \\sqrt{19}', 'x = 1 \\pm \\sqrt{19}', true], // ± in an equation
  ['1 \\pm \\sqrt{19}', '1+\\sqrt{19}', false], // only one of the two roots
  ['3 \\pm 2 \\sqrt{2}', '3-2\\sqrt{2}, 3+2\\sqrt{2}', true], // reordered roots
  ['3 \\pm 2 \\sqrt{2}', '3 \\pm \\sqrt{8}', true], // unsimplified radical under ±
  ['(3,4]', '(3,4]', true], // half-open interval
  ['(3,4]', '(3, 4]', true], // spacing
  ['(3,4]', '(3,4)', false], // closed end made open
  ['(3,4]', '[3,4]', false], // open end made closed
  ['(3,4]', '3 < x \\le 4', false], // an interval reference is not matched by an inequality (Math-Verify: relations meet sets only when the reference is the relation); double inequality
  ['(3,4]', '3 < x < 4', false], // strictness wrong at one end
  ['\\left(\\frac{3}{5},\\frac{8}{3}\\right]', '(0.6, 8/3]', true], // endpoints in other forms
  ['\\left[ \\frac{\\pi^2}{8}, \\frac{5 \\pi^2}{4} \\right]', '[\\pi^2/8, 5\\pi^2/4]', true], // closed interval with π
  ['(-\\infty, 0]', '(-\\infty,0]', true], // spacing
  ['(-\\infty, 0]', 'x \\le 0', false], // an interval reference is not matched by an inequality (Math-Verify: relations meet sets only when the reference is the relation); inequality for a ray
  ['(-\\infty, 0]', 'x \\leq 0', false], // an interval reference is not matched by an inequality (Math-Verify: relations meet sets only when the reference is the relation); \leq
  ['(-\\infty, 0]', '0 \\ge x', false], // an interval reference is not matched by an inequality (Math-Verify: relations meet sets only when the reference is the relation); reversed inequality
  ['(-\\infty, 0]', 'x < 0', false], // strict instead of non-strict
  ['(-\\infty, 0]', '(-\\infty, 0)', false], // open end
  ['(2,\\infty)', 'x > 2', false], // an interval reference is not matched by an inequality (Math-Verify: relations meet sets only when the reference is the relation); inequality for an open ray
  ['(2,\\infty)', '(2, \\infty)', true], // spacing
  ['(2,\\infty)', '[2, \\infty)', false], // closed at 2
  ['(5,\\infty)', '(5, +\\infty)', true], // +∞
  ['(5,\\infty)', 'x>5', false], // an interval reference is not matched by an inequality (Math-Verify: relations meet sets only when the reference is the relation); inequality
  ['x \\in [-2,7]', '[-2,7]', true], // membership stripped
  ['x \\in [-2,7]', '-2 \\le x \\le 7', false], // an interval reference is not matched by an inequality (Math-Verify: relations meet sets only when the reference is the relation); double inequality
  ['x \\in [-2,7]', '[-2,7)', false], // open end
  ['(-\\infty, 2) \\cup (3, \\infty)', '(3,\\infty)\\cup(-\\infty,2)', true], // union reordered
  ['(-\\infty, 2) \\cup (3, \\infty)', 'x < 2 \\text{ or } x > 3', false], // an interval reference is not matched by an inequality (Math-Verify: relations meet sets only when the reference is the relation); union as inequalities
  ['(-\\infty, 2) \\cup (3, \\infty)', '(-\\infty, 2] \\cup (3, \\infty)', false], // one end closed
  ['(-\\infty, 2) \\cup (3, \\infty)', '(2,3)', false], // the complement
  ['(0,9) \\cup (9,36)', '(0,9)\\cup(9,36)', true], // spacing in a union
  ['(0,9) \\cup (9,36)', '(0,36)', false], // the hole at 9 matters
  ['(2,12) \\cup (12,102)', '(2, 12) ∪ (12, 102)', true], // Unicode union sign
  ['(2,4)', '(2,4)', true], // an open interval (or a pair) identical
  ['(2,4)', '2 < x < 4', false], // an interval reference is not matched by an inequality (Math-Verify: relations meet sets only when the reference is the relation); the open interval as an inequality
  ['(2,4)', '[2,4]', false], // closed interval
  ['(-1,6)', '(-1, 6)', true], // spacing
  ['(-\\sqrt{3}, \\sqrt{3})', '(-1.732, 1.732)', false], // endpoints rounded to 3 places are not the values
  ['(-\\sqrt{3}, \\sqrt{3})', '(-1.732051, 1.732051)', true], // to 6 places they are
  ['3 < x \\le 4', '(3,4]', true], // an inequality reference matches its interval
  ['x \\le 0', '(-\\infty, 0]', true], // a ray
  ['x > 2', '2 < x', true], // the same relation turned round
  ['x < 1', '-x > -1', true], // multiplied by -1
  ['x < 1', 'x > -1', false], // a different relation
  ['\\begin{pmatrix} 1/5 \\\\ -18/5 \\end{pmatrix}', '\\begin{pmatrix} \\frac{1}{5} \\\\ -\\frac{18}{5} \\end{pmatrix}', true], // vector with \frac entries
  ['\\begin{pmatrix} 1/5 \\\\ -18/5 \\end{pmatrix}', '\\begin{pmatrix} 0.2 \\\\ -3.6 \\end{pmatrix}', true], // decimal entries
  ['\\begin{pmatrix} 1/5 \\\\ -18/5 \\end{pmatrix}', '\\begin{pmatrix} -18/5 \\\\ 1/5 \\end{pmatrix}', false], // entries swapped
  ['\\begin{pmatrix} -7 \\\\ 16 \\\\ 5 \\end{pmatrix}', '(-7,16,5)', true], // a column vector as a tuple
  ['\\begin{pmatrix} -7 \\\\ 16 \\\\ 5 \\end{pmatrix}', '\\begin{bmatrix}-7\\\\16\\\\5\\end{bmatrix}', true], // bmatrix for pmatrix
  ['\\begin{pmatrix} -7 \\\\ 16 \\\\ 5 \\end{pmatrix}', '(-7,16,-5)', false], // sign error
  ['\\begin{pmatrix} -1 & 0 \\\\ 0 & -1 \\end{pmatrix}', '\\begin{bmatrix}-1&0\\\\0&-1\\end{bmatrix}', true], // 2x2 in bmatrix
  ['\\begin{pmatrix} -1 & 0 \\\\ 0 & -1 \\end{pmatrix}', '\\begin{pmatrix} -1 & 0 \\\\ 0 & 1 \\end{pmatrix}', false], // one entry wrong
  ['\\begin{pmatrix} -1 & 0 \\\\ 0 & -1 \\end{pmatrix}', '\\begin{pmatrix} -1 & 0 & 0 & -1 \\end{pmatrix}', false], // wrong shape
  ['\\begin{pmatrix} 16/49 \\\\ 48/49 \\\\ 24/49 \\end{pmatrix}', '\\begin{pmatrix}\\frac{16}{49}\\\\\\frac{48}{49}\\\\\\frac{24}{49}\\end{pmatrix}', true], // no spaces, \frac entries
  ['(2,3)', 'x = 2, y = 3', true], // a pair written as two equations, in order
  ['(2,3)', 'x = 3, y = 2', false], // the two equations swapped
  ['\\{-1, 1\\}', '\\pm 1', true], // ± alone for a symmetric set
];

runTable('tuples, sets, intervals, matrices', rows);
