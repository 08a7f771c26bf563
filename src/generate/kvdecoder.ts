// The no-grad inference path of the Decoder with a KV cache: calls the kernels directly on preallocated
// buffers (no Tensor objects, no tape). Rows are left-aligned (row r's token t sits at position t) and each row
// keeps its own length, masked per row by attentionFwd's kvLen. Not autograd, not a server: one generate() call.
// Same math as src/model/decoder.ts (HF modeling_llama / _qwen2 / _qwen3 / _mistral, rope scaling from src/model/rope.ts). In the bf16 matmul precision (the model's) each
// weight is packed to BF16 once per KVDecoder (half the bytes a decode step reads) and multiplied by gemmBf16Packed,
// and attention runs in BF16 where the kernels have BF16 instructions, as the autograd attention does (nn.ts); there
// the KV cache itself holds BF16 bits (the values that attention rounds k and v to anyway), so the cache a decode
// step reads, larger than the weights once sequences grow, is half the bytes too. In FP32, decode steps may read BF16
// copies of the weights instead (Bf16WeightCopies: weight-only BF16, GRPO's samplingPrecision bf16). Scratch and FP32
// caches start on 64-byte boundaries, so the row kernels' vector loads never span two cache lines.
import { getKernels, bf16Attention, type Kernels, type MatmulPrecision } from '../tensor/index.js';
import { BinaryOp } from '../tensor/kernels/index.js';
import { bf16Bits } from '../tensor/kernels/bf16.js';
import type { Decoder, DecoderLayer } from '../model/decoder.js';
import { headSize } from '../model/config.js';
import { DynamicRope, isDynamicRope } from '../model/rope.js';

/** Bytes per cached K or V value for a KVDecoder of a model in precision: 2 (BF16 bits) in bf16 on kernels with BF16 instructions, else 4. */
export function kvCacheBytesPerValue(precision: MatmulPrecision, k: Kernels = getKernels()): 2 | 4 {
  return bf16Attention(k, precision) ? 2 : 4;
}

/**
 * BF16 copies of a model's weights that decode steps read instead of its FP32 weights (GRPO's `samplingPrecision:
 * bf16`): weight-only BF16, half the bytes a step streams; activations, attention, the KV cache and the prefill's
 * products stay FP32. Made on first use and kept across generate() calls; stale() after the weights change (an
 * optimizer step) has each copy repacked in place when it is next read.
 */
export class Bf16WeightCopies {
  private readonly copies = new Map<Float32Array, { bits: Uint16Array; fresh: boolean }>();

  stale(): void {
    for (const c of this.copies.values()) c.fresh = false;
  }

  /** The copy of w (N, K), packed or repacked now if it has none or a stale one. */
  of(k: Kernels, w: Float32Array, N: number, K: number): Uint16Array {
    const c = this.copies.get(w);
    if (!c) {
      const bits = k.packW16(w, N, K);
      this.copies.set(w, { bits, fresh: true });
      return bits;
    }
    if (!c.fresh) {
      k.packW16(w, N, K, c.bits);
      c.fresh = true;
    }
    return c.bits;
  }
}

export class KVDecoder {
  readonly rows: number;
  readonly capLen: number;
  /** Valid cache length of each slot. */
  readonly len: Int32Array;
  private readonly k: Kernels;
  /**
   * Per layer (rows, nkv, capLen, hs): FP32, or BF16 bits when bf16Attention. Head-major, so that a decode step reads
   * each (row, kv head)'s keys as one contiguous run: to the kernels it is a batch of rows * nkv single-head rows.
   */
  private readonly kCache: (Float32Array | Uint16Array)[];
  private readonly vCache: (Float32Array | Uint16Array)[];
  /** Attention in BF16 and the cache in BF16 bits: the bf16 matmul precision on kernels with BF16 instructions. */
  private readonly bf16Attention: boolean;
  private readonly C: number;
  private readonly nh: number;
  private readonly nkv: number;
  private readonly hs: number;
  private readonly F: number;
  private readonly V: number;
  private readonly kvDim: number;
  private readonly cos: Float32Array;
  private readonly sin: Float32Array;
  /** Dynamic rope's frequencies as the sequences grow (they write the rows of cos/sin a call uses), else null. */
  private readonly dynamicRope: DynamicRope | null;
  // scratch, sized for maxTokens tokens in one call
  private readonly maxTokens: number;
  private readonly x: Float32Array; // (n, C) residual stream
  private readonly h: Float32Array; // (n, C)
  private readonly rstd: Float32Array; // (n*nh): rows of C, or of hs in Qwen3's q/k norms
  private readonly q: Float32Array; // (n, nh*hs)
  private readonly qr: Float32Array; // (n, nh*hs)
  private readonly kk: Float32Array; // (n, kvDim)
  private readonly kr: Float32Array; // (n, kvDim)
  private readonly qn: Float32Array; // (n, nh*hs) q after Qwen3's q_norm (empty without)
  private readonly kn: Float32Array; // (n, kvDim) k after k_norm (empty without)
  private readonly vv: Float32Array; // (n, kvDim)
  private readonly att: Float32Array; // (n, nh*hs)
  private readonly lse: Float32Array; // (n*nh)
  private readonly gate: Float32Array; // (n, F)
  private readonly up: Float32Array; // (n, F)
  private readonly act: Float32Array; // (n, F)
  private readonly pos: Int32Array; // (n)
  private readonly kvLen: Int32Array; // (rows * nkv): each row's length, once per kv head
  private readonly last: Float32Array; // (rows, C)
  /** Logits of the last call, (rows, V). */
  readonly logits: Float32Array;

