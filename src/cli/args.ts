// Command-line reading shared by the `r1` commands: a run spec's flags and --help (readCommandLine), the snake_case
// --json printer, Ctrl-C as one AbortSignal, and node:util parseArgs for the few commands without a spec (bench).
// Not the specs themselves (src/run/spec.ts and each command's spec).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './main.js';
import { helpText, parseArgv, pick, resolve, type ConfigOf, type Fields, type Spec } from '../run/spec.js';

/** A command line read against a run spec: the config layer its flags give, the command's own flags, the positionals. */
export interface CommandLine<F extends Fields, X extends Fields> {
  /** Config values given as flags (canonical names), to resolve over the defaults and any config file. */
  layer: Partial<ConfigOf<F>>;
  /** The command's own flags (--json, --quiet, --config, …), defaults filled. */
  flags: ConfigOf<X>;
  positionals: string[];
}

/**
 * Reads argv against a spec's fields and the command's own flags (both declared as fields); with --help prints the
 * text generated from them and returns null. Bad flags are one-line ConfigErrors (exit 2).
 */
export function readCommandLine<F extends Fields, X extends Fields>(spec: Spec<F>, own: X, argv: readonly string[],
  help: { usage: string; footer?: string; positionals?: boolean }): CommandLine<F, X> | null {
  const all: Spec<Fields> = { name: spec.name, fields: { ...own, ...spec.fields } };
  const { values, positionals } = parseArgv(all, argv, { positionals: help.positionals });
  if (values.help) {
    console.log(helpText(all, help.usage, help.footer));
    return null;
  }
  return { layer: pick(values, spec.fields), flags: resolve({ name: spec.name, fields: own }, [pick(values, own)]), positionals };
}

/** parseArgs in strict mode; a bad or unknown flag is a one-line UsageError pointing at --help. */
export function parseFlags<T extends ParseArgsConfig>(config: T, _help: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>({ strict: true, ...config });
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '').replace(/\.$/, '');
    throw new UsageError(`${msg}; --help lists the options`);
  }
}

/** snake_case for every key of a --json output (camelCase from library results: tokensPerSecond → tokens_per_second). */
export function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (!v || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase(), snakeKeys(x)]));
}

/** Prints the one JSON object of a --json command on stdout, keys in snake_case. */
export function printJson(v: unknown): void {
  console.log(JSON.stringify(snakeKeys(v)));
}

// numeric flags of the commands without a spec (bench)
/** What a numeric flag accepts: integers only, and a lower bound (inclusive, or exclusive with `above`), an upper bound. */
export interface NumRule {
  int?: boolean;
  /** Values must be >= min (default: no bound). */
  min?: number;
  /** Values must be > above. */
  above?: number;
  /** Values must be <= max. */
  max?: number;
}

export const POSITIVE_INT: NumRule = { int: true, above: 0 };
export const NON_NEGATIVE_INT: NumRule = { int: true, min: 0 };

function describe(rule: NumRule): string {
  const kind = rule.int ? 'an integer' : 'a number';
  const bounds = [
    rule.above !== undefined ? `> ${rule.above}` : rule.min !== undefined ? `>= ${rule.min}` : null,
    rule.max !== undefined ? `<= ${rule.max}` : null,
  ].filter((b) => b !== null);
  return bounds.length ? `${kind} ${bounds.join(' and ')}` : kind;
}

/** A numeric flag's value: `dflt` when the flag is absent, else the number, or a UsageError naming the flag and the rule. */
export function numFlag(v: string | undefined, name: string, rule: NumRule): number | undefined;
export function numFlag(v: string | undefined, name: string, rule: NumRule, dflt: number): number;
export function numFlag(v: string | undefined, name: string, rule: NumRule, dflt?: number): number | undefined {
  if (v === undefined) return dflt;
  const n = Number(v);
  const ok = v.trim() !== '' && Number.isFinite(n) && (!rule.int || Number.isInteger(n))
    && (rule.min === undefined || n >= rule.min) && (rule.above === undefined || n > rule.above)
    && (rule.max === undefined || n <= rule.max);
  if (!ok) throw new UsageError(`--${name} must be ${describe(rule)} (got '${v}')`);
  return n;
}

/**
 * Ctrl-C for long commands, as one AbortSignal: the first press aborts it (the work saves after its current step and
 * returns), a second quits at once with 130. Call `dispose()` when the work is over.
 */
export function onInterrupt(cmd: string, what = 'stopping after the current step'): { signal: AbortSignal; stopped: () => boolean; dispose: () => void } {
  const ac = new AbortController();
  const handler = () => {
    if (ac.signal.aborted) process.exit(130);
    ac.abort();
    console.error(`\nr1 ${cmd}: ${what} (Ctrl-C again to quit now)`);
  };
  process.on('SIGINT', handler);
  return { signal: ac.signal, stopped: () => ac.signal.aborted, dispose: () => { process.off('SIGINT', handler); } };
}
