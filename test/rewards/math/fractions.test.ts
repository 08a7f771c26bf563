// Equivalence table for fractions, roots, powers, π, mixed numbers and complex numbers: the LaTeX
// variants models write (\frac13, \dfrac, \tfrac, a/b, \sqrt2, \left( \right)) and their near misses.
import { runTable, type Row } from './table.js';

const rows: Row[] = [
  ['\\frac{1}{3}', '\\frac13', true], // brace-less \frac
  ['\\frac{1}{3}', '\\dfrac{1}{3}', true], // display-style fraction
  ['\\frac{1}{3}', '\\tfrac{1}{3}', true], // text-style fraction
  ['\\frac{1}{3}', '1/3', true], // slash fraction
  ['\\frac{1}{3}', '2/6', true], // unreduced fraction
  ['\\frac{1}{3}', '\\frac{3}{1}', false], // inverted fraction
  ['\\frac{1}{3}', '\\frac{1}{4}', false], // wrong denominator
  ['\\frac 59', '\\frac{5}{9}', true], // MATH gold with a space after \frac
  ['\\frac9{19}', '9/19', true], // mixed braces in the gold
  ['\\frac43', '1\\frac{1}{3}', true], // a mixed number for an improper fraction
  ['\\frac43', '1.33', false], // a two-place decimal is not the fraction (compared to 6 places)
  ['\\frac43', '1.333333', true], // six places
  ['\\frac43', '\\frac{4}{3}\\text{ units}', true], // a unit after a fraction
  ['-\\frac{3}{8}', '\\frac{-3}{8}', true], // minus sign inside the numerator
  ['-\\frac{3}{8}', '-3/8', true], // slash with a sign
  ['-\\frac{3}{8}', '\\frac{3}{8}', false], // sign dropped
  ['-\\frac{35}{9}', '-3\\frac{8}{9}', true], // a negative mixed number is the negated whole value, as Math-Verify reads -4 4/9 as -40/9
  ['-\\frac{24}{9}', '-3\\frac{8}{9}', false], // not -3·8/9
  ['1\\frac{4}{5}', '\\frac{9}{5}', true], // mixed number gold
  ['1\\frac{4}{5}', '1.8', true], // mixed number as a decimal
  ['1\\frac{4}{5}', '\\frac{4}{5}', false], // the whole part dropped
  ['137 \\frac{1}{2}', '137.5', true], // MATH mixed number with a space
  ['137 \\frac{1}{2}', '\\frac{275}{2}', true], // the improper form
  ['\\dfrac{33}{100}', '0.33', true], // an exact decimal for a fraction
  ['\\dfrac{33}{100}', '33\\%', true], // a percentage for a fraction
  ['\\frac{448}{15625}', '0.028672', true], // exact long decimal
  ['\\frac{448}{15625}', '0.0287', false], // rounded to 4 digits: not the value
  ['\\frac{448}{15625}', '0.028', false], // wrongly rounded
  ['\\frac{\\sqrt{3}}{3}', '\\frac{1}{\\sqrt{3}}', true], // rationalised or not
  ['\\frac{\\sqrt{3}}{3}', '\\frac{\\sqrt3}{3}', true], // brace-less \sqrt
  ['\\frac{\\sqrt{3}}{3}', '\\sqrt{3}/3', true], // slash form
  ['\\frac{\\sqrt{3}}{3}', 'sqrt(3)/3', true], // plain-text form (mathjs parses it)
  ['\\frac{\\sqrt{3}}{3}', '\\frac{\\sqrt{3}}{2}', false], // wrong denominator
  ['\\frac{\\sqrt{21}}{5}', '\\sqrt{\\frac{21}{25}}', true], // root of a fraction
  ['2\\sqrt{2}', '\\sqrt{8}', true], // unsimplified root
  ['2\\sqrt{2}', '2 \\sqrt 2', true], // brace-less root with spaces
  ['2\\sqrt{2}', '\\sqrt{2}', false], // coefficient dropped
  ['2\\sqrt{2}', '2\\sqrt{3}', false], // wrong radicand
  ['11\\sqrt2', '11 \\sqrt{2}', true], // MATH brace-less gold
  ['3\\sqrt{13}', '\\sqrt{117}', true], // coefficient moved inside the root
  ['11 \\sqrt{5} + 11', '11(1+\\sqrt{5})', true], // factored form
  ['11 \\sqrt{5} + 11', '11\\sqrt{5} - 11', false], // sign error
  ['1+2\\sqrt{3}', '2\\sqrt3+1', true], // terms reordered
  ['\\sqrt[3]{2}', '2^{1/3}', true], // cube root as a power
  ['\\sqrt[3]{-8}', '-2', true], // real cube root of a negative number
  ['2^{10}', '1024', true], // power evaluated
  ['5r^5', '5 r^{5}', true], // braced exponent
  ['5r^5', '5r^4', false], // wrong exponent
  ['\\pi', '\\pi', true], // identical
  ['12\\pi', '12 \\pi', true], // spacing
  ['288 \\pi', '288\\pi', true], // MATH gold with a space
  ['288 \\pi', '\\pi \\cdot 288', true], // factor order
  ['288 \\pi', '288', false], // π dropped
  ['-\\frac{\\pi}{6}', '-\\pi/6', true], // slash form of a π fraction
  ['-\\frac{\\pi}{6}', '\\frac{-\\pi}{6}', true], // sign inside
  ['-\\frac{\\pi}{6}', '\\frac{\\pi}{6}', false], // sign dropped
  ['\\frac{20000}{\\pi}', '20000/\\pi', true], // π in the denominator
  ['18+2\\pi', '2\\pi+18', true], // sum reordered
  ['18+2\\pi', '2(9+\\pi)', true], // factored
  ['18+2\\pi', '18+\\pi', false], // coefficient dropped
  ['3\\pi', '3*pi', true], // plain-text π
  ['\\frac{3\\sqrt{3}}{4}', '\\frac{3}{4}\\sqrt{3}', true], // coefficient pulled out
  ['\\frac{9}{256}', '\\left(\\frac{3}{16}\\right)^2', true], // \left \right around a power
  ['\\frac{243}{625}', '3^5/5^4', true], // powers in a slash fraction
  ['\\frac{243}{625}', '(3/5)^5', false], // 243/3125: a plausible slip that must be wrong
  ['\\frac{1}{16}', '2^{-4}', true], // negative exponent
  ['\\frac{1}{16}', '\\displaystyle\\frac{1}{16}', true], // \displaystyle styling
  ['\\frac{1}{16}', '\\mathbf{\\frac{1}{16}}', true], // bold styling
  ['6+9i', '9i+6', true], // complex number reordered
  ['6+9i', '6+9\\mathrm{i}', true], // upright i
  ['6 - 5i', '6+5i', false], // conjugate is wrong
  ['1+274i', '1 + 274 i', true], // spacing in a complex number
  ['-2 + 7i', '7i-2', true], // reordered with a negative real part
  ['1 - 12i', '(1-12i)', true], // parenthesised scalar
  ['-1', 'e^{i\\pi}', true], // Euler's identity
  ['\\ln 2', '\\frac{\\log 2}{\\log e}', true], // change of base
  ['3', '\\log_2 8', true], // logarithm with a base
  ['10', '\\binom{5}{2}', true], // binomial coefficient
  ['120', '5!', true], // factorial
  ['\\frac{1}{2}', '\\sin 30^\\circ', true], // a degree angle (the degree sign is dropped)
  ['\\frac{1}{2}', '\\frac {1} {2}', true], // spaces around \frac arguments
  ['\\frac{x}{2}', '\\frac{1}{2}x', true], // coefficient form of a fraction
  ['\\sqrt{2}', '2^{\\frac{1}{2}}', true], // root as a fractional power
  ['\\log_2 3', '\\frac{\\ln 3}{\\ln 2}', true], // change of base
  ['x^2', 'x²', true], // Unicode superscript
];

runTable('fractions, roots, powers, pi', rows);
