// What a prediction or a gold field is before it is judged: a bare answer to parse whole, or a text
// (a completion, a worked solution, "the answer is X") to search for its answer; escaping artefacts
// (`\\frac` written for `\frac`) undone first. Not extraction (extract.ts) nor equivalence.

/** `answer`: the whole text is the answer; `completion`: search it; `auto`: the whole text when it is one. */
export type TextKind = 'answer' | 'completion' | 'auto';
export const TEXT_KINDS: readonly TextKind[] = ['answer', 'completion', 'auto'];

/**
 * LaTeX command names that a doubled backslash in front of cannot be meant as a line break followed
 * by letters (`\\frac` is `\frac` escaped once more, as JSON or a Python string writes it).
 */
const COMMANDS = new Set(
  (
    'frac dfrac tfrac cfrac sqrt le leq ge geq lt gt ne neq left right cdot times div pm mp pi infty in notin cup cap ' +
    'text textbf textit mathrm mathbf mathbb mathit operatorname mbox boxed fbox begin end circ degree approx equiv ' +
    'alpha beta gamma delta epsilon varepsilon theta vartheta lambda mu sigma phi varphi omega tau rho ' +
    'sin cos tan cot sec csc arcsin arccos arctan log ln exp binom dbinom tbinom quad qquad dots ldots cdots ' +
    'displaystyle emptyset varnothing angle triangle overline vec hat bar langle rangle lfloor rfloor lceil rceil ' +
    'sum prod int lim to rightarrow Rightarrow implies iff land lor neg setminus subset subseteq mid parallel perp'
  ).split(' '),
);

/** Whether a lone doubled backslash stands before a known command or an escaped symbol (a scan by indexOf). */
function hasDoubled(s: string): boolean {
  for (let i = s.indexOf('\\\\'); i >= 0; i = s.indexOf('\\\\', i + 2)) {
    const next = s.charCodeAt(i + 2);
    // A line break (`\\` before a space, a newline, `&` or a digit) is the common case: one look.
    if (next === 92 || (!isLetter(next) && !ESCAPED_SYMBOL.has(next)) || s.charCodeAt(i - 1) === 92) continue;
    let j = i + 3;
    while (j < s.length && j < i + 16 && isLetter(s.charCodeAt(j))) j++;
    if (!isLetter(next) || COMMANDS.has(s.slice(i + 2, j))) return true;
  }
  return false;
}

/** `!$%{},;:` as character codes: symbols that a doubled backslash before is an escaping artefact. */
const ESCAPED_SYMBOL = new Set([...'!$%{},;:'].map((c) => c.charCodeAt(0)));

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** A doubled backslash before `name` is an escaping artefact: a known command or an escaped symbol. */
function artefact(name: string): boolean {
  return COMMANDS.has(name) || /^[!$%{},;:]$/.test(name);
}

/**
 * Undoes one level of escaping when the text shows it: a doubled backslash glued to a command name
 * (`\\frac`, `\\le`, `\\left(`) or to an escaped symbol (`\\!`, `\\$`, `\\{`), none of which a line
 * break can be followed by in an answer. Then every even run of backslashes is halved (`\\\\` back to
 * the line break `\\`). A text without such a command is returned as it is: `a \\ b` in a matrix stays
 * a line break.
 */
export function unescapeLatex(s: string): string {
  if (typeof s !== 'string' || !hasDoubled(s)) return s;
  // Beside a single-backslash command only the doubled known commands (and escaped symbols) are artefacts.
  const mixed = /(?<!\\)\\[a-zA-Z]/.test(s);
  if (mixed) return s.replace(/(?<!\\)\\\\([a-zA-Z]+|[!$%{},;:])/g, (all, name: string) => (artefact(name) ? `\\${name}` : all));
  return s.replace(/\\+/g, (run) => (run.length % 2 === 0 ? '\\'.repeat(run.length / 2) : run));
}

/** Spacing commands glued to the next token (`\quadx_2`, `\qquad5`) get a space between. */
export function unglueSpacing(s: string): string {
  if (typeof s !== 'string' || !s.includes('quad')) return s;
  return s.replace(/\\(q?quad)(?=[A-Za-z0-9])/g, '\\$1 ');
}

