// String-level clean-up of an answer before any parsing: math delimiters, \left/\right, spacing and
// styling commands, \dfrac → \frac, units, currency, degrees and percent signs, `x =` prefixes.
// It does not judge or parse maths (structure.ts and cas.ts do); the rules follow Math-Verify's
// and the MATH/PRM800K graders' normalisers.

import { matchBrace } from './boxes.js';

/** The answer with its presentation stripped, plus what the stripping removed that still matters. */
export interface Cleaned {
  /** The cleaned LaTeX (or plain text). */
  text: string;
  /** A percent sign (`\%`, `%`, "percent") was removed: the value is x or x/100. */
  percent: boolean;
  /** The whole answer was prose (`\text{east}`, "Evelyn"): compare as words. */
  words: boolean;
}

const SPACING = /(?<!\\)\\[,:;! ]|\\q?quad\b|\\(?:hspace|vspace)\*?\{[^}]*\}|~/g;
const SIZING = /\\(?:left|right|big|Big|bigg|Bigg)[lrm]?(?![a-zA-Z])\s*/g;
const STYLE = /\\(?:displaystyle|textstyle|scriptstyle|limits)(?![a-zA-Z])/g;
/** Commands that only change the font: `\mathbf{x}` → `x`. */
const FONT = ['mathbf', 'boldsymbol', 'bm', 'mathit', 'mathsf', 'mathtt', 'mathnormal', 'textbf', 'textit', 'emph', 'mathcal'];
/** Commands whose content is prose: a unit after a number, or the whole answer. */
const TEXT = ['text', 'textrm', 'textup', 'textnormal', 'mbox', 'mathrm', 'rm', 'textsf'];

/** Units and currency words stripped after a number (lowercase; plurals by a trailing s). */
const UNITS = new Set(
  (
    'cm mm km m meter metre inch inches in ft foot feet yd yard mile mi kg g gram mg lb lbs pound ounce oz ' +
    'l liter litre ml gallon gal cup s sec second minute min h hr hour day week month year yr ' +
    'dollar cent euro unit square cubic sq degree deg radian rad mph kph kmh km/h m/s cents people student ' +
    'item piece apple page point pt times percent per sheep child children person men women tiles book ticket'
  ).split(' '),
);

