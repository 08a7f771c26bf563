// The Llama/Qwen2 decoder on the tensor engine: embedding, pre-norm blocks (RMSNorm → GQA attention with
// RoPE → residual; RMSNorm → SwiGLU MLP → residual), final norm, lm_head (or tied embeddings); configured per family
// (head_dim, Qwen3's per-head q/k RMSNorm, biases, rope scaling from src/model/rope.ts), not a file per model.
// Not the KV-cached sampler (src/generate has its own no-grad fast path over the same weights).
// Follows transformers' modeling_llama / _qwen2 / _qwen3 / _mistral (HF tensor names, rotate-half RoPE).
import {
  Tensor, zeros, ones, randn, add, reshape, linear, embedding, rmsnorm, rope, attention, swiglu, type RopeTable,
  checkpoint, getKernels, type MatmulPrecision,
} from '../tensor/index.js';
import type { Rng } from '../util/rng.js';
import { type ModelConfig, headSize, validateConfig, hasQkNorm, hasOutputBias } from './config.js';
import { isDynamicRope, ropeTableOf } from './rope.js';

/**
 * What the decoder asks of an adapter on its projections. src/model/lora.ts's LoraAdapter is the one there is; it is
 * declared here so that the decoder does not import lora.ts, which builds on the decoder.
 */
export interface ProjectionAdapter {
  /** linear() plus the adapter's term where it adapts w (the decoder's projection hook). */
  linear(x: Tensor, w: Tensor, bias?: Tensor | null): Tensor;
  /** out (n, outDim) += the adapter's term where it adapts w (the KV-cached sampler's hook; no tape). */
  addTerm(inp: Float32Array, w: Float32Array, out: Float32Array, n: number): void;
  /** The adapter's tensors on layer i (what a checkpointed layer's recomputed forward reaches besides the layer's own). */
  layerTensors(layer: number): Tensor[];
}

/** One decoder layer's weights (HF layout: Linear weights are (out, in)). */
export interface DecoderLayer {
  inputNorm: Tensor; // (C)
  qProj: Tensor; // (nh*hs, C)
  kProj: Tensor; // (nkv*hs, C)
  vProj: Tensor; // (nkv*hs, C)
  qBias: Tensor | null; // (nh*hs)
  kBias: Tensor | null; // (nkv*hs)
  vBias: Tensor | null; // (nkv*hs)
  qNorm: Tensor | null; // (hs), Qwen3's q_norm
  kNorm: Tensor | null; // (hs), Qwen3's k_norm
  oProj: Tensor; // (C, nh*hs)
  oBias: Tensor | null; // (C)
  postNorm: Tensor; // (C)
  gateProj: Tensor; // (F, C)
  upProj: Tensor; // (F, C)
  downProj: Tensor; // (C, F)
  gateBias: Tensor | null; // (F), Llama's mlp_bias
  upBias: Tensor | null; // (F)
  downBias: Tensor | null; // (C)
}

export class Decoder {
  readonly config: ModelConfig;
  readonly embedTokens: Tensor; // (V, C)
  readonly layers: DecoderLayer[];
  readonly norm: Tensor; // (C)
  /** (V, C), or null when tied to embedTokens. */
  readonly lmHead: Tensor | null;
  private rope: RopeTable | null = null;
  /** Activation checkpointing: each layer keeps only its input and runs again in backward (trainers set it). */
  gradientCheckpointing = false;
  /** A LoRA adapter on the projections (src/model/lora.ts, whose loraOf gives it typed), set by its constructor; null: the plain model. */
  adapter: ProjectionAdapter | null = null;
  /** The matmul precision of its forward passes and of the samplers over it (src/tensor/precision.ts); set by whoever builds or loads it for a run. */
  precision: MatmulPrecision = 'fp32';