/** Words that make a short text prose to search, not an answer (`The answer is 5`, `so x = 3`). */
const PROSE_WORDS = new Set(
  (
    'the is are was be answer answers final therefore thus hence so we get gives equals equal which that this it ' +
    'of to for with then first second result solution value values correct there here since because where when ' +
    'find found let number total need our its from by at on as into has have can will would should must not no yes'
  ).split(' '),
);

/** Pieces of sentence words: one alternation (a third of the time of twelve `includes`). */
const PROSE_MARK = / the |The | is | are | we |We | so |So |herefore|Thus| thus|nswer/;

/** Words that make even a short text without numbers a sentence (`The answer is odd`). */
const SENTENCE_WORDS = new Set('the is are was answer answers final therefore thus hence so we get gives'.split(' '));

/** Words allowed beside numbers in a bare answer: units, percent, time of day, list joiners, functions. */
const ANSWER_WORDS = new Set(
  (
    'and or percent pct percentage am pm a.m p.m cm mm km m meters metres meter inches inch in ft feet foot yards miles mile ' +
    'kg g grams gram pounds pound lb lbs ounces oz liters litres liter ml gallons hours hour minutes minute seconds second ' +
    'days day weeks week months years year dollars dollar cents cent degrees degree units unit square cubic sq mph ' +
    'sqrt pi inf infinity sin cos tan log ln exp i e x y z'
  ).split(' '),
);

/**
 * True when `text` is itself an answer (`\tfrac{5}{7}`, `x^2 + 4*x + 4`, `[60]`, `$x \in [1,2]$`,
 * `50 dollars`, `9:15 PM`, `\text{Evelyn}`) rather than a text holding one: one line (or one display
 * block), at most one maths span covering all of it, balanced brackets, and no prose words around.
 */
