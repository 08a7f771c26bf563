// `r1 eval --model`'s sampler: the serve engine in-process (same prompt encoding and seeds as `r1 serve`), sized to the
// problems: a prompt that leaves no room in the model's context is skipped with its id (as a server's 400 would be),
// the cache fits the longest prompt plus the completion limit. Not the engine (engine.ts) nor the loop (src/eval).
import type { Decoder } from '../model/decoder.js';
import type { Tokenizer } from '../model/tokenizer.js';
import type { BenchmarkProblem } from '../eval/benchmark.js';
import type { Sampler } from '../eval/endpoint.js';
import { Engine, slotsFor } from './engine.js';
import { encodePrompt, engineSampler } from './prompt.js';
import { promptOpensThink } from './reasoning.js';

export interface LocalSamplerOptions {
  /** Completion limit asked for (capped so that prompt + completion fit the context). */
  maxTokens: number;
  /** Sequences decoded together; null: as many as a 2 GiB KV cache holds, at most 64. */
  slots: number | null;
  /** Problems in flight; null: enough to fill the slots. */
  concurrency: number | null;
  /** Samples per request. */
  nPer: number;
  /** Decode steps read BF16 copies of the weights (samplingPrecision bf16). */
  bf16Weights?: boolean;
  log: (m: string) => void;
  /** Where skipped problems are recorded. */
  skipped: { problem_id: string; error: string }[];
}

/** The sampler and the problems it can take, or an error when no prompt fits; chat prompts get opensThink set. */
export function localSampler<P extends BenchmarkProblem>(model: Decoder, tokenizer: Tokenizer, all: P[], o: LocalSamplerOptions):
  { sampler: Sampler; concurrency: number; maxTokens: number; problems: P[] } | { error: string } {
  const ctx = model.config.max_position_embeddings;
  const lengths = all.map((p) => encodePrompt(tokenizer, p.prompt).length);
  const problems = all.filter((p, i) => {
    if (lengths[i]! < ctx) return true;
    o.log(`problem ${p.id} skipped: its prompt is ${lengths[i]} tokens, over the model's context of ${ctx}`);
    o.skipped.push({ problem_id: p.id, error: `prompt is ${lengths[i]} tokens, over the model's context of ${ctx}` });
    return false;
  });
  if (problems.length === 0) return { error: `every prompt is longer than the model's context of ${ctx} tokens; use a shorter --template or another dataset` };
  const longest = Math.max(...lengths.filter((n) => n < ctx));
  const maxLen = Math.min(ctx, longest + o.maxTokens);
  for (const p of problems) if ('messages' in p.prompt) p.opensThink = promptOpensThink(tokenizer.applyChatTemplate(p.prompt.messages, { addGenerationPrompt: true }));
  const slots = o.slots ?? slotsFor(model.config, maxLen, 64, undefined, model.precision);
  const engine = new Engine(model, tokenizer, { slots, maxLen, bf16Weights: o.bf16Weights });
  return { sampler: engineSampler(engine), concurrency: o.concurrency ?? Math.max(2, Math.ceil((2 * slots) / o.nPer)), maxTokens: Math.min(o.maxTokens, maxLen - 1), problems };
}
