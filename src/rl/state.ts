// Saving and restoring what a resumed run needs besides the weights: the optimizer's state (any object
// whose leaves may be Float32Arrays) and the trainer's state (step, Rng state, timers), plus finding the
// latest checkpoint and trimming logs back to it. Not the weights (src/model/checkpoint.ts does those).
import { existsSync, readFileSync, readdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

/** Serialises an object whose leaves may be Float32Arrays: JSON with {"$f32": [offset, length]} references into one binary blob. */
export function encodeState(obj: unknown): { json: string; bin: Uint8Array } {
  const chunks: Float32Array[] = [];
  let offset = 0;
  const walk = (v: unknown): unknown => {
    if (v instanceof Float32Array) {
      chunks.push(v);
      const ref = { $f32: [offset, v.length] };
      offset += v.length;
      return ref;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
    return v;
  };
  const json = JSON.stringify(walk(obj));
  const all = new Float32Array(offset);
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  return { json, bin: new Uint8Array(all.buffer) };
}

export function decodeState(json: string, bin: Uint8Array): unknown {
  const aligned = new Uint8Array(bin.byteLength);
  aligned.set(bin);
  const all = new Float32Array(aligned.buffer);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (Array.isArray(o.$f32)) {
        const [off, len] = o.$f32 as [number, number];
        return all.slice(off, off + len);
      }
      if (typeof o.$num === 'string') return Number(o.$num);
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(JSON.parse(json));
}

/** Writes `name`.json and `name`.bin in dir (each via a temporary file and a rename). */
export function writeState(dir: string, name: string, obj: unknown): void {
  const { json, bin } = encodeState(obj);
  writeFileSync(join(dir, `${name}.bin.tmp`), bin);
  renameSync(join(dir, `${name}.bin.tmp`), join(dir, `${name}.bin`));
  writeFileSync(join(dir, `${name}.json.tmp`), json);
  renameSync(join(dir, `${name}.json.tmp`), join(dir, `${name}.json`));
}

export function readState(dir: string, name: string): unknown {
  const j = join(dir, `${name}.json`), b = join(dir, `${name}.bin`);
  if (!existsSync(j) || !existsSync(b)) throw new Error(`checkpoint ${dir} lacks ${name}.json / ${name}.bin: it was not written by r1 grpo or is incomplete; resume from another step-N folder`);
  return decodeState(readFileSync(j, 'utf8'), readFileSync(b));
}

/** The checkpoint folder with the highest step under runDir/checkpoints that has a trainer_state.json, or null. */
export function latestCheckpoint(runDir: string): { dir: string; step: number } | null {
  const root = join(runDir, 'checkpoints');
  if (!existsSync(root)) return null;
  let best: { dir: string; step: number } | null = null;
  for (const name of readdirSync(root)) {
    const m = /^step-(\d+)$/.exec(name);
    if (!m || !existsSync(join(root, name, 'trainer_state.json'))) continue;
    const step = Number(m[1]);
    if (!best || step > best.step) best = { dir: join(root, name), step };
  }
  return best;
}

/** Drops JSONL lines whose "step" is greater than `step` (what an interrupted run logged after its last checkpoint). */
export function trimJsonl(file: string, step: number): void {
  if (!existsSync(file)) return;
  const kept = readFileSync(file, 'utf8').split('\n').filter((l) => {
    if (!l.trim()) return false;
    try {
      return (JSON.parse(l) as { step?: number }).step! <= step;
    } catch {
      return false;
    }
  });
  writeFileSync(file, kept.map((l) => l + '\n').join(''));
}