  /** rng null: zero matrices, to be overwritten by a checkpoint loader (skips the cost of random init). */
  constructor(config: ModelConfig, rng: Rng | null) {
    validateConfig(config);
    this.config = config;
    const C = config.hidden_size;
    const hs = headSize(config);
    const nh = config.num_attention_heads;
    const nkv = config.num_key_value_heads;
    const F = config.intermediate_size;
    const V = config.vocab_size;
    const g = { requiresGrad: true };
    const mat = (r: number, c: number): Tensor => { // on a cache line, as the KV decoder's scratch: its row products stream these
      const t = new Tensor(getKernels().alignedFloat32(r * c), [r, c], true);
      if (rng) t.data.set(randn([r, c], rng, 0.02).data);
      return t;
    };
    const bias = (n: number): Tensor | null => (config.attention_bias ? zeros([n], g) : null);
    const mlpBias = (n: number): Tensor | null => (config.mlp_bias ? zeros([n], g) : null);
    const qkNorm = (): Tensor | null => (hasQkNorm(config) ? ones([hs], g) : null);
    this.embedTokens = mat(V, C);
    this.layers = [];
    for (let i = 0; i < config.num_hidden_layers; i++) {
      this.layers.push({
        inputNorm: ones([C], g),
        qProj: mat(nh * hs, C),
        kProj: mat(nkv * hs, C),
        vProj: mat(nkv * hs, C),
        qBias: bias(nh * hs),
        kBias: bias(nkv * hs),
        vBias: bias(nkv * hs),
        qNorm: qkNorm(),
        kNorm: qkNorm(),
        oProj: mat(C, nh * hs),
        oBias: hasOutputBias(config) ? zeros([C], g) : null,
        postNorm: ones([C], g),
        gateProj: mat(F, C),
        upProj: mat(F, C),
        downProj: mat(C, F),
        gateBias: mlpBias(F),
        upBias: mlpBias(F),
        downBias: mlpBias(C),
      });
    }
    this.norm = ones([C], g);
    this.lmHead = config.tie_word_embeddings ? null : mat(V, C);
  }

