// `r1 reward`: score one output with a named reward. `r1 reward code` runs a program against test
// cases in the sandbox; `r1 reward <name> --completion FILE [--ctx FILE.json]` any other reward.
// Parsing and printing only; the work is src/rewards/score-one.ts, the rewards live in src/rewards.
import { REWARD_NAMES } from '../rewards/registry.js';
import { readJson, readText, scoreOne, scoreProgramFiles } from '../rewards/score-one.js';
import { UsageError } from './main.js';
import { parseFlags, printJson } from './args.js';

const USAGE = `usage:
  r1 reward code --lang python|js --program FILE --tests FILE.json [--wall S] [--cpu S] [--memory-mb M] [--json]
      tests: [{"input": "...", "output": "..."}] (stdin/stdout) or [{"call": "f(1, 2)", "expected": 3}]
      prints {"reward", "passed", "total", "status"}; exit 1 when the sandbox cannot run here
  r1 reward <name> --completion FILE [--ctx FILE.json] [--json]
      names: ${REWARD_NAMES.join(', ')}; ctx is the RewardContext for this one completion
  --json prints one JSON object on stdout; -q, --quiet: nothing on stderr`;
const COMMON = { json: { type: 'boolean', default: false }, quiet: { type: 'boolean', short: 'q' } } as const;
const str = { type: 'string' } as const;

async function runCode(argv: string[]): Promise<number> {
  const options = { lang: str, program: str, tests: str, wall: str, cpu: str, 'memory-mb': str, ...COMMON, help: { type: 'boolean', short: 'h', default: false } } as const;
  const { values } = parseFlags({ args: argv, options }, USAGE);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const { summary, result } = await scoreProgramFiles({ ...values, memoryMb: values['memory-mb'] }, (m) => console.error(m));
  if (values.json) printJson(summary);
  else {
    console.log(`reward ${summary.reward ?? 'null'}: ${summary.passed}/${summary.total} passed (${summary.status})`);
    result?.tests.forEach((t, i) => t.status !== 'passed' && console.log(`  test ${i}: ${t.status}${t.stderr ? `\n    ${t.stderr.trim().split('\n').slice(-3).join('\n    ')}` : ''}`));
  }
  return result ? 0 : 1;
}

async function runNamed(name: string, argv: string[]): Promise<number> {
  const { values } = parseFlags({ args: argv, options: { completion: str, ctx: str, ...COMMON } }, USAGE);
  if (!values.completion) throw new UsageError(`--completion FILE is required (the text to score with '${name}')`);
  const completion = readText(values.completion, 'completion');
  const score = scoreOne(name, completion, values.ctx ? readJson(values.ctx, 'ctx file') : {}, values.ctx);
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
