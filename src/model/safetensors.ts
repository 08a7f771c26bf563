// safetensors read/write: 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}},
// raw little-endian data. Reads F32/F16/BF16 tensor by tensor at file offsets into F32 (no whole-file buffer);
// writes F32/BF16/F16 streaming in bounded chunks, sharded above a size as transformers does (PREFIX-0000K-of-0000N
// .safetensors + PREFIX.safetensors.index.json). Not mmap, not F64/ints. Follows huggingface/safetensors' format
// spec and huggingface_hub's split_torch_state_dict_into_shards.
import { openSync, closeSync, readSync, writeSync, fstatSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type DType = 'F32' | 'F16' | 'BF16';
const BYTES: Record<DType, number> = { F32: 4, F16: 2, BF16: 2 };
const MAX_HEADER = 100 * 1024 * 1024;
/** Elements converted or copied per write/read call: bounds the scratch a tensor of any size needs. */
const CHUNK_ELEMS = 1 << 24;

/** Where one tensor lives: its file, dtype, shape and absolute byte range. */
export interface TensorInfo {
  name: string;
  file: string;
  dtype: DType;
  shape: number[];
  /** Absolute byte offset of the data in the file. */
  offset: number;
  nbytes: number;
}

/** Parses and validates one file's header; errors name the file, the tensor and the fix. */
export function readHeader(file: string): { tensors: TensorInfo[]; metadata: Record<string, string> } {
  if (!existsSync(file)) throw new Error(`safetensors: ${file} does not exist; check the checkpoint folder`);
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const fix = 're-download or re-save the checkpoint';
    if (size < 8) throw new Error(`safetensors: ${file} is ${size} bytes, too short for a header (truncated?); ${fix}`);
    const lenBuf = Buffer.alloc(8);
    readSync(fd, lenBuf, 0, 8, 0);
    const n = Number(lenBuf.readBigUInt64LE(0));
    if (n > MAX_HEADER || 8 + n > size) {
      throw new Error(`safetensors: ${file} declares a ${n}-byte header but the file has ${size} bytes (truncated or not a safetensors file); ${fix}`);
    }
    const hbuf = Buffer.alloc(n);
    readSync(fd, hbuf, 0, n, 8);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(hbuf.toString('utf8'));
    } catch (err) {
      throw new Error(`safetensors: ${file} has a header that is not valid JSON (${(err as Error).message}); ${fix}`);
    }
    const dataStart = 8 + n;
    const dataSize = size - dataStart;
    const tensors: TensorInfo[] = [];
    let metadata: Record<string, string> = {};
    for (const [name, raw] of Object.entries(header)) {
      if (name === '__metadata__') {
        metadata = (raw ?? {}) as Record<string, string>;
        continue;
      }
      const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      const dtype = e?.dtype;
      if (typeof dtype !== 'string' || !(dtype in BYTES)) {
        throw new Error(`safetensors: ${file}: tensor '${name}' has dtype ${JSON.stringify(dtype)}, which r1ts does not read; convert the checkpoint to F32, BF16 or F16`);
      }
      const shape = e.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new Error(`safetensors: ${file}: tensor '${name}' has an invalid shape ${JSON.stringify(shape)}; ${fix}`);
      }
      const offs = e.data_offsets;
      if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isInteger(d) && d >= 0) || offs[1] < offs[0]) {
        throw new Error(`safetensors: ${file}: tensor '${name}' has invalid data_offsets ${JSON.stringify(offs)}; ${fix}`);
      }
      const nbytes = shape.reduce((a: number, b: number) => a * b, 1) * BYTES[dtype as DType];
      if (offs[1] - offs[0] !== nbytes) {
        throw new Error(`safetensors: ${file}: tensor '${name}' (${dtype} ${JSON.stringify(shape)}) needs ${nbytes} bytes but data_offsets span ${offs[1] - offs[0]}; ${fix}`);
      }
      if (offs[1] > dataSize) {
        throw new Error(`safetensors: ${file} is truncated: tensor '${name}' ends at data byte ${offs[1]} but the file holds ${dataSize} data bytes; ${fix}`);
      }
      tensors.push({ name, file, dtype: dtype as DType, shape: shape as number[], offset: dataStart + offs[0], nbytes });
    }
    return { tensors, metadata };
  } finally {
    closeSync(fd);
  }
}

/**
 * The tensors of a checkpoint folder (model.safetensors, or the shards of model.safetensors.index.json)
 * or of one .safetensors file, by name. Reads nothing but headers until asked.
 */
