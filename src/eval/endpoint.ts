// The client side of evaluation against an OpenAI-compatible server (vLLM, SGLang, llama.cpp, Ollama, hosted APIs,
// `r1 serve`): /v1/chat/completions for chat prompts, /v1/completions for text prompts, n samples per request
// (topped up with further requests where a server returns fewer), a concurrency limit, retries with exponential
// backoff on 429/5xx/network errors (Retry-After respected), a per-request timeout, and `reasoning_content` kept
// apart from the answer text. Not the official client library: fetch, only what evaluation needs.
import { UsageError } from '../run/spec.js';

export type PromptInput = { text: string } | { messages: { role: string; content: string }[] };

/** One sampling request (the fields of an OpenAI request evaluation uses). */
export interface SampleRequest {
  prompt: PromptInput;
  n: number;
  maxTokens: number;
  temperature: number;
  topP: number;
  stop?: string[];
  seed?: number;
}

export interface SampledChoice {
  /** The answer text (`content`, or `text` for completions). */
  text: string;
  /** Reasoning the server returned apart (`reasoning_content` / `reasoning`), else null. */
  reasoning: string | null;
  /** Completion tokens when the server says (per choice, or its usage split evenly), else null. */
  tokens: number | null;
  finishReason: string;
}

export type Sampler = (r: SampleRequest) => Promise<SampledChoice[]>;

/** A failed request: `fatal` when retrying other problems cannot help (bad key, unknown model, wrong URL). */
export class EndpointError extends Error {
  constructor(message: string, readonly status: number | null, readonly fatal: boolean) {
    super(message);
  }
}

export interface EndpointOptions {
  /** Base URL, e.g. http://localhost:8000 (with or without /v1). */
  url: string;
  model: string;
  apiKey?: string;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Retries of a request after 429, 5xx, a timeout or a network error (default 4). */
  retries?: number;
  /** First backoff in ms, doubled each retry, with jitter (default 500). */
  backoffMs?: number;
  /** Per-request timeout in ms (default 600000: long reasoning completions take minutes). */
  timeoutMs?: number;
  /** Passed through for tests; default global fetch. */
  fetchFn?: typeof fetch;
  /** Told about each retry (default: silent). */
  onRetry?: (message: string) => void;
}

interface Choice { index?: number; text?: string; message?: { content?: string | null; reasoning_content?: string | null; reasoning?: string | null }; finish_reason?: string | null; completion_tokens?: number }
interface Reply { choices?: Choice[]; usage?: { completion_tokens?: number } }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function baseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** A sampler that sends requests to the server, at most `concurrency` at once. */
export function endpointSampler(o: EndpointOptions): Sampler {
  const doFetch = o.fetchFn ?? fetch;
  const base = baseUrl(o.url);
  let inFlight = 0;
  const queue: (() => void)[] = [];
  const acquire = async () => {
    if (inFlight >= Math.max(1, o.concurrency ?? 8)) await new Promise<void>((r) => queue.push(r));
    inFlight++;
  };
  const release = () => {
    inFlight--;
    queue.shift()?.();
  };

  const once = async (r: SampleRequest, n: number, seed: number | undefined): Promise<SampledChoice[]> => {
    const chat = 'messages' in r.prompt;
    const url = `${base}/v1/${chat ? 'chat/completions' : 'completions'}`;
    const body = {
      model: o.model, n, temperature: r.temperature, top_p: r.topP, max_tokens: r.maxTokens,
      ...(r.stop?.length ? { stop: r.stop } : {}), ...(seed !== undefined ? { seed } : {}),
      ...('messages' in r.prompt ? { messages: r.prompt.messages } : { prompt: r.prompt.text }),
    };
    const retries = o.retries ?? 4;
    for (let attempt = 0; ; attempt++) {
      let res: Response | null = null;
      let raw = '';
      let cause: string;
      let retryAfter = 0;
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(Object.assign(new Error('timeout'), { name: 'TimeoutError' })), o.timeoutMs ?? 600_000);
      try {
        res = await doFetch(url, {
          method: 'POST', body: JSON.stringify(body), signal: timeout.signal,
          headers: { 'content-type': 'application/json', ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}) },
        });
        raw = await res.text(); // under the same timeout: a server can stall mid-body too
      } catch (e) {
        res = null;
        const err = e as Error & { cause?: { code?: string } };
        cause = err.name === 'TimeoutError' || timeout.signal.aborted ? `sent no reply within ${(o.timeoutMs ?? 600_000) / 1000} s` : `cannot be reached (${err.cause?.code ?? err.message})`;
      } finally {
        clearTimeout(timer);
      }
      if (res) {
        if (res.ok) {
          let json: Reply;
          try {
            json = JSON.parse(raw) as Reply;
          } catch {
            throw new EndpointError(`${url} sent a reply that is not JSON: ${JSON.stringify(raw.slice(0, 120))}`, res.status, false);
          }
          if (!json || !Array.isArray(json.choices)) throw new EndpointError(`${url} sent a reply without a 'choices' list: ${raw.slice(0, 160)}`, res.status, false);
          return parseChoices(json, chat, url);
        }
        const text = raw.slice(0, 300);
        if (res.status === 401 || res.status === 403) throw new EndpointError(`${url} refused the API key (HTTP ${res.status}: ${text}); pass a valid key with --api-key-env VAR`, res.status, true);
        if (res.status === 404) throw new EndpointError(`${url} answered HTTP 404 (${text}); check --endpoint and --model-name (GET ${base}/v1/models lists the served names)`, res.status, true);
        if (res.status !== 429 && res.status < 500) throw new EndpointError(`${url} rejected the request (HTTP ${res.status}: ${text})`, res.status, false);
        cause = `answered HTTP ${res.status} (${text.slice(0, 120)})`;
        retryAfter = Number(res.headers.get('retry-after')) * 1000 || 0;
      }
      if (attempt >= retries) throw new EndpointError(`${url} ${cause!} after ${retries + 1} attempts; check --endpoint and that the server is up`, res?.status ?? null, false);
      const wait = Math.max(retryAfter, (o.backoffMs ?? 500) * 2 ** attempt * (0.75 + 0.5 * Math.random()));
      o.onRetry?.(`${url} ${cause!}; retry ${attempt + 1}/${retries} in ${(wait / 1000).toFixed(1)} s`);
      await sleep(wait);
    }
  };

  return async (r) => {
    const out: SampledChoice[] = [];
    // servers that ignore n return fewer choices: ask again for the rest, each further request with its own seed
    for (let round = 0; out.length < r.n; round++) {
      if (round > r.n) throw new EndpointError(`${base} keeps returning no choices for n = ${r.n}`, null, false);
      await acquire();
      try {
        out.push(...await once(r, r.n - out.length, r.seed === undefined ? undefined : (r.seed + round) >>> 0));
      } finally {
        release();
      }
    }
    return out.slice(0, r.n);
  };
}