/** Removes presentation from an answer string. Pure; never throws. */
export function cleanAnswer(input: string): Cleaned {
  let s = input.trim();
  s = stripDelimiters(s);
  s = s.replace(/\\(?:dfrac|tfrac|cfrac)/g, '\\frac').replace(/\\(?:dbinom|tbinom)/g, '\\binom');
  // `\!` joins (`12,\! 000` is 12,000) and `{,}` is a comma, as Math-Verify's normaliser reads them.
  s = s.replace(/\\!\s*/g, '').replace(/\{\s*,\s*\}/g, ',');
  s = s.replace(/>=/g, '\\ge ').replace(/<=/g, '\\le ').replace(/!=/g, '\\ne ');
  s = s.replace(/,?\s*\\(?:ldots|cdots|dots)(?![a-zA-Z])/g, ' ');
  s = s.replace(SPACING, ' ').replace(SIZING, '').replace(STYLE, '');
  s = s.replace(/\\(?:mathbb|mathbf)\{R\}/g, '\\R');
  s = unwrapCommands(s, FONT);
  s = s.replace(/\\operatorname\{([^{}]*)\}/g, '\\$1');
  s = s.replace(/−|–/g, '-').replace(/·|⋅/g, '\\cdot ').replace(/×/g, '\\times ').replace(/÷/g, '/');
  s = s.replace(/√/g, '\\sqrt').replace(/π/g, '\\pi ').replace(/∞/g, '\\infty ');
  s = s.replace(/≤/g, '\\le ').replace(/≥/g, '\\ge ').replace(/≠/g, '\\ne ').replace(/∪/g, '\\cup ');
  s = s.replace(/²/g, '^2').replace(/³/g, '^3');

  s = approximate(s);
  // A mixed number written with a slash, `2 1/3` (or `-2 1/3`, `1 000 4/9`), is its whole value; one
  // whose fraction is not proper (`11 6/6`, `4 4/0`) has no value (Math-Verify's mixed-number tests).
  const mixed = /^([-+]?)(\d{1,3}(?: \d{3})+|\d+)\s+(\d+)\s*\/\s*(\d+)(?=\s*(?:\\?%|[a-zA-Z\\]|$))/.exec(s);
  if (mixed) {
    const [whole, num, den] = [BigInt(mixed[2]!.replace(/ /g, '')), BigInt(mixed[3]!), BigInt(mixed[4]!)];
    if (num >= den) return { text: s, percent: false, words: true };
    s = `${mixed[1] === '-' ? '-' : ''}\\frac{${whole * den + num}}{${den}}${s.slice(mixed[0].length)}`;
  }
  const spelled = NUMBER_WORDS[s.toLowerCase().replace(/[.!]$/, '')];
  if (spelled !== undefined) s = String(spelled);
  const words = isProse(s);
  if (words) return { text: proseText(s), percent: false, words: true };

  // "and"/"or" between answers is a list separator: `(11,7)or(7,11)`, `19, 46, and 82`, `6 \text{ and } 8`.
  s = s.replace(/,?\s*\\text\s*\{\s*(?:and|or)\s*\}\s*/g, ', ').replace(/(?<![a-zA-Z\\])\s*,?\s*\b(?:and|or)\b(?![a-zA-Z])\s*/g, ', ');
  let percent = false;
  s = s.replace(/\\?%|\s*\\text\{\s*(?:percent|pct)\s*\}|\s*\b(?:percentage|percent|pct)\b|\s+per\s*cent\b/gi, () => {
    percent = true;
    return '';
  });
  // A degree sign ending the answer is dropped (30^\circ = 30); inside (\sin 30^\circ) it stays a unit the CAS converts.
  s = s.replace(/°|\\degree\b/g, '^\\circ');
  if (!/\\(?:sin|cos|tan|cot|sec|csc)/.test(s)) s = s.replace(/(?:\^\s*\{?\s*\\circ\s*\}?\s*)+$/, '');
  s = s.replace(/\\\$|\$|€|£|¥|\\euro\b|\\pounds\b|\bUSD\b|\bEUR\b/g, '');
  s = stripTextUnits(s);
  s = stripWordUnits(s);
  s = s.replace(/\\(?:ne|neq)\b/g, '\\ne');
  s = s.replace(/\\(?:leq|leqslant)\b/g, '\\le').replace(/\\(?:geq|geqslant)\b/g, '\\ge');
  s = s.replace(/\s+/g, ' ').trim();
  // Sentence punctuation goes, an ellipsis stays: `1, 2, 3, ...` is an endless list.
  s = s.replace(/^[,;:]+|^\.(?!\d)/g, '').trim();
  if (!/\.\.$/.test(s)) s = s.replace(/[.,;:]+$/, '').trim();
  return { text: s, percent, words: false };
}

/** Number words a model may answer with (`five`); only whole answers, never inside prose. */
const NUMBER_WORDS: Record<string, number> = Object.fromEntries(
  'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty'
    .split(' ')
    .map((w, i) => [w, i] as const)
    .concat([['thirty', 30], ['forty', 40], ['fifty', 50], ['sixty', 60], ['seventy', 70], ['eighty', 80], ['ninety', 90], ['hundred', 100], ['a hundred', 100], ['one hundred', 100]]),
);

/** `\frac13 \approx 0.333` → `\frac13` (the exact side); `x \approx 3.14` and `\approx 3.14` → `3.14`. */
function approximate(s: string): string {
  const parts = s.split(/\\approx(?![a-zA-Z])|≈/).map((x) => x.trim());
  if (parts.length === 1) return s;
  return parts.find((x) => x.length > 0 && !/^(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?\w+\}?)?$/.test(x)) ?? s;
}

