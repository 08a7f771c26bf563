// LoRA adapter folders in PEFT 0.21's format: adapter_config.json (peft_type LORA, r, lora_alpha, target_modules, …) and
// adapter_model.safetensors (`base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight`, …); the one loader of a
// base plus an adapter that every command uses. Not DoRA, rank/alpha patterns, modules_to_save or adapter biases
// (rejected naming the field). Follows peft/utils/save_and_load.py and peft/tuners/lora/config.py.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MAX_SHARD_BYTES, loadCheckpoint, saveCheckpoint, type SaveOptions } from './checkpoint.js';
import { TensorState, writeTensorState } from './state.js';
import type { Decoder } from './decoder.js';
import type { Tokenizer } from './tokenizer.js';
import type { ModelConfig } from './config.js';
import { openSafetensors, readTensorInto, writeSafetensors } from './safetensors.js';
import type { MatmulPrecision } from '../tensor/index.js';
import { UsageError } from '../run/spec.js';
import { LORA_MODULES, LoraAdapter, moduleGroup, moduleShape, type LoraModule } from './lora.js';

/** A bad adapter folder or an adapter made for another base; the message names the file or tensor and the fix (a user error: one line, exit 2). */
export class AdapterError extends UsageError {}

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';

/** adapter_config.json as PEFT 0.21 writes it for a LoRA on a causal LM. */
export function adapterConfigJSON(a: LoraAdapter, baseModel: string | null): Record<string, unknown> {
  return {
    alpha_pattern: {}, auto_mapping: null, base_model_name_or_path: baseModel, bias: 'none', corda_config: null,
    eva_config: null, exclude_modules: null, fan_in_fan_out: false, inference_mode: true, init_lora_weights: true,
    layer_replication: null, layers_pattern: null, layers_to_transform: null, loftq_config: {}, lora_alpha: a.alpha,
    lora_bias: false, lora_dropout: a.dropout, megatron_config: null, megatron_core: 'megatron.core', modules_to_save: null,
    peft_type: 'LORA', peft_version: '0.21.0', r: a.r, rank_pattern: {}, revision: null, target_modules: [...a.modules],
    target_parameters: null, task_type: 'CAUSAL_LM', trainable_token_indices: null, use_dora: false, use_rslora: a.useRslora,
  };
}

