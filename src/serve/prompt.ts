// How a request's prompt becomes token ids, shared by `r1 serve` and the in-process sampler of `r1 eval --model`
// so both see identical ids: raw text gets the tokenizer's post-processor specials (as vLLM's /v1/completions),
// chat messages go through the chat template with the assistant turn opened (as /v1/chat/completions).
// Not a template library (src/model/tokenizer.ts renders the Jinja).
import { HFTokenizer, type Tokenizer } from '../model/tokenizer.js';
import type { PromptInput, SampledChoice, Sampler } from '../eval/endpoint.js';
import { Engine, type EngineChoice, type EngineRequest } from './engine.js';

export type { PromptInput } from '../eval/endpoint.js';

/** Token ids of a text prompt or of a chat rendered with the tokenizer's template. */
export function encodePrompt(tokenizer: Tokenizer, p: PromptInput): number[] {
  if ('messages' in p) return tokenizer.encode(tokenizer.applyChatTemplate(p.messages, { addGenerationPrompt: true }));
  return tokenizer instanceof HFTokenizer ? tokenizer.encode(p.text, { addSpecialTokens: true }) : tokenizer.encode(p.text);
}

/** The in-process sampler: the same engine, prompt encoding and seeds as `r1 serve`, without HTTP. */
export function engineSampler(engine: Engine): Sampler {
  return async (r) => {
    const req: EngineRequest = {
      prompt: encodePrompt(engine.tokenizer, r.prompt), n: r.n, maxTokens: r.maxTokens, temperature: r.temperature,
      topP: r.topP, stop: r.stop, seed: r.seed,
    };
    const out: EngineChoice[] = await engine.submit(req);
    return out.map((c): SampledChoice => ({ text: c.text, reasoning: null, tokens: c.tokens.length, finishReason: c.finishReason }));
  };
}
