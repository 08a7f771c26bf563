// Equivalence table for answers that are not numbers: multiple-choice letters (A–E), words and names,
// and numbers in another base. Rows modelled on MATH-500 golds (`\text{(C)}`, `\text{east}`, `2516_8`).
import { runTable, type Row } from './table.js';

const rows: Row[] = [
  ['\\text{(C)}', 'C', true], // bare letter
  ['\\text{(C)}', '(C)', true], // letter in parentheses
  ['\\text{(C)}', '\\text{(C)}', true], // identical
  ['\\text{(C)}', '\\textbf{(C)}', true], // bold choice
  ['\\text{(C)}', '\\textbf{(C)} 12', true], // choice followed by its value
  ['\\text{(C)}', 'C) 12', true], // letter with a closing parenthesis
  ['\\text{(C)}', 'D', false], // wrong letter
  ['\\text{(C)}', '(A) or (C)', false], // hedging between two choices
  ['\\text{(C)}', 'c', true], // lowercase letter
  ['\\text{(B)}', 'B', true], // another letter
  ['\\text{(E)}', '(E)', true], // last choice
  ['C', '\\text{C}', true], // bare gold letter
  ['C', 'B', false], // wrong bare letter
  ['\\text{east}', 'East', true], // capitalised word
  ['\\text{east}', '\\text{east}', true], // identical
  ['\\text{east}', 'west', false], // wrong direction
  ['\\text{Evelyn}', 'evelyn', true], // name in lowercase
  ['\\text{Evelyn}', 'Navin', false], // wrong name
  ['\\text{Navin}', '\\text{Navin}.', true], // trailing period
  ['\\text{even}', 'even', true], // parity word
  ['\\text{even}', 'odd', false], // wrong parity
  ['\\text{even}', 'neither', false], // different word
  ['\\text{ellipse}', 'an ellipse', true], // an article before the word
  ['\\text{ellipse}', '\\text{Ellipse}', true], // capitalised in \text
  ['\\text{ellipse}', 'parabola', false], // wrong conic
  ['\\text{ellipse}', 'ellipses are nice', false], // extra words
  ['Yes', 'yes', true], // yes/no answers, case-insensitive
  ['Yes', 'No', false], // the opposite
  ['2516_8', '2516_8', true], // identical base-8 number
  ['2516_8', '2516_{8}', true], // braced subscript
  ['2516_8', '2516', true], // base subscript omitted: the digits are the answer
  ['2516_8', '1358', false], // the decimal value is not the base-8 answer
  ['2516_8', '2516_9', false], // wrong base
  ['4210_{5}', '4210_5', true], // subscript without braces
  ['4210_{5}', '4201_5', false], // digits swapped
  ['52_8', '52_{8}', true], // two-digit base-8
  ['204_5', '204', true], // base dropped
  ['4343_6', '4334_6', false], // a near miss in base 6
];

runTable('choices, words, bases', rows);