/** Writes adapter_config.json and adapter_model.safetensors (F32) into dir, each via a .tmp name. */
export function saveAdapter(dir: string, a: LoraAdapter, baseModel: string | null): void {
  mkdirSync(dir, { recursive: true });
  writeSafetensors(join(dir, ADAPTER_WEIGHTS), a.namedParameters().map(([name, t]) => ({ name, data: t.data, shape: t.shape })));
  const path = join(dir, ADAPTER_CONFIG);
  writeFileSync(`${path}.tmp`, JSON.stringify(adapterConfigJSON(a, baseModel), null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}

/**
 * What a trainer's checkpoint holds: the adapter (plus tokenizer files) when the model has one, else the whole model.
 * `extra` as saveCheckpoint's (strings and Uint8Arrays as they are, TensorState as NAME.json + NAME.safetensors, other values as JSON).
 */
export function saveTrained(dir: string, model: Decoder, tokenizer: Tokenizer, extra: Record<string, unknown> = {},
  opts: SaveOptions & { baseModel?: string | null } = {}): void {
  const a = model.adapter;
  if (!a) {
    saveCheckpoint(dir, model, tokenizer, extra, opts);
    return;
  }
  saveAdapter(dir, a, opts.baseModel ?? null);
  const files: Record<string, unknown> = { 'tokenizer.json': tokenizer.toJSON(), 'tokenizer_config.json': tokenizer.tokenizerConfig(), ...extra };
  for (const [name, value] of Object.entries(files)) {
    if (value instanceof TensorState) { // optimizer state: NAME.json + NAME.safetensors, as saveCheckpoint writes it
      writeTensorState(dir, name, value.value, opts.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES);
      continue;
    }
    const path = join(dir, name);
    writeFileSync(`${path}.tmp`, typeof value === 'string' || value instanceof Uint8Array ? value : JSON.stringify(value, null, 2) + '\n');
    renameSync(`${path}.tmp`, path);
  }
}

/** Whether dir holds an adapter (adapter_config.json). */
export function isAdapterDir(dir: string): boolean {
  return existsSync(join(dir, ADAPTER_CONFIG));
}

interface AdapterConfig { r: number; alpha: number; dropout: number; useRslora: boolean; baseModel: string | null }

/** Reads and checks adapter_config.json; a field r1ts does not implement is named in the error. */
export function readAdapterConfig(dir: string): AdapterConfig {
  const path = join(dir, ADAPTER_CONFIG);
  if (!existsSync(path)) throw new AdapterError(`${path} does not exist; --adapter needs a folder with adapter_config.json and adapter_model.safetensors (PEFT's format)`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new AdapterError(`${path} is not valid JSON (${(err as Error).message}); re-save the adapter`);
  }
  const bad = (field: string, why: string): never => { throw new AdapterError(`${path}: ${field} ${why}`); };
  if (raw['peft_type'] !== 'LORA') bad('peft_type', `is ${JSON.stringify(raw['peft_type'])}; r1ts loads LoRA adapters only ("LORA")`);
  const r = raw['r'];
  if (typeof r !== 'number' || !Number.isInteger(r) || r <= 0) bad('r', `must be a positive integer (got ${JSON.stringify(r)})`);
  const alpha = raw['lora_alpha'] ?? 8;
  if (typeof alpha !== 'number' || !(alpha > 0)) bad('lora_alpha', `must be a positive number (got ${JSON.stringify(alpha)})`);
  const unsupported: [string, (v: unknown) => boolean][] = [
    ['use_dora', (v) => v === true], ['lora_bias', (v) => v === true], ['fan_in_fan_out', (v) => v === true],
    ['bias', (v) => v !== undefined && v !== 'none'], ['modules_to_save', (v) => Array.isArray(v) && v.length > 0],
    ['rank_pattern', (v) => !!v && typeof v === 'object' && Object.keys(v).length > 0],
    ['alpha_pattern', (v) => !!v && typeof v === 'object' && Object.keys(v).length > 0],
    ['layer_replication', (v) => v !== undefined && v !== null], ['trainable_token_indices', (v) => v !== undefined && v !== null],
  ];
  for (const [field, isSet] of unsupported) {
    if (isSet(raw[field])) bad(field, `= ${JSON.stringify(raw[field])} is not supported by r1ts; use a plain LoRA adapter (PEFT's defaults for it)`);
  }
  const dropout = typeof raw['lora_dropout'] === 'number' ? raw['lora_dropout'] : 0;
  const base = raw['base_model_name_or_path'];
  return { r: r as number, alpha: alpha as number, dropout, useRslora: raw['use_rslora'] === true, baseModel: typeof base === 'string' ? base : null };
}

const NAME = /^base_model\.model\.model\.layers\.(\d+)\.(self_attn|mlp)\.([a-z_]+)\.lora_([AB])(?:\.default)?\.weight$/;

/**
 * Attaches the adapter in dir to model (every tensor checked by name and shape against this base before any is read).
 * A tensor for a module or layer the base lacks, or of another shape: an AdapterError naming the tensor.
 */
export function loadAdapter(dir: string, model: Decoder, baseDir = 'the base'): LoraAdapter {
  const cfg = readAdapterConfig(dir);
  const file = join(dir, ADAPTER_WEIGHTS);
  if (!existsSync(file)) throw new AdapterError(`${file} does not exist; an adapter folder holds adapter_config.json and adapter_model.safetensors (.bin adapters: re-save with safe_serialization)`);
  const infos = openSafetensors(file);
  const c: ModelConfig = model.config;
  const other = `: the adapter was made for another base than ${baseDir}; pass the --model it was trained on`;
  const found = new Map<string, { A?: string; B?: string }>();
  const modules = new Set<LoraModule>();
  for (const [name, info] of infos) {
    const m = NAME.exec(name);
    const module = m?.[3] as LoraModule | undefined;
    if (!m || !(LORA_MODULES as readonly string[]).includes(module!) || moduleGroup(module!) !== m[2]) {
      throw new AdapterError(`${file}: tensor '${name}' is not a LoRA weight of a projection r1ts adapts (${LORA_MODULES.join(', ')})${other}`);
    }
    const layer = Number(m[1]);
    if (layer >= c.num_hidden_layers) throw new AdapterError(`${file}: tensor '${name}' is for layer ${layer}, but the base has ${c.num_hidden_layers} layers${other}`);
    const [outF, inF] = moduleShape(c, module!);
    const want = m[4] === 'A' ? [cfg.r, inF] : [outF, cfg.r];
    if (info.shape.length !== 2 || info.shape[0] !== want[0] || info.shape[1] !== want[1]) {
      throw new AdapterError(`${file}: tensor '${name}' has shape ${JSON.stringify(info.shape)} but r = ${cfg.r} on this base's ${module} needs ${JSON.stringify(want)}${other}`);
    }
    const key = `${layer}.${module}`;
    const e = found.get(key) ?? found.set(key, {}).get(key)!;
    e[m[4] as 'A' | 'B'] = name;
    modules.add(module!);
  }
  if (found.size === 0) throw new AdapterError(`${file} holds no LoRA tensors; re-save the adapter`);
  for (const [key, e] of found) {
    if (!e.A || !e.B) throw new AdapterError(`${file}: ${e.A ?? e.B} has no lora_${e.A ? 'B' : 'A'} partner for ${key}; re-save the adapter`);
  }
  const targets = LORA_MODULES.filter((m) => modules.has(m));
  const adapter = new LoraAdapter(model, { r: cfg.r, alpha: cfg.alpha, dropout: cfg.dropout, targetModules: targets, useRslora: cfg.useRslora }, null);
  for (const p of adapter.pairs) {
    const e = found.get(`${p.layer}.${p.module}`);
    if (!e) continue; // a layer the adapter leaves alone (layers_to_transform): A = B = 0 adds nothing
    readTensorInto(infos.get(e.A!)!, p.a.data);
    readTensorInto(infos.get(e.B!)!, p.b.data);
  }
  return adapter;
}

/**
 * The one loader of a model for every command: a checkpoint folder, plus an adapter folder when given; a folder that
 * is itself an adapter loads its base_model_name_or_path under it. The model runs its matmuls in precision.
 */
export async function loadModel(dir: string, adapterDir?: string | null, precision: MatmulPrecision = 'fp32'): Promise<{ model: Decoder; tokenizer: Tokenizer; config: ModelConfig; adapter: LoraAdapter | null }> {
  let base = dir, adapterPath = adapterDir ?? null;
  if (!adapterPath && !existsSync(join(dir, 'config.json')) && isAdapterDir(dir)) {
    const b = readAdapterConfig(dir).baseModel;
    if (!b || !existsSync(join(b, 'config.json'))) throw new AdapterError(`${dir} is an adapter whose base_model_name_or_path (${JSON.stringify(b)}) is not a checkpoint folder here; pass --model BASE --adapter ${dir}`);
    base = b;
    adapterPath = dir;
  }
  const loaded = await loadCheckpoint(base, precision);
  const adapter = adapterPath ? loadAdapter(adapterPath, loaded.model, base) : null;
  return { ...loaded, adapter };
}
