// Scores one program against test cases in the sandbox: stdin/stdout pairs (competitive-programming
// style) and function calls whose result is compared on the host. Per language, a harness; the
// expected values never enter the sandbox, so a program cannot print its way to a pass.

import { type Interpreter, type RunResult, type RunStatus, type SandboxJob, type SandboxLimits } from './sandbox.js';

export type CodeLang = Interpreter;

/** A stdin/stdout case: the program reads `input` and must print `output` (line-end whitespace ignored). */
export interface StdioTest {
  input: string;
  output: string;
}
/** A function-call case: `call` is an expression in the program's language (`add(2, 3)`), `expected` its JSON value. */
export interface CallTest {
  call: string;
  expected: unknown;
}
export type CodeTest = StdioTest | CallTest;

export type TestStatus = 'passed' | 'wrong-answer' | Exclude<RunStatus, 'ok'>;

export interface CodeResult {
  /** passed / total; 0 when there is no program. */
  reward: number;
  passed: number;
  total: number;
  /** 'passed' when every test passed, 'no-tests', 'no-program', else the first failing test's status. */
  status: TestStatus | 'no-program' | 'no-tests';
  tests: { status: TestStatus; wallMs: number; stderr?: string }[];
}

/** The line the call harness prints before the JSON of the result. */
const MARK = '\u0001r1-result\u0001';

const PY_CALL_HARNESS = `import json, runpy, sys
def _plain(x):
    if isinstance(x, (set, frozenset)):
        return sorted(x, key=repr)
    return repr(x)
_ns = runpy.run_path('/app/main.py', run_name='solution')
_r = eval(sys.argv[1], _ns)
sys.stdout.write('\\n' + ${JSON.stringify(MARK)} + json.dumps(_r, default=_plain) + '\\n')
`;

const jsCallHarness = (call: string) => `
;(async () => {
  const __r = await (${call});
  process.stdout.write('\\n' + ${JSON.stringify(MARK)} + JSON.stringify(__r === undefined ? null : __r) + '\\n');
})().catch((e) => { console.error(e); process.exit(1); });
`;

/** ESM syntax at the start of a line (`import x from`, `export function`) makes a JS program a module. */
const isEsm = (src: string) => /^\s*(import\s[\s\S]*?from\s|import\s*['"{*]|export\s)/m.test(src);

/** The sandbox job that runs `program` on one test. */
export function jobFor(lang: CodeLang, program: string, test: CodeTest): SandboxJob {
  if ('input' in test) {
    const main = lang === 'python' ? 'main.py' : isEsm(program) ? 'main.mjs' : 'main.js';
    return { interpreter: lang, files: { [main]: program }, main, stdin: String(test.input) };
  }
  if (lang === 'python') {
    return { interpreter: lang, files: { 'main.py': program, 'harness.py': PY_CALL_HARNESS }, main: 'harness.py', args: [String(test.call)], stdin: '' };
  }
  const main = isEsm(program) ? 'main.mjs' : 'main.js';
  return { interpreter: lang, files: { [main]: program + '\n' + jsCallHarness(String(test.call)) }, main, stdin: '' };
}

/** Output as a test compares it: trailing whitespace off every line, trailing empty lines dropped, CRLF as LF. */
export function normalizeOutput(s: string): string {
  return s.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trimEnd()).join('\n').replace(/\n+$/, '');
}

/** JSON-value equality with a relative tolerance of 1e-9 on numbers. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return jsonEqual(ka, kb) && ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/** The status of one finished run against its test. */
export function testStatus(test: CodeTest, run: RunResult): TestStatus {
  if (run.status !== 'ok') return run.status;
  if ('input' in test) return normalizeOutput(run.stdout) === normalizeOutput(String(test.output)) ? 'passed' : 'wrong-answer';
  const at = run.stdout.lastIndexOf(MARK);
  if (at === -1) return 'wrong-answer';
  const line = run.stdout.slice(at + MARK.length).split('\n')[0];
  try {
    return jsonEqual(JSON.parse(line), test.expected) ? 'passed' : 'wrong-answer';
  } catch {
    return 'wrong-answer';
  }
}

/** Whether a value is a well-formed test case. */
export function isCodeTest(t: unknown): t is CodeTest {
  if (!t || typeof t !== 'object') return false;
  const o = t as Record<string, unknown>;
  if ('input' in o) return typeof o.input === 'string' && typeof o.output === 'string';
  return typeof o.call === 'string' && 'expected' in o;
}

/** Runs `tasks` with at most `limit` in flight; results keep their order. */
export async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const k = next++;
      out[k] = await tasks[k]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return out;
}

/** Summarises per-test statuses into a CodeResult. */
export function summarize(tests: CodeResult['tests']): CodeResult {
  const passed = tests.filter((t) => t.status === 'passed').length;
  const total = tests.length;
  const firstFail = tests.find((t) => t.status !== 'passed');
  return {
    reward: total === 0 ? 0 : passed / total,
    passed,
    total,
    status: total === 0 ? 'no-tests' : (firstFail?.status ?? 'passed'),
    tests,
  };
}
