// The 'r1ts/rl' entry: GRPO's pure functions (grpo.ts), its loss on tensors (loss.ts), the run configuration,
// task sources, the trainer loop, a whole run from a config, user reward functions and grpo(). Not the CLI (src/cli/grpo.ts) nor the demo.
// Only re-exports; DeepSeek-R1 §2.2.
export * from './grpo.js';
export * from './loss.js';
export * from './config.js';
export * from './tasks.js';
export * from './trainer.js';
export * from './run.js';
export * from './reward-module.js';
export * from './api.js';
