// Global gradient-norm clipping (torch.nn.utils.clip_grad_norm_ with the 2-norm): scales every grad by
// maxNorm / (norm + 1e-6) when that is below 1. Not per-parameter or value clipping.
import type { Tensor } from '../tensor/tensor.js';
import { getKernels } from '../tensor/kernels/index.js';
import { BinaryOp } from '../tensor/kernels/types.js';

/** Clips the grads of params in place to a global 2-norm of maxNorm; returns the norm before clipping. */
export function clipGradNorm(params: Tensor[], maxNorm: number): number {
  if (!(maxNorm > 0)) throw new Error(`clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  const k = getKernels();
  let ss = 0;
  for (const p of params) if (p.grad !== null) ss += k.sumSquares(p.grad, p.grad.length);
  const norm = Math.sqrt(ss);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    const c = Float32Array.of(coef);
    for (const p of params) if (p.grad !== null) k.binary(BinaryOp.Mul, p.grad, c, p.grad, p.grad.length);
  }
  return norm;
}
