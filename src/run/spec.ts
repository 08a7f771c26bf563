// Run specs: each option of a command declared once (type, default, range or choices, one-line doc, deprecated
// aliases), as TRL's dataclass fields; the config type, validation with "did you mean", kebab-case flags, --help text
// and config files (JSON / YAML) all come from that one declaration. Not a command runner (src/run/command.ts).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** A user error: printed by the CLI as one line, exit code 2, no stack. */
export class UsageError extends Error {}

/** Thrown for a bad option from a flag, a config file or code; the message names the option and the fix (a user error). */
export class ConfigError extends UsageError {}

type Kind = 'int' | 'number' | 'string' | 'boolean' | 'list' | 'value';

/** One option: what `r1 X --help` says about it, how a flag's text becomes its value, and what values are valid. */
export interface Field<T> {
  readonly kind: Kind;
  readonly default: T;
  /** One line: what the option does and what its default does. */
  readonly doc: string;
  /** Numbers: inclusive lower bound, exclusive lower bound, inclusive upper bound. */
  readonly min?: number;
  readonly above?: number;
  readonly max?: number;
  /** Strings: the values allowed. */
  readonly choices?: readonly string[];
  /** null is a valid value (and the flag text 'null' gives it). */
  readonly nullable?: boolean;
  /** The value must be given (no usable default). */
  readonly required?: boolean;
  /** Old names (camelCase), accepted with a one-line deprecation warning for one release. */
  readonly aliases?: readonly string[];
  /** An old name whose value meant something else (milliseconds, a bare world name): how to convert it. */
  readonly aliasValue?: Readonly<Record<string, (v: unknown) => unknown>>;
  /** A one-letter flag (-q). */
  readonly short?: string;
  /** What the flag's value is called in --help (N, X, DIR, ...). */
  readonly metavar?: string;
  /** Flag text → value, for values that are not a plain number or string (lists of records, pairs). */
  readonly parse?: (text: string) => unknown;
  /** Normalises a value before validation (e.g. true/false → 'group'/'none'). */
  readonly coerce?: (v: unknown) => unknown;
  /** Further validation of a valid-typed value: a message naming the fix, or null. */
  check?(v: T): string | null;
  /** The name this field has in the shared vocabulary (src/run/vocabulary.ts), when it comes from there. */
  readonly vocab?: string;
}

type Opts<T> = Partial<Omit<Field<T>, 'kind' | 'default' | 'doc'>>;

const make = <T>(kind: Kind, dflt: T, doc: string, o: Opts<T> = {}): Field<T> => ({ kind, default: dflt, doc, ...o });

/** An integer option. */
export const int = (dflt: number, doc: string, o?: Opts<number>): Field<number> => make('int', dflt, doc, { metavar: 'N', ...o });
/** A number option. */
export const num = (dflt: number, doc: string, o?: Opts<number>): Field<number> => make('number', dflt, doc, { metavar: 'X', ...o });
/** A string option (a path, a name). */
export const str = (dflt: string, doc: string, o?: Opts<string>): Field<string> => make('string', dflt, doc, { metavar: 'S', ...o });
/** An on/off option: `--flag`, `--flag=false`, `--no-flag`. */
export const bool = (dflt: boolean, doc: string, o?: Opts<boolean>): Field<boolean> => make('boolean', dflt, doc, o);
/** One of a fixed set of strings; the type is their union. */
export const oneOf = <const C extends readonly string[]>(choices: C, dflt: C[number], doc: string, o?: Opts<C[number]>): Field<C[number]> =>
  make('string', dflt, doc, { metavar: choices.join('|'), ...o, choices });
/** A list of strings; the flag takes them comma-separated. */
export const strings = (dflt: string[], doc: string, o?: Opts<string[]>): Field<string[]> => make('list', dflt, doc, { metavar: 'A,B', ...o });
/** Any other value (records, pairs): `parse` reads the flag text (JSON when absent), `check` validates. */
export const value = <T>(dflt: T, doc: string, o: Opts<T> & { check(v: T): string | null }): Field<T> => make('value', dflt, doc, o);
/** The same field, with null allowed and the default null (unless given). */
export const nullable = <T>(f: Field<T>, dflt: T | null = null): Field<T | null> => ({ ...(f as Field<T | null>), nullable: true, default: dflt });
/** The same field, required (no default). */
export const required = <T>(f: Field<T>): Field<T> => ({ ...f, required: true });
/** The same field with another default, doc or bounds (a command's own default for a vocabulary field). */
export const withDefault = <T>(f: Field<T>, dflt: T, o: Opts<T> & { doc?: string } = {}): Field<T> => ({ ...f, ...o, default: dflt });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Fields = Record<string, Field<any>>;
/** The config type a set of fields declares. */
export type ConfigOf<F extends Fields> = { -readonly [K in keyof F]: F[K] extends Field<infer T> ? T : never };

