// Samples for the report: each logged completion split into reasoning and answer, judged correct / wrong,
// given a style and a faithfulness verdict (from the sample's own keys, else from the run's world), and a
// step-spread subset for the viewer. Not the world's checks themselves (src/data/worlds) nor the page (html.ts).
import { WORLDS, type World } from '../data/worlds/index.js';
import { TEMPLATES } from '../data/templates.js';
import type { RawSample } from './read.js';

/** One sample as the viewer shows it (snake_case: it is embedded as JSON in the page). */
export interface ViewSample {
  step: number;
  prompt: string;
  gold: string | null;
  think: string | null;
  answer: string | null;
  /** The completion when it has no <think>/<answer> tags, else the text outside them. */
  other: string;
  reward: number | null;
  rewards: Record<string, number | null>;
  advantage: number | null;
  tokens: number | null;
  finish: string | null;
  correct: boolean | null;
  style: string | null;
  /** Does the answer follow from the written lines (null: no lines to judge, or no world to judge with). */
  faithful: boolean | null;
  unfaithful_lines: number | null;
  lines: number | null;
  reflective: boolean;
  /** The pipeline stage the sample comes from (pipeline reports only). */
  stage?: string;
}

/** Words the R1 paper counts as reflection ("wait", re-checking, verifying). */
const REFLECTION = /\b(wait|let me (re-?)?check|re-?check|verify|re-?evaluate|mistake)\b/i;

const tag = (text: string, name: string): string | null => {
  const m = new RegExp(`<${name}>([\\s\\S]*?)(</${name}>|$)`).exec(text);
  return m ? m[1]! : null;
};

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);

/** The question inside a templated prompt, or null when the prompt does not fit the template. */
export function questionOf(prompt: string, template: string): string | null {
  const t = (TEMPLATES as Record<string, string>)[template] ?? template;
  const at = t.indexOf('{prompt}');
  if (at < 0) return null;
  const pre = t.slice(0, at), post = t.slice(at + '{prompt}'.length);
  if (!prompt.startsWith(pre) || !prompt.endsWith(post) || prompt.length < pre.length + post.length) return null;
  return prompt.slice(pre.length, prompt.length - post.length);
}

/** The world of a run (config.world), or null for dataset runs and unknown worlds. */
export function worldOf(config: Record<string, unknown> | null): { world: World; template: string } | null {
  const name = config?.world;
  if (typeof name !== 'string' || !WORLDS[name]) return null;
  return { world: WORLDS[name]!, template: typeof config?.template === 'string' ? config.template : 'compact' };
}

/** A raw samples.jsonl line as a ViewSample; style, correctness and faithfulness come from its own keys first, then the world. */
export function viewSample(s: RawSample, w: { world: World; template: string } | null): ViewSample {
  const completion = typeof s.completion === 'string' ? s.completion : '';
  const prompt = typeof s.prompt === 'string' ? s.prompt : '';
  const rawThink = tag(completion, 'think');
  const think = rawThink === null ? null : rawThink.replace(/^\s*\n|\n\s*$/g, '');
  // the answer: inside <answer> tags (R1-Zero format), else what follows </think> (the readable format)
  const close = completion.indexOf('</think>');
  const answer = tag(completion, 'answer') ?? (close >= 0 ? completion.slice(close + '</think>'.length).trim() : null);
  const other = think === null && answer === null ? completion
    : completion.replace(/<think>[\s\S]*?(<\/think>|$)/, '').replace(/<answer>[\s\S]*?(<\/answer>|$)/, '').trim();
  const otherShown = other === answer ? '' : other;
  const rewards: Record<string, number | null> = {};
  if (s.rewards && typeof s.rewards === 'object') for (const [k, v] of Object.entries(s.rewards)) rewards[k] = num(v);
  let correct = bool(s.correct);
  if (correct === null && rewards.accuracy !== undefined && rewards.accuracy !== null) correct = rewards.accuracy >= 1;
  let style: string | null = typeof s.style === 'string' ? s.style : null;
  let faithful = bool(s.faithful) ?? bool(s.answer_follows);
  let lines = num(s.lines), unfaithful = num(s.unfaithful_lines);
  if (w) {
    try {
      if (style === null) style = w.world.styleOf(completion);
      const q = questionOf(prompt, w.template);
      const p = q === null ? null : w.world.parse(q);
      if (p) {
        if (correct === null) correct = w.world.check(p, completion).correct;
        if (faithful === null || lines === null) {
          const f = w.world.faithfulness(p, completion);
          faithful ??= f.answerFollows;
          lines ??= f.lines;
          unfaithful ??= f.unfaithful;
        }
      }
    } catch { /* a world that cannot judge this text leaves the fields null */ }
  }
  return {
    step: num(s.step) ?? 0, prompt, gold: typeof s.gold === 'string' ? s.gold : s.gold == null ? null : String(s.gold),
    think, answer, other: otherShown, reward: num(s.reward), rewards, advantage: num(s.advantage), tokens: num(s.tokens),
    finish: typeof s.finish === 'string' ? s.finish : null, correct, style, faithful, lines, unfaithful_lines: unfaithful,
    reflective: REFLECTION.test(think ?? completion),
  };
}

