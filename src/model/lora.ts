// LoRA adapters on the decoder's projections: y = x Wᵀ (+ b) + scale · (dropout(x) Aᵀ) Bᵀ with A (r, in), B (out, r),
// scale = alpha / r (alpha / √r with rsLoRA); the base weights stay frozen, only A and B train. Not the file format
// (lora-io.ts) and not DoRA, rank patterns or adapters on embeddings. Follows PEFT 0.21's LoraLayer (tuners/lora/layer.py).
import { Rng } from '../util/rng.js';
import { type Tensor, type MatmulPrecision, zeros, isGradEnabled, getKernels } from '../tensor/index.js';
import { gradTarget, outBuffer, result, shapeStr } from '../tensor/tensor.js';
import type { ModelConfig } from './config.js';
import { headSize } from './config.js';
import type { Decoder } from './decoder.js';
import { LORA_MODULES, resolveTargets, targetModulesProblem, type LoraModule } from '../run/lora-targets.js';
import { V } from '../run/vocabulary.js';

export { LORA_MODULES, resolveTargets, type LoraModule };

export interface LoraOptions {
  /** Rank r of A (r, in) and B (out, r). */
  r: number;
  /** lora_alpha: the update is scaled by alpha / r. */
  alpha: number;
  /** Dropout on the adapter's input while training (0 = none). */
  dropout: number;
  /** Module names (q_proj, …) or 'all-linear' (every projection; lm_head excluded, as PEFT does). */
  targetModules: readonly string[] | 'all-linear';
  /** rsLoRA: scale alpha / √r instead of alpha / r. */
  useRslora?: boolean;
}

/** One adapted projection: A (r, in), B (out, r), and the base weight it adds to. */
export interface LoraPair {
  layer: number;
  module: LoraModule;
  a: Tensor; // (r, in)
  b: Tensor; // (out, r)
  base: Tensor; // (out, in)
}

/** The section of HF's tensor name that holds a module ('self_attn' or 'mlp'). */
export function moduleGroup(m: LoraModule): 'self_attn' | 'mlp' {
  return m === 'gate_proj' || m === 'up_proj' || m === 'down_proj' ? 'mlp' : 'self_attn';
}

/** (out, in) of a module's weight in a model of this config. */
export function moduleShape(c: ModelConfig, m: LoraModule): [number, number] {
  const C = c.hidden_size, q = c.num_attention_heads * headSize(c), kv = c.num_key_value_heads * headSize(c), F = c.intermediate_size;
  const shapes: Record<LoraModule, [number, number]> = {
    q_proj: [q, C], k_proj: [kv, C], v_proj: [kv, C], o_proj: [C, q], gate_proj: [F, C], up_proj: [F, C], down_proj: [C, F],
  };
  return shapes[m];
}

const WEIGHT_OF: Record<LoraModule, 'qProj' | 'kProj' | 'vProj' | 'oProj' | 'gateProj' | 'upProj' | 'downProj'> = {
  q_proj: 'qProj', k_proj: 'kProj', v_proj: 'vProj', o_proj: 'oProj', gate_proj: 'gateProj', up_proj: 'upProj', down_proj: 'downProj',
};

export class LoraAdapter {
  readonly r: number;
  readonly alpha: number;
  readonly dropout: number;
  readonly useRslora: boolean;
  readonly scale: number;
  readonly modules: LoraModule[];
  /** The adapted projections, layer by layer in LORA_MODULES order. */
  readonly pairs: LoraPair[];
  /** Off: the model computes its base (the reference policy of GRPO's KL term). */
  enabled = true;
  /** Draws the dropout masks while training (set by the trainer); null: no dropout. */
  rng: Rng | null = null;
  private readonly byWeight = new Map<Float32Array, LoraPair>();