  constructor(private readonly model: Decoder, rows: number, capLen: number, maxTokens: number, private readonly w16: Bf16WeightCopies | null = null) {
    const c = model.config;
    this.k = getKernels();
    this.rows = rows;
    this.capLen = capLen;
    this.C = c.hidden_size;
    this.nh = c.num_attention_heads;
    this.nkv = c.num_key_value_heads;
    this.hs = headSize(c);
    this.F = c.intermediate_size;
    this.V = c.vocab_size;
    this.kvDim = this.nkv * this.hs;
    this.dynamicRope = isDynamicRope(c) ? new DynamicRope(c, capLen) : null;
    const table = this.dynamicRope?.table ?? model.ropeTable(capLen);
    this.cos = table.cos;
    this.sin = table.sin;
    this.len = new Int32Array(rows);
    this.bf16Attention = kvCacheBytesPerValue(model.precision, this.k) === 2;
    this.packed = model.precision === 'bf16' ? new Map() : null;
    const f32 = (len: number) => this.k.alignedFloat32(len); // a vector load from the scratch never spans two cache lines
    const cache = (): Float32Array | Uint16Array => this.bf16Attention ? new Uint16Array(rows * capLen * this.kvDim) : f32(rows * capLen * this.kvDim);
    this.kCache = model.layers.map(cache);
    this.vCache = model.layers.map(cache);
    const n = (this.maxTokens = Math.max(maxTokens, rows));
    const qDim = this.nh * this.hs;
    this.x = f32(n * this.C);
    this.h = f32(n * this.C);
    this.rstd = f32(n * this.nh);
    this.q = f32(n * qDim);
    this.qr = f32(n * qDim);
    this.kk = f32(n * this.kvDim);
    this.kr = f32(n * this.kvDim);
    const qkNorm = model.layers[0]?.qNorm != null;
    this.qn = f32(qkNorm ? n * qDim : 0);
    this.kn = f32(qkNorm ? n * this.kvDim : 0);
    this.vv = f32(n * this.kvDim);
    this.att = f32(n * qDim);
    this.lse = f32(n * this.nh);
    this.gate = f32(n * this.F);
    this.up = f32(n * this.F);
    this.act = f32(n * this.F);
    this.pos = new Int32Array(n);
    this.kvLen = new Int32Array(rows * this.nkv);
    this.last = f32(rows * this.C);
    this.logits = f32(rows * this.V);
  }

  /** BF16 copies of the weights (packed on first use), or null in FP32. Weights must not change during one generate(). */
  private readonly packed: Map<Float32Array, Uint16Array> | null;

  /** Forgets the BF16 copies of the weights (the packed ones, or marks Bf16WeightCopies stale), so the next step packs them again (after the weights were replaced in place). */
  weightsChanged(): void {
    this.packed?.clear();
    this.w16?.stale();
  }

  /** The kernels' attentionFwd in the precision the autograd attention takes (nn.ts), so sampled logprobs are the forward pass's. */
  private attentionFwd(...args: Parameters<Kernels['attentionFwd']>): void {
    if (this.bf16Attention) this.k.attentionFwdBf16(...args);
    else this.k.attentionFwd(...args);
  }

