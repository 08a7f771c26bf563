// Equivalence table for symbolic answers: polynomials, rational and trigonometric expressions compared
// by the CAS (random-point evaluation, then simplify), equations, and `x = 5` / `k = \frac13` answers
// taken as their right-hand side. Rows modelled on MATH-500 golds and real model outputs.
import { runTable, type Row } from './table.js';

const rows: Row[] = [
  ['x^2+2x+1', '(x+1)^2', true], // factored vs expanded
  ['x^2+2x+1', '(x-1)^2', false], // wrong sign inside the square
  ['x^2+2x+1', 'x^2+2x', false], // constant term dropped
  ['8n^2 + 4n + 1', '4n+8n^2+1', true], // terms reordered
  ['8n^2 + 4n + 1', '8n^2+4n+1', true], // spacing only
  ['8n^2 + 4n + 1', '8n^2 + 4n - 1', false], // sign of the constant
  ['6r^2-4r-24', '2(3r^2-2r-12)', true], // common factor pulled out
  ['6r^2-4r-24', '2(3r+4)(r-3)', false], // a wrong factorisation
  ['6r^2-4r-24', '(6r+12)(r-2)', false], // expands to 6r^2-24: a plausible wrong factorisation
  ['6r^2-4r-24', '(3r^2-2r-12)\\cdot 2', true], // factor written last with \\cdot
  ['15x - 80', '5(3x-16)', true], // factored linear expression
  ['15x - 80', '15x-8', false], // digit dropped
  ['-13x+3', '3-13x', true], // reordered linear expression
  ['-13x+3', '13x-3', false], // negated
  ['2k+2', '2(k+1)', true], // factored
  ['2k', 'k+k', true], // unsimplified sum
  ['2k', 'k^2', false], // k^2 equals 2k only at k = 2
  ['p - q', 'p-q', true], // spacing
  ['p - q', '-(q-p)', true], // double negation
  ['p - q', 'q - p', false], // swapped
  ['3R^2', '3 R^{2}', true], // braced exponent
  ['3R^2', '3r^2', false], // variable case matters
  ['x^3+3x-6', 'x^3 + 3 x - 6', true], // spaces inside terms
  ['x^8 + x^7 + x^6 + x^5 + x^4 + x^3 + x^2 + x + 1', '\\frac{x^9-1}{x-1}', true], // geometric sum in closed form
  ['x^5 - x^4 + x^3 - x^2 + x - 1', '(x-1)(x^4+x^2+1)', true], // factored polynomial
  ['x^5 - x^4 + x^3 - x^2 + x - 1', '(x+1)(x^4+x^2+1)', false], // wrong linear factor
  ['\\frac{11+9a}{20}', '\\frac{11}{20}+\\frac{9a}{20}', true], // split fraction
  ['\\frac{11+9a}{20}', '\\frac{11+9a}{2}', false], // wrong denominator
  ['\\frac{11+9a}{20}', '0.55+0.45a', true], // decimal coefficients
  ['(a+5)(b+2)', 'ab+2a+5b+10', true], // expanded product
  ['(a+5)(b+2)', '(b+2)(a+5)', true], // factors swapped
  ['(a+5)(b+2)', '(a+2)(b+5)', false], // constants swapped
  ['\\cot x', '\\frac{\\cos x}{\\sin x}', true], // definition of cot
  ['\\cot x', '\\frac{1}{\\tan x}', true], // reciprocal of tan
  ['\\cot x', '\\tan x', false], // tan instead of cot
  ['\\sin^2 x', '1-\\cos^2 x', true], // Pythagorean identity
  ['\\sin 2x', '2\\sin x\\cos x', true], // double angle
  ['\\sqrt{x^2+1}', '(x^2+1)^{1/2}', true], // root as a power
  ['\\frac{x^2-1}{x-1}', 'x+1', true], // cancellation (equal wherever both are defined)
  ['e^{2x}', '(e^x)^2', true], // power of an exponential
  ['\\ln(xy)', '\\ln x + \\ln y', true], // log of a product (positive points)
  ['\\frac{1}{x}', 'x^{-1}', true], // negative power
  ['x+y', 'y + x', true], // commuted
  ['x+y', 'xy', false], // sum vs product
  ['2x^2+3x', 'x(2x+3)', true], // common factor
  ['x^2+2x+1', 'x^2+2x+1.00001', false], // a small perturbation of a coefficient is still wrong
  ['x=5', '5', true], // equation gold, bare value
  ['5', 'x = 5', true], // bare gold, equation prediction
  ['5', 'x=5', true], // no spaces
  ['5', 'x_1 = 5', true], // subscripted variable
  ['5', 'n = 4', false], // equation with the wrong value
  ['\\frac{1}{3}', 'k = \\frac{1}{3}', true], // k = fraction
  ['\\frac{1}{3}', 'k=\\frac13', true], // brace-less
  ['4', 'a = b = 4', true], // chained equation: last right-hand side
  ['10', 'f(3) = 10', true], // an equation against a bare reference is read as its right-hand side (Math-Verify)
  ['10', 'f(3) = 11', false], // and its right-hand side must be right
  ['2x + 1 = 11', '11', false], // a reference that is an equation (not an assignment) is not its right-hand side
  ['10', 'f(x) = 10', true], // a function name counts as the left-hand side
  ['y = 2x + 3', 'y=2x+3', true], // the same line
  ['y = 2x + 3', 'y = 3 + 2x', true], // reordered right-hand side
  ['y = 2x + 3', '2x + 3', true], // the right-hand side alone
  ['y = 2x + 3', 'y = 2x - 3', false], // wrong intercept
  ['y = 2x + 3', 'y - 2x - 3 = 0', true], // rearranged equation (proportional)
  ['y = -2x', 'y = 2x', false], // wrong slope sign
  ['y = -2x', '2x + y = 0', true], // implicit form
  ['5x - 7y + 11z + 4 = 0', '-5x+7y-11z-4=0', true], // plane equation times -1
  ['5x - 7y + 11z + 4 = 0', '10x - 14y + 22z + 8 = 0', true], // plane equation times 2
  ['5x - 7y + 11z + 4 = 0', '5x-7y+11z=4', false], // moved the constant without flipping its sign
  ['5x - 7y + 11z + 4 = 0', '5x-7y+11z+4', false], // an expression is not an equation here
  ['x^2 + y^2 = 25', 'y^2 + x^2 = 25', true], // circle, reordered
  ['x^2 + y^2 = 25', 'x^2 + y^2 = 5', false], // radius instead of radius squared
  ['\\frac{3}{2}', '\\frac{3}{2}x', false], // a stray variable
  ['2', '2x', false], // a variable is not the number
  ['\\sqrt{5}', '\\sqrt{5}x^0', true], // x^0 = 1
  ['k', 'K', false], // case of a variable
  ['\\alpha + 1', '1 + \\alpha', true], // Greek variable
];

runTable('expressions and equations', rows);
