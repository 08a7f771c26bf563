// ModelConfig: the decoder's hyper-parameters under Hugging Face config.json field names, for the Llama, Qwen2,
// Qwen3 and Mistral families (one decoder, configured: head_dim, q/k norms, biases, rope scaling). Not a general
// HF config parser: a field that would change the math and that the decoder lacks (sliding windows in use, MoE,
// partial rotary, longrope) is rejected in one line naming it. Reads both spellings transformers writes: 4.x's
// rope_scaling + rope_theta + torch_dtype and 5.x's rope_parameters + dtype + layer_types; follows the 5.18 configs.
import { ConfigError } from '../run/spec.js'; // a config.json r1ts cannot build a decoder from: one line, exit 2 at the CLI

export type ModelType = 'llama' | 'qwen2' | 'qwen3' | 'mistral';
export type Architecture = 'LlamaForCausalLM' | 'Qwen2ForCausalLM' | 'Qwen3ForCausalLM' | 'MistralForCausalLM';
export type RopeType = 'linear' | 'dynamic' | 'yarn' | 'llama3';

/** A RoPE scaling (transformers' rope_scaling / rope_parameters without rope_theta), as modeling_rope_utils reads it. */
export interface RopeScaling {
  rope_type: RopeType;
  /** Context extension factor (required by every type, as transformers 5.18 validates). */
  factor: number;
  /** Pretraining context length (llama3, yarn). */
  original_max_position_embeddings?: number;
  /** llama3: wavelengths above original / low_freq_factor are divided by factor. */
  low_freq_factor?: number;
  /** llama3: wavelengths below original / high_freq_factor are kept. */
  high_freq_factor?: number;
  /** yarn: cos/sin multiplier; default from factor (and mscale / mscale_all_dim). */
  attention_factor?: number;
  /** yarn: ramp bounds in rotations (defaults 32 and 1). */
  beta_fast?: number;
  beta_slow?: number;
  mscale?: number;
  mscale_all_dim?: number;
  /** yarn: floor/ceil the correction range (default true). */
  truncate?: boolean;
}

export interface ModelConfig {
  /** HF class name; decides the layout transformers loads. Default from model_type. */
  architectures: Architecture[];
  /** 'llama' / 'mistral' (no biases by default), 'qwen2' (q/k/v biases always), 'qwen3' (q/k RMSNorm per head). */
  model_type: ModelType;
  /** Number of token ids (rows of embed_tokens and lm_head). */
  vocab_size: number;
  /** Residual stream width C. */
  hidden_size: number;
  /** SwiGLU inner width. */
  intermediate_size: number;
  /** Number of decoder layers. */
  num_hidden_layers: number;
  /** Query heads nh. */
  num_attention_heads: number;
  /** Key/value heads nkv (grouped-query attention); nh must be a multiple. Default nh (plain MHA). */
  num_key_value_heads: number;
  /** Head size hs. Default hidden_size / nh (qwen3: 128, as transformers' Qwen3Config). */
  head_dim: number;
  /** RoPE base. Default 10000 (transformers' default_theta). */
  rope_theta: number;
  /** RoPE scaling, or null for plain RoPE. */
  rope_scaling: RopeScaling | null;
  /** RMSNorm epsilon. Default 1e-6. */
  rms_norm_eps: number;
  /** Longest position the model was built for (dynamic rope scales beyond it). Default 2048. */
  max_position_embeddings: number;
  /** lm_head shares embed_tokens' weight (no lm_head.weight tensor). Default false. */
  tie_word_embeddings: boolean;
  /** Dtype written to safetensors: 'float32' (default), 'bfloat16' or 'float16'. Memory is always fp32. */
  torch_dtype: 'float32' | 'bfloat16' | 'float16';
  /** Beginning-of-sequence id or null. */
  bos_token_id: number | null;
  /** End-of-sequence id(s) or null. */
  eos_token_id: number | number[] | null;
  /** Projections carry biases: q/k/v always in Qwen2 (o_proj never); q/k/v/o in Llama / Qwen3 when set; never in Mistral. */
  attention_bias: boolean;
  /** gate/up/down projections carry biases (Llama's mlp_bias). Default false. */
  mlp_bias: boolean;
  /** Activation of the MLP; only 'silu' is supported. */
  hidden_act: 'silu';
}

const ARCH_OF: Record<ModelType, Architecture> = {
  llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM', mistral: 'MistralForCausalLM',
};
const TYPE_OF = Object.fromEntries(Object.entries(ARCH_OF).map(([t, a]) => [a, t])) as Record<Architecture, ModelType>;
export const ARCHITECTURES = Object.keys(TYPE_OF) as Architecture[];
export const MODEL_TYPES = Object.keys(ARCH_OF) as ModelType[];

