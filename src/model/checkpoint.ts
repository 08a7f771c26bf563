// Checkpoint folders in Hugging Face layout: config.json, model.safetensors (or shards + index), tokenizer.json,
// tokenizer_config.json, generation_config.json, plus extra files (trainer_state.json, optimizer state).
// Not a hub client: folders on disk only. Loading validates every name and shape before reading any data,
// so a bad folder raises an error naming the file/tensor and nothing half-loaded escapes.
import { mkdirSync, writeFileSync, renameSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Decoder } from './decoder.js';
import { type ModelConfig, type ModelType, makeConfig, configToJSON, eosIds, ARCHITECTURES, MODEL_TYPES } from './config.js';
import { ConfigError } from '../run/spec.js';
import { type Tokenizer, loadTokenizer } from './tokenizer.js';
import { type DType, type NamedArray, openSafetensors, readTensorInto, writeSafetensors, writeShardedSafetensors } from './safetensors.js';
import type { MatmulPrecision } from '../tensor/index.js';
import { TensorState, writeTensorState } from './state.js';
import { UsageError } from '../run/spec.js';

/** Tensors some checkpoints carry that hold no weights (recomputed buffers); skipped on load. */
const IGNORED = /(^|\.)rotary_emb\.inv_freq$/;

const DTYPE_OF: Record<ModelConfig['torch_dtype'], DType> = { float32: 'F32', bfloat16: 'BF16', float16: 'F16' };

/** Default largest shard: 5 GB, transformers 4.x's save_pretrained default (5.x's is 50 GB). */
export const DEFAULT_MAX_SHARD_BYTES = 5e9;

/** The files of a PREFIX.safetensors set (single file, shards, index): an older save's are removed when a new one lands. */
const setFile = (prefix: string): RegExp => new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(-\\d{5}-of-\\d{5})?\\.safetensors(\\.index\\.json)?$`);

export interface SaveOptions {
  /** Stored dtype; default the model config's torch_dtype (a BF16 checkpoint stays BF16; float32 is lossless). */
  dtype?: ModelConfig['torch_dtype'];
  /** Shard weights (and state files) above this many bytes (default DEFAULT_MAX_SHARD_BYTES). */
  maxShardBytes?: number;
}

/**
 * Writes the folder atomically: every file goes to a sibling DIR.saving-PID folder first; only when all are written
 * do they replace DIR (a new DIR is one rename; an existing one gets each file renamed in, then the previous save's
 * stale shards removed). A failure while writing (out of disk) removes the temporary folder and leaves DIR as it was.
 * `extra` adds files: a string or Uint8Array is written as is; a TensorState becomes NAME.json + NAME.safetensors
 * (sharded like the weights); a name ending in .safetensors with a Record<string, Float32Array | {data, shape}> value
 * becomes a safetensors file; anything else is written as JSON.
 */
export function saveCheckpoint(dir: string, model: Decoder, tokenizer: Tokenizer, extra: Record<string, unknown> = {},
  opts: SaveOptions = {}): void {
  const dtype = opts.dtype ?? model.config.torch_dtype;
  const maxShardBytes = opts.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES;
  if (!(maxShardBytes > 0)) throw new Error(`saveCheckpoint: maxShardBytes ${maxShardBytes} must be > 0`);
  const config: ModelConfig = { ...model.config, torch_dtype: dtype };
  if (tokenizer.vocabSize > config.vocab_size) {
    throw new Error(`saveCheckpoint: tokenizer has ${tokenizer.vocabSize} tokens but the model's vocab_size is ${config.vocab_size}; build the model with vocab_size >= the tokenizer's`);
  }
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = join(dirname(dir), `${basename(dir)}.saving-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    const writeJSON = (name: string, obj: unknown): void => writeFileSync(join(tmp, name), JSON.stringify(obj, null, 2) + '\n');
    writeJSON('config.json', configToJSON(config));
    const eos = eosIds(config);
    writeJSON('generation_config.json', {
      bos_token_id: config.bos_token_id ?? undefined,
      eos_token_id: eos.length === 0 ? undefined : eos.length === 1 ? eos[0] : eos,
      pad_token_id: tokenizer.padId ?? undefined,
      transformers_version: '4.45.0',
    });
    writeJSON('tokenizer.json', tokenizer.toJSON());
    writeJSON('tokenizer_config.json', tokenizer.tokenizerConfig());
    const tensors: NamedArray[] = model.namedParameters().map(([name, t]) => ({ name, data: t.data, shape: t.shape }));
    writeShardedSafetensors(tmp, 'model', tensors, { dtype: DTYPE_OF[dtype], maxShardBytes });
    for (const [name, value] of Object.entries(extra)) {
      const path = join(tmp, name);
      if (typeof value === 'string' || value instanceof Uint8Array) writeFileSync(path, value);
      else if (value instanceof TensorState) writeTensorState(tmp, name, value.value, maxShardBytes);
      else if (name.endsWith('.safetensors')) writeSafetensors(path, toNamedArrays(name, value));
      else writeJSON(name, value);
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  if (!existsSync(dir)) {
    renameSync(tmp, dir);
    return;
  }
  const fresh = new Set(readdirSync(tmp));
  for (const f of fresh) renameSync(join(tmp, f), join(dir, f));
  const sets = ['model', ...Object.keys(extra).filter((k) => extra[k] instanceof TensorState)].map(setFile);
  for (const f of readdirSync(dir)) if (!fresh.has(f) && sets.some((re) => re.test(f))) rmSync(join(dir, f));
  rmSync(tmp, { recursive: true, force: true });
}

