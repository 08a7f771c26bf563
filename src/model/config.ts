// ModelConfig: the decoder's hyper-parameters under Hugging Face config.json field names (Llama, Qwen2).
// Not a general HF config parser: only the fields a Llama/Qwen2 decoder needs; rope scaling, sliding
// windows and MoE are rejected by validateConfig with a message naming the field. Follows transformers'
// LlamaConfig / Qwen2Config defaults.

export type ModelType = 'llama' | 'qwen2';
export type Architecture = 'LlamaForCausalLM' | 'Qwen2ForCausalLM';

export interface ModelConfig {
  /** HF class name; decides the layout transformers loads. Default from model_type. */
  architectures: Architecture[];
  /** 'llama' (no q/k/v bias by default) or 'qwen2' (q/k/v bias on). */
  model_type: ModelType;
  /** Number of token ids (rows of embed_tokens and lm_head). */
  vocab_size: number;
  /** Residual stream width C. */
  hidden_size: number;
  /** SwiGLU inner width. */
  intermediate_size: number;
  /** Number of decoder layers. */
  num_hidden_layers: number;
  /** Query heads nh; head size hs = hidden_size / nh. */
  num_attention_heads: number;
  /** Key/value heads nkv (grouped-query attention); nh must be a multiple. Default nh (plain MHA). */
  num_key_value_heads: number;
  /** RoPE base. Default 10000 (llama) / 1000000 (qwen2). */
  rope_theta: number;
  /** RMSNorm epsilon. Default 1e-6. */
  rms_norm_eps: number;
  /** Longest position the RoPE table covers. Default 2048. */
  max_position_embeddings: number;
  /** lm_head shares embed_tokens' weight (no lm_head.weight tensor). Default false. */
  tie_word_embeddings: boolean;
  /** Dtype written to safetensors: 'float32' (default), 'bfloat16' or 'float16'. Memory is always fp32. */
  torch_dtype: 'float32' | 'bfloat16' | 'float16';
  /** Beginning-of-sequence id or null. */
  bos_token_id: number | null;
  /** End-of-sequence id(s) or null. */
  eos_token_id: number | number[] | null;
  /** q/k/v projections carry biases (Qwen2 always; Llama when set). */
  attention_bias: boolean;
  /** Activation of the MLP; only 'silu' is supported. */
  hidden_act: 'silu';
}

const ARCH_OF: Record<ModelType, Architecture> = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM' };
const TYPE_OF: Record<Architecture, ModelType> = { LlamaForCausalLM: 'llama', Qwen2ForCausalLM: 'qwen2' };

/** Keys we read from an HF config.json; others that change the math are rejected, the rest ignored. */
const UNSUPPORTED_IF_SET = ['rope_scaling', 'sliding_window_pattern', 'num_experts', 'num_local_experts', 'head_dim'] as const;

