// The package's main entry (`import … from 'r1ts'`): the tensor engine, the Llama/Qwen2 model with its checkpoints
// and tokenizers, and batched generation. Not rewards, RL or evaluation: those are 'r1ts/rewards', 'r1ts/rl',
// 'r1ts/eval' (package.json "exports"). Only re-exports; each name lives in its own module.
export * from './tensor/index.js';
export * from './model/config.js';
export * from './model/decoder.js';
export * from './model/checkpoint.js';
export * from './model/safetensors.js';
export * from './model/tokenizer.js';
export * from './generate/index.js';