  /**
   * out (n, outDim) = inp (n, inDim) @ w^T (+ bias), or out += that when accumulate. `step`: one position per row (a
   * decode step, the head): FP32 products through gemmRows, so a row's numbers do not depend on how many rows step.
   */
  private linear(inp: Float32Array, w: Float32Array, bias: Float32Array | null, out: Float32Array, n: number, inDim: number, outDim: number,
    accumulate = false, step = false): void {
    const beta = accumulate ? 1 : 0;
    if (this.packed) {
      let p = this.packed.get(w);
      if (!p) this.packed.set(w, (p = this.k.packBf16(w, inDim, outDim, true)));
      this.k.gemmBf16Packed(inp, p, out, n, outDim, inDim, 1, beta);
    } else if (step && this.w16) {
      this.k.gemmRowsW16(inp, this.w16.of(this.k, w, outDim, inDim), out, n, outDim, inDim, beta);
    } else if (step) {
      this.k.gemmRows(inp, w, out, n, outDim, inDim, beta);
    } else {
      this.k.gemm(inp, w, out, 1, n, outDim, inDim, false, true, 1, beta, 0, 0, 0);
    }
    if (bias) this.k.binary(BinaryOp.Add, out, bias, out, n * outDim);
    this.model.adapter?.addTerm(inp, w, out, n); // + scale · (inp Aᵀ) Bᵀ where a LoRA adapter adapts w
  }

  /** The layer stack on x (n = B*T tokens); attend() runs attention for layer i from qr/kr/vv into att. */
  private layers(n: number, B: number, T: number, attend: (i: number) => void): void {
    const { k, C, F, kvDim } = this;
    const qDim = this.nh * this.hs;
    const eps = this.model.config.rms_norm_eps;
    const step = T === 1;
    this.model.layers.forEach((l: DecoderLayer, i: number) => {
      k.rmsnormFwd(this.x, l.inputNorm.data, this.h, this.rstd, n, C, eps);
      this.linear(this.h, l.qProj.data, l.qBias?.data ?? null, this.q, n, C, qDim, false, step);
      this.linear(this.h, l.kProj.data, l.kBias?.data ?? null, this.kk, n, C, kvDim, false, step);
      this.linear(this.h, l.vProj.data, l.vBias?.data ?? null, this.vv, n, C, kvDim, false, step);
      let q = this.q, kk = this.kk;
      if (l.qNorm && l.kNorm) { // Qwen3: RMSNorm over each head's hs values before RoPE
        k.rmsnormFwd(q, l.qNorm.data, (q = this.qn), this.rstd, n * this.nh, this.hs, eps);
        k.rmsnormFwd(kk, l.kNorm.data, (kk = this.kn), this.rstd, n * this.nkv, this.hs, eps);
      }
      k.rope(q, this.qr, this.cos, this.sin, this.pos, B, T, this.nh, this.hs, false);
      k.rope(kk, this.kr, this.cos, this.sin, this.pos, B, T, this.nkv, this.hs, false);
      attend(i);
      this.linear(this.att, l.oProj.data, l.oBias?.data ?? null, this.x, n, qDim, C, true, step); // x += att @ Wo^T (+ bo)
      k.rmsnormFwd(this.x, l.postNorm.data, this.h, this.rstd, n, C, eps);
      this.linear(this.h, l.gateProj.data, l.gateBias?.data ?? null, this.gate, n, C, F, false, step);
      this.linear(this.h, l.upProj.data, l.upBias?.data ?? null, this.up, n, C, F, false, step);
      k.swigluFwd(this.gate, this.up, this.act, n * F);
      this.linear(this.act, l.downProj.data, l.downBias?.data ?? null, this.x, n, F, C, true, step); // x += act @ Wd^T (+ bd)
    });
  }

  /** Final norm + head on `rows` hidden vectors in this.last → this.logits (rows, V). */
  private head(rows: number): void {
    const { k, C } = this;
    k.rmsnormFwd(this.last, this.model.norm.data, this.h, this.rstd, rows, C, this.model.config.rms_norm_eps);
    this.linear(this.h, this.model.outputWeight().data, null, this.logits, rows, C, this.V, false, true);
  }

  /** Most prompt tokens one prefill call takes (callers group prompts so that rows * T stays under it). */
  get prefillTokens(): number {
    return this.maxTokens;
  }

