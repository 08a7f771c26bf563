// Equivalence table for numbers: integers, decimals, thousands separators, decimal commas, leading-dot
// decimals, rounding, percentages, currency and units. Rows are modelled on real model outputs
// (GSM8K/MATH completions); gold is trusted, the prediction is what extraction returned.
import { runTable, type Row } from './table.js';

const rows: Row[] = [
  ['18', '18', true], // identical integers
  ['18', '18.0', true], // a trailing .0 is the same integer
  ['18', '18.00', true], // money-style two decimals
  ['18', '018', true], // a leading zero
  ['18', '+18', true], // an explicit plus sign
  ['18', '17', false], // off by one: the classic near miss
  ['18', '-18', false], // sign error
  ['18', '180', false], // a dropped decimal point, not the same number
  ['18', '1.8', false], // misplaced decimal point
  ['70000', '70,000', true], // GSM8K gold without separators, model adds commas
  ['70000', '70 000', true], // space as thousands separator (French style)
  ['70000', '70\\,000', true], // LaTeX thin space as thousands separator
  ['70000', '70{,}000', true], // LaTeX braced comma grouping thousands
  ['70000', '7,0000', false], // malformed grouping is not a thousands separator
  ['1234567', '1,234,567', true], // several thousands groups
  ['1234567', '1 234 567', true], // several space groups
  ['1234567', '1,234,568', false], // last digit wrong
  ['58,500', '58500', true], // MATH gold with a comma, bare prediction
  ['10,\\!080', '10080', true], // MATH's \! spacing inside the gold
  ['11,\\! 111,\\! 111,\\! 100', '11111111100', true], // long MATH number with \! separators
  ['11,\\! 111,\\! 111,\\! 100', '11,111,111,100', true], // same number written with plain commas
  ['11,\\! 111,\\! 111,\\! 100', '11111111000', false], // one digit off in a long number
  ['3.5', '3,5', true], // decimal comma (European model output)
  ['3.5', '3{,}5', true], // LaTeX decimal comma
  ['3.5', '3.50', true], // trailing zero
  ['3.5', '7/2', true], // a fraction for a decimal gold
  ['3.5', '\\frac{7}{2}', true], // LaTeX fraction for a decimal gold
  ['3.5', '3.05', false], // looks close, is not
  ['3.5', '35', false], // dropped decimal point
  ['0.5', '.5', true], // leading-dot decimal
  ['.35625', '0.35625', true], // MATH gold written with a leading dot
  ['.35625', '0.3562', false], // truncated digit of an exact decimal gold
  ['.0000672', '0.0000672', true], // tiny leading-dot gold
  ['.0000672', '6.72\\times10^{-5}', true], // scientific notation in LaTeX
  ['.0000672', '6.72e-5', true], // scientific notation in plain text
  ['.0000672', '0.0000673', true], // decimals agree to 6 places (Math-Verify's float rule is absolute)
  ['.0000672', '0.0000682', false], // they differ at the 6th place
  ['1.25', '1.250', true], // trailing zero
  ['1.25', '1.2', false], // rounding an exact decimal gold is wrong
  ['1.25', '\\frac54', true], // fraction of a decimal gold
  ['326.5', '326.50', true], // trailing zero on a longer decimal
  ['326.5', '326', false], // rounded to an integer
  ['-1', '-1.0', true], // negative with trailing zero
  ['-1', '- 1', true], // a space after the minus sign
  ['-1', '−1', true], // Unicode minus sign
  ['-1', '1', false], // dropped minus sign
  ['0', '0.0', true], // zero written as a decimal
  ['0', '-0', true], // negative zero is zero
  ['0', '0.001', false], // a small number is not zero
  ['100', '10^2', true], // a power for an integer gold
  ['1024', '2^{10}', true], // power with braces
  ['1000', '1e3', true], // e-notation
  ['1000', '1.0 \\times 10^3', true], // scientific notation with \times
  ['12345678901234567890', '12345678901234567890', true], // exact beyond 2^53
  ['12345678901234567890', '12345678901234567891', false], // big integers compared exactly, not as floats
  ['\\frac{1}{3}', '0.33', false], // a decimal is compared to 6 places: 0.33 is not 1/3 (Math-Verify)
  ['\\frac{1}{3}', '0.333', false], // nor is 0.333
  ['\\frac{1}{3}', '0.333333', true], // six places are
  ['\\frac{1}{3}', '0.3333333333', true], // many digits
  ['\\frac{1}{3}', '0.3', false], // one digit is too coarse
  ['\\frac{1}{3}', '0.34', false], // wrongly rounded
  ['\\frac{2}{3}', '0.67', false], // two places are too few
  ['\\frac{2}{3}', '0.666667', true], // correctly rounded at the 6th place
  ['\\frac{2}{3}', '0.66', false], // truncated, not rounded
  ['\\pi', '3.14', false], // pi to two decimals is not pi
  ['\\pi', '3.141593', true], // pi to six decimals is
  ['\\pi', '3.15', false], // wrong approximation of pi
  ['\\pi', '3', false], // an integer is not a rounding of pi
  ['\\sqrt{2}', '1.414', false], // root approximated to three places: too coarse
  ['\\sqrt{2}', '1.4142136', true], // root to seven places
  ['\\sqrt{2}', '1.42', false], // root approximated wrongly
  ['28\\%', '28', true], // model drops the percent sign
  ['28\\%', '28\\%', true], // same with the sign
  ['28\\%', '28%', true], // plain percent sign
  ['28\\%', '0.28', true], // the fraction form of a percentage
  ['28\\%', '28 percent', true], // the word percent
  ['28\\%', '29\\%', false], // wrong percentage
  ['28\\%', '2.8', false], // neither 28 nor 0.28
  ['28', '28\\%', true], // percent on either side: x% is x or x/100 (Math-Verify's policy as issue 25 states it; its grader reads X% as X·1/100 beside X)
  ['0.28', '28\\%', true], // 28% for the decimal reference
  ['0.28', '28\\%', true], // gold as a fraction, model answers in percent
  ['50', '50\\% of the cost', false], // prose after a percent is not a clean answer
  ['\\$36', '36', true], // currency in gold only
  ['36', '\\$36', true], // currency in the prediction only
  ['36', '$36.00', true], // dollar sign and cents
  ['36', '36 dollars', true], // currency word
  ['36', '€36', true], // euro sign
  ['\\$18.90', '18.9', true], // dollars and cents, trailing zero dropped
  ['\\$18.90', '\\$18.09', false], // transposed cents
  ['\\$32,\\!348', '32348', true], // MATH money gold with thousands separator
  ['\\$32,\\!348', '\\$32,348', true], // same with a plain comma
  ['15\\mbox{ cm}^2', '15', true], // unit with a power in the gold
  ['15\\mbox{ cm}^2', '15 \\text{ cm}^2', true], // unit in both
  ['15\\mbox{ cm}^2', '15 cm²', true], // Unicode superscript unit
  ['15\\mbox{ cm}^2', '16', false], // wrong value with unit stripped
  ['864 \\mbox{ inches}^2', '864', true], // MATH unit gold
  ['864 \\mbox{ inches}^2', '864 square inches', true], // unit words in the prediction
  ['5.4 \\text{ cents}', '5.4', true], // MATH cents gold
  ['5.4 \\text{ cents}', '5.4 cents', true], // unit word without \text
  ['5.4 \\text{ cents}', '0.054', false], // a dollar conversion is not accepted
  ['3.5', '3.5 hours', true], // a unit word after the number
  ['3.5', '3.5 \\text{ hours}', true], // unit in \text
  ['3.5', '3.5\\,\\mathrm{h}', true], // unit in \mathrm with a thin space
  ['12', '12 m', true], // single-letter unit after a space
  ['12', '12 \\mathrm{m}', true], // single-letter unit in \mathrm
  ['4', '4 apples', true], // GSM8K-style counted objects
  ['4', '4 apples and 3 pears', false], // two numbers in the answer
  ['30^\\circ', '30', true], // degrees dropped by the model
  ['30^\\circ', '30°', true], // Unicode degree sign
  ['30^\\circ', '30^{\\circ}', true], // braced degree
  ['30^\\circ', '30 degrees', true], // degree word
  ['30^\\circ', '60^\\circ', false], // wrong angle
  ['\\frac{270}7\\text{ degrees}', '\\frac{270}{7}', true], // MATH fraction with degrees text
  ['\\frac{270}7\\text{ degrees}', '38.57', false], // rounded to two decimals: not the exact value
  ['\\frac{270}7\\text{ degrees}', '38.571429', true], // six decimals
  ['\\frac{270}7\\text{ degrees}', '38.5', false], // too coarse and wrong
  ['5', 'five', true], // a number word for a small number
  ['20', 'Twenty', true], // capitalised number word
  ['5', 'six', false], // the wrong number word
  ['\\pi', '\\approx 3.141593', true], // an approximation sign before a value to 6 places
  ['\\pi', 'x \\approx 3.141593', true], // "x ≈" before it
  ['\\pi', '\\approx 3.14', false], // a coarse approximation is not the value
  ['\\pi', '\\approx 3.15', false], // a wrong approximation is still wrong
  ['\\frac13', '\\frac{1}{3} \\approx 0.333', true], // exact value followed by its approximation
  ['1', '1.0000000001', true], // within the relative tolerance of a float result
  ['4', '2+2', true], // an unevaluated sum
  ['-3', '(-3)', true], // parenthesised negative number
  ['e', '2.718282', true], // Euler's number to 6 places
  ['\\$1.50', '1.5 dollars', true], // currency word with a decimal
  ['\\$1.50', '150 cents', false], // a unit conversion is not accepted
  ['\\dfrac{17}{50}', '34%', true], // a percentage for a fraction gold
  ['100', '100%', true], // a percent sign only in the answer: x% is x or x/100 (issue 25: `10` vs `10%` was a wrong rejection)
  ['1', '100%', true], // which is the reference's value
  ['25', '\\boxed{25\\%}', true], // a GSM8K-style percentage answer against a bare reference: the number itself
  ['26', '\\boxed{25\\%}', false], // but not another number
  ['2.5', '25\\%', false], // nor ten times its value
  ['0.25', '25\\%', true], // the decimal reference it stands for
];

runTable('numbers', rows);

// With a set precision (EquivalenceOptions.precision = 2), numbers agree when they round alike.
const atPrecision2: Row[] = [
  ['3.14159', '3.14', true], // a plain-decimal gold rounded to 2 places
  ['3.14159', '3.1416', true], // both round to 3.14
  ['3.14159', '3.15', false], // rounds differently
  ['2.004', '2.01', false], // 2.004 rounds to 2.00, not 2.01
  ['2.006', '2.01', true], // 2.006 rounds to 2.01
  ['\\frac{2}{3}', '0.667', true], // an exact gold rounded to 2 places
  ['\\frac{2}{3}', '0.6', false], // still wrong at 2 places
  ['18', '18.004', true], // within the precision of an integer gold
];
runTable('numbers at precision 2', atPrecision2, { precision: 2 });
