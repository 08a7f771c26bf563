// Completions written the way real models end their answers (DeepSeek-R1's "**Final Answer**" block,
// Qwen's "the final answer is $\boxed{…}$", Minerva's "I hope it is correct", GSM8K's `####`, plain
// "Answer: 1 234", and answer phrases in French, German, Spanish, Chinese, Russian and Japanese), built
// around a dataset's reference answer, with the verdict Math-Verify gives each: for measuring the
// verifier (`r1 bench verify`, test/rewards/math/model-styles.test.ts). Not a verifier itself.

/** One judged case: a reference, a completion in some model's style, and Math-Verify's verdict. */
export interface StyledCase {
  gold: string;
  completion: string;
  expected: boolean;
  style: string;
}

type Style = { name: string; latex: (x: string) => string; plain?: (x: string) => string };

const THINK = '<think>\nLet me work through this step by step. First I set up the equations, then I check the arithmetic twice.\n</think>\n\n';

/** Templates around an answer: `latex` for any answer in LaTeX, `plain` also for bare numbers. */
const STYLES: Style[] = [
  { name: 'r1-final-answer-block', latex: (x) => `${THINK}So the value we want is found.\n\n**Final Answer**\n\\[\n\\boxed{${x}}\n\\]` },
  { name: 'qwen-final-answer-is', latex: (x) => `Combining the two cases, we get the result.\n\nTherefore, the final answer is $\\boxed{${x}}$.` },
  { name: 'answer-is-inline', latex: (x) => `Putting it together, the answer is $${x}$.` },
  { name: 'display-math-last', latex: (x) => `Simplifying both sides gives\n$$${x}$$` },
  { name: 'paren-math', latex: (x) => `Thus the result is \\(${x}\\).` },
  { name: 'minerva', latex: (x) => `We compute everything carefully. Final Answer: The final answer is $${x}$. I hope it is correct.` },
  { name: 'box-in-sentence', latex: (x) => `Hence $x = \\boxed{${x}}$, which satisfies every condition.`, plain: (x) => `So the total comes to \\boxed{${x}} once we add the 3 extra items.` },
  { name: 'chinese-box', latex: (x) => `因此，答案是 $\\boxed{${x}}$。` },
  { name: 'french', latex: (x) => `Donc la réponse est $${x}$.`, plain: (x) => `En additionnant les deux parts, la réponse est ${x}.` },
  { name: 'german', latex: (x) => `Damit ist die Antwort $\\boxed{${x}}$.`, plain: (x) => `Die Antwort ist ${x}.` },
  { name: 'spanish', latex: (x) => `Por lo tanto, la respuesta es $${x}$.`, plain: (x) => `Por lo tanto, la respuesta es ${x}.` },
  { name: 'russian', latex: (x) => `Ответ: $${x}$`, plain: (x) => `Ответ: ${x}` },
  { name: 'japanese', latex: (x) => `したがって、答えは $\\boxed{${x}}$ です。` },
  { name: 'answer-label', latex: (x) => `**Answer:** $${x}$`, plain: (x) => `**Answer:** ${x}` },
  { name: 'gsm8k-hashes', latex: (x) => `She pays 3 + 4 = 7 first.\n#### $${x}$`, plain: (x) => `She pays 3 + 4 = 7 first, then the rest.\n#### ${x}` },
];

/** A number in the ways models write it: as is, with comma or space thousands, or a decimal comma. */
function numberSpellings(n: string): [string, string][] {
  const out: [string, string][] = [['plain', n]];
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(n);
  if (!m) return out;
  const [, sign, int, dec = ''] = m;
  if (int!.length > 3) {
    out.push(['thousands-comma', `${sign}${int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${dec}`]);
    out.push(['thousands-space', `${sign}${int!.replace(/\B(?=(\d{3})+(?!\d))/g, ' ')}${dec}`]);
  }
  if (dec.length >= 3) out.push(['decimal-comma', `${sign}${int}${dec.replace('.', ',')}`]);
  return out;
}

/** A wrong answer near a numeric reference (off by one), or null. */
function nearMiss(n: string): string | null {
  const m = /^-?\d+$/.exec(n);
  return m ? String(BigInt(n) + 1n) : null;
}

/**
 * Cases from GSM8K final answers (bare numbers): every plain and LaTeX style with every spelling of
 * the number (accepted), and the same styles with an off-by-one number (rejected).
 */
export function gsm8kCases(answers: string[]): StyledCase[] {
  const out: StyledCase[] = [];
  answers.forEach((gold, i) => {
    const style = STYLES[i % STYLES.length]!;
    const spellings = numberSpellings(gold);
    const [spelling, x] = spellings[i % spellings.length]!;
    const write = style.plain ?? style.latex;
    out.push({ gold, completion: write(x), expected: true, style: `gsm8k/${style.name}/${spelling}` });
    const wrong = nearMiss(gold);
    if (wrong !== null) out.push({ gold, completion: write(wrong), expected: false, style: `gsm8k/${style.name}/off-by-one` });
  });
  return out;
}

/**
 * Cases from MATH-500: the reference answer in each LaTeX style (accepted), and the next item's
 * answer in the same style (rejected), skipping neighbours that are the same answer written alike.
 */
export function math500Cases(answers: string[], same: (a: string, b: string) => boolean): StyledCase[] {
  const out: StyledCase[] = [];
  answers.forEach((gold, i) => {
    const style = STYLES[i % STYLES.length]!;
    out.push({ gold, completion: style.latex(gold), expected: true, style: `math500/${style.name}` });
    const other = answers[(i + 1) % answers.length]!;
    if (!same(gold, other)) out.push({ gold, completion: style.latex(other), expected: false, style: `math500/${style.name}/neighbour` });
  });
  return out;
}

/** Agreement with the expected verdicts, and the share of cases accepted that should be rejected. */
export function agreement(cases: StyledCase[], judge: (gold: string, completion: string) => boolean): { total: number; agree: number; false_accepts: number; false_rejects: number; misses: StyledCase[] } {
  let agree = 0;
  let falseAccepts = 0;
  let falseRejects = 0;
  const misses: StyledCase[] = [];
  for (const c of cases) {
    const got = judge(c.gold, c.completion);
    if (got === c.expected) agree++;
    else {
      misses.push(c);
      if (got) falseAccepts++;
      else falseRejects++;
    }
  }
  return { total: cases.length, agree, false_accepts: falseAccepts, false_rejects: falseRejects, misses };
}
