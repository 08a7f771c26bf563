// The rewards layer's public surface: reward functions, their parsers, the code sandbox and the
// registry. Pure functions over strings; nothing here imports the model. The math verifier
// (./math) is re-exported from its own index by its owner's names.

export type { AsyncRewardFn, RewardContext, RewardFn } from './types.js';
export * from './format.js';
export * from './language.js';
export * from './expr.js';
export * from './tasks.js';
export * from './worlds/index.js';
export * from './code/index.js';
export * from './registry.js';
export * from './math/index.js';
