// `r1 serve`'s HTTP side: an OpenAI-compatible API (/v1/models, /v1/completions, /v1/chat/completions, with
// server-sent-event streaming, n, temperature, top_p, max_tokens, stop, seed and usage) over the batching Engine.
// Not a general web framework: node:http, JSON in, JSON or SSE out. Follows the OpenAI API reference and vLLM's
// behaviour where the reference is silent (per-request seed, 400 for a prompt longer than the context); for trainers,
// vLLM's per-token fields (logprobs, return_token_ids, return_tokens_as_token_ids) and the weight-update routes (weights.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ChatMessage } from '../model/tokenizer.js';
import { Engine, EngineInputError, type EngineChoice } from './engine.js';
import { encodePrompt, type PromptInput } from './prompt.js';
import { ReasoningStream, promptOpensThink, splitReasoning } from './reasoning.js';
import { WeightState, WeightUpdateError } from './weights.js';

export interface ServeOptions {
  /** The name clients pass as `model` (default: the checkpoint folder's name). */
  modelName: string;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Largest request body accepted (default 16 MiB). */
  maxBodyBytes?: number;
  /** Most choices (prompts × n) one request may ask for (default 256). */
  maxChoices?: number;
  /** max_tokens when a request gives none (default: what fits in the context). */
  defaultMaxTokens?: number;
  /** Chat replies: the <think>…</think> part as message.reasoning_content, the rest as content. */
  reasoning?: boolean;
}

/** A client error with its HTTP status and OpenAI error fields. */
class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly param: string | null = null, readonly type = 'invalid_request_error', readonly code: string | null = null) {
    super(message);
  }
}