  /**
   * Attaches a new adapter to model (A: PEFT's Kaiming-uniform init from rng, B = 0, so the adapted model starts equal
   * to the base; rng null leaves A at 0 for a loader to fill). The base's weights stop requiring grad.
   */
  constructor(readonly model: Decoder, opts: LoraOptions, rng: Rng | null) {
    const { r, alpha, dropout } = opts;
    if (!Number.isInteger(r) || r <= 0) throw new Error(`LoRA: r must be a positive integer (got ${r})`);
    if (!Number.isFinite(alpha) || alpha <= 0) throw new Error(`LoRA: alpha must be a positive number (got ${alpha})`);
    if (!(dropout >= 0 && dropout < 1)) throw new Error(`LoRA: dropout must be in [0, 1) (got ${dropout})`);
    if (model.adapter) throw new Error('LoRA: the model already has an adapter; merge it first (r1 merge-lora) or load the base again');
    this.r = r;
    this.alpha = alpha;
    this.dropout = dropout;
    this.useRslora = opts.useRslora ?? false;
    this.scale = this.useRslora ? alpha / Math.sqrt(r) : alpha / r;
    this.modules = resolveTargets(opts.targetModules);
    this.pairs = [];
    model.layers.forEach((l, layer) => {
      for (const module of this.modules) {
        const base = l[WEIGHT_OF[module]];
        const [out, inF] = base.shape as [number, number];
        const a = zeros([r, inF], { requiresGrad: true });
        if (rng) { // kaiming_uniform_(a=√5): U(-1/√in, 1/√in)
          const bound = 1 / Math.sqrt(inF);
          for (let i = 0; i < a.data.length; i++) a.data[i] = (2 * rng.next() - 1) * bound;
        }
        const pair: LoraPair = { layer, module, a, b: zeros([out, r], { requiresGrad: true }), base };
        this.pairs.push(pair);
        this.byWeight.set(base.data, pair);
      }
    });
    for (const p of model.parameters()) p.requiresGrad = false;
    model.adapter = this;
  }

  /** PEFT's tensor name of a pair's A or B. */
  static tensorName(layer: number, module: LoraModule, which: 'A' | 'B'): string {
    return `base_model.model.model.layers.${layer}.${moduleGroup(module)}.${module}.lora_${which}.weight`;
  }

