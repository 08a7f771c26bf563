// What every world shares: the split by a hash of the canonical problem (train, validation and test never share one,
// in any language or operand order), problem
// sampling, writing a reply in the one format (with a share of solutions mixing two languages), reading the reasoning
// back, and the pretraining-corpus writer with style mixes and curricula. Not a world itself; worlds live next to it.
import { Rng } from '../../util/rng.js';
import { applyTemplate, type TemplateName } from '../templates.js';
import { writeJsonl } from '../jsonl.js';
import { formatR1, parseR1 } from '../../rewards/format.js';
import { checkTask, PHRASES, type TaskVerdict, type WorldLang } from '../../rewards/worlds/index.js';
import { WORLD_LANGS } from '../../rewards/worlds/phrases.js';
import type { Faithfulness, Split, World, WorldProblem } from './types.js';

/** FNV-1a, 32 bits: a stable hash of a problem key. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The fraction of every world's problem space held out for reporting (test) and for the recipes' choices (validation). */
export const TEST_FRACTION = 0.1;
export const VALIDATION_FRACTION = 0.05;
export const SPLITS: readonly Split[] = ['train', 'validation', 'test'];

/** The split of a canonical key, decided by its hash alone. */
export function splitOf(key: string): Split {
  const u = hash32(key) / 4294967296;
  return u < TEST_FRACTION ? 'test' : u < TEST_FRACTION + VALIDATION_FRACTION ? 'validation' : 'train';
}

/** The canonical problem of a problem (its `key`; its id where the id is already canonical). */
export const problemKey = (p: WorldProblem): string => p.key ?? p.id;

/** The split of a problem: that of its canonical key. */
export const splitOfProblem = (p: WorldProblem): Split => splitOf(problemKey(p));

/** A train-split problem of a world (what every pretraining corpus draws: the held-out splits never reach one). */
export function drawTrainProblem<P extends WorldProblem>(world: World<P>, rng: Rng, difficulty: number): P {
  let p = world.generate(rng, difficulty);
  while (splitOfProblem(p) !== 'train') p = world.generate(rng, difficulty);
  return p;
}

/** Above this many keys a world's split counts are estimated from its spaceSize instead of listed. */
const MAX_LISTED = 3_000_000;

/**
 * Distinct canonical problems in each split of a world at a difficulty: listed and hashed where the world can list
 * its keys, else its spaceSize times each split's fraction (`estimated: true`); null when it can do neither.
 */
export function splitCounts(world: World<WorldProblem>, difficulty = world.defaultDifficulty): { train: number; validation: number; test: number; estimated: boolean } | null {
  const size = world.spaceSize?.(difficulty);
  if (world.keys && (size === undefined || size <= MAX_LISTED)) {
    const n = { train: 0, validation: 0, test: 0 };
    for (const k of world.keys(difficulty)) n[splitOf(k)]++;
    return { ...n, estimated: false };
  }
  if (size === undefined) return null;
  const test = Math.round(size * TEST_FRACTION), validation = Math.round(size * VALIDATION_FRACTION);
  return { train: size - test - validation, validation, test, estimated: true };
}

export interface SampleOptions {
  split: Split;
  count: number;
  seed: number;
  difficulty?: number;
  /** No canonical problem twice (default true). */
  unique?: boolean;
}

/** `count` problems of one split, deterministic in the seed. Throws when the split is too small. */
export function sampleProblems<P extends WorldProblem>(world: World<P>, opts: SampleOptions): P[] {
  const rng = new Rng(opts.seed);
  const difficulty = opts.difficulty ?? world.defaultDifficulty;
  const seen = new Set<string>();
  const out: P[] = [];
  let tries = 0;
  while (out.length < opts.count) {
    if (++tries > opts.count * 200 + 10_000) {
      throw new Error(`world ${world.name}: found only ${out.length} distinct ${opts.split} problems at difficulty ${difficulty}; ask for fewer or raise the difficulty`);
    }
    const p = world.generate(rng, difficulty);
    if (splitOfProblem(p) !== opts.split) continue;
    if (opts.unique !== false) {
      // one canonical problem once: not `12+34` and `34+12 (answer in Spanish)` both
      if (seen.has(problemKey(p))) continue;
      seen.add(problemKey(p));
    }
    out.push(p);
  }
  return out;
}

