// Streaming JSONL: read one JSON object a line without loading the file whole, and write them back.
// Not a JSON validator beyond JSON.parse; malformed lines are reported as `file:line` and either
// skipped (each one reported through onSkip) or fatal, by an explicit option — never dropped silently.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { UsageError } from '../run/spec.js';

export interface JsonlReadOptions {
  /** 'fail': a malformed line throws JsonlError; 'skip': it is reported through onSkip and skipped. */
  onError: 'skip' | 'fail';
  /** Called once per skipped line (default: a one-line warning on stderr). */
  onSkip?: (err: JsonlError) => void;
}

/** A malformed line: names the file and the 1-based line number. */
export class JsonlError extends UsageError {
  constructor(readonly file: string, readonly line: number, reason: string) {
    super(`${file}:${line}: ${reason}`);
  }
}

export interface JsonlRow<T> {
  value: T;
  /** 1-based line number in the file. */
  line: number;
}

/**
 * Yields the JSON value of each non-blank line, streaming (memory is one line, whatever the file size).
 * Each value must be a JSON object; arrays and scalars are malformed lines too.
 */
export async function* readJsonl<T = Record<string, unknown>>(file: string, opts: JsonlReadOptions): AsyncGenerator<JsonlRow<T>> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const raw of lines) {
      n++;
      const text = raw.trim();
      if (text === '') continue;
      let value: unknown;
      let reason: string | null = null;
      try {
        value = JSON.parse(text);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) reason = `expected a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`;
      } catch (err) {
        reason = `malformed JSON (${(err as Error).message}); fix the line or read with onError: 'skip'`;
      }
      if (reason !== null) {
        const err = new JsonlError(file, n, reason);
        if (opts.onError === 'fail') throw err;
        (opts.onSkip ?? ((e: JsonlError) => process.stderr.write(`skipping ${e.message}\n`)))(err);
        continue;
      }
      yield { value: value as T, line: n };
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}

/** Reads every row into memory (for small files: datasets, SFT sets). */
export async function readJsonlAll<T = Record<string, unknown>>(file: string, opts: JsonlReadOptions): Promise<JsonlRow<T>[]> {
  const rows: JsonlRow<T>[] = [];
  for await (const row of readJsonl<T>(file, opts)) rows.push(row);
  return rows;
}

/** Appends JSON objects one a line, respecting stream backpressure; close() flushes. */
export class JsonlWriter {
  private stream: WriteStream;

  constructor(readonly file: string, opts: { append?: boolean } = {}) {
    this.stream = createWriteStream(file, { encoding: 'utf8', flags: opts.append ? 'a' : 'w' });
  }

  async write(value: unknown): Promise<void> {
    if (!this.stream.write(JSON.stringify(value) + '\n')) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

/** Writes an iterable of objects to a JSONL file (overwriting it). */
export async function writeJsonl(file: string, values: Iterable<unknown> | AsyncIterable<unknown>): Promise<number> {
  const w = new JsonlWriter(file);
  let n = 0;
  try {
    for await (const v of values) {
      await w.write(v);
      n++;
    }
  } finally {
    await w.close();
  }
  return n;
}
