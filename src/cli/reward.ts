// `r1 reward`: score one output with a named reward. `r1 reward code` runs a program against test
// cases in the sandbox; `r1 reward <name> --completion FILE [--ctx FILE.json]` any other reward.
// Parsing and printing only; the rewards live in src/rewards.

import { readFileSync } from 'node:fs';
import { isCodeTest, scoreProgram, type CodeLang } from '../rewards/code/index.js';
import { REWARD_NAMES, getReward } from '../rewards/registry.js';
import { UsageError } from './main.js';
import { parseFlags, printJson } from './args.js';

const USAGE = `usage:
  r1 reward code --lang python|js --program FILE --tests FILE.json [--wall S] [--cpu S] [--memory-mb M] [--json]
      tests: [{"input": "...", "output": "..."}] (stdin/stdout) or [{"call": "f(1, 2)", "expected": 3}]
      prints {"reward", "passed", "total", "status"}; exit 1 when the sandbox cannot run here
  r1 reward <name> --completion FILE [--ctx FILE.json] [--json]
      names: ${REWARD_NAMES.join(', ')}; ctx is the RewardContext for this one completion
  --json prints one JSON object on stdout; -q, --quiet: nothing on stderr`;

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readText(path, what));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${what} ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

const positive = (v: string | undefined, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(x > 0)) throw new UsageError(`${flag} must be a positive number, got '${v}'`);
  return x;
};

async function runCode(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      lang: { type: 'string' },
      program: { type: 'string' },
      tests: { type: 'string' },
      wall: { type: 'string' },
      cpu: { type: 'string' },
      'memory-mb': { type: 'string' },
      json: { type: 'boolean', default: false }, quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }, USAGE);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const lang = values.lang;
  if (lang !== 'python' && lang !== 'js') throw new UsageError(`--lang must be python or js, got ${lang === undefined ? 'nothing' : `'${lang}'`}`);
  if (!values.program) throw new UsageError('--program FILE is required (the source to run)');
  if (!values.tests) throw new UsageError('--tests FILE.json is required ([{"input": ..., "output": ...}])');
  const program = readText(values.program, 'program');
  const tests = readJson(values.tests, 'tests file');
  if (!Array.isArray(tests) || tests.length === 0) throw new UsageError(`tests file ${values.tests} must hold a non-empty JSON array of {"input", "output"} or {"call", "expected"}`);
  const bad = tests.findIndex((t) => !isCodeTest(t));
  if (bad !== -1) throw new UsageError(`tests file ${values.tests}: item ${bad} is neither {"input": string, "output": string} nor {"call": string, "expected": ...}`);
  const limits = {
    ...(values.wall !== undefined && { wallSeconds: positive(values.wall, '--wall') }),
    ...(values.cpu !== undefined && { cpuSeconds: Math.ceil(positive(values.cpu, '--cpu')!) }),
    ...(values['memory-mb'] !== undefined && { memoryMB: positive(values['memory-mb'], '--memory-mb') }),
  };
  const result = await scoreProgram(lang as CodeLang, program, tests, { limits, warn: (m) => console.error(m) });
  const summary = result
    ? { reward: result.reward, passed: result.passed, total: result.total, status: result.status }
    : { reward: null, passed: 0, total: tests.length, status: 'sandbox-unavailable' };
  if (values.json) printJson(summary);
  else {
    console.log(`reward ${summary.reward ?? 'null'}: ${summary.passed}/${summary.total} passed (${summary.status})`);
    result?.tests.forEach((t, i) => t.status !== 'passed' && console.log(`  test ${i}: ${t.status}${t.stderr ? `\n    ${t.stderr.trim().split('\n').slice(-3).join('\n    ')}` : ''}`));
  }
  return result ? 0 : 1;
}

/** ctx fields that apply to the whole batch; every other field is wrapped as this completion's item. */
const BATCH_WIDE = new Set(['readableTokens', 'eosStrings']);

async function runNamed(name: string, argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      completion: { type: 'string' },
      ctx: { type: 'string' },
      json: { type: 'boolean', default: false }, quiet: { type: 'boolean', short: 'q' },
    },
  }, USAGE);
  if (!values.completion) throw new UsageError(`--completion FILE is required (the text to score with '${name}')`);
  const completion = readText(values.completion, 'completion');
  const one = values.ctx ? readJson(values.ctx, 'ctx file') : {};
  if (!one || typeof one !== 'object' || Array.isArray(one)) throw new UsageError(`ctx file ${values.ctx} must hold a JSON object`);
  const ctx = Object.fromEntries(Object.entries(one as Record<string, unknown>).map(([k, v]) => [k, BATCH_WIDE.has(k) ? v : [v]]));
  const score = getReward(name)([completion], ctx)[0];
  if (values.json) printJson({ name, reward: score });
  else console.log(`${name}: ${score ?? 'null (cannot be scored)'}`);
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  if (name === 'code') return runCode(rest);
  if (!REWARD_NAMES.includes(name)) throw new UsageError(`unknown reward '${name}'; use one of: ${REWARD_NAMES.join(', ')}`);
  return runNamed(name, rest);
}