export function openSafetensors(path: string, prefix = 'model'): Map<string, TensorInfo> {
  const out = new Map<string, TensorInfo>();
  const add = (infos: TensorInfo[]): void => {
    for (const t of infos) {
      if (out.has(t.name)) throw new Error(`safetensors: tensor '${t.name}' appears in both ${out.get(t.name)!.file} and ${t.file}; remove the duplicate`);
      out.set(t.name, t);
    }
  };
  if (path.endsWith('.safetensors')) {
    add(readHeader(path).tensors);
    return out;
  }
  const single = join(path, `${prefix}.safetensors`);
  const index = join(path, `${prefix}.safetensors.index.json`);
  if (existsSync(single)) {
    add(readHeader(single).tensors);
  } else if (existsSync(index)) {
    let weightMap: Record<string, string>;
    try {
      weightMap = JSON.parse(readFileSync(index, 'utf8')).weight_map;
    } catch (err) {
      throw new Error(`safetensors: ${index} is not valid JSON (${(err as Error).message}); re-download it`);
    }
    if (!weightMap || typeof weightMap !== 'object') throw new Error(`safetensors: ${index} has no weight_map; re-download it`);
    for (const shard of new Set(Object.values(weightMap))) {
      const infos = readHeader(join(path, shard)).tensors;
      add(infos);
    }
    for (const [name, shard] of Object.entries(weightMap)) {
      const t = out.get(name);
      if (!t) throw new Error(`safetensors: ${join(path, shard)} does not contain tensor '${name}' that ${index} maps to it (a shard from another checkpoint?); re-download or re-save the shards`);
      if (t.file !== join(path, shard)) throw new Error(`safetensors: tensor '${name}' is in ${t.file} but ${index} maps it to ${shard} (a shard from another checkpoint?); re-download or re-save the shards`);
    }
    for (const [name, t] of out) {
      if (!(name in weightMap)) throw new Error(`safetensors: ${t.file} holds tensor '${name}' that ${index} does not list (a shard from another checkpoint?); re-download or re-save the shards`);
    }
  } else {
    throw new Error(`safetensors: neither ${single} nor ${index} exists; point --model at a folder holding the weights`);
  }
  return out;
}

/** Reads one tensor into dst (F32, length = numel), converting F16/BF16; only that tensor's bytes are read. */
export function readTensorInto(info: TensorInfo, dst: Float32Array): void {
  const numel = info.nbytes / BYTES[info.dtype];
  if (dst.length !== numel) throw new Error(`safetensors: tensor '${info.name}' has ${numel} elements, destination has ${dst.length}`);
  const fd = openSync(info.file, 'r');
  try {
    if (info.dtype === 'F32') {
      readFully(fd, new Uint8Array(dst.buffer, dst.byteOffset, info.nbytes), info.offset, info);
      return;
    }
    const half = new Uint16Array(Math.min(numel, CHUNK_ELEMS));
    const u32 = new Uint32Array(dst.buffer, dst.byteOffset, numel);
    for (let s = 0; s < numel; s += half.length) {
      const n = Math.min(half.length, numel - s);
      readFully(fd, new Uint8Array(half.buffer, 0, 2 * n), info.offset + 2 * s, info);
      if (info.dtype === 'BF16') for (let i = 0; i < n; i++) u32[s + i] = half[i]! << 16;
      else for (let i = 0; i < n; i++) dst[s + i] = f16ToF32(half[i]!);
    }
  } finally {
    closeSync(fd);
  }
}