/** A full config from a partial one (HF field names), with transformers' defaults; validated. */
export function makeConfig(partial: Partial<ModelConfig> & Record<string, unknown> = {}): ModelConfig {
  const archIn = Array.isArray(partial.architectures) ? partial.architectures[0] : undefined;
  const modelType: ModelType = (partial.model_type as ModelType | undefined)
    ?? (archIn && archIn in TYPE_OF ? TYPE_OF[archIn as Architecture] : 'llama');
  const nh = partial.num_attention_heads ?? 4;
  const cfg: ModelConfig = {
    architectures: (partial.architectures as Architecture[] | undefined) ?? [ARCH_OF[modelType] ?? 'LlamaForCausalLM'],
    model_type: modelType,
    vocab_size: partial.vocab_size ?? 256,
    hidden_size: partial.hidden_size ?? 128,
    intermediate_size: partial.intermediate_size ?? 344,
    num_hidden_layers: partial.num_hidden_layers ?? 2,
    num_attention_heads: nh,
    num_key_value_heads: partial.num_key_value_heads ?? nh,
    rope_theta: partial.rope_theta ?? (modelType === 'qwen2' ? 1000000 : 10000),
    rms_norm_eps: partial.rms_norm_eps ?? 1e-6,
    max_position_embeddings: partial.max_position_embeddings ?? 2048,
    tie_word_embeddings: partial.tie_word_embeddings ?? false,
    torch_dtype: partial.torch_dtype ?? 'float32',
    bos_token_id: partial.bos_token_id ?? null,
    eos_token_id: partial.eos_token_id ?? null,
    attention_bias: partial.attention_bias ?? modelType === 'qwen2',
    hidden_act: partial.hidden_act ?? 'silu',
  };
  // head_dim equal to hidden_size / nh is harmless (newer HF configs write it)
  const headDim = partial['head_dim'];
  for (const key of UNSUPPORTED_IF_SET) {
    const v = partial[key];
    if (v === undefined || v === null) continue;
    if (key === 'head_dim' && headDim === cfg.hidden_size / cfg.num_attention_heads) continue;
    throw new Error(`config: '${key}' = ${JSON.stringify(v)} is not supported by r1ts' decoder; use a plain Llama/Qwen2 config without it`);
  }
  if (partial['mlp_bias'] === true) {
    throw new Error(`config: mlp_bias = true is not supported; r1ts' SwiGLU MLP has no biases`);
  }
  if (partial['use_sliding_window'] === true) {
    throw new Error(`config: use_sliding_window = true is not supported; set it to false (full attention)`);
  }
  validateConfig(cfg);
  return cfg;
}

/** Throws an error naming the field and the fix when a config cannot build a decoder. */
export function validateConfig(c: ModelConfig): void {
  const posInt = (k: keyof ModelConfig): void => {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new Error(`config: '${k}' must be a positive integer (got ${JSON.stringify(v)})`);
    }
  };
  for (const k of ['vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads',
    'num_key_value_heads', 'max_position_embeddings'] as const) posInt(k);
  if (!(c.model_type in ARCH_OF)) {
    throw new Error(`config: model_type '${c.model_type}' is not supported; use 'llama' or 'qwen2'`);
  }
  const arch = c.architectures[0];
  if (!arch || !(arch in TYPE_OF)) {
    throw new Error(`config: architecture '${arch}' is not supported; use LlamaForCausalLM or Qwen2ForCausalLM`);
  }
  if (c.hidden_size % c.num_attention_heads !== 0) {
    throw new Error(`config: hidden_size ${c.hidden_size} is not divisible by num_attention_heads ${c.num_attention_heads}; pick heads that divide it`);
  }
  if ((c.hidden_size / c.num_attention_heads) % 2 !== 0) {
    throw new Error(`config: head size ${c.hidden_size / c.num_attention_heads} must be even for RoPE; change hidden_size or num_attention_heads`);
  }
  if (c.num_attention_heads % c.num_key_value_heads !== 0) {
    throw new Error(`config: num_attention_heads ${c.num_attention_heads} is not a multiple of num_key_value_heads ${c.num_key_value_heads}; pick kv heads that divide it`);
  }
  if (!(c.rope_theta > 0) || !(c.rms_norm_eps > 0)) {
    throw new Error(`config: rope_theta and rms_norm_eps must be positive (got ${c.rope_theta}, ${c.rms_norm_eps})`);
  }
  if (!['float32', 'bfloat16', 'float16'].includes(c.torch_dtype)) {
    throw new Error(`config: torch_dtype '${c.torch_dtype}' is not supported; use float32, bfloat16 or float16`);
  }
  if (c.hidden_act !== 'silu') {
    throw new Error(`config: hidden_act '${c.hidden_act}' is not supported; only 'silu' (SwiGLU) is`);
  }
}

/** Head size hs. */
export function headSize(c: ModelConfig): number {
  return c.hidden_size / c.num_attention_heads;
}

/** EOS ids as a list (config.eos_token_id may be a number, a list or null). */
export function eosIds(c: ModelConfig): number[] {
  const e = c.eos_token_id;
  return e === null ? [] : Array.isArray(e) ? e : [e];
}

/** The config.json object transformers reads (HF field names, plus transformers_version for its loader). */
export function configToJSON(c: ModelConfig): Record<string, unknown> {
  return { ...c, head_dim: headSize(c), use_cache: true, transformers_version: '4.45.0' };
}