  /** Parameters under their Hugging Face names, in a fixed order. */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [['model.embed_tokens.weight', this.embedTokens]];
    this.layers.forEach((l, i) => {
      const p = `model.layers.${i}.`;
      out.push([`${p}input_layernorm.weight`, l.inputNorm]);
      out.push([`${p}self_attn.q_proj.weight`, l.qProj]);
      if (l.qBias) out.push([`${p}self_attn.q_proj.bias`, l.qBias]);
      out.push([`${p}self_attn.k_proj.weight`, l.kProj]);
      if (l.kBias) out.push([`${p}self_attn.k_proj.bias`, l.kBias]);
      out.push([`${p}self_attn.v_proj.weight`, l.vProj]);
      if (l.vBias) out.push([`${p}self_attn.v_proj.bias`, l.vBias]);
      if (l.qNorm) out.push([`${p}self_attn.q_norm.weight`, l.qNorm]);
      if (l.kNorm) out.push([`${p}self_attn.k_norm.weight`, l.kNorm]);
      out.push([`${p}self_attn.o_proj.weight`, l.oProj]);
      if (l.oBias) out.push([`${p}self_attn.o_proj.bias`, l.oBias]);
      out.push([`${p}post_attention_layernorm.weight`, l.postNorm]);
      out.push([`${p}mlp.gate_proj.weight`, l.gateProj]);
      if (l.gateBias) out.push([`${p}mlp.gate_proj.bias`, l.gateBias]);
      out.push([`${p}mlp.up_proj.weight`, l.upProj]);
      if (l.upBias) out.push([`${p}mlp.up_proj.bias`, l.upBias]);
      out.push([`${p}mlp.down_proj.weight`, l.downProj]);
      if (l.downBias) out.push([`${p}mlp.down_proj.bias`, l.downBias]);
    });
    out.push(['model.norm.weight', this.norm]);
    if (this.lmHead) out.push(['lm_head.weight', this.lmHead]);
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Number of scalar parameters. */
  numParameters(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  /** The output projection (V, C): lm_head, or embed_tokens when tied. */
  outputWeight(): Tensor {
    return this.lmHead ?? this.embedTokens;
  }

  /**
   * A RoPE table covering positions [0, n) with the frequencies of an n-long sequence; grown (doubling) on demand and
   * kept. Dynamic rope past max_position_embeddings re-derives its frequencies from n (a table of exactly n).
   */
  ropeTable(n: number): RopeTable {
    const c = this.config;
    if (isDynamicRope(c) && n > c.max_position_embeddings) return ropeTableOf(c, n, n);
    if (!this.rope || this.rope.maxPos < n) {
      const size = Math.max(n, c.max_position_embeddings, this.rope ? 2 * this.rope.maxPos : 0);
      this.rope = ropeTableOf(c, size);
    }
    return this.rope;
  }

  /** ids (B*T) → logits (B, T, V); positions 0..T-1 in every row (right-padded batches need no mask). */
  forward(ids: Int32Array, B: number, T: number): Tensor {
    return linear(this.hidden(ids, B, T), this.outputWeight(), null, this.precision); // (B, T, V)
  }

  /** ids (B*T) → final-norm hidden states (B, T, C), the input of lm_head (a reward model's score head reads them). */
  hidden(ids: Int32Array, B: number, T: number): Tensor {
    const c = this.config;
    if (ids.length !== B * T) throw new Error(`Decoder.forward: ids has ${ids.length} entries, expected B*T = ${B}*${T}`);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id < 0 || id >= c.vocab_size) throw new Error(`Decoder.forward: token id ${id} at ${i} is outside the vocabulary [0, ${c.vocab_size})`);
    }
    const hs = headSize(c);
    const nh = c.num_attention_heads;
    const nkv = c.num_key_value_heads;
    const eps = c.rms_norm_eps;
    const table = this.ropeTable(T);
    const pos = new Int32Array(B * T);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) pos[b * T + t] = t;

    const adapter = this.adapter, precision = this.precision;
    const proj = (x: Tensor, w: Tensor, b: Tensor | null): Tensor => (adapter ? adapter.linear(x, w, b) : linear(x, w, b, precision)); // plus the LoRA term where adapted
    const block = (l: DecoderLayer, x: Tensor): Tensor => {
      const h = rmsnorm(x, l.inputNorm, eps); // (B, T, C)
      const qh = reshape(proj(h, l.qProj, l.qBias), [B, T, nh, hs]); // (B, T, nh, hs)
      const kh = reshape(proj(h, l.kProj, l.kBias), [B, T, nkv, hs]); // (B, T, nkv, hs)
      const q = rope(l.qNorm ? rmsnorm(qh, l.qNorm, eps) : qh, table, pos); // (B, T, nh, hs)
      const k = rope(l.kNorm ? rmsnorm(kh, l.kNorm, eps) : kh, table, pos); // (B, T, nkv, hs)
      const v = reshape(proj(h, l.vProj, l.vBias), [B, T, nkv, hs]); // (B, T, nkv, hs)
      const a = attention(q, k, v, { causal: true, precision }); // (B, T, nh, hs)
      x = add(x, proj(reshape(a, [B, T, nh * hs]), l.oProj, l.oBias)); // (B, T, C)
      const h2 = rmsnorm(x, l.postNorm, eps); // (B, T, C)
      const m = swiglu(proj(h2, l.gateProj, l.gateBias), proj(h2, l.upProj, l.upBias)); // (B, T, F)
      return add(x, proj(m, l.downProj, l.downBias)); // (B, T, C)
    };
    let x = embedding(this.embedTokens, ids, [B, T]); // (B, T, C)
    this.layers.forEach((l, i) => {
      // checkpointed: the layer's own tensors and its adapter pairs are what the recomputed forward reaches
      const params = (): Tensor[] => [...layerTensors(l), ...(adapter ? adapter.layerTensors(i) : [])];
      x = this.gradientCheckpointing ? checkpoint((xi) => block(l, xi), x, params()) : block(l, x); // (B, T, C)
    });
    return rmsnorm(x, this.norm, eps); // (B, T, C)
  }
}

/** A layer's tensors (the parameters a checkpointed layer's backward reaches). */
function layerTensors(l: DecoderLayer): Tensor[] {
  return Object.values(l).filter((t): t is Tensor => t instanceof Tensor);
}
