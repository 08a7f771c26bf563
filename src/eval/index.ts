// The 'r1ts/eval' entry: the paper's metrics (pass@1, cons@k, pass@k), the sample-and-judge loop, world and
// benchmark evaluation, endpoint clients and judges. Not the CLI (src/cli/eval.ts). Only re-exports;
// DeepSeek-R1 §3.1.
export * from './metrics.js';
export * from './runner.js';
export * from './world.js';
export * from './benchmark.js';
export * from './endpoint.js';
export * from './judge-model.js';
