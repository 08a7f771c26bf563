// What every world shares: the split by a hash of the problem (train and test never share one), problem
// sampling, the R1-Zero answer check, and the pretraining-corpus writer with style mixes and curricula.
// Not a world itself; worlds live next to this file (addition.ts, expr.ts, countdown.ts, subset.ts).
import { Rng } from '../../util/rng.js';
import { applyTemplate, extractTaggedAnswer, isR1ZeroFormat, type TemplateName } from '../templates.js';
import { JsonlWriter } from '../jsonl.js';
import type { CheckResult, Split, World, WorldProblem } from './types.js';

/** FNV-1a, 32 bits: a stable hash of a problem key. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The fraction of every world's problem space that is held out. */
export const TEST_FRACTION = 0.1;

/** The split a problem belongs to, decided by a hash of its id alone. */
export function splitOf(id: string): Split {
  return hash32(id) / 4294967296 < TEST_FRACTION ? 'test' : 'train';
}

export interface SampleOptions {
  split: Split;
  count: number;
  seed: number;
  difficulty?: number;
  /** No problem twice (default true). */
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
    if (splitOf(p.id) !== opts.split) continue;
    if (opts.unique !== false) {
      if (seen.has(p.id)) continue;
      seen.add(p.id);
    }
    out.push(p);
  }
  return out;
}

/** The templated prompt of a world problem (default: the compact template for character-level models). */
export function worldPrompt(p: WorldProblem, template: TemplateName | string = 'compact'): string {
  return applyTemplate(template, p.question);
}

/** The standard check: R1-Zero format, the tagged answer canonicalised by `canon` (null = unparsable), compared with gold. */
export function checkTagged(completion: string, gold: string, canon: (s: string) => string | null): CheckResult {
  const raw = extractTaggedAnswer(completion);
  const answer = raw === null ? null : canon(raw);
  return { formatOk: isR1ZeroFormat(completion) && answer !== null, answer, correct: answer !== null && answer === canon(gold) };
}

/** An integer answer in canonical form ("0632" → "632", "+5" → "5"); null when not an integer. */
export function canonInt(s: string): string | null {
  const t = s.trim();
  if (!/^[+-]?\d+$/.test(t)) return null;
  return String(Number(t));
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
      let p = world.generate(rng, difficulty);
      while (splitOf(p.id) !== 'train') p = world.generate(rng, difficulty);
      const style = pickWeighted(rng, phase.mix);
      yield { prompt: worldPrompt(p, opts.template), completion: world.write(p, style, rng), style };
    }
    written += n;
  }
}

/** Writes a world corpus as JSONL rows {text, prompt, completion, style} (text = prompt + completion; `r1 pretrain --data` reads it). */
export async function writeWorldCorpus<P extends WorldProblem>(world: World<P>, file: string, opts: CorpusOptions): Promise<number> {
  const w = new JsonlWriter(file);
  let n = 0;
  try {
    for (const d of worldCorpus(world, opts)) {
      await w.write({ text: d.prompt + d.completion, prompt: d.prompt, completion: d.completion, style: d.style });
      n++;
    }
  } finally {
    await w.close();
  }
  return n;
}