/** A command's options: `fields` make the config (validated, saved as config.json); `check` relates fields to each other. */
export interface Spec<F extends Fields> {
  readonly name: string;
  readonly fields: F;
  /** Checks across fields after each one is valid: a message naming the fix, or null. */
  check?(c: ConfigOf<F>): string | null;
  /** Fills values that depend on others when they were not given (e.g. a world's rewards); `given` holds the keys set by a layer. */
  derive?(c: ConfigOf<F>, given: ReadonlySet<string>, warn: Warn): void;
}

export const defineSpec = <F extends Fields>(s: Spec<F>): Spec<F> => s;

export const kebab = (k: string): string => k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
const camel = (k: string): string => k.replace(/[-_]([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Edit distance (Levenshtein), for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/** The closest of `names` to `k` (within a third of its length), or null. */
export function didYouMean(k: string, names: readonly string[]): string | null {
  let best: string | null = null, bestD = Infinity;
  for (const n of names) {
    const dd = distance(k.toLowerCase(), n.toLowerCase());
    if (dd < bestD) { best = n; bestD = dd; }
  }
  return bestD <= Math.max(2, Math.floor(k.length / 3)) ? best : null;
}

/** The canonical name of a key (camelCase, snake_case or kebab-case; a deprecated alias with `deprecated` set), or null. */
export function lookup(fields: Fields, key: string): { name: string; deprecated: boolean; convert: (v: unknown) => unknown } | null {
  const k = camel(key);
  if (k in fields) return { name: k, deprecated: false, convert: (v) => v };
  for (const [name, f] of Object.entries(fields)) if (f.aliases?.includes(k)) return { name, deprecated: true, convert: f.aliasValue?.[k] ?? ((v) => v) };
  return null;
}

/** The error for an unknown key: names it, the nearest option, and where the list is. */
export function unknownKey(spec: Spec<Fields>, key: string, asFlag: boolean): ConfigError {
  const names = Object.keys(spec.fields);
  const near = didYouMean(camel(key), names);
  const show = (n: string) => (asFlag ? `--${kebab(n)}` : n);
  return new ConfigError(`unknown option '${asFlag ? `--${key}` : key}'${near ? `: did you mean '${show(near)}'?` : ''} (r1 ${spec.name} --help lists them)`);
}

const describe = (f: Field<unknown>): string => {
  const kind = f.kind === 'int' ? 'an integer' : 'a number';
  const b = [f.above !== undefined ? `> ${f.above}` : f.min !== undefined ? `>= ${f.min}` : null, f.max !== undefined ? `<= ${f.max}` : null].filter(Boolean);
  return b.length ? `${kind} ${b.join(' and ')}` : kind;
};

/** Why v is not a valid value of f, or null. */
export function fieldProblem(name: string, f: Field<unknown>, v: unknown): string | null {
  const got = `got ${JSON.stringify(v)}`;
  if (v === null) return f.nullable ? null : `${name} must not be null`;
  if (f.required && (v === undefined || v === '')) return `--${kebab(name.replace(/^--/, ''))} is required: ${f.doc}`;
  switch (f.kind) {
    case 'int': case 'number': {
      const ok = typeof v === 'number' && Number.isFinite(v) && (f.kind !== 'int' || Number.isInteger(v)) && (f.min === undefined || v >= f.min)
        && (f.above === undefined || v > f.above) && (f.max === undefined || v <= f.max);
      if (!ok) return `${name} must be ${describe(f)}, ${got}`;
      break;
    }
    case 'string':
      if (typeof v !== 'string') return `${name} must be a string, ${got}`;
      if (f.choices && !f.choices.includes(v)) {
        const near = didYouMean(v, f.choices);
        return `${name} must be one of ${f.choices.join(', ')}, ${got}${near ? `: did you mean '${near}'?` : ''}`;
      }
      break;
    case 'boolean':
      if (typeof v !== 'boolean') return `${name} must be true or false, ${got}`;
      break;
    case 'list':
      if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || !s)) return `${name} must be a list of non-empty strings, ${got}`;
      break;
    case 'value':
      break;
  }
  return f.check ? f.check(v) : null;
}

/** Where deprecation warnings go (stderr by default; tests pass their own). */
export type Warn = (line: string) => void;
const stderrWarn: Warn = (l) => { process.stderr.write(`${l}\n`); };

/**
 * The config of `layers` merged over the defaults (later layers win; undefined values are skipped): keys in camelCase,
 * snake_case or kebab-case, deprecated aliases with a warning, unknown keys an error with "did you mean", every value
 * validated. The one way any command's config is made: flags, config files, recipes and code all come through here.
 */
export function resolve<F extends Fields>(spec: Spec<F>, layers: readonly Record<string, unknown>[], warn: Warn = stderrWarn): ConfigOf<F> {
  const c: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(spec.fields)) c[k] = structuredClone(f.default);
  const given = new Set<string>();
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (v === undefined) continue;
      const hit = lookup(spec.fields, k);
      if (!hit) throw unknownKey(spec, k, false);
      if (hit.deprecated) warn(`r1 ${spec.name}: '${k}' is deprecated; use '${hit.name}' (--${kebab(hit.name)}); the old name goes in the next release`);
      const f = spec.fields[hit.name]!;
      const x = hit.convert(v);
      c[hit.name] = f.coerce ? f.coerce(x) : x;
      given.add(hit.name);
    }
  }
  const cfg = c as ConfigOf<F>;
  spec.derive?.(cfg, given, warn);
  for (const [k, f] of Object.entries(spec.fields)) {
    const p = fieldProblem(k, f, c[k]);
    if (p) throw new ConfigError(p);
  }
  const p = spec.check?.(cfg);
  if (p) throw new ConfigError(p);
  return cfg;
}