function readFully(fd: number, buf: Uint8Array, pos: number, info: TensorInfo): void {
  const CHUNK = 1 << 30;
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, Math.min(CHUNK, buf.length - done), pos + done);
    if (n === 0) throw new Error(`safetensors: ${info.file} ended while reading tensor '${info.name}' (truncated); re-download or re-save the checkpoint`);
    done += n;
  }
}

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function f32ToF16(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** A tensor to write: name, F32 data (row-major), shape, and the dtype stored on disk (default: the call's). */
export interface NamedArray {
  name: string;
  data: Float32Array;
  shape: number[];
  dtype?: DType;
}

/**
 * Writes one .safetensors file (tensors in the given order; __metadata__ {format: 'pt'} so transformers accepts it),
 * streaming each tensor in bounded chunks to `file.tmp`, then renaming: a failed write (out of disk) removes the
 * temporary file and never leaves a half-written file under the name.
 */
export function writeSafetensors(file: string, tensors: NamedArray[], dtype: DType = 'F32', metadata: Record<string, string> = {}): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', ...metadata } };
  let off = 0;
  for (const t of tensors) {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel !== t.data.length) throw new Error(`safetensors: tensor '${t.name}' has ${t.data.length} values but shape ${JSON.stringify(t.shape)}`);
    const nbytes = numel * BYTES[t.dtype ?? dtype];
    header[t.name] = { dtype: t.dtype ?? dtype, shape: t.shape, data_offsets: [off, off + nbytes] };
    off += nbytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // align data to 8 bytes, as the reference writer does
  const hbytes = Buffer.from(json, 'utf8');
  const lenBuf = Buffer.alloc(8);
  lenBuf.writeBigUInt64LE(BigInt(hbytes.length));
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeAll(fd, lenBuf);
    writeAll(fd, hbytes);
    const half = new Uint16Array(Math.min(CHUNK_ELEMS, Math.max(1, ...tensors.map((t) => (t.dtype ?? dtype) === 'F32' ? 1 : t.data.length))));
    for (const t of tensors) {
      const dt = t.dtype ?? dtype;
      for (let s = 0; s < t.data.length; s += CHUNK_ELEMS) {
        const part = t.data.subarray(s, Math.min(t.data.length, s + CHUNK_ELEMS));
        if (dt === 'F32') writeAll(fd, new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
        else writeAll(fd, new Uint8Array(half.buffer, 0, 2 * toHalf(part, dt, half)));
      }
    }
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, Math.min(1 << 30, bytes.length - done));
}

/** Options of a sharded write. */
export interface ShardOptions {
  /** Stored dtype of tensors that do not name their own (default F32). */
  dtype?: DType;
  /** Largest shard in bytes before the next tensor opens a new one (a tensor larger than this gets a shard of its own). */
  maxShardBytes: number;
}

/**
 * Writes tensors to dir as PREFIX.safetensors, or, when their bytes exceed maxShardBytes, as
 * PREFIX-0000K-of-0000N.safetensors shards (tensors in order, a new shard when the next would overflow: the rule of
 * huggingface_hub's split_torch_state_dict_into_shards) plus PREFIX.safetensors.index.json
 * ({metadata: {total_size, total_parameters}, weight_map}). Returns the files written.
 */
export function writeShardedSafetensors(dir: string, prefix: string, tensors: NamedArray[], opts: ShardOptions): string[] {
  const dtype = opts.dtype ?? 'F32';
  const bytesOf = (t: NamedArray): number => t.data.length * BYTES[t.dtype ?? dtype];
  const total = tensors.reduce((a, t) => a + bytesOf(t), 0);
  if (total <= opts.maxShardBytes) {
    writeSafetensors(join(dir, `${prefix}.safetensors`), tensors, dtype);
    return [`${prefix}.safetensors`];
  }
  const shards: NamedArray[][] = [];
  let size = 0;
  for (const t of tensors) {
    if (shards.length === 0 || (size + bytesOf(t) > opts.maxShardBytes && size > 0)) {
      shards.push([]);
      size = 0;
    }
    shards[shards.length - 1]!.push(t);
    size += bytesOf(t);
  }
  const pad = (n: number): string => String(n).padStart(5, '0');
  const names = shards.map((_, k) => `${prefix}-${pad(k + 1)}-of-${pad(shards.length)}.safetensors`);
  const weightMap: Record<string, string> = {};
  shards.forEach((shard, k) => {
    writeSafetensors(join(dir, names[k]!), shard, dtype);
    for (const t of shard) weightMap[t.name] = names[k]!;
  });
  const index = join(dir, `${prefix}.safetensors.index.json`);
  const parameters = tensors.reduce((a, t) => a + t.data.length, 0);
  writeFileSync(`${index}.tmp`, JSON.stringify({ metadata: { total_parameters: parameters, total_size: total }, weight_map: weightMap }, null, 2) + '\n');
  renameSync(`${index}.tmp`, index);
  return [...names, `${prefix}.safetensors.index.json`];
}

/** Rounds x into out (F16 or BF16 bits; out.length >= x.length); returns x.length. */
function toHalf(x: Float32Array, dtype: 'F16' | 'BF16', out: Uint16Array): number {
  if (dtype === 'BF16') {
    const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
    for (let i = 0; i < x.length; i++) {
      const v = u[i]!;
      // round to nearest even, NaN kept quiet
      out[i] = (v & 0x7fffffff) > 0x7f800000 ? (v >>> 16) | 0x40 : (v + 0x7fff + ((v >>> 16) & 1)) >>> 16;
    }
  } else {
    for (let i = 0; i < x.length; i++) out[i] = f32ToF16(x[i]!);
  }
  return x.length;
}
