// State files beside a checkpoint's weights (an optimizer's moments, any object whose leaves may be Float32Arrays):
// NAME.json holds the object with each Float32Array replaced by {"$tensor": path}, and the arrays go to NAME.safetensors
// (sharded above a size, like the weights), written and read tensor by tensor: no buffer holds all of them at once.
// Not the weights (checkpoint.ts) and not a general serialiser (no Maps, typed arrays other than Float32Array).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type NamedArray, openSafetensors, readTensorInto, writeShardedSafetensors } from './safetensors.js';

/** A state object to be written as NAME.json + NAME.safetensors by saveCheckpoint's `extra` (key: NAME). */
export class TensorState {
  constructor(readonly value: unknown) {}
}

/** The JSON skeleton of obj and its Float32Array leaves, each named by its path in obj (e.g. "params.3.m"). */
export function splitState(obj: unknown): { skeleton: unknown; tensors: NamedArray[] } {
  const tensors: NamedArray[] = [];
  const walk = (v: unknown, path: string): unknown => {
    if (v instanceof Float32Array) {
      tensors.push({ name: path, data: v, shape: [v.length] });
      return { $tensor: path };
    }
    const at = (k: string | number): string => (path === '' ? String(k) : `${path}.${k}`);
    if (Array.isArray(v)) return v.map((x, i) => walk(x, at(i)));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, at(k))]));
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
    return v;
  };
  return { skeleton: walk(obj, ''), tensors };
}

/** Writes NAME.safetensors (or its shards) and then NAME.json into dir. */
export function writeTensorState(dir: string, name: string, obj: unknown, maxShardBytes: number): void {
  const { skeleton, tensors } = splitState(obj);
  writeShardedSafetensors(dir, name, tensors, { dtype: 'F32', maxShardBytes });
  const json = join(dir, `${name}.json`);
  writeFileSync(`${json}.tmp`, JSON.stringify({ format: 'r1ts-state', state: skeleton }));
  renameSync(`${json}.tmp`, json);
}

/** Reads what writeTensorState wrote: each tensor into a fresh Float32Array. Errors name the file and the tensor. */
export function readTensorState(dir: string, name: string): unknown {
  const json = join(dir, `${name}.json`);
  if (!existsSync(json)) throw new Error(`checkpoint ${dir} lacks ${name}.json: it was not written by r1ts or is incomplete; resume from another step-N folder`);
  let doc: { format?: unknown; state?: unknown };
  try {
    doc = JSON.parse(readFileSync(json, 'utf8'));
  } catch (err) {
    throw new Error(`${json} is not valid JSON (${(err as Error).message}); resume from another step-N folder`);
  }
  if (doc.format !== 'r1ts-state') throw new Error(`${json} is not an r1ts state file (no "format": "r1ts-state"); resume from a checkpoint this version of r1ts wrote`);
  const infos = openSafetensors(dir, name);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.$tensor === 'string') {
        const info = infos.get(o.$tensor);
        if (!info) throw new Error(`${json} refers to tensor '${o.$tensor}', which ${name}.safetensors does not hold; the state files are from different saves`);
        const out = new Float32Array(info.shape.reduce((a, b) => a * b, 1));
        readTensorInto(info, out);
        return out;
      }
      if (typeof o.$num === 'string') return Number(o.$num);
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(doc.state);
}
