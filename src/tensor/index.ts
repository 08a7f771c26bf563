// The tensor engine's public surface: Tensor, creation, the tape switches, every op, and the kernel selection.
// Not a place for logic: each export lives in tensor.ts, ops/*.ts or kernels/.
export { Tensor, tensor, zeros, ones, randn, noGrad, tidy, isGradEnabled, setCheckNan } from './tensor.js';
export type { EngineContext } from './kernels/index.js';
export { add, sub, mul, div, minimum, maximum, neg, exp, log, silu, swiglu, clamp, where } from './ops/elementwise.js';
export type { Operand } from './ops/elementwise.js';
export { sum, mean, max, reshape } from './ops/reduce.js';
export { matmul, linear, embedding } from './ops/matmul.js';
export type { MatmulOpts } from './ops/matmul.js';
export { rmsnorm, RopeTable, rope, attention, bf16Attention, softmax, logSoftmax, logprobOfTargets, crossEntropy } from './ops/nn.js';
export type { AttentionOpts } from './ops/nn.js';
export { lmHeadLogprob, lmHeadObjective, lmHeadCrossEntropy, defaultChunkRows } from './ops/lmhead.js';
export { checkpoint } from './ops/checkpoint.js';
export type { LmHeadOpts, RowTerm } from './ops/lmhead.js';
export { getKernels, withKernels, tsKernels, loadNativeKernels } from './kernels/index.js';
export type { Kernels } from './kernels/types.js';
export { checkPrecision, resolvePrecision, matmulPrecisionOf, PRECISIONS } from './precision.js';
export type { Precision, MatmulPrecision } from './precision.js';