  /** The trainable tensors under PEFT's names (adapter_model.safetensors), A before B, layer by layer. */
  namedParameters(): [string, Tensor][] {
    return this.pairs.flatMap((p) => [
      [LoraAdapter.tensorName(p.layer, p.module, 'A'), p.a] as [string, Tensor],
      [LoraAdapter.tensorName(p.layer, p.module, 'B'), p.b] as [string, Tensor],
    ]);
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  numParameters(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  /** The pair that adapts the base weight whose data this is, or undefined (not adapted, or the adapter is off). */
  pairOf(w: Float32Array): LoraPair | undefined {
    return this.enabled ? this.byWeight.get(w) : undefined;
  }

  /** linear() with the adapter's term on the weights it adapts (the decoder's projection hook). */
  linear(x: Tensor, w: Tensor, bias?: Tensor | null): Tensor {
    const p = this.pairOf(w.data);
    const drop = p && this.dropout > 0 && this.rng && isGradEnabled() ? this.dropout : 0;
    return loraLinear(x, w, bias ?? null, p ?? null, this.scale, drop, this.rng, this.model.precision);
  }

  /** out (n, outDim) += scale · (inp Aᵀ) Bᵀ where w is adapted (the KV-cached sampler's hook; no dropout, no tape). */
  addTerm(inp: Float32Array, w: Float32Array, out: Float32Array, n: number): void {
    const p = this.pairOf(w);
    if (!p) return;
    const gemm = gemmOf(this.model.precision);
    const [outF, inF] = p.base.shape as [number, number];
    const t = new Float32Array(n * this.r); // (n, r)
    gemm(inp, p.a.data, t, 1, n, this.r, inF, false, true, 1, 0, 0, 0, 0);
    gemm(t, p.b.data, out, 1, n, outF, this.r, false, true, this.scale, 1, 0, 0, 0);
  }

  /** W += scale · B A for every pair, and detaches the adapter: the model is then the merged one (PEFT's merge_and_unload). */
  mergeInto(): void {
    const k = getKernels();
    for (const p of this.pairs) {
      const [outF, inF] = p.base.shape as [number, number];
      k.gemm(p.b.data, p.a.data, p.base.data, 1, outF, inF, this.r, false, false, this.scale, 1, 0, 0, 0); // (out, in) += s · (out, r)(r, in)
    }
    this.detach();
  }

  /** Removes the adapter from its model (the base is left as it is, frozen). */
  detach(): void {
    if (this.model.adapter === this) this.model.adapter = null;
  }
}

/** Runs fn with the model's adapter switched off (or on), restoring it after: GRPO's reference is the base itself. */
export function withAdapter<T>(model: Decoder, on: boolean, fn: () => T): T {
  const a = model.adapter;
  if (!a) return fn();
  const prev = a.enabled;
  a.enabled = on;
  try {
    return fn();
  } finally {
    a.enabled = prev;
  }
}

/** What a trainer updates: the adapter's tensors when the model has one, else every parameter (HF names). */
export function trainableParameters(model: Decoder): [string, Tensor][] {
  return model.adapter ? model.adapter.namedParameters() : model.namedParameters();
}

function gemmOf(precision: MatmulPrecision): ReturnType<typeof getKernels>['gemm'] {
  const k = getKernels();
  return precision === 'bf16' ? k.gemmBf16 : k.gemm;
}

/**
 * y = x Wᵀ (+ b) + s · (x̃ Aᵀ) Bᵀ as one op (x̃ = x with dropout p): keeps only t = x̃ Aᵀ (rows, r) and the dropout mask
 * for backward, not a second (rows, out) output. W is read but gets no grad unless it requires one.
 */
function loraLinear(x: Tensor, w: Tensor, bias: Tensor | null, p: LoraPair | null, s: number, drop: number, rng: Rng | null,
  precision: MatmulPrecision): Tensor {
  const inF = x.shape[x.shape.length - 1]!;
  if (w.shape.length !== 2 || w.shape[1] !== inF) throw new Error(`linear: x ${shapeStr(x.shape)} needs weight (out, ${inF}), got weight ${shapeStr(w.shape)}`);
  const outF = w.shape[0]!;
  const rows = x.size / inF;
  const gemm = gemmOf(precision);
  const y = outBuffer(rows * outF, false); // (rows, out)
  if (bias) for (let i = 0; i < rows; i++) y.set(bias.data, i * outF);
  gemm(x.data, w.data, y, 1, rows, outF, inF, false, true, 1, bias ? 1 : 0, 0, 0, 0);
  if (!p) return result('linear', y, [...x.shape.slice(0, -1), outF], bias ? [x, w, bias] : [x, w], linearBackward(x, w, bias, rows, inF, outF, gemm));
  const r = p.a.shape[0]!;
  let xd = x.data, mask: Float32Array | null = null;
  if (drop > 0 && rng) {
    mask = new Float32Array(rows * inF); // (rows, in): 0 or 1 / (1 - p)
    xd = new Float32Array(rows * inF);
    const keep = 1 / (1 - drop);
    for (let i = 0; i < mask.length; i++) {
      mask[i] = rng.next() < drop ? 0 : keep;
      xd[i] = x.data[i]! * mask[i]!;
    }
  }
  const t = new Float32Array(rows * r); // (rows, r) = x̃ Aᵀ
  gemm(xd, p.a.data, t, 1, rows, r, inF, false, true, 1, 0, 0, 0, 0);
  gemm(t, p.b.data, y, 1, rows, outF, r, false, true, s, 1, 0, 0, 0); // y += s · t Bᵀ
  const parents = [x, w, p.a, p.b, ...(bias ? [bias] : [])];
  const base = linearBackward(x, w, bias, rows, inF, outF, gemm);
  return result('lora_linear', y, [...x.shape.slice(0, -1), outF], parents, (g) => { // g (rows, out)
    base(g);
    if (p.b.requiresGrad) gemm(g, t, gradTarget(p.b).buf, 1, outF, r, rows, true, false, s, 1, 0, 0, 0); // (out, r) += s gᵀ t
    if (!p.a.requiresGrad && !x.requiresGrad) return;
    const gt = new Float32Array(rows * r); // (rows, r) = s · g B
    gemm(g, p.b.data, gt, 1, rows, r, outF, false, false, s, 0, 0, 0, 0);
    if (p.a.requiresGrad) gemm(gt, xd, gradTarget(p.a).buf, 1, r, inF, rows, true, false, 1, 1, 0, 0, 0); // (r, in) += gtᵀ x̃
    if (x.requiresGrad) {
      const gx = gradTarget(x).buf; // (rows, in) += (gt A) ⊙ mask
      if (!mask) {
        gemm(gt, p.a.data, gx, 1, rows, inF, r, false, false, 1, 1, 0, 0, 0);
      } else {
        const tmp = new Float32Array(rows * inF);
        gemm(gt, p.a.data, tmp, 1, rows, inF, r, false, false, 1, 0, 0, 0, 0);
        for (let i = 0; i < tmp.length; i++) gx[i]! += tmp[i]! * mask[i]!;
      }
    }
  });
}

/** The backward of x Wᵀ + b (as tensor/ops/matmul.ts' linear), for the grads that are asked for. */
function linearBackward(x: Tensor, w: Tensor, bias: Tensor | null, rows: number, inF: number, outF: number,
  gemm: ReturnType<typeof gemmOf>): (g: Float32Array) => void {
  return (g) => {
    if (x.requiresGrad) {
      const { buf, beta } = gradTarget(x); // (rows, in) = g (rows, out) @ w (out, in)
      gemm(g, w.data, buf, 1, rows, inF, outF, false, false, 1, beta, 0, 0, 0);
    }
    if (w.requiresGrad) {
      const { buf, beta } = gradTarget(w); // (out, in) = gᵀ x
      gemm(g, x.data, buf, 1, outF, inF, rows, true, false, 1, beta, 0, 0, 0);
    }
    if (bias && bias.requiresGrad) {
      const buf = gradTarget(bias).buf;
      for (let i = 0; i < rows; i++) for (let j = 0; j < outF; j++) buf[j]! += g[i * outF + j]!;
    }
  };
}

/** The LoRA options of every trainer (GRPO, SFT, distillation, reward models), PEFT's names in camelCase. */
export interface LoraTrainOptions {
  /** LoRA rank r; 0 = full fine-tuning (every weight trains). With r > 0 only the adapter trains and checkpoints are adapters. */
  loraR: number;
  /** lora_alpha (the update is scaled by alpha / r); null = 2 × loraR. */
  loraAlpha: number | null;
  /** Dropout on the adapter's input while training (PEFT's lora_dropout). */
  loraDropout: number;
  /** Projections to adapt: 'all-linear' or a list of q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj (PEFT's default for Llama/Qwen2: q_proj, v_proj). */
  loraTargetModules: string[] | 'all-linear';
}

/** The defaults of the LoRA options (the vocabulary's, src/run/vocabulary.ts): off, alpha 2 × r, no dropout, q_proj and v_proj. */
export const LORA_DEFAULTS: LoraTrainOptions = {
  loraR: V.loraR.default, loraAlpha: V.loraAlpha.default, loraDropout: V.loraDropout.default, loraTargetModules: [...V.loraTargetModules.default],
};

/** What is wrong with a config's LoRA options (naming the key and the fix), or null. */
export function loraOptionsProblem(o: LoraTrainOptions): string | null {
  if (!Number.isInteger(o.loraR) || o.loraR < 0) return `loraR must be an integer >= 0 (0 = full fine-tuning), got ${JSON.stringify(o.loraR)}`;
  if (o.loraAlpha !== null && !(typeof o.loraAlpha === 'number' && o.loraAlpha > 0)) return `loraAlpha must be a positive number or null (2 × loraR), got ${JSON.stringify(o.loraAlpha)}`;
  if (!(typeof o.loraDropout === 'number' && o.loraDropout >= 0 && o.loraDropout < 1)) return `loraDropout must be a number in [0, 1), got ${JSON.stringify(o.loraDropout)}`;
  return targetModulesProblem(o.loraTargetModules);
}

/** `q_proj,v_proj` or `all-linear` (the --lora-target-modules flag) as the option's value. */
export function parseTargetModules(text: string): string[] | 'all-linear' {
  return text.trim() === 'all-linear' ? 'all-linear' : text.split(',').map((s) => s.trim()).filter(Boolean);
}

/** A new adapter on model as the options say (the base frozen), or null when loraR is 0; dropout draws from its own Rng. */
export function attachLora(model: Decoder, o: LoraTrainOptions, seed: number): LoraAdapter | null {
  if (!o.loraR) return null;
  const a = new LoraAdapter(model, { r: o.loraR, alpha: o.loraAlpha ?? 2 * o.loraR, dropout: o.loraDropout, targetModules: o.loraTargetModules }, new Rng(seed));
  a.rng = new Rng(seed + 1);
  return a;
}