/** Per-step shares measured on the logged samples: each style, reflection, answers that follow their lines, unfaithful lines. */
export function sampleSeries(samples: ViewSample[]): { step: number; values: Record<string, number> }[] {
  const bySteps = new Map<number, ViewSample[]>();
  for (const s of samples) {
    const g = bySteps.get(s.step);
    if (g) g.push(s);
    else bySteps.set(s.step, [s]);
  }
  const styles = [...new Set(samples.map((s) => s.style ?? 'none'))];
  return [...bySteps.entries()].sort((a, b) => a[0] - b[0]).map(([step, g]) => {
    const values: Record<string, number> = {};
    for (const st of styles) values[`style/${st}`] = g.filter((s) => (s.style ?? 'none') === st).length / g.length;
    values.reflection = g.filter((s) => s.reflective).length / g.length;
    const judged = g.filter((s) => s.faithful !== null);
    if (judged.length) values.answer_unfaithful_rate = judged.filter((s) => !s.faithful).length / judged.length;
    const lines = g.reduce((a, s) => a + (s.lines ?? 0), 0);
    if (lines > 0) values.unfaithful_line_rate = g.reduce((a, s) => a + (s.unfaithful_lines ?? 0), 0) / lines;
    return { step, values };
  });
}

/**
 * At most `max` samples for the viewer, whole steps at a time, spread evenly over the run (the last step always
 * in), texts cut at `maxChars`. Returns the note saying what was left out, or null when nothing was.
 */
export function pickSamples(samples: ViewSample[], max: number, maxChars = 3000): { kept: ViewSample[]; note: string | null } {
  const steps = [...new Set(samples.map((s) => s.step))].sort((a, b) => a - b);
  let kept = samples, note: string | null = null;
  if (samples.length > max && steps.length > 0) {
    const per = samples.length / steps.length;
    const want = Math.max(1, Math.floor(max / per));
    const chosen = new Set<number>();
    for (let i = 0; i < want; i++) chosen.add(steps[Math.round((i * (steps.length - 1)) / Math.max(1, want - 1))]!);
    kept = samples.filter((s) => chosen.has(s.step)).slice(-max);
    note = `the samples viewer shows ${kept.length} of ${samples.length} samples (every sample of ${chosen.size} of ${steps.length} steps, spread over the run); the curves use all of them`;
  }
  const cut = (t: string | null) => (t !== null && t.length > maxChars ? `${t.slice(0, maxChars)}… [${t.length - maxChars} more characters]` : t);
  return { kept: kept.map((s) => ({ ...s, prompt: cut(s.prompt)!, think: cut(s.think), answer: cut(s.answer), other: cut(s.other)! })), note };
}
