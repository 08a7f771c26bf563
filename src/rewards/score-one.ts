// What `r1 reward` computes: a named reward of one completion (its RewardContext given for that one item), and a
// program run against a tests file in the code sandbox. The inputs are read and checked here, each problem one line
// naming the file or flag and the fix (a UsageError). Not the rewards themselves (registry.ts, code/) nor any printing.
import { readFileSync } from 'node:fs';
import { UsageError } from '../run/spec.js';
import { isCodeTest, scoreProgram, type CodeLang, type CodeResult } from './code/index.js';
import { getReward } from './registry.js';

/** A file's text; an unreadable file is a user error naming `what`. */
export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}

/** A file's JSON value; an unreadable file or bad JSON is a user error naming `what`. */
export function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readText(path, what));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${what} ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** ctx fields that apply to the whole batch; every other field is wrapped as this completion's item. */
const BATCH_WIDE = new Set(['readableTokens', 'eosStrings']);

/** The named reward of one completion with `one` (a JSON object read from ctxFile) as its context; null: cannot be scored. */
export function scoreOne(name: string, completion: string, one: unknown, ctxFile?: string): number | null | undefined {
  if (!one || typeof one !== 'object' || Array.isArray(one)) throw new UsageError(`ctx file ${ctxFile} must hold a JSON object`);
  const ctx = Object.fromEntries(Object.entries(one as Record<string, unknown>).map(([k, v]) => [k, BATCH_WIDE.has(k) ? v : [v]]));
  return getReward(name)([completion], ctx)[0];
}

/** `r1 reward code`'s inputs, as the flags give them (strings; undefined when not given). */
export interface ProgramFiles {
  lang?: string;
  program?: string;
  tests?: string;
  wall?: string;
  cpu?: string;
  memoryMb?: string;
}

export interface ProgramSummary {
  reward: number | null;
  passed: number;
  total: number;
  /** The run's status, or 'sandbox-unavailable' when the sandbox cannot run here (result null). */
  status: string;
}

const positive = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(x > 0)) throw new UsageError(`${flag} must be a positive number, got '${v}'`);
  return x;
};

/** Checks the inputs in order (language, program, tests and their items, limits), then runs the program on every test. */
export async function scoreProgramFiles(o: ProgramFiles, warn: (m: string) => void): Promise<{ summary: ProgramSummary; result: CodeResult | null }> {
  const lang = o.lang;
  if (lang !== 'python' && lang !== 'js') throw new UsageError(`--lang must be python or js, got ${lang === undefined ? 'nothing' : `'${lang}'`}`);
  if (!o.program) throw new UsageError('--program FILE is required (the source to run)');
  if (!o.tests) throw new UsageError('--tests FILE.json is required ([{"input": ..., "output": ...}])');
  const program = readText(o.program, 'program');
  const tests = readJson(o.tests, 'tests file');
  if (!Array.isArray(tests) || tests.length === 0) throw new UsageError(`tests file ${o.tests} must hold a non-empty JSON array of {"input", "output"} or {"call", "expected"}`);
  const bad = tests.findIndex((t) => !isCodeTest(t));
  if (bad !== -1) throw new UsageError(`tests file ${o.tests}: item ${bad} is neither {"input": string, "output": string} nor {"call": string, "expected": ...}`);
  const limits = {
    ...(o.wall !== undefined && { wallSeconds: positive(o.wall, '--wall') }),
    ...(o.cpu !== undefined && { cpuSeconds: Math.ceil(positive(o.cpu, '--cpu')!) }),
    ...(o.memoryMb !== undefined && { memoryMB: positive(o.memoryMb, '--memory-mb') }),
  };
  const result = await scoreProgram(lang as CodeLang, program, tests, { limits, warn });
  const summary = result
    ? { reward: result.reward, passed: result.passed, total: result.total, status: result.status }
    : { reward: null, passed: 0, total: tests.length, status: 'sandbox-unavailable' };
  return { summary, result };
}