/** The templated prompt of a world problem (default: the compact template for character-level models). */
export function worldPrompt(p: WorldProblem, template: TemplateName | string = 'compact'): string {
  return applyTemplate(template, p.question);
}

/** A world's check: its task's one judge on the problem's own fields. */
export function checkProblem(p: WorldProblem, completion: string): TaskVerdict {
  return checkTask(p.task, p as unknown as Record<string, unknown>, completion) ?? { format_ok: false, answer: null, correct: false };
}

/** A piece of a reply written in a language (a reasoning line, or the summary). */
export type Phrase = (lang: WorldLang) => string;

export const otherLang = (l: WorldLang): WorldLang => (l === 'en' ? 'es' : 'en');

/**
 * A reply in the one format: reasoning lines and a summary in `lang`. With probability `mixRate` the writer
 * switches language for a run of the pieces that carry words (lines and summary, in order), as a corpus written
 * by people who think in two languages does; no randomness is drawn when mixRate is 0.
 */
export function writeReply(lines: readonly Phrase[], summary: Phrase, lang: WorldLang, rng: Rng, mixRate = 0): string {
  const pieces = [...lines, summary];
  const langs = pieces.map(() => lang);
  if (mixRate > 0 && rng.next() < mixRate) {
    const other = otherLang(lang);
    const wordy = pieces.map((f, i) => i).filter((i) => pieces[i]!(lang) !== pieces[i]!(other));
    if (wordy.length > 0) {
      const from = rng.int(0, wordy.length - 1);
      const to = rng.int(from, wordy.length - 1);
      for (let k = from; k <= to; k++) langs[wordy[k]!] = other;
    }
  }
  const text = pieces.map((f, i) => f(langs[i]!));
  return formatR1(text.slice(0, -1), text[text.length - 1]!);
}

/** A direct reply (non-reasoning requests): empty reasoning, then the answer as the summary. */
export function directReply(answer: string): string {
  return formatR1('', answer);
}

/** The style of a direct world's completion: 'direct' when the reasoning is empty and a summary follows. */
export function directStyleOf(completion: string): string | null {
  return parseR1(completion, { requireReasoning: false })?.reasoning.trim() === '' ? 'direct' : null;
}

/** A direct reply writes no steps, so none can be unfaithful. */
export function directFaithfulness(): Faithfulness {
  return { lines: 0, unfaithful: 0, answerFollows: null };
}

/** A problem's id and question in a language: a plain world asks the bare question; a bilingual one names the language. */
export function askIn(q: string, lang: WorldLang, bilingual: boolean): { id: string; question: string } {
  return bilingual ? { id: `${q}@${lang}`, question: `${q} (answer in ${PHRASES[lang].name})` } : { id: q, question: q };
}

/** The inverse of askIn: the bare question and its language; null when the language suffix is missing (bilingual) or present (plain). */
export function askedIn(question: string, bilingual: boolean): { q: string; lang: WorldLang } | null {
  const m = / \(answer in ([A-Za-z]+)\)$/.exec(question.trim());
  if (!bilingual) return m ? null : { q: question.trim(), lang: 'en' };
  const lang = m ? WORLD_LANGS.find((l) => PHRASES[l].name === m[1]) : undefined;
  return lang ? { q: question.trim().slice(0, m!.index), lang } : null;
}

/** The language of a new problem: half English, half Spanish in a bilingual world (no draw in a plain one). */
export function drawLang(rng: Rng, bilingual: boolean): WorldLang {
  return bilingual && rng.next() < 0.5 ? 'es' : 'en';
}

/** The reasoning lines of a completion, trimmed, empty ones dropped (lenient: up to `</think>` or the end). */
export function reasoningLines(completion: string): string[] {
  const m = /<think>([\s\S]*?)(<\/think>|$)/.exec(completion);
  return (m ? m[1]! : '').split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

/** Chooses a key by weight. */
export function pickWeighted(rng: Rng, weights: Readonly<Record<string, number>>): string {
  const entries = Object.entries(weights).filter(([, w]) => w > 0);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [k, w] of entries) {
    r -= w;
    if (r < 0) return k;
  }
  return entries[entries.length - 1]![0];
}

