// Subset sum, the search-and-backtrack world: pick some of the given numbers (each at most once) that add up to a
// target. Difficulty = how many numbers (default 4). Step-by-step work is a depth-first search written one
// partial sum a line (`3+9=12`, `3+9+4=16 over`, ... `9+4=13 yes`), backtracking when a sum overshoots.
// The judge is src/rewards/worlds/search.ts; the reply states the pick: `The answer is 9+4.`
import type { Rng } from '../../util/rng.js';
import { PHRASES, answerSentence, readReply } from '../../rewards/worlds/index.js';
import { isPick } from '../../rewards/worlds/search.js';
import { checkProblem, reasoningLines, writeReply } from './common.js';
import type { Faithfulness, World, WorldProblem } from './types.js';

export interface SubsetProblem extends WorldProblem {
  numbers: number[];
  target: number;
}

const WAIT = ` ${PHRASES.en.wait} `;

function make(numbers: number[], target: number): SubsetProblem {
  return { id: `${numbers.join(',')}->${target}`, question: `pick from ${numbers.join(',')} to sum ${target}`, gold: String(target), task: 'subset', numbers, target };
}

/** Depth-first search in list order; each partial sum a line; a slip (±1) per line with `slip`, noticed with `catchRate`. */
function dfs(p: SubsetProblem, rng: Rng, slip: number, catchRate: number): { lines: string[]; answer: number[] } {
  const lines: string[] = [];
  let answer: number[] = [];
  const go = (start: number, path: number[], sum: number): boolean => {
    for (let i = start; i < p.numbers.length; i++) {
      const next = [...path, p.numbers[i]!];
      const truth = sum + p.numbers[i]!;
      let s = truth;
      let line = '';
      if (rng.next() < slip) {
        s = truth + (rng.next() < 0.5 ? -1 : 1);
        line = `${next.join('+')}=${s}`;
        if (rng.next() < catchRate) {
          line += `${WAIT}${next.join('+')}=${truth}`;
          s = truth;
        }
      } else line = `${next.join('+')}=${s}`;
      const verdict = s === p.target ? 'yes' : s > p.target ? 'over' : '';
      lines.push(verdict ? `${line} ${verdict}` : line);
      answer = next;
      if (verdict === 'yes') return true;
      if (verdict === '' && go(i + 1, next, s)) return true;
    }
    return false;
  };
  go(0, [], 0);
  return { lines, answer };
}

export const subset: World<SubsetProblem> = {
  name: 'subset',
  description: 'pick numbers (each at most once) that sum to a target: depth-first search with backtracking (difficulty = how many numbers, default 4)',
  styles: ['direct', 'step', 'selfcheck'],
  naturalMix: { direct: 0.55, step: 0.3, selfcheck: 0.15 },
  defaultDifficulty: 4,

  generate(rng, difficulty) {
    const n = Math.max(2, difficulty);
    const numbers = Array.from({ length: n }, () => rng.int(1, 15));
    const picked = numbers.filter(() => rng.next() < 0.5);
    const target = picked.length ? picked.reduce((a, b) => a + b, 0) : numbers[rng.int(0, n - 1)]!;
    return make(numbers, target);
  },

  parse(question) {
    const m = /^pick from ([\d,]+) to sum (\d+)$/.exec(question.trim());
    return m ? make(m[1]!.split(',').map(Number), Number(m[2])) : null;
  },

  write(p, style, rng) {
    if (style === 'direct') {
      // a guess: right a third of the time, else a random pick
      let pick: number[];
      if (rng.next() < 0.33) pick = dfs(p, rng, 0, 0).answer;
      else {
        pick = p.numbers.filter(() => rng.next() < 0.5);
        if (pick.length === 0) pick = [rng.pick(p.numbers)];
      }
      return writeReply([() => p.question], () => answerSentence(pick.join('+')), 'en', rng);
    }
    if (style !== 'step' && style !== 'selfcheck') throw new Error(`subset world: unknown style '${style}'; use one of ${this.styles.join(', ')}`);
    const { lines, answer } = style === 'step' ? dfs(p, rng, 0.04, 0) : dfs(p, rng, 0.15, 0.75);
    if (style === 'selfcheck' && !lines.some((l) => l.includes(WAIT))) {
      const i = rng.int(0, lines.length - 1);
      const stmt = /^[\d+]+=\d+/.exec(lines[i]!)![0];
      lines[i] = lines[i]!.replace(stmt, `${stmt}${WAIT}${stmt}`);
    }
    return writeReply(lines.map((l) => () => l), () => answerSentence(answer.join('+')), 'en', rng);
  },

  check: checkProblem,

  styleOf(completion) {
    const lines = reasoningLines(completion);
    if (lines.some((l) => l.includes(WAIT.trim()))) return 'selfcheck';
    if (lines.some((l) => /^\d+(\+\d+)*=\d+/.test(l))) return 'step';
    if (lines.length === 1 && /^pick from [\d,]+ to sum \d+$/.test(lines[0]!)) return 'direct';
    return null;
  },

  faithfulness(p, completion): Faithfulness {
    let lines = 0, unfaithful = 0, lastYes: string | null = null;
    for (const text of reasoningLines(completion)) {
      for (const m of text.matchAll(/(\d+(?:\+\d+)*)=(\d+)/g)) {
        const terms = m[1]!.split('+').map(Number);
        lines++;
        if (terms.reduce((a, b) => a + b, 0) !== Number(m[2]) || !isPick(terms, p.numbers)) unfaithful++;
        if (/ yes$/.test(text)) lastYes = m[1]!;
      }
    }
    if (lines === 0) return { lines, unfaithful, answerFollows: null };
    const answer = (readReply(completion, false).stated ?? '').replace(/\s+/g, '');
    return { lines, unfaithful, answerFollows: lastYes === null ? null : answer === lastYes };
  },

  maxCompletionChars(difficulty) {
    return 64 + 2 ** Math.max(2, difficulty) * 24;
  },
};