function toNamedArrays(file: string, value: unknown): NamedArray[] {
  if (!value || typeof value !== 'object') throw new Error(`saveCheckpoint: extra '${file}' must be a Record<string, Float32Array | {data, shape}>`);
  return Object.entries(value as Record<string, unknown>).map(([name, v]) => {
    if (v instanceof Float32Array) return { name, data: v, shape: [v.length] };
    const o = v as { data?: unknown; shape?: unknown };
    if (o && o.data instanceof Float32Array && Array.isArray(o.shape)) return { name, data: o.data, shape: o.shape as number[] };
    throw new Error(`saveCheckpoint: extra '${file}': entry '${name}' is not a Float32Array or {data: Float32Array, shape}`);
  });
}

/** Reads config.json from a folder into a validated ModelConfig (errors name the file and the field). */
export function loadConfig(dir: string): ModelConfig {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new Error(`loadCheckpoint: ${path} does not exist; point --model at a Hugging Face checkpoint folder (config.json, model.safetensors, tokenizer.json)`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`loadCheckpoint: ${path} is not valid JSON (${(err as Error).message}); fix or re-download it`);
  }
  const arch = Array.isArray(raw['architectures']) ? raw['architectures'][0] : undefined;
  if (arch !== undefined && !ARCHITECTURES.includes(arch)) {
    throw new ConfigError(`loadCheckpoint: ${path}: architecture '${arch}' is not supported; r1ts loads ${ARCHITECTURES.join(', ')}`);
  }
  const mt = raw['model_type'];
  if (mt !== undefined && !MODEL_TYPES.includes(mt as ModelType)) {
    throw new ConfigError(`loadCheckpoint: ${path}: model_type '${String(mt)}' is not supported; r1ts loads ${MODEL_TYPES.map((t) => `'${t}'`).join(', ')}`);
  }
  const td = raw['torch_dtype'] ?? raw['dtype'];
  const partial = { ...raw, torch_dtype: td === 'bfloat16' || td === 'float16' ? td : 'float32' } as Partial<ModelConfig> & Record<string, unknown>;
  delete partial['dtype'];
  try {
    return makeConfig(partial);
  } catch (err) {
    throw new ConfigError(`loadCheckpoint: ${path}: ${(err as Error).message}`);
  }
}

/** A checkpoint folder that cannot be loaded: a user error (the message names the file and the fix; the CLI exits 2). */
export class CheckpointError extends UsageError {}

/**
 * Loads a folder r1ts or transformers wrote, its model set to run its matmuls in precision. Every tensor is checked by
 * name and shape before any data is read.
 */
export async function loadCheckpoint(dir: string, precision: MatmulPrecision = 'fp32'): Promise<{ model: Decoder; tokenizer: Tokenizer; config: ModelConfig }> {
  try {
    const loaded = await readCheckpoint(dir);
    loaded.model.precision = precision;
    return loaded;
  } catch (e) {
    throw e instanceof Error && !(e instanceof UsageError) ? new CheckpointError(e.message) : e;
  }
}

async function readCheckpoint(dir: string): Promise<{ model: Decoder; tokenizer: Tokenizer; config: ModelConfig }> {
  const config = loadConfig(dir);
  const tokenizer = await loadTokenizer(dir);
  if (tokenizer.vocabSize > config.vocab_size) {
    throw new Error(`loadCheckpoint: ${join(dir, 'tokenizer.json')} has ${tokenizer.vocabSize} tokens but config.json's vocab_size is ${config.vocab_size}; the tokenizer does not belong to this model`);
  }
  const model = new Decoder(config, null);
  readWeightsInto(dir, model);
  return { model, tokenizer, config };
}

/**
 * Reads a folder's safetensors (one file or shards) into model's parameters in place, every tensor checked by name
 * and shape against the model before any data is read (so a mismatch leaves the weights as they were).
 */
export function readWeightsInto(dir: string, model: Decoder): void {
  const config = model.config;
  const infos = openSafetensors(dir);
  const params = new Map(model.namedParameters());
  for (const [name, info] of infos) {
    if (IGNORED.test(name)) continue;
    if (name === 'lm_head.weight' && config.tie_word_embeddings) continue; // transformers ties it and ignores the copy
    const p = params.get(name);
    if (!p) {
      throw new Error(`loadCheckpoint: ${info.file}: unexpected tensor '${name}' for a ${config.architectures[0]} with ${config.num_hidden_layers} layers (attention_bias=${config.attention_bias}, tie_word_embeddings=${config.tie_word_embeddings}); check config.json matches the weights`);
    }
    if (info.shape.length !== p.shape.length || info.shape.some((d, i) => d !== p.shape[i])) {
      throw new Error(`loadCheckpoint: ${info.file}: tensor '${name}' has shape ${JSON.stringify(info.shape)} but config.json implies ${JSON.stringify(p.shape)}; check config.json matches the weights`);
    }
  }
  for (const name of params.keys()) {
    if (!infos.has(name)) {
      throw new Error(`loadCheckpoint: tensor '${name}' is missing from ${dir}'s safetensors; check config.json (num_hidden_layers, attention_bias, tie_word_embeddings) matches the weights`);
    }
  }
  for (const [name, p] of params) readTensorInto(infos.get(name)!, p.data);
}
