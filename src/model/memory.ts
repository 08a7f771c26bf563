// An estimate of a training run's peak memory from the model's config and the run's shapes, in parts: weights,
// gradients, optimizer state, a frozen reference copy, activations kept for backward, the lm_head chunks, the
// sampler's KV cache and logits, and the runtime. Not a measurement: it counts every op output the tape keeps for
// backward (FP32) plus a share for the buffer pool; against real-shape peak RSS (r1 bench grpo, four runs) it was
// between 0.3% low (0.5B shape, checkpointing) and 23% high (135M body).
import type { ModelConfig } from './config.js';
import { headSize } from './config.js';
import { defaultChunkRows } from '../tensor/index.js';

export interface MemoryPlan {
  /** Rows × padded length of the largest training micro-batch (tokens in one forward with the tape on). */
  microBatchTokens: number;
  /** Activation checkpointing per decoder layer. */
  gradientCheckpointing: boolean;
  /** A frozen reference model is held too (β > 0; not with LoRA, whose reference is the base with the adapter off). */
  reference: boolean;
  /** Scalars that train (a LoRA adapter's); default every parameter (full fine-tuning). Grads and AdamW state are theirs only. */
  trainableParameters?: number;
  /** Sampling: rows per forward and their longest sequence (prompt + completion). */
  sampleRows: number;
  sampleLength: number;
  /** Matmul precision: 'bf16' adds the sampler's packed BF16 weights and halves its KV cache. */
  precision: 'fp32' | 'bf16';
  /** The sampler reads BF16 copies of the weights (GRPO's samplingPrecision bf16; in bf16 precision it does anyway). */
  bf16SamplingWeights?: boolean;
}

export interface MemoryEstimate {
  /** Bytes per part, in print order. */
  parts: Record<string, number>;
  total: number;
}

/** Scalars in the decoder's parameters. */
export function parameterCount(c: ModelConfig): number {
  const C = c.hidden_size, F = c.intermediate_size, hs = headSize(c), kv = c.num_key_value_heads * hs, q = c.num_attention_heads * hs;
  const bias = c.attention_bias ? q + 2 * kv : 0;
  const layer = 2 * C + C * q + 2 * C * kv + q * C + bias + 3 * C * F;
  return c.vocab_size * C * (c.tie_word_embeddings ? 1 : 2) + c.num_hidden_layers * layer + C;
}

/** Float32 activations one token keeps per decoder layer for backward (the engine's saved op outputs). */
function activationFloatsPerLayer(c: ModelConfig): number {
  const C = c.hidden_size, F = c.intermediate_size, hs = headSize(c);
  const q = c.num_attention_heads * hs, kv = c.num_key_value_heads * hs;
  // rmsnorm ×2, residual adds ×2, o/down outputs (C each); q, k, v projections and their RoPE'd copies; attention
  // output; gate, up and swiglu (F each); lse per head
  return 6 * C + 3 * q + 4 * kv + 3 * F + c.num_attention_heads;
}

export function estimateMemory(c: ModelConfig, p: MemoryPlan): MemoryEstimate {
  const P = parameterCount(c);
  const L = c.num_hidden_layers, C = c.hidden_size, V = c.vocab_size;
  const kvDim = c.num_key_value_heads * headSize(c);
  const perLayer = activationFloatsPerLayer(c) * 4;
  const N = p.microBatchTokens;
  // with checkpointing: every layer's input, plus one layer's activations while it runs again in backward
  const act = p.gradientCheckpointing ? N * (L * C * 4 + perLayer) : N * L * perLayer;
  // gradients in flight during backward: a few (N, C) and one (N, F) buffer, plus the final hidden states
  const actGrads = N * (4 * C + 2 * c.intermediate_size) * 4;
  const chunkRows = defaultChunkRows(V);
  const kvCache = p.sampleRows * p.sampleLength * L * 2 * kvDim * (p.precision === 'bf16' ? 2 : 4);
  const parts: Record<string, number> = {
    weights: P * 4,
    gradients: (p.trainableParameters ?? P) * 4,
    'AdamW state': 2 * (p.trainableParameters ?? P) * 4,
    'reference model': p.reference ? P * 4 : 0,
    activations: act + actGrads,
    // one chunk's logits (its entropy is read straight from them); in full fine-tuning also the lm_head weight's
    // gradient, which the fused GRPO loss computes in its forward pass and holds until the backward
    'lm_head chunks': Math.min(chunkRows, N) * V * 4 + (p.trainableParameters === undefined ? V * C * 4 : 0),
    // logits and the sampler's per-row probabilities (FP64), buckets (16 bits) and bucket masses (generate's SampleBatch);
    // with BF16 copies of the weights where the sampler reads them (bf16 precision, or GRPO's samplingPrecision bf16)
    'sampler (KV cache, logits)': kvCache + p.sampleRows * (V * (4 * 3 + 8 + 2) + 8192 * 12) + (p.precision === 'bf16' || p.bf16SamplingWeights ? P * 2 : 0),
    // Node, the tokenizer, the native code, and the buffer pool's recycled buffers (activation-sized). Calibrated on
    // `r1 bench grpo` (estimate_gb beside peak_rss_gb): 0.5B shape, 4 x 4 x 256, checkpointing, 9.02 GiB measured
    runtime: 1.0 * 1024 ** 3 + 0.25 * (act + actGrads),
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  return { parts, total };
}

/** "9.8 GiB (weights 1.8, gradients 1.8, …)", parts that are 0 left out. */
export function formatEstimate(e: MemoryEstimate): string {
  const gib = (b: number) => (b / 1024 ** 3).toFixed(b < 1024 ** 3 ? 2 : 1);
  const parts = Object.entries(e.parts).filter(([, b]) => b > 0).map(([k, b]) => `${k} ${gib(b)}`);
  return `${gib(e.total)} GiB (${parts.join(', ')})`;
}
