// The code reward: extracts the program from a completion, runs it against its tests in the
// bubblewrap sandbox and scores the fraction passed. Without a usable sandbox every score is null
// (one warning names the fix); untrusted code is never run any other way.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AsyncRewardFn, RewardContext, RewardFn } from '../types.js';
import { isCodeTest, testStatus, jobFor, pool, summarize, type CodeLang, type CodeResult, type CodeTest } from './runners.js';
import { DEFAULT_SANDBOX_LIMITS, probeSandbox, runSandboxed, type ProbeResult, type SandboxLimits } from './sandbox.js';

export * from './runners.js';
export * from './sandbox.js';

const FENCE = /```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)```/g;
const LANG_TAGS: Record<CodeLang, string[]> = {
  python: ['python', 'py', 'python3'],
  js: ['javascript', 'js', 'node', 'nodejs', 'mjs'],
};

/**
 * The program in a completion: the last fenced block tagged with the language (or untagged);
 * failing that, the whole completion when it has no fence at all and no R1 tags. Null if none.
 */
export function extractProgram(completion: string, lang: CodeLang): string | null {
  let found: string | null = null;
  for (const m of completion.matchAll(FENCE)) {
    const tag = m[1].toLowerCase();
    if (tag === '' || LANG_TAGS[lang].includes(tag)) found = m[2];
  }
  if (found !== null) return found.trim() === '' ? null : found;
  if (completion.includes('```') || /<\/?(think|answer)>/.test(completion)) return null;
  return completion.trim() === '' ? null : completion;
}

export interface CodeRewardOptions {
  limits?: Partial<SandboxLimits>;
  /** Sandboxes running at once (default 2: the machine's cores). */
  concurrency?: number;
  /** Where the one warning goes (default console.warn). */
  warn?: (message: string) => void;
  /** How to check that the sandbox works (default probeSandbox: runs a one-line program in it). */
  probe?: (lang: CodeLang) => ProbeResult;
}

type Item = { lang: CodeLang; tests: CodeTest[] } | null;

function isLang(x: unknown): x is CodeLang {
  return x === 'python' || x === 'js';
}

/**
 * What each completion is to be scored against. ctx.tests: one CodeTest[] for every completion,
 * or an array of CodeTest[] (one per completion); ctx.codeLang: 'python' | 'js' (default
 * 'python'), or one per completion. Null items (missing or malformed tests) score null.
 */
export function codeItems(n: number, ctx: RewardContext): Item[] {
  const t = ctx.tests;
  const perCompletion = Array.isArray(t) && t.length > 0 && t.every((x) => Array.isArray(x) || x === null);
  return Array.from({ length: n }, (_, i) => {
    const tests = perCompletion ? (t as unknown[])[i] : t;
    const lang = Array.isArray(ctx.codeLang) ? ctx.codeLang[i] : (ctx.codeLang ?? 'python');
    if (!isLang(lang) || !Array.isArray(tests) || tests.length === 0 || !tests.every(isCodeTest)) return null;
    return { lang, tests: tests as CodeTest[] };
  });
}

export const SANDBOX_FIX = 'install bubblewrap (apt-get install bubblewrap) and allow user namespaces';

/**
 * Runs model-written programs in the sandbox. One instance per trainer: it probes the sandbox
 * once per language and warns once when it is unusable.
 */
export class CodeRunner {
  readonly limits: SandboxLimits;
  readonly concurrency: number;
  private readonly warnFn: (message: string) => void;
  private readonly probeFn: (lang: CodeLang) => ProbeResult;
  private readonly probes = new Map<CodeLang, boolean>();
  private warned = false;

  constructor(opts: CodeRewardOptions = {}) {
    this.limits = { ...DEFAULT_SANDBOX_LIMITS, ...opts.limits };
    this.concurrency = Math.max(1, opts.concurrency ?? 2);
    this.warnFn = opts.warn ?? ((m) => console.warn(m));
    this.probeFn = opts.probe ?? probeSandbox;
  }