/** One phase of a corpus: a share of the documents with its own style mix. */
export interface CorpusPhase {
  /** Fraction of all documents in this phase (phases are written in order). */
  share: number;
  mix: Readonly<Record<string, number>>;
}

export interface CorpusDoc {
  prompt: string;
  completion: string;
  style: string;
}

export interface CorpusOptions {
  docs: number;
  seed: number;
  difficulty?: number;
  /** Phases in order (a curriculum); default one phase with the world's natural mix. */
  phases?: CorpusPhase[];
  template?: TemplateName | string;
}

/**
 * The pretraining corpus of a world: train-split problems only, each written in a style drawn from the
 * phase's mix, slips and wrong answers kept (no filtering by correctness). Deterministic in the seed.
 */
export function* worldCorpus<P extends WorldProblem>(world: World<P>, opts: CorpusOptions): Generator<CorpusDoc> {
  const rng = new Rng(opts.seed);
  const difficulty = opts.difficulty ?? world.defaultDifficulty;
  const phases = opts.phases ?? [{ share: 1, mix: world.naturalMix }];
  const totalShare = phases.reduce((s, p) => s + p.share, 0);
  let written = 0;
  for (let i = 0; i < phases.length; i++) {
    const phase = phases[i]!;
    const n = i === phases.length - 1 ? opts.docs - written : Math.round((opts.docs * phase.share) / totalShare);
    for (let k = 0; k < n; k++) {
      const p = drawTrainProblem(world, rng, difficulty);
      const style = pickWeighted(rng, phase.mix);
      yield { prompt: worldPrompt(p, opts.template), completion: world.write(p, style, rng), style };
    }
    written += n;
  }
}

export interface MixedCorpusEntry {
  world: World<WorldProblem>;
  /** Relative share of the documents (weights need not sum to 1). */
  weight: number;
  /** Default: the world's own. */
  difficulty?: number;
  /** The world's curriculum over the whole corpus (by document position); default its natural mix throughout. */
  phases?: CorpusPhase[];
}

/** The phase a position in [0, 1) of the corpus falls in. */
export function phaseAt(phases: readonly CorpusPhase[], progress: number): CorpusPhase {
  const total = phases.reduce((s, p) => s + p.share, 0);
  let acc = 0;
  for (const ph of phases) {
    acc += ph.share / total;
    if (progress < acc) return ph;
  }
  return phases[phases.length - 1]!;
}

/**
 * A pretraining corpus over several worlds (train splits only): each document's world drawn by weight, its style
 * from that world's phase at the document's position, slips kept. One model learns every task at once, as R1's
 * base model saw reasoning and general data together. Deterministic in the seed. Documents name their world.
 */
export function* mixedCorpus(entries: readonly MixedCorpusEntry[], opts: { docs: number; seed: number; template?: TemplateName | string }): Generator<CorpusDoc & { world: string }> {
  if (entries.length === 0 || entries.some((e) => !(e.weight > 0))) throw new Error('mixedCorpus: give at least one world, each with a positive weight');
  const rng = new Rng(opts.seed);
  const weights = Object.fromEntries(entries.map((e, i) => [String(i), e.weight]));
  for (let k = 0; k < opts.docs; k++) {
    const e = entries[Number(pickWeighted(rng, weights))]!;
    const difficulty = e.difficulty ?? e.world.defaultDifficulty;
    const p = drawTrainProblem(e.world, rng, difficulty);
    const style = pickWeighted(rng, phaseAt(e.phases ?? [{ share: 1, mix: e.world.naturalMix }], k / opts.docs).mix);
    yield { prompt: worldPrompt(p, opts.template), completion: e.world.write(p, style, rng), style, world: e.world.name };
  }
}

/** Writes corpus documents as JSONL rows {text, prompt, completion, style[, world]} (text = prompt + completion; `r1 pretrain --data` reads it). */
export function writeCorpus(file: string, docs: Iterable<CorpusDoc & { world?: string }>): Promise<number> {
  return writeJsonl(file, (function* () {
    for (const d of docs) yield { text: d.prompt + d.completion, ...d };
  })());
}

/** Writes a world corpus (see writeCorpus). */
export function writeWorldCorpus<P extends WorldProblem>(world: World<P>, file: string, opts: CorpusOptions): Promise<number> {
  return writeCorpus(file, worldCorpus(world, opts));
}
