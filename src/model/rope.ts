// RoPE frequencies of every rope_type r1ts reads (default, linear, dynamic, yarn, llama3), computed from a
// ModelConfig in float32 steps as transformers 5.18's modeling_rope_utils does, and the dynamic type's state during
// generation (its dynamic_rope_update). Not the rotation itself (the rope op / kernel) nor config parsing (config.ts).
import { RopeTable } from '../tensor/index.js';
import type { ModelConfig } from './config.js';

const f = Math.fround;

/** Inverse frequencies (head_dim/2) and the cos/sin multiplier (yarn's attention factor; 1 otherwise). */
export interface RopeFreqs {
  inv: Float32Array;
  scale: number;
}

/** 1 / base^(2i/dim) in float32 steps (transformers' default rope). */
function defaultInv(base: number, dim: number): Float32Array {
  return Float32Array.from({ length: dim / 2 }, (_, i) => f(1 / f(Math.pow(f(base), f((2 * i) / dim)))));
}

/**
 * The frequencies transformers' rotary embedding uses for a sequence of seqLen positions (seqLen only matters to
 * dynamic, which re-derives its base once seqLen exceeds max_position_embeddings; omitted: the frequencies at init).
 */
export function ropeFreqs(c: ModelConfig, seqLen?: number): RopeFreqs {
  const dim = c.head_dim;
  const base = c.rope_theta;
  const s = c.rope_scaling;
  if (!s) return { inv: defaultInv(base, dim), scale: 1 };
  switch (s.rope_type) {
    case 'linear':
      return { inv: defaultInv(base, dim).map((v) => f(v / s.factor)), scale: 1 };
    case 'dynamic': {
      const mpe = c.max_position_embeddings;
      if (seqLen === undefined || seqLen <= mpe) return { inv: defaultInv(base, dim), scale: 1 };
      // base * ((factor * seq_len / mpe) - (factor - 1)) ** (dim / (dim - 2)), as float32 tensor ops
      const grown = f(base * f(Math.pow(f(f(f(s.factor * seqLen) / mpe) - f(s.factor - 1)), f(dim / (dim - 2)))));
      return { inv: defaultInv(grown, dim), scale: 1 };
    }
    case 'llama3':
      return { inv: llama3Inv(defaultInv(base, dim), s.factor, s.low_freq_factor!, s.high_freq_factor!, s.original_max_position_embeddings!), scale: 1 };
    case 'yarn':
      return yarn(c, dim, base);
  }
}

/** Llama 3.1's frequency-dependent interpolation (_compute_llama3_parameters). */
function llama3Inv(inv: Float32Array, factor: number, low: number, high: number, oldLen: number): Float32Array {
  const lowWavelen = oldLen / low;
  const highWavelen = oldLen / high;
  return inv.map((v) => {
    const wavelen = f((2 * Math.PI) / v);
    if (wavelen > lowWavelen) return f(v / factor); // long wavelengths: interpolate fully
    if (wavelen < highWavelen) return v; // short wavelengths: keep
    const smooth = f(f(f(oldLen / wavelen) - low) / (high - low));
    return f(f(f(f(1 - smooth) * v) / factor) + f(smooth * v));
  });
}

/** YaRN's ramp between interpolated and extrapolated frequencies and its attention factor (_compute_yarn_parameters). */
function yarn(c: ModelConfig, dim: number, base: number): RopeFreqs {
  const s = c.rope_scaling!;
  const factor = s.factor;
  const ompe = s.original_max_position_embeddings!;
  const mscale = (scale: number, m = 1): number => (scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1);
  let scale = s.attention_factor;
  if (scale === undefined) scale = s.mscale && s.mscale_all_dim ? mscale(factor, s.mscale) / mscale(factor, s.mscale_all_dim) : mscale(factor);
  const betaFast = s.beta_fast || 32;
  const betaSlow = s.beta_slow || 1;
  const corrDim = (rot: number): number => (dim * Math.log(ompe / (rot * 2 * Math.PI))) / (2 * Math.log(base));
  let low = corrDim(betaFast);
  let high = corrDim(betaSlow);
  if (s.truncate ?? true) {
    low = Math.floor(low);
    high = Math.ceil(high);
  }
  low = Math.max(low, 0);
  high = Math.min(high, dim - 1);
  if (low === high) high += 0.001; // transformers: prevent singularity
  const inv = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) {
    const pos = f(Math.pow(f(base), f((2 * i) / dim)));
    const extrap = f(1 / pos);
    const interp = f(1 / f(factor * pos));
    const ramp = Math.min(1, Math.max(0, f(f(i - low) / f(high - low))));
    const keep = f(1 - ramp); // inv_freq_extrapolation_factor
    inv[i] = f(f(interp * f(1 - keep)) + f(extrap * keep));
  }
  return { inv, scale };
}

/** A cos/sin table over positions [0, maxPos) with the frequencies of a seqLen-long sequence. */
export function ropeTableOf(c: ModelConfig, maxPos: number, seqLen?: number): RopeTable {
  const { inv, scale } = ropeFreqs(c, seqLen);
  return new RopeTable(maxPos, c.head_dim, inv, scale);
}

/** Whether the frequencies depend on the sequence length (rope_type dynamic). */
export function isDynamicRope(c: ModelConfig): boolean {
  return c.rope_scaling?.rope_type === 'dynamic';
}

/**
 * Dynamic rope during one generation, as transformers' dynamic_frequency_update keeps it on the rotary module:
 * the frequencies grow with the longest sequence seen so far (keys already cached keep the rotation they got), and
 * reset once a call is back under max_position_embeddings. prepare() rewrites the rows of the positions a call uses.
 */
export class DynamicRope {
  readonly table: RopeTable;
  private cachedLen: number;
  private freqs: RopeFreqs;

  constructor(private readonly c: ModelConfig, capLen: number) {
    this.table = ropeTableOf(c, capLen);
    this.cachedLen = c.max_position_embeddings;
    this.freqs = ropeFreqs(c);
  }

  /** Before a forward over positions pos[0..n). */
  prepare(pos: Int32Array, n: number): void {
    const mpe = this.c.max_position_embeddings;
    let seqLen = 0;
    for (let i = 0; i < n; i++) seqLen = Math.max(seqLen, pos[i]! + 1);
    if (seqLen > this.cachedLen) {
      this.freqs = ropeFreqs(this.c, seqLen);
      this.cachedLen = seqLen;
    }
    if (seqLen < mpe && this.cachedLen > mpe) {
      this.freqs = ropeFreqs(this.c);
      this.cachedLen = mpe;
    }
    for (let i = 0; i < n; i++) this.table.write(pos[i]!, this.freqs.inv, this.freqs.scale);
  }
}