  /** Whether programs in `lang` can be run (probed once; the first failure warns). */
  available(lang: CodeLang): boolean {
    let ok = this.probes.get(lang);
    if (ok === undefined) {
      const p = this.probeFn(lang);
      ok = p.ok;
      this.probes.set(lang, ok);
      if (!p.ok && !this.warned) {
        this.warned = true;
        this.warnFn(`r1: the code sandbox cannot run ${lang} here (${p.reason}); code rewards are null until you ${SANDBOX_FIX}. Untrusted code is never run outside it.`);
      }
    }
    return ok;
  }

  /** Scores one program; null when the sandbox is unusable for `lang`. */
  async score(lang: CodeLang, program: string, tests: CodeTest[]): Promise<CodeResult | null> {
    return (await this.scoreMany([{ lang, program, tests }]))[0];
  }

  /** Scores many programs, all their test runs sharing one bounded pool. */
  async scoreMany(items: { lang: CodeLang; program: string | null; tests: CodeTest[] }[]): Promise<(CodeResult | null)[]> {
    const usable = items.map((it) => this.available(it.lang));
    const jobs: { item: number; run: () => Promise<CodeResult['tests'][number]> }[] = [];
    items.forEach((it, k) => {
      if (!usable[k] || it.program === null) return;
      for (const t of it.tests) {
        const program = it.program;
        jobs.push({
          item: k,
          run: async () => {
            const r = await runSandboxed(jobFor(it.lang, program, t), this.limits);
            const status = testStatus(t, r);
            return status === 'passed' ? { status, wallMs: r.wallMs } : { status, wallMs: r.wallMs, stderr: r.stderr.slice(0, 500) };
          },
        });
      }
    });
    const results = await pool(jobs.map((j) => j.run), this.concurrency);
    return items.map((it, k) => {
      if (!usable[k]) return null;
      if (it.program === null) return { ...summarize([]), total: it.tests.length, status: 'no-program' };
      return summarize(results.filter((_, j) => jobs[j].item === k));
    });
  }

  /** The code reward, asynchronous: fraction of tests passed; 0 without a program; null without tests or sandbox. */
  readonly rewardAsync: AsyncRewardFn = async (completions, ctx) => {
    const items = codeItems(completions.length, ctx);
    const idx = items.flatMap((it, i) => (it ? [i] : []));
    const scored = await this.scoreMany(idx.map((i) => ({ ...items[i]!, program: extractProgram(String(completions[i]), items[i]!.lang) })));
    const out: (number | null)[] = completions.map(() => null);
    idx.forEach((i, k) => (out[i] = scored[k]?.reward ?? null));
    return out;
  };

  /**
   * The code reward as a synchronous RewardFn (the contract's shape): it runs rewardAsync in a
   * child Node process (worker.ts) and waits for it. Any failure of that process gives nulls and a
   * warning, never an exception.
   */
  readonly reward: RewardFn = (completions, ctx) => {
    const items = codeItems(completions.length, ctx);
    const nulls = completions.map(() => null);
    if (!items.some((it) => it !== null && this.available(it.lang))) return nulls;
    const runs = items.reduce((s, it) => s + (it?.tests.length ?? 0), 0);
    const budgetMs = 30_000 + (Math.ceil(runs / this.concurrency) + 1) * (this.limits.wallSeconds + 1) * 1000;
    const input = JSON.stringify({ completions, ctx: { tests: ctx.tests, codeLang: ctx.codeLang }, limits: this.limits, concurrency: this.concurrency });
    const r = spawnSync(process.execPath, ['--import', tsxLoader(), fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url))], {
      input,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      timeout: budgetMs,
      killSignal: 'SIGKILL',
    });
    try {
      const parsed = JSON.parse(r.stdout) as unknown;
      if (Array.isArray(parsed) && parsed.length === completions.length) return parsed as (number | null)[];
    } catch {
      // reported below
    }
    this.warnFn(`r1: the code reward's worker failed (${r.error ?? `exit ${r.status}`}: ${String(r.stderr).trim().slice(0, 300)}); these completions score null`);
    return nulls;
  };
}

/** The tsx loader, resolved from this package (the child process does not share our cwd's). */
function tsxLoader(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
}

/** Scores one program against tests, for `r1 reward code`; null when the sandbox is unusable. */
export async function scoreProgram(lang: CodeLang, program: string, tests: CodeTest[], opts: CodeRewardOptions = {}): Promise<CodeResult | null> {
  return new CodeRunner(opts).score(lang, program, tests);
}