  /**
   * Prefills B equal-length prompts (ids (B*T)) into cache slots `slots`; their caches must be empty.
   * Logits of each prompt's last position land in this.logits rows 0..B-1.
   */
  prefill(ids: Int32Array, B: number, T: number, slots: number[]): void {
    const n = B * T;
    if (n > this.maxTokens) throw new Error(`KVDecoder.prefill: ${B}x${T} tokens exceed the scratch of ${this.maxTokens}`);
    if (T > this.capLen) throw new Error(`KVDecoder.prefill: prompt of ${T} tokens exceeds the cache length ${this.capLen}`);
    const { k, C } = this;
    k.embeddingFwd(this.model.embedTokens.data, ids, this.x, n, C);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) this.pos[b * T + t] = t;
    this.dynamicRope?.prepare(this.pos, n);
    const scale = 1 / Math.sqrt(this.hs);
    this.layers(n, B, T, (i) => {
      this.attentionFwd(this.qr, this.kr, this.vv, this.att, this.lse, B, T, T, this.nh, this.nkv, this.hs, scale, true, null);
      for (let b = 0; b < B; b++) {
        this.store(this.kCache[i]!, this.kr, b * T, T, slots[b]!, 0);
        this.store(this.vCache[i]!, this.vv, b * T, T, slots[b]!, 0);
      }
    });
    for (let b = 0; b < B; b++) {
      this.len[slots[b]!] = T;
      this.last.set(this.x.subarray(((b + 1) * T - 1) * C, (b + 1) * T * C), b * C);
    }
    this.head(B);
  }

  /**
   * Positions pos .. pos + n of slot `slot` in a layer's cache = src's rows row .. row + n ((rows, nkv, hs) each), as BF16
   * bits when the cache holds them.
   */
  private store(cache: Float32Array | Uint16Array, src: Float32Array, row: number, n: number, slot: number, pos: number): void {
    const { hs, nkv, capLen } = this;
    for (let h = 0; h < nkv; h++) {
      const dst = ((slot * nkv + h) * capLen + pos) * hs;
      for (let r = 0; r < n; r++) {
        const from = ((row + r) * nkv + h) * hs;
        if (cache instanceof Uint16Array) bf16Bits(src.subarray(from, from + hs), cache, hs, dst + r * hs);
        else cache.set(src.subarray(from, from + hs), dst + r * hs);
      }
    }
  }

  /** Copies slot `from`'s cache and length into slot `to` (a duplicate prompt is prefilled once; compact moves slots). */
  copySlot(from: number, to: number): void {
    const { hs, nkv, capLen } = this;
    const n = this.len[from]! * hs;
    for (const c of [...this.kCache, ...this.vCache]) {
      for (let h = 0; h < nkv; h++) c.copyWithin((to * nkv + h) * capLen * hs, (from * nkv + h) * capLen * hs, (from * nkv + h) * capLen * hs + n);
    }
    this.len[to] = this.len[from]!;
  }

  /** Moves slot keep[j] to slot j (keep ascending); slots from keep.length on are dropped. */
  compact(keep: number[]): void {
    keep.forEach((from, to) => {
      if (from !== to) this.copySlot(from, to);
    });
  }

  /** One token for each of slots 0..B-1 (ids (B)), appended at each slot's own position; logits → this.logits (B, V). */
  step(ids: Int32Array, B: number): void {
    const { k, C, capLen, nkv } = this;
    for (let b = 0; b < B; b++) {
      if (this.len[b]! >= capLen) throw new Error(`KVDecoder.step: slot ${b} is full (${capLen} positions)`);
      this.pos[b] = this.len[b]!;
      this.kvLen.fill(this.len[b]! + 1, b * nkv, (b + 1) * nkv);
    }
    this.dynamicRope?.prepare(this.pos, B);
    k.embeddingFwd(this.model.embedTokens.data, ids, this.x, B, C);
    const scale = 1 / Math.sqrt(this.hs);
    this.layers(B, B, 1, (i) => {
      const kc = this.kCache[i]!;
      const vc = this.vCache[i]!;
      for (let b = 0; b < B; b++) {
        this.store(kc, this.kr, b, 1, b, this.len[b]!);
        this.store(vc, this.vv, b, 1, b, this.len[b]!);
      }
      // (B, nh, hs) queries as B * nkv rows of g heads over one kv head each, the cache's head-major layout: the group's
      // heads share each K / V row inside the kernel; a row's numbers do not depend on the rows beside it
      const g = this.nh / nkv;
      if (this.bf16Attention) k.attentionDecodeBf16(this.qr, kc as Uint16Array, vc as Uint16Array, this.att, this.lse, B * nkv, capLen, g, 1, this.hs, scale, this.kvLen);
      else k.attentionDecode(this.qr, kc as Float32Array, vc as Float32Array, this.att, this.lse, B * nkv, capLen, g, 1, this.hs, scale, this.kvLen);
    });
    for (let b = 0; b < B; b++) this.len[b]!++;
    this.last.set(this.x.subarray(0, B * C));
    this.head(B);
  }
}