/** Top-level keys that change the math and that the decoder does not have: rejected when set (not null). */
const UNSUPPORTED_IF_SET = ['sliding_window_pattern', 'num_experts', 'num_local_experts', 'moe_intermediate_size', 'attn_logit_softcapping', 'final_logit_softcapping'] as const;

/** Keys each rope_type reads (besides rope_type / type / rope_theta / partial_rotary_factor), as modeling_rope_utils. */
const ROPE_KEYS: Record<RopeType, readonly (keyof RopeScaling)[]> = {
  linear: ['factor'],
  dynamic: ['factor'],
  llama3: ['factor', 'low_freq_factor', 'high_freq_factor', 'original_max_position_embeddings'],
  yarn: ['factor', 'original_max_position_embeddings', 'attention_factor', 'beta_fast', 'beta_slow', 'mscale', 'mscale_all_dim', 'truncate'],
};

type RawConfig = Partial<Omit<ModelConfig, 'rope_scaling'>> & Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** rope_theta and the scaling from either spelling (5.x rope_parameters or 4.x rope_scaling + rope_theta). */
function parseRope(p: RawConfig, mpe: number): { theta: number; scaling: RopeScaling | null } {
  // transformers: `rope_scaling or rope_parameters`, then rope_theta from the dict before the top-level field
  const src = isObject(p['rope_scaling']) ? 'rope_scaling' : 'rope_parameters';
  const raw = p[src];
  if (raw !== undefined && raw !== null && !isObject(raw)) throw new ConfigError(`config: '${src}' must be an object (got ${JSON.stringify(raw)})`);
  const d: Record<string, unknown> = raw ?? {};
  if (isObject(d['full_attention']) || isObject(d['sliding_attention'])) {
    throw new ConfigError(`config: '${src}' nested per layer type is not supported; give one rope dict for every layer`);
  }
  const theta = (d['rope_theta'] ?? p.rope_theta ?? 10000) as number;
  const prf = d['partial_rotary_factor'] ?? p['partial_rotary_factor'];
  if (prf !== undefined && prf !== null && prf !== 1) throw new ConfigError(`config: 'partial_rotary_factor' = ${JSON.stringify(prf)} is not supported; r1ts rotates the whole head (1.0)`);
  const type = (d['rope_type'] ?? d['type'] ?? 'default') as string;
  const common = ['rope_type', 'type', 'rope_theta', 'partial_rotary_factor'];
  if (type === 'default') {
    for (const k of Object.keys(d)) if (!common.includes(k)) throw new ConfigError(`config: '${src}.${k}' is not read by rope_type 'default'; remove it or set a rope_type that uses it`);
    return { theta, scaling: null };
  }
  if (!(type in ROPE_KEYS)) {
    throw new ConfigError(`config: '${src}.rope_type' = '${type}' is not supported; r1ts computes default, linear, dynamic, yarn and llama3`);
  }
  const rt = type as RopeType;
  const keys = ROPE_KEYS[rt] as readonly string[];
  const s: Record<string, unknown> = { rope_type: rt };
  for (const [k, v] of Object.entries(d)) {
    if (common.includes(k)) continue;
    if (!keys.includes(k)) throw new ConfigError(`config: '${src}.${k}' is not read by rope_type '${rt}' (it reads ${keys.join(', ')}); remove it`);
    if (v === null) continue;
    if (k === 'truncate' ? typeof v !== 'boolean' : typeof v !== 'number' || !(v > 0)) {
      throw new ConfigError(`config: '${src}.${k}' = ${JSON.stringify(v)} must be ${k === 'truncate' ? 'true or false' : 'a positive number'}`);
    }
    s[k] = v;
  }
  if (rt === 'llama3' || rt === 'yarn') {
    // transformers: a top-level original_max_position_embeddings wins (Phi3), else the dict's, else max_position_embeddings
    const top = p['original_max_position_embeddings'];
    s['original_max_position_embeddings'] = typeof top === 'number' ? top : s['original_max_position_embeddings'] ?? mpe;
  }
  for (const k of rt === 'llama3' ? ['factor', 'low_freq_factor', 'high_freq_factor'] : ['factor']) {
    if (s[k] === undefined) throw new ConfigError(`config: '${src}' with rope_type '${rt}' needs '${k}'; copy it from the model's published config.json`);
  }
  if (rt === 'llama3' && !((s['high_freq_factor'] as number) > (s['low_freq_factor'] as number))) {
    throw new ConfigError(`config: '${src}.high_freq_factor' must exceed low_freq_factor (got ${s['high_freq_factor']}, ${s['low_freq_factor']})`);
  }
  return { theta, scaling: s as unknown as RopeScaling };
}

