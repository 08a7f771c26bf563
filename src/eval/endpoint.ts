// Sampling from an OpenAI-compatible server (vLLM, SGLang, llama.cpp, `r1 serve`): /v1/completions with the
// prompt as text, or /v1/chat/completions with the prompt as one user message, n samples per request.
// Not a client library: only what evaluation needs, through fetch. Errors name the URL and the fix.

export interface EndpointOptions {
  /** Base URL, e.g. http://localhost:8000 (with or without /v1). */
  url: string;
  model: string;
  /** 'completions' sends raw prompts; 'chat' sends each as a user message (the server applies its chat template). */
  api: 'completions' | 'chat';
  temperature: number;
  topP: number;
  maxTokens: number;
  stop?: string[];
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  apiKey?: string;
  /** Passed through for tests; default global fetch. */
  fetchFn?: typeof fetch;
}

interface CompletionChoice { index?: number; text?: string; message?: { content?: string | null }; finish_reason?: string | null }
interface CompletionResponse { choices?: CompletionChoice[]; usage?: { completion_tokens?: number } }

/** n completions of every prompt, in prompt order (prompt i's samples are rows i*n .. i*n+n-1), with token counts when the server reports them. */
export async function sampleEndpoint(prompts: readonly string[], n: number, o: EndpointOptions): Promise<{ text: string; tokens: number }[]> {
  const base = o.url.replace(/\/+$/, '').replace(/\/v1$/, '');
  const url = `${base}/v1/${o.api === 'chat' ? 'chat/completions' : 'completions'}`;
  const doFetch = o.fetchFn ?? fetch;
  const out: { text: string; tokens: number }[][] = new Array(prompts.length);
  let next = 0;
  const worker = async () => {
    while (next < prompts.length) {
      const i = next++;
      const body: Record<string, unknown> = {
        model: o.model, n, temperature: o.temperature, top_p: o.topP, max_tokens: o.maxTokens,
        ...(o.stop?.length ? { stop: o.stop } : {}),
        ...(o.api === 'chat' ? { messages: [{ role: 'user', content: prompts[i] }] } : { prompt: prompts[i] }),
      };
      let res: Response;
      try {
        res = await doFetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {}) },
          body: JSON.stringify(body),
        });
      } catch (e) {
        throw new Error(`endpoint ${url} cannot be reached (${(e as Error).message}); check --endpoint and that the server is running`);
      }
      if (!res.ok) throw new Error(`endpoint ${url} answered HTTP ${res.status}: ${(await res.text()).slice(0, 300)}; check --model and the server's logs`);
      const json = (await res.json()) as CompletionResponse;
      const choices = [...(json.choices ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
      if (choices.length !== n) throw new Error(`endpoint ${url} returned ${choices.length} choices for n = ${n}; the server must support n (or use --samples 1)`);
      const perChoice = json.usage?.completion_tokens !== undefined ? json.usage.completion_tokens / n : NaN;
      out[i] = choices.map((c) => {
        const text = (o.api === 'chat' ? c.message?.content : c.text) ?? '';
        return { text, tokens: Number.isNaN(perChoice) ? text.length : perChoice };
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 4) }, worker));
  return out.flat();
}
