// Optimisation: AdamW, global grad-norm clipping, learning-rate schedules.
// Not training loops (src/sft, src/rl hold those).
export { AdamW } from './adamw.js';
export type { AdamWOpts, AdamWState, AdamWParamState } from './adamw.js';
export { clipGradNorm } from './clip.js';
export { lrAt } from './schedule.js';
export type { LrSchedule } from './schedule.js';