function parseChoices(json: Reply, chat: boolean, url: string): SampledChoice[] {
  const choices = [...json.choices!].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  const perChoice = typeof json.usage?.completion_tokens === 'number' && choices.length > 0 ? json.usage.completion_tokens / choices.length : null;
  return choices.map((c) => {
    const text = chat ? c.message?.content : c.text;
    if (typeof text !== 'string' && !(chat && c.message && (c.message.content === null || typeof c.message.reasoning_content === 'string'))) {
      throw new EndpointError(`${url} sent a choice without ${chat ? 'message.content' : 'text'}: ${JSON.stringify(c).slice(0, 160)}`, 200, false);
    }
    const reasoning = chat ? c.message?.reasoning_content ?? c.message?.reasoning ?? null : null;
    return { text: text ?? '', reasoning, tokens: typeof c.completion_tokens === 'number' ? c.completion_tokens : perChoice, finishReason: c.finish_reason ?? 'stop' };
  });
}

/** The reply's text with the reasoning put back in front, in the readable R1 format, when the server split it off. */
export function fullText(c: SampledChoice): string {
  return c.reasoning === null ? c.text : `<think>\n${c.reasoning}\n</think>\n\n${c.text}`;
}

/** GET /v1/models: the served model names, or an EndpointError saying why not (unreachable, bad key). */
export async function listModels(o: EndpointOptions): Promise<string[]> {
  const url = `${baseUrl(o.url)}/v1/models`;
  let res: Response;
  try {
    res = await (o.fetchFn ?? fetch)(url, { signal: AbortSignal.timeout(Math.min(o.timeoutMs ?? 30_000, 30_000)), headers: o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {} });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    throw new EndpointError(`${url} cannot be reached (${err.cause?.code ?? err.message}); check --endpoint and that the server is running`, null, true);
  }
  if (res.status === 401 || res.status === 403) throw new EndpointError(`${url} refused the API key (HTTP ${res.status}); pass a valid key with --api-key-env VAR`, res.status, true);
  if (!res.ok) return []; // some servers have no /v1/models; the first completion request will tell
  const json = (await res.json().catch(() => null)) as { data?: { id?: string }[] } | null;
  return (json?.data ?? []).map((m) => String(m.id));
}

/** An endpoint's sampler once its model list names o.model (an empty list is taken as yes; unreachable: EndpointError). */
export async function checkedEndpointSampler(o: EndpointOptions): Promise<Sampler> {
  const names = await listModels(o);
  if (names.length && !names.includes(o.model)) throw new UsageError(`--model-name ${o.model}: ${o.url} serves ${names.join(', ')}; pass one of them`);
  return endpointSampler(o);
}

/** n completions of every text prompt, in prompt order (prompt i's samples are rows i*n .. i*n+n-1). */
export async function sampleEndpoint(prompts: readonly string[], n: number, o: EndpointOptions & { api: 'completions' | 'chat'; temperature: number; topP: number; maxTokens: number; stop?: string[] }): Promise<{ text: string; tokens: number }[]> {
  const sampler = endpointSampler(o);
  const out = await Promise.all(prompts.map((p) => sampler({
    prompt: o.api === 'chat' ? { messages: [{ role: 'user', content: p }] } : { text: p }, n, maxTokens: o.maxTokens, temperature: o.temperature, topP: o.topP, stop: o.stop,
  })));
  return out.flat().map((c) => ({ text: fullText(c), tokens: c.tokens ?? c.text.length }));
}
