// AdamW with decoupled weight decay and torch.optim.AdamW semantics (per-parameter step counts, bias correction,
// weight decay applied as p -= lr*wd*p before the Adam update), one kernels.adamw call per parameter.
// Not param groups or amsgrad. Reference: Loshchilov & Hutter 2019; torch.optim.AdamW (PyTorch 1.13).
import { recycleBuffer, type Tensor } from '../tensor/tensor.js';
import { getKernels } from '../tensor/kernels/index.js';

export interface AdamWOpts {
  lr: number;
  /** (beta1, beta2); default (0.9, 0.999). */
  betas?: [number, number];
  /** Added to sqrt(v_hat); default 1e-8. */
  eps?: number;
  /** Decoupled weight decay; default 0.01 (PyTorch's default). */
  weightDecay?: number;
}

/** Per-parameter moments; null for a parameter that has not had a step yet. */
export interface AdamWParamState { step: number; m: Float32Array; v: Float32Array }

export interface AdamWState {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  params: (AdamWParamState | null)[];
}

export class AdamW {
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  private state: (AdamWParamState | null)[];

  constructor(readonly params: Tensor[], opts: AdamWOpts) {
    this.lr = opts.lr;
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.01;
    const [b1, b2] = this.betas;
    if (!(this.lr >= 0)) throw new Error(`AdamW: lr must be >= 0, got ${this.lr}`);
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new Error(`AdamW: betas must be in [0, 1), got [${b1}, ${b2}]`);
    if (!(this.eps >= 0) || !(this.weightDecay >= 0)) throw new Error(`AdamW: eps and weightDecay must be >= 0, got ${this.eps}, ${this.weightDecay}`);
    this.state = params.map(() => null);
  }

  /** One update of every parameter that has a grad; lr overrides the current rate (and becomes it). */
  step(lr?: number): void {
    if (lr !== undefined) this.lr = lr;
    const k = getKernels();
    const [b1, b2] = this.betas;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i]!;
      if (p.grad === null) continue;
      let s = this.state[i];
      if (!s) s = this.state[i] = { step: 0, m: new Float32Array(p.size), v: new Float32Array(p.size) };
      s.step++;
      k.adamw(p.data, p.grad, s.m, s.v, p.size, this.lr, b1, b2, this.eps, this.weightDecay, 1 - b1 ** s.step, 1 - b2 ** s.step);
    }
  }

  /**
   * Drops every parameter's grad (PyTorch's set_to_none), handing its buffer back to the engine's pool as PyTorch's
   * caching allocator keeps freed memory: the next backward reuses it instead of page-faulting fresh memory in (a
   * 25M-parameter model's grads are 100 MB a step). A grad read after zeroGrad() may be overwritten by the next backward.
   */
  zeroGrad(): void {
    for (const p of this.params) {
      if (p.grad !== null) recycleBuffer(p.grad);
      p.grad = null;
    }
  }

  /** The state; copy=false shares the moment buffers (for writing them out at once without doubling their memory). */
  stateDict(copy = true): AdamWState {
    return {
      lr: this.lr, betas: [...this.betas], eps: this.eps, weightDecay: this.weightDecay,
      params: this.state.map((s) => (s ? { step: s.step, m: copy ? s.m.slice() : s.m, v: copy ? s.v.slice() : s.v } : null)),
    };
  }

  /** Restores moments and step counts (hyperparameters other than lr stay as constructed); copy=false adopts s's buffers. */
  loadStateDict(s: AdamWState, copy = true): void {
    if (s.params.length !== this.params.length) {
      throw new Error(`AdamW.loadStateDict: state has ${s.params.length} parameters, the optimizer ${this.params.length}; load it into an optimizer over the same model`);
    }
    s.params.forEach((ps, i) => {
      const n = this.params[i]!.size;
      if (ps && (ps.m.length !== n || ps.v.length !== n)) {
        throw new Error(`AdamW.loadStateDict: parameter ${i} has ${n} elements but its saved moments have ${ps.m.length}/${ps.v.length}`);
      }
    });
    this.lr = s.lr;
    this.state = s.params.map((ps) => (ps ? { step: ps.step, m: copy ? ps.m.slice() : ps.m, v: copy ? ps.v.slice() : ps.v } : null));
  }
}