export function isBareAnswer(text: string): boolean {
  const t = text.trim();
  if (t.length === 0 || t.length > 600) return false;
  // The cheap tests first. Several lines are prose unless one display block or environment holds them.
  if (t.includes('\n') && !(startsMaths(t.charCodeAt(0)) && /^(?:\$\$|\\\[|\\begin\{|\\boxed\{\s*\\begin)/.test(t))) return false;
  // Maths after other text (`So $x = 3$.`): a `$` that does not open the text is never stripped
  // (stripOuter), so the test on `inner` below would reject it; one search for `$` is cheaper than the next.
  if (!MAY_OPEN.has(t.charCodeAt(0)) && hasDollar(t)) return false;
  // A longer text with sentence words is prose (the search stops at the first mark).
  if (t.length > 40 && PROSE_MARK.test(t)) return false;
  if (t.includes('####') || t.includes('think>') || t.includes('answer>')) return false;
  const inner = stripOuter(t);
  if (inner === null) return false;
  if (/\n/.test(inner) && !/^\\begin\{/.test(inner)) return false;
  if (/\\boxed|\\fbox|(?<!\\)\$|\\\(|\\\[/.test(inner)) return false;
  if (!balanced(inner)) return false;
  // Numbers side by side (`4 4/9 2`) are no single answer, unless they are spaced thousands, a mixed
  // number, or powers (`2^4 3^2 7` is a product).
  if (/(?<![\^_{][\d.]*)\d\s+[\d.]/.test(inner) && !/^[-+]?(?:\d{1,3}(?: \d{3})+|\d+)(?:\.\d+)?(?:\s+\d+\s*\/\s*\d+)?\s*(?:\\?%|[a-zA-Z\\][^\d]*)?$/.test(inner)) return false;
  // Letters of other scripts are prose (`Ответ: 42`, `答案是42`); Greek letters are maths.
  if (/[^\x00-\x7F\u0370-\u03FF√π∞≤≥≠±·×÷−–°²³]/u.test(inner)) return false;
  // Words outside LaTeX commands and \text{…}: none that make it a sentence.
  const plain = inner.replace(/\\(?:begin|end)\s*\{[a-zA-Z*]*\}(?:\{[^{}]*\})?/g, ' ').replace(/\\(?:text|mathrm|textbf|mbox|textnormal|operatorname)\s*\{([^{}]*)\}/g, ' $1 ').replace(/\\[a-zA-Z]+/g, ' ');
  const words = plain.match(/[A-Za-z]+(?:\.[A-Za-z]\.?)?/g) ?? [];
  const hasDigits = /\d/.test(plain);
  if (hasDigits && words.some((w) => PROSE_WORDS.has(w.toLowerCase()))) return false;
  const long = words.filter((w) => w.length >= 2 && !ANSWER_WORDS.has(w.toLowerCase().replace(/\.$/, '')));
  if (hasDigits) return long.length <= 1;
  // No digits: an expression in letters, or a word answer of at most three words (`no solution`).
  return words.length <= 3 && !words.some((w) => SENTENCE_WORDS.has(w.toLowerCase())) && !/[.!?]\s+\S/.test(inner);
}

/** First characters of a text that stripOuter may take something off the front of: `$`, `\`, `*`, a backquote. */
const MAY_OPEN = new Set([36, 92, 42, 96]);

/** Whether `t` holds a `$` that no backslash escapes (as `(?<!\\)\$` finds), by indexOf. */
function hasDollar(t: string): boolean {
  for (let i = t.indexOf('$'); i >= 0; i = t.indexOf('$', i + 1)) if (t.charCodeAt(i - 1) !== 92) return true;
  return false;
}

/** `$` or a backslash: the first character of a display block or environment (a test before the pattern). */
function startsMaths(c: number): boolean {
  return c === 36 || c === 92;
}

/** The text inside one `$…$`, `$$…$$`, `\(…\)`, `\[…\]` covering all of it (or the text), null if several spans. */
function stripOuter(t: string): string | null {
  // Markdown around a whole answer: **bold**, `code`.
  let s = t.replace(/[.;]$/, '').trim();
  if (s[0] === '*' || s[0] === '`') s = s.replace(/^(\*\*|`+)([^*`]+)\1$/, '$2').trim();
  for (const [open, close] of [['$$', '$$'], ['$', '$'], ['\\(', '\\)'], ['\\[', '\\]']] as const) {
    if (s.startsWith(open) && s.endsWith(close) && s.length > open.length + close.length) {
      const body = s.slice(open.length, s.length - close.length);
      if (open.startsWith('$') ? /(?<!\\)\$/.test(body) : body.includes(close)) return null;
      s = body.trim().replace(/[.,;]$/, '').trim();
      break;
    }
  }
  const box = /^\\(?:boxed|fbox)\s*\{([\s\S]*)\}$/.exec(s);
  if (box && balanced(box[1]!)) s = box[1]!.trim();
  return s;
}

/** Brackets balanced by depth alone (a half-open `[0, 1)` closes with the other kind); escapes skipped. */
function balanced(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

/**
 * The bare answer of a text read whole: maths delimiters, one outer box, sentence punctuation and a
 * one-item bracket (`[60]`, as some datasets write an answer) taken off.
 */
export function wholeAnswer(text: string): string {
  let s = stripOuter(text.trim()) ?? text.trim();
  // Sentence punctuation and a stray backslash at the end (`185\`) go.
  s = s.replace(/(?<![.\d])[.;,]$/, '').replace(/(?<=[\w})\]])\s*\\+$/, '').trim();
  const bracket = /^\[([^[\],;]+)\]$/.exec(s);
  if (bracket) s = bracket[1]!.trim();
  return s;
}

/** Whether the question asks for an ordered answer (`in order`, `in increasing order`, `ordered pair`). */
export function questionWantsOrder(question: string | undefined): boolean {
  return typeof question === 'string' && /\b(?:in (?:increasing|decreasing|ascending|descending|that|the given|this) order|in order|from (?:least|smallest|greatest|largest) to)\b/i.test(question);
}

/** Whether the question asks for several answers (`all`, `each`, `both`, `list`, `separated by commas`). */
export function questionWantsSeveral(question: string | undefined): boolean {
  return typeof question === 'string' && /\b(?:all|every|each|both|list|separated by commas|comma-separated)\b/i.test(question);
}