/** A flag's text as the field's value; a ConfigError names the flag. */
export function flagValue(name: string, f: Field<unknown>, text: string): unknown {
  const flag = `--${kebab(name)}`;
  if (f.nullable && (text === 'null' || text === 'none')) return null;
  if (f.parse) {
    try {
      return f.parse(text);
    } catch (e) {
      throw new ConfigError(`${flag}: ${(e as Error).message}`);
    }
  }
  switch (f.kind) {
    case 'int': case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${flag} must be ${describe(f)} (got '${text}')`);
      return n;
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw new ConfigError(`${flag} is on or off: give ${flag}, ${flag}=false or --no-${kebab(name)} (got '${text}')`);
      return text === 'true';
    case 'list':
      return text.split(',').filter(Boolean);
    case 'value':
      try {
        return JSON.parse(text);
      } catch {
        throw new ConfigError(`${flag} takes JSON, e.g. ${JSON.stringify(f.default)} (got '${text}')`);
      }
    default:
      return text;
  }
}

/** What a command line gave: values by canonical name (flag text converted), the positionals, and deprecated flags used. */
export interface ParsedArgs {
  values: Record<string, unknown>;
  positionals: string[];
}

/**
 * Parses argv against `fields` (the config's and the command's own): `--name V`, `--name=V`, `--flag`, `--no-flag`,
 * `-x` short flags. A non-boolean flag always takes the next word as its value, so `--eval-every -1` works.
 */
export function parseArgv(spec: Spec<Fields>, argv: readonly string[], o: { positionals?: boolean; warn?: Warn } = {}): ParsedArgs {
  const warn = o.warn ?? stderrWarn;
  const values: Record<string, unknown> = {}, positionals: string[] = [];
  const shorts = new Map(Object.entries(spec.fields).filter(([, f]) => f.short).map(([k, f]) => [f.short!, k]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    let name: string, text: string | undefined, negated = false, convert = (v: unknown) => v;
    if (/^-[a-zA-Z]$/.test(a)) {
      const n = shorts.get(a.slice(1));
      if (!n) throw new ConfigError(`unknown option '${a}' (r1 ${spec.name} --help lists them)`);
      name = n;
    } else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const key = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (eq >= 0) text = a.slice(eq + 1);
      let hit = lookup(spec.fields, key);
      if (!hit && key.startsWith('no-')) {
        hit = lookup(spec.fields, key.slice(3));
        if (hit && spec.fields[hit.name]!.kind === 'boolean' && text === undefined) negated = true;
        else hit = null;
      }
      if (!hit) throw unknownKey(spec, key, true);
      if (hit.deprecated) warn(`r1 ${spec.name}: --${key} is deprecated; use --${kebab(hit.name)} (the old name goes in the next release)`);
      name = hit.name;
      convert = hit.convert;
    } else {
      if (!o.positionals) throw new ConfigError(`unexpected argument '${a}' (r1 ${spec.name} --help lists the options)`);
      positionals.push(a);
      continue;
    }
    const f = spec.fields[name]!;
    if (f.kind === 'boolean' && text === undefined) {
      values[name] = !negated;
      continue;
    }
    if (text === undefined) {
      if (i + 1 >= argv.length) throw new ConfigError(`--${kebab(name)} needs a value${f.metavar ? ` (${f.metavar})` : ''}`);
      text = argv[++i]!;
    }
    const v = convert(flagValue(name, f, text));
    const bad = fieldProblem(`--${kebab(name)}`, f, f.coerce ? f.coerce(v) : v); // a bad value names the flag the user typed
    if (bad) throw new ConfigError(bad);
    // a list flag given again adds to it (--stop-strings a --stop-strings b)
    values[name] = f.kind === 'list' && Array.isArray(values[name]) ? [...(values[name] as unknown[]), ...(v as unknown[])] : v;
  }
  return { values, positionals };
}

/** The --help text of a spec: the usage lines, then one line an option with its default, choices and old names. */
export function helpText(spec: Spec<Fields>, usage: string, footer = ''): string {
  const rows = Object.entries(spec.fields).map(([k, f]) => {
    const flag = `${f.short ? `-${f.short}, ` : ''}--${kebab(k)}${f.kind === 'boolean' ? '' : ` ${f.metavar ?? 'V'}`}`;
    const dflt = f.required ? ' [required]' : f.kind === 'boolean' && f.default === false ? '' : f.default === null || (Array.isArray(f.default) && !f.default.length) || f.default === ''
      ? '' : ` (default ${typeof f.default === 'string' ? f.default : JSON.stringify(f.default)})`;
    const old = f.aliases?.length ? ` [was ${f.aliases.map((x) => `--${kebab(x)}`).join(', ')}]` : '';
    return [flag, `${f.doc}${dflt}${old}`] as const;
  });
  const w = Math.min(34, Math.max(...rows.map(([a]) => a.length)));
  const lines = rows.map(([a, b]) => (a.length > w ? `  ${a}\n  ${' '.repeat(w)}  ${b}` : `  ${a.padEnd(w)}  ${b}`));
  return `${usage}\n\noptions:\n${lines.join('\n')}${footer ? `\n${footer}` : ''}`;
}

/** Reads a config file (.json, .yaml, .yml): an object of options, checked by resolve(). */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`config file ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): check the path`);
  }
  const yaml = /\.ya?ml$/i.test(path);
  let v: unknown;
  try {
    v = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config file ${path} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`config file ${path} must hold an object of options`);
  return v as Record<string, unknown>;
}

/** The recipes shipped in the package's configs/ folder (demo, subset, pipeline, …). */
const RECIPES = join(resolvePath(dirname(fileURLToPath(import.meta.url)), '../..'), 'configs');

/** configs/NAME.yaml, read as a user's config file is (null when there is none). */
export function readRecipe(name: string): Record<string, unknown> | null {
  const path = join(RECIPES, `${name}.yaml`);
  return existsSync(path) ? readConfigFile(path) : null;
}

/** A spec's fields less `keys` (the part of a command's options one function of it reads). */
export function omitFields<F extends Fields, K extends keyof F>(fields: F, keys: readonly K[]): Omit<F, K> {
  return Object.fromEntries(Object.entries(fields).filter(([k]) => !(keys as readonly PropertyKey[]).includes(k))) as Omit<F, K>;
}

/** The fields of `spec` whose names are in `keys` (a sub-spec, e.g. the config part of a command's flags). */
export function pick<F extends Fields>(values: Record<string, unknown>, fields: F): Partial<ConfigOf<F>> {
  return Object.fromEntries(Object.entries(values).filter(([k]) => k in fields)) as Partial<ConfigOf<F>>;
}