/** Refuses a config in which some layer would really use sliding-window attention (transformers 5.18's rule per family). */
function checkSliding(p: RawConfig, type: ModelType, layers: number): void {
  const given = (k: string, dflt: unknown): unknown => (k in p ? p[k] : dflt);
  let window: unknown = null;
  let sliding: number[] = [];
  if (type === 'mistral') {
    window = given('sliding_window', 4096); // MistralConfig's default: every layer slides when it is set
    if (window !== null) sliding = [...Array(layers).keys()];
  } else if (type === 'qwen2' || type === 'qwen3') {
    window = given('use_sliding_window', false) === true ? given('sliding_window', 4096) : null;
    const lt = p['layer_types'];
    if (Array.isArray(lt)) {
      if (lt.length !== layers) throw new ConfigError(`config: 'layer_types' has ${lt.length} entries for ${layers} layers; give one per layer`);
      lt.forEach((t, i) => {
        if (t !== 'full_attention' && t !== 'sliding_attention') throw new ConfigError(`config: 'layer_types[${i}]' = ${JSON.stringify(t)} is not supported; use 'full_attention'`);
        if (t === 'sliding_attention') sliding.push(i);
      });
    } else {
      const from = given('max_window_layers', 28) as number;
      for (let i = from; i < layers; i++) sliding.push(i);
    }
    if (window === null) sliding = [];
  }
  if (sliding.length > 0) {
    const what = type === 'mistral' ? `'sliding_window' = ${JSON.stringify(window)}` : `'use_sliding_window' = true (sliding_window ${JSON.stringify(window)})`;
    throw new ConfigError(`config: ${what} makes layer ${sliding[0]} use sliding-window attention, which r1ts does not implement; `
      + `use a config with full attention in every layer (${type === 'mistral' ? 'sliding_window: null' : 'use_sliding_window: false'})`);
  }
}

/** A full config from a partial one (HF field names, either transformers spelling), with transformers' defaults; validated. */
export function makeConfig(partial: RawConfig = {}): ModelConfig {
  const archIn = Array.isArray(partial.architectures) ? partial.architectures[0] : undefined;
  const modelType: ModelType = (partial.model_type as ModelType | undefined)
    ?? (archIn && archIn in TYPE_OF ? TYPE_OF[archIn as Architecture] : 'llama');
  if (!MODEL_TYPES.includes(modelType)) {
    throw new ConfigError(`config: model_type '${String(modelType)}' is not supported; use one of ${MODEL_TYPES.join(', ')}`);
  }
  for (const key of UNSUPPORTED_IF_SET) {
    const v = partial[key];
    if (v === undefined || v === null) continue;
    throw new ConfigError(`config: '${key}' = ${JSON.stringify(v)} is not supported by r1ts' decoder; use a Llama/Qwen2/Qwen3/Mistral config without it`);
  }
  const drop = partial['attention_dropout'];
  if (typeof drop === 'number' && drop !== 0) throw new ConfigError(`config: 'attention_dropout' = ${drop} is not supported (r1ts has no dropout); set it to 0`);
  const nh = partial.num_attention_heads ?? 4;
  const C = partial.hidden_size ?? 128;
  const layers = partial.num_hidden_layers ?? 2;
  const mpe = partial.max_position_embeddings ?? 2048;
  checkSliding(partial, modelType, layers);
  if (modelType === 'qwen2' && partial.attention_bias === false) {
    throw new ConfigError(`config: 'attention_bias' = false is not a qwen2 option (transformers' Qwen2 always has q/k/v biases); use model_type 'llama' for a bias-free decoder`);
  }
  if (modelType === 'mistral' && partial.attention_bias === true) {
    throw new ConfigError(`config: 'attention_bias' = true is not a mistral option (transformers' Mistral has no biases); use model_type 'llama' for biases`);
  }
  if (partial.mlp_bias === true && modelType !== 'llama') {
    throw new ConfigError(`config: 'mlp_bias' = true is only read by model_type 'llama' (transformers' ${modelType} MLP has no biases); remove it`);
  }
  const headDim = partial.head_dim ?? (modelType === 'qwen3' ? 128 : C / nh);
  if (partial.head_dim === undefined && modelType !== 'qwen3' && C % nh !== 0) {
    throw new ConfigError(`config: hidden_size ${C} is not divisible by num_attention_heads ${nh}; pick heads that divide it or set head_dim`);
  }
  const { theta, scaling } = parseRope(partial, mpe);
  const cfg: ModelConfig = {
    architectures: (partial.architectures as Architecture[] | undefined) ?? [ARCH_OF[modelType]],
    model_type: modelType,
    vocab_size: partial.vocab_size ?? 256,
    hidden_size: C,
    intermediate_size: partial.intermediate_size ?? 344,
    num_hidden_layers: layers,
    num_attention_heads: nh,
    num_key_value_heads: partial.num_key_value_heads ?? nh,
    head_dim: headDim,
    rope_theta: theta,
    rope_scaling: scaling,
    rms_norm_eps: partial.rms_norm_eps ?? 1e-6,
    max_position_embeddings: mpe,
    tie_word_embeddings: partial.tie_word_embeddings ?? false,
    torch_dtype: partial.torch_dtype ?? 'float32',
    bos_token_id: partial.bos_token_id ?? null,
    eos_token_id: partial.eos_token_id ?? null,
    attention_bias: modelType === 'qwen2' || (partial.attention_bias ?? false),
    mlp_bias: partial.mlp_bias ?? false,
    hidden_act: partial.hidden_act ?? 'silu',
  };
  validateConfig(cfg);
  return cfg;
}