/** `$…$`, `$$…$$`, `\(…\)`, `\[…\]` around the whole answer, and a `\boxed{…}` left in it. */
function stripDelimiters(s: string): string {
  for (let changed = true; changed; ) {
    const before = s;
    s = s.replace(/^\$+([\s\S]*?)\$+$/, '$1').trim();
    s = s.replace(/^\\\(([\s\S]*)\\\)$/, '$1').replace(/^\\\[([\s\S]*)\\\]$/, '$1').trim();
    const box = /^\\(?:boxed|fbox)\s*\{/.exec(s);
    if (box && matchBrace(s, box[0].length - 1) === s.length - 1) s = s.slice(box[0].length, -1).trim();
    if (!/\.\.$/.test(s)) s = s.replace(/[.,;]+$/, '').trim();
    changed = s !== before;
  }
  return s.replace(/\$/g, ' ').replace(/\\\$/g, '\\$');
}

/** `\cmd{x}` → `x` for every command in `names` (nested braces kept). */
function unwrapCommands(s: string, names: readonly string[]): string {
  const re = new RegExp(`\\\\(?:${names.join('|')})\\s*\\{`, 'g');
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const open = m.index + m[0].length - 1;
    const close = matchBrace(s, open);
    if (close < 0) break;
    s = s.slice(0, m.index) + s.slice(open + 1, close) + s.slice(close + 1);
    re.lastIndex = m.index;
  }
  return s;
}

/** True when the answer is words, not maths: `\text{east}`, `Evelyn`, `\text{(C)}`. */
function isProse(s: string): boolean {
  // A whole answer in \text{} is a word even when it is digits: `\text{13}` is not the number 13.
  const whole = /^\\text\s*\{([^{}]*)\}$/.exec(s.trim());
  if (whole && /\S/.test(whole[1]!) && !/\s/.test(whole[1]!.trim())) return true;
  const t = unwrapCommands(s, TEXT).trim();
  if (!/[a-zA-Z]{2}/.test(t) && !/^\(?[A-Ea-e]\)?$/.test(t)) return false;
  if (/[\\^_=<>{}]/.test(t)) return false;
  if (/\d/.test(t)) return false;
  const letters = t.replace(/[^a-zA-Z]/g, '');
  // Short letter strings such as `ab`, `xy`, `pq` are products of variables, not words.
  return letters.length >= 3 || /^\(?[A-E]\)?$/.test(t) || /\s/.test(t.trim()) || /^[A-Z][a-z]/.test(t);
}

function proseText(s: string): string {
  return unwrapCommands(s, TEXT)
    .replace(/[.!,;:]+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** `5\text{ cm}^2`, `\mbox{ inches}`: text after maths is a unit; a lone `\text{e}` is kept as a letter. */
function stripTextUnits(s: string): string {
  const re = new RegExp(`\\\\(?:${TEXT.join('|')})\\s*\\{`, 'g');
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const open = m.index + m[0].length - 1;
    const close = matchBrace(s, open);
    if (close < 0) break;
    const inner = s.slice(open + 1, close);
    let end = close + 1;
    const power = /^\s*\^\s*(?:\{\s*\d\s*\}|\d)/.exec(s.slice(end));
    const isUnit = /[a-zA-Z]{2}|^\s/.test(inner) && s.slice(0, m.index).trim().length > 0;
    const connective = /^\s*(?:or|and)\s*$/i.test(inner);
    if (isUnit && power) end += power[0].length;
    const replacement = connective ? ` ${inner.trim()} ` : isUnit ? ' ' : inner;
    s = s.slice(0, m.index) + replacement + s.slice(end);
    re.lastIndex = m.index;
  }
  return s;
}

/** Plain unit words after a number or closing brace: `3.5 hours`, `12 cm^2`, `40 dollars`. */
function stripWordUnits(s: string): string {
  return s.replace(/([\d}).])\s*([a-zA-Z]+(?:\/[a-zA-Z]+)?(?:\s+[a-zA-Z]+)*)(\s*\^\s*\{?\d\}?)?\s*$/, (all, before: string, words: string) => {
    const list = words.toLowerCase().split(/\s+/);
    const ok = list.every((w) => UNITS.has(w) || UNITS.has(w.replace(/e?s$/, '')) || (w.length > 3 && !w.includes('/')));
    return ok && (list.length > 1 || words.length > 1 || /\s/.test(all.slice(1, 2))) ? before : all;
  });
}