function sendError(res: ServerResponse, e: ApiError): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  res.writeHead(e.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message: e.message, type: e.type, param: e.param, code: e.code } }));
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new ApiError(413, `the request body is over ${limit} bytes; send a smaller request`);
    chunks.push(c as Buffer);
  }
  let v: unknown;
  try {
    v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new ApiError(400, `the request body is not valid JSON (${(e as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ApiError(400, 'the request body must be a JSON object');
  return v as Record<string, unknown>;
}

/** Typed field readers: a wrong type is a 400 naming the field. */
function num(b: Record<string, unknown>, key: string, dflt: number, check: (x: number) => boolean, rule: string): number {
  const v = b[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) throw new ApiError(400, `'${key}' must be ${rule}, got ${JSON.stringify(v)}`, key);
  return v;
}

function stops(b: Record<string, unknown>): string[] {
  const v = b.stop;
  if (v === undefined || v === null) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string') || list.length > 16) throw new ApiError(400, `'stop' must be a string or a list of at most 16 strings`, 'stop');
  return (list as string[]).filter((s) => s.length > 0);
}

function messagesOf(b: Record<string, unknown>): ChatMessage[] {
  const m = b.messages;
  if (!Array.isArray(m) || m.length === 0) throw new ApiError(400, `'messages' must be a non-empty list of {role, content}`, 'messages');
  return m.map((x, i) => {
    if (!x || typeof x !== 'object' || typeof (x as { role?: unknown }).role !== 'string') throw new ApiError(400, `messages[${i}] needs a string 'role'`, 'messages');
    const c = (x as { content?: unknown }).content;
    let content: string;
    if (typeof c === 'string') content = c;
    else if (Array.isArray(c) && c.every((p) => p && typeof p === 'object' && p.type === 'text' && typeof p.text === 'string')) content = c.map((p) => p.text).join('');
    else if (c === null || c === undefined) content = '';
    else throw new ApiError(400, `messages[${i}].content must be a string or a list of {type: 'text', text} parts`, 'messages');
    return { role: (x as { role: string }).role, content };
  });
}

function promptsOf(b: Record<string, unknown>): (PromptInput | number[])[] {
  const p = b.prompt;
  const isIds = (x: unknown) => Array.isArray(x) && x.length > 0 && x.every((t) => Number.isInteger(t));
  if (typeof p === 'string') return [{ text: p }];
  if (isIds(p)) return [p as number[]];
  if (Array.isArray(p) && p.length > 0 && p.every((x) => typeof x === 'string')) return (p as string[]).map((text) => ({ text }));
  if (Array.isArray(p) && p.length > 0 && p.every(isIds)) return p as number[][];
  throw new ApiError(400, `'prompt' must be a string, a list of strings, a list of token ids or a list of such lists`, 'prompt');
}

export class OpenAIServer {
  readonly http: Server;
  private readonly created = Math.floor(Date.now() / 1000);
  readonly weights: WeightState;

  constructor(readonly engine: Engine, readonly o: ServeOptions) {
    this.weights = new WeightState(engine);
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((e) => sendError(res, e instanceof ApiError ? e : new ApiError(500, `internal error: ${(e as Error).message}`, null, 'server_error')));
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => resolve((this.http.address() as { port: number }).port));
    });
  }

  close(): Promise<void> {
    this.engine.close();
    this.http.closeAllConnections();
    return new Promise((r) => this.http.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    if (this.o.apiKey !== undefined && req.headers.authorization !== `Bearer ${this.o.apiKey}`) {
      throw new ApiError(401, 'invalid API key: send Authorization: Bearer <key> with the key the server was started with', null, 'invalid_request_error', 'invalid_api_key');
    }
    if (path === '/v1/models' || path === '/v1/models/' + this.o.modelName) {
      if (req.method !== 'GET') throw new ApiError(405, `${path} takes GET`);
      const card = { id: this.o.modelName, object: 'model', created: this.created, owned_by: 'r1ts', max_model_len: this.engine.maxLen };
      return sendJson(res, path === '/v1/models' ? { object: 'list', data: [card] } : card);
    }
    if (path === '/health') return sendJson(res, { status: 'ok', ...this.engine.load });
    if (path === '/get_weight_version') return sendJson(res, { weight_version: this.weights.version });
    if (path === '/v1/load_lora_adapter' || path === '/load_lora_adapter' || path === '/update_weights_from_disk') {
      if (req.method !== 'POST') throw new ApiError(405, `${path} takes POST`);
      return this.updateWeights(path, await readBody(req, this.o.maxBodyBytes ?? 16 << 20), res);
    }
    const chat = path === '/v1/chat/completions';
    if (!chat && path !== '/v1/completions') throw new ApiError(404, `no route ${req.method} ${path}; this server has /v1/models, /v1/completions, /v1/chat/completions and the weight-update routes`, null, 'invalid_request_error', 'not_found');
    if (req.method !== 'POST') throw new ApiError(405, `${path} takes POST`);
    const body = await readBody(req, this.o.maxBodyBytes ?? 16 << 20);
    await this.complete(body, chat, req, res);
  }

  private async complete(b: Record<string, unknown>, chat: boolean, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (typeof b.model !== 'string') throw new ApiError(400, `'model' is required; this server serves '${this.o.modelName}'`, 'model');
    if (b.model !== this.o.modelName && b.model !== this.weights.loraName) throw new ApiError(404, `the model '${b.model}' does not exist; this server serves '${this.o.modelName}'`, 'model', 'invalid_request_error', 'model_not_found');
    const n = num(b, 'n', 1, (x) => Number.isInteger(x) && x >= 1, 'a positive integer');
    const temperature = num(b, 'temperature', 1, (x) => x >= 0 && x <= 2, 'a number in [0, 2]');
    const topP = num(b, 'top_p', 1, (x) => x > 0 && x <= 1, 'a number in (0, 1]');
    const topK = num(b, 'top_k', 0, (x) => Number.isInteger(x) && x >= -1, 'an integer (0 or -1 = off)');
    const seedRaw = num(b, 'seed', NaN, (x) => Number.isInteger(x), 'an integer');
    const seed = Number.isNaN(seedRaw) ? undefined : seedRaw >>> 0;
    const maxKey = chat && b.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
    const maxTokens = num(b, maxKey, this.o.defaultMaxTokens ?? (chat ? this.engine.maxLen : 16), (x) => Number.isInteger(x) && x >= 1, 'a positive integer');
    const stop = stops(b);
    if (b.stream !== undefined && typeof b.stream !== 'boolean') throw new ApiError(400, `'stream' must be a boolean`, 'stream');
    const stream = b.stream === true;
    const wantLogprobs = chat ? b.logprobs === true : b.logprobs !== undefined && b.logprobs !== null && b.logprobs !== false;
    if (!chat && wantLogprobs) num(b, 'logprobs', 0, (x) => Number.isInteger(x) && x >= 0 && x <= 20, 'an integer in [0, 20]');
    const tokenIds = b.return_token_ids === true, asIds = b.return_tokens_as_token_ids === true;
    const includeUsage = stream && typeof b.stream_options === 'object' && b.stream_options !== null && (b.stream_options as { include_usage?: unknown }).include_usage === true;
    const inputs = chat ? [{ messages: messagesOf(b) }] : promptsOf(b);
    if (inputs.length * n > (this.o.maxChoices ?? 256)) throw new ApiError(400, `${inputs.length} prompts × n ${n} asks for more than ${this.o.maxChoices ?? 256} choices; split the request`, 'n');
    let ids: number[][];
    try {
      ids = inputs.map((p) => (Array.isArray(p) ? p : encodePrompt(this.engine.tokenizer, p)));
    } catch (e) {
      throw new ApiError(400, `the prompt cannot be encoded: ${(e as Error).message}`, chat ? 'messages' : 'prompt');
    }
    for (const p of ids) {
      if (p.length >= this.engine.maxLen) {
        throw new ApiError(400, `the prompt is ${p.length} tokens but this model's context is ${this.engine.maxLen} tokens (prompt plus completion); shorten the prompt`, chat ? 'messages' : 'prompt', 'invalid_request_error', 'context_length_exceeded');
      }
    }
    const id = `${chat ? 'chatcmpl' : 'cmpl'}-${randomUUID().replace(/-/g, '')}`;
    const created = Math.floor(Date.now() / 1000);
    const model = this.o.modelName;
    const abort = new AbortController();
    res.on('close', () => { if (!res.writableFinished) abort.abort(); }); // a client gone mid-request frees its slots

    const sse = (obj: unknown) => { if (!res.writableEnded) res.write(`data: ${JSON.stringify(obj)}\n\n`); };
    if (stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      if (chat) for (let j = 0; j < n; j++) sse({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: j, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    }
    const split = chat && this.o.reasoning === true;
    const opened = split && promptOpensThink(this.engine.tokenizer.decode(ids[0]!));
    const streams = split ? Array.from({ length: n }, () => new ReasoningStream(opened)) : [];
    const chatDelta = (index: number, text: string, finish: string | null) => {
      const delta: Record<string, string> = {};
      if (split) {
        const part = finish === null ? streams[index]!.push(text) : streams[index]!.end();
        if (part.reasoning) delta.reasoning_content = part.reasoning;
        if (part.content) delta.content = part.content;
      } else if (text) delta.content = text;
      return { id, object: 'chat.completion.chunk', created, model, choices: [{ index, delta, finish_reason: finish }] };
    };
    const chunk = (index: number, text: string, finish: string | null) => (chat
      ? chatDelta(index, text, finish)
      : { id, object: 'text_completion', created, model, choices: [{ index, text, logprobs: null, finish_reason: finish }] });

    let results: EngineChoice[][];
    try {
      results = await Promise.all(ids.map((prompt, pi) => this.engine.submit({
        prompt, n, maxTokens, temperature, topP, topK: topK > 0 ? topK : undefined, stop, seed, signal: abort.signal,
        onText: stream ? (j, delta) => sse(chunk(pi * n + j, delta, null)) : undefined,
      }).then((cs) => {
        if (stream) for (const c of cs) sse(chunk(pi * n + c.index, '', c.finishReason));
        return cs;
      })));
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      if (e instanceof EngineInputError) throw new ApiError(400, e.message);
      throw e;
    }
    const promptTokens = ids.reduce((s, p) => s + p.length, 0);
    const completionTokens = results.flat().reduce((s, c) => s + c.tokens.length, 0);
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    if (stream) {
      if (includeUsage) sse({ id, object: chat ? 'chat.completion.chunk' : 'text_completion', created, model, choices: [], usage });
      res.end('data: [DONE]\n\n');
      return;
    }
    const tokenText = (t: number) => (asIds ? `token_id:${t}` : this.engine.tokenizer.decode([t]));
    const logprobsOf = (c: EngineChoice) => (!wantLogprobs ? null : chat
      ? { content: c.tokens.map((t, k) => ({ token: tokenText(t), logprob: c.logprobs[k]!, bytes: null, top_logprobs: [] })) }
      : { tokens: c.tokens.map(tokenText), token_logprobs: c.logprobs.slice(), top_logprobs: null, text_offset: null });
    const ids4 = (pi: number, c: EngineChoice) => (tokenIds ? { prompt_token_ids: ids[pi], token_ids: c.tokens } : {});
    const choices = results.flatMap((cs, pi) => cs.map((c) => (chat
      ? { index: pi * n + c.index, message: { role: 'assistant', ...(split ? withReasoning(splitReasoning(c.text, opened)) : { content: c.text }) }, logprobs: logprobsOf(c), finish_reason: c.finishReason, completion_tokens: c.tokens.length, ...ids4(pi, c) }
      : { index: pi * n + c.index, text: c.text, logprobs: logprobsOf(c), finish_reason: c.finishReason, completion_tokens: c.tokens.length, ...ids4(pi, c) })));
    const weightVersion = results[0]?.[0]?.weightVersion ?? null; // every choice of a request is queued with one version
    sendJson(res, { id, object: chat ? 'chat.completion' : 'text_completion', created, model, choices, usage, ...(weightVersion === null ? {} : { weight_version: weightVersion }) });
  }

  /** The weight-update routes, each answering in its server's format (vLLM: text; SGLang: {success, message}). */
  private async updateWeights(path: string, b: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const vllm = path === '/v1/load_lora_adapter';
    try {
      if (path === '/update_weights_from_disk') await this.weights.updateFromDisk(b);
      else await this.weights.loadLora(b, vllm);
    } catch (e) {
      if (!(e instanceof WeightUpdateError)) throw e;
      if (vllm) throw new ApiError(e.status, e.message);
      res.writeHead(e.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: false, message: e.message, error_message: e.message }));
      return;
    }
    if (vllm) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`Success: LoRA adapter '${b.lora_name}' added successfully.`);
      return;
    }
    sendJson(res, { success: true, message: 'Succeeded to update model weights.', error_message: '', num_paused_requests: 0, weight_version: this.weights.version });
  }
}

function withReasoning(r: { reasoning: string | null; content: string }): { content: string; reasoning_content?: string } {
  return r.reasoning === null ? { content: r.content } : { content: r.content, reasoning_content: r.reasoning };
}