/** Throws an error naming the field and the fix when a config cannot build a decoder. */
export function validateConfig(c: ModelConfig): void {
  const posInt = (k: keyof ModelConfig): void => {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new ConfigError(`config: '${k}' must be a positive integer (got ${JSON.stringify(v)})`);
    }
  };
  for (const k of ['vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads',
    'num_key_value_heads', 'head_dim', 'max_position_embeddings'] as const) posInt(k);
  if (!(c.model_type in ARCH_OF)) {
    throw new ConfigError(`config: model_type '${c.model_type}' is not supported; use one of ${MODEL_TYPES.join(', ')}`);
  }
  const arch = c.architectures[0];
  if (!arch || !(arch in TYPE_OF)) {
    throw new ConfigError(`config: architecture '${arch}' is not supported; use one of ${ARCHITECTURES.join(', ')}`);
  }
  if (TYPE_OF[arch] !== c.model_type) {
    throw new ConfigError(`config: architecture ${arch} does not match model_type '${c.model_type}'; use ${ARCH_OF[c.model_type]}`);
  }
  if (c.head_dim % 2 !== 0) {
    throw new ConfigError(`config: head_dim ${c.head_dim} must be even for RoPE; change head_dim (or hidden_size / num_attention_heads)`);
  }
  if (c.num_attention_heads % c.num_key_value_heads !== 0) {
    throw new ConfigError(`config: num_attention_heads ${c.num_attention_heads} is not a multiple of num_key_value_heads ${c.num_key_value_heads}; pick kv heads that divide it`);
  }
  if (!(c.rope_theta > 0) || !(c.rms_norm_eps > 0)) {
    throw new ConfigError(`config: rope_theta and rms_norm_eps must be positive (got ${c.rope_theta}, ${c.rms_norm_eps})`);
  }
  if (!['float32', 'bfloat16', 'float16'].includes(c.torch_dtype)) {
    throw new ConfigError(`config: torch_dtype '${c.torch_dtype}' is not supported; use float32, bfloat16 or float16`);
  }
  if (c.hidden_act !== 'silu') {
    throw new ConfigError(`config: hidden_act '${c.hidden_act}' is not supported; only 'silu' (SwiGLU) is`);
  }
  if (c.mlp_bias && c.model_type !== 'llama') throw new ConfigError(`config: mlp_bias is only read by model_type 'llama'`);
}

/** Head size hs (config.head_dim). */
export function headSize(c: ModelConfig): number {
  return c.head_dim;
}

/** o_proj carries a bias: attention_bias, except in Qwen2 (whose o_proj never has one). */
export function hasOutputBias(c: ModelConfig): boolean {
  return c.attention_bias && c.model_type !== 'qwen2';
}

/** Qwen3's per-head RMSNorm of q and k before RoPE (self_attn.q_norm / k_norm). */
export function hasQkNorm(c: ModelConfig): boolean {
  return c.model_type === 'qwen3';
}

/** EOS ids as a list (config.eos_token_id may be a number, a list or null). */
export function eosIds(c: ModelConfig): number[] {
  const e = c.eos_token_id;
  return e === null ? [] : Array.isArray(e) ? e : [e];
}

/**
 * The config.json object transformers reads, in 4.x's spelling (rope_scaling + rope_theta + torch_dtype), which
 * transformers 5 also reads; use_sliding_window false for the Qwen families, sliding_window null for Mistral.
 */
export function configToJSON(c: ModelConfig): Record<string, unknown> {
  const family: Record<string, unknown> = c.model_type === 'mistral' ? { sliding_window: null }
    : c.model_type === 'qwen2' || c.model_type === 'qwen3' ? { use_sliding_window: false } : {};
  const { mlp_bias, ...rest } = c;
  return { ...rest, ...(c.model_type === 'llama' ? { mlp_bias } : {}), ...family, use_cache: true, transformers_version: '4.45.0' };
}
