// Activation checkpointing: y = fn(x) run without the tape, keeping only x; the backward runs fn again with the tape
// on and backpropagates y's gradient through it into x and the parameters fn reads. Trades one more forward of fn
// for not holding its activations. Not for fn with randomness or side effects. Reference: torch.utils.checkpoint.
import { Tensor, accumulateGrad, isGradEnabled, noGrad, outBuffer, result, tidy } from '../tensor.js';
import { engineState } from '../kernels/index.js';

/**
 * fn(x) with fn's intermediates freed at once and recomputed in backward. params: every tensor fn reads that may
 * need a gradient (a decoder layer's weights). Without the tape (noGrad) it is fn(x), plainly.
 */
export function checkpoint(fn: (x: Tensor) => Tensor, x: Tensor, params: readonly Tensor[]): Tensor {
  if (!isGradEnabled()) return fn(x);
  let shape: number[] = [];
  let out: Float32Array = new Float32Array(0);
  const engine = engineState();
  const outer = engine.scope;
  noGrad(() => tidy(() => { // the forward's intermediates go back to the pool as it ends; y is copied out first
    const y = fn(x.detach());
    shape = y.shape.slice();
    const inner = engine.scope;
    engine.scope = outer; // y's copy belongs to the caller's scope
    try {
      out = outBuffer(y.size, false);
    } finally {
      engine.scope = inner;
    }
    out.set(y.data);
  }));
  return result('checkpoint', out, shape, [x, ...params], (g) => {
    const xin = new Tensor(x.data, x.shape.slice(), x.requiresGrad);
    tidy(() => {
      const y = fn(xin); // the same forward again, this time on the tape
      if (y.requiresGrad) y.backward(g);
    });
    if (xin.grad !== null) accumulateGrad(x, xin.grad, true);
  });
}
