// GRPO's rollouts from OpenAI-compatible servers (vLLM, SGLang, `r1 serve` replicas): one seeded /v1/completions
// request per prompt with n choices, token-id prompts in and vLLM's token ids and per-token logprobs out; requests go to
// the server with the fewest choices in flight; a server that stops answering is taken out (its requests move to the
// others) and taken back once its /health answers and it holds the current weights. Not the weight files (weight-sync.ts).
import { baseUrl } from '../eval/endpoint.js';
import { UsageError } from '../run/spec.js';

/** The `rollout` option when it names servers (src/rl/config.ts declares it). */
export interface EndpointsSpec {
  endpoints: string[];
  /** The served model's name (`model` in requests); default: the first name GET /v1/models lists. */
  modelName?: string;
  /** Environment variable holding the API key. */
  apiKeyEnv?: string;
  /** Which server's weight-update routes to call: 'vllm' (r1 serve answers both) or 'sglang'. Default 'vllm'. */
  server?: 'vllm' | 'sglang';
  /** Seconds one request may take (default 600). */
  timeout?: number;
  /** Retries on the same server after 429 / 5xx, with backoff (default 4); a server that cannot be reached or times out is left at once. */
  retries?: number;
  /** Requests in flight per server (default 8). */
  concurrency?: number;
  /** Folder the servers can read, where the trainer writes each weight version (default RUN_DIR/weight-sync). */
  syncDir?: string;
  /** The adapter's name on the servers, for LoRA runs (default 'r1-policy'). */
  loraName?: string;
  /** Seconds between health checks of a server taken out (default 2). */
  healthInterval?: number;
  /** Seconds to wait for a server to come back when none is left, before stopping the run (default 30). */
  waitForServers?: number;
}

/** What one request asks for. */
export interface RolloutRequest {
  /** Index of the prompt in the step's list (for logs). */
  index: number;
  prompt: number[];
  n: number;
  seed: number;
  maxTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  stop: string[];
}

export interface RemoteChoice {
  tokens: number[];
  logprobs: Float32Array;
  finishReason: 'stop' | 'length';
  /** The weight version of the server that sampled it. */
  weightVersion: number;
  endpoint: string;
}

/** A server that broke the protocol: one line naming the server, the missing field and the flag that enables it. */
export class RolloutProtocolError extends UsageError {}

/** Every server stopped answering: the trainer saves a checkpoint and stops. */
export class NoServersError extends Error {}

/** Reasons a request failed: 'down' moves it to another server; 'fatal' stops the run. */
class RequestError extends Error {
  constructor(message: string, readonly kind: 'down' | 'fatal') {
    super(message);
  }
}

export interface Endpoint {
  url: string;
  base: string;
  up: boolean;
  /** Choices in flight. */
  load: number;
  requests: number;
  /** The weight version the server holds (-1: unknown). */
  version: number;
  /** Why it was taken out. */
  cause: string;
  timer: NodeJS.Timeout | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** fetch's error codes for a connection the other side closed (as opposed to one refused, or a timeout). */
const CLOSED_UNDER_US = ['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'];
/** How many connections closed under us one request tries before its server counts as down (one per pooled socket). */
const CLOSED_RETRIES = 16;

/**
 * Milliseconds of this process's responsive time since the clock was made: each reading counts at most capMs since the
 * last one, so seconds the event loop spent blocked (a training step computing) count as capMs.
 */
function responsiveClock(capMs: number): () => number {
  let counted = 0, last = performance.now();
  return () => {
    const now = performance.now();
    counted += Math.min(now - last, capMs);
    last = now;
    return counted;
  };
}

/**
 * An AbortSignal that fires after ms of this process's responsive time (read every 100 ms, at most 250 ms a reading),
 * so a blocked event loop does not count against a server whose answer was waiting in the socket. clear() stops it;
 * unref'd ones do not keep the process alive.
 */
export function responsiveTimeout(ms: number, unref = false): { signal: AbortSignal; clear: () => void } {
  const ac = new AbortController();
  const elapsed = responsiveClock(250);
  const tick = setInterval(() => {
    if (elapsed() >= ms) {
      clearInterval(tick);
      ac.abort(new Error(`no reply within ${ms} ms`));
    }
  }, Math.min(100, Math.max(1, ms / 4)));
  if (unref) tick.unref();
  return { signal: ac.signal, clear: () => clearInterval(tick) };
}

export class EndpointPool {
  readonly eps: Endpoint[];
  readonly apiKey: string | undefined;
  model: string;
  /** The served model's name before any adapter was loaded. */
  baseModelName: string;
  /** Requests that moved from a server that failed to another, since the last take(). */
  moved = 0;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(readonly spec: EndpointsSpec, readonly log: (line: string) => void,
    /** Brings a server back to the current weights before it is taken back (weight sync). */
    public revive: (ep: Endpoint) => Promise<void> = async () => {}) {
    this.eps = spec.endpoints.map((url) => ({ url, base: baseUrl(url), up: true, load: 0, requests: 0, version: -1, cause: '', timer: null }));
    this.apiKey = spec.apiKeyEnv ? process.env[spec.apiKeyEnv] : undefined;
    if (spec.apiKeyEnv && !this.apiKey) throw new UsageError(`rollout.apiKeyEnv ${spec.apiKeyEnv}: that environment variable is empty; export it or drop the field`);
    this.model = this.baseModelName = spec.modelName ?? '';
  }

  headers(): Record<string, string> {
    return { 'content-type': 'application/json', ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}) };
  }

  /**
   * POST path on one server with the request timeout; returns status and body text, or throws RequestError('down').
   * A connection the server closed under us (kept-alive sockets it timed out while this process was busy computing; the
   * client keeps several, so several can be dead at once) is tried again on another before the server counts as down:
   * the requests are seeded, so sending one again changes nothing. The timeout counts this process's responsive time
   * only, so a training step that held the event loop does not time out an answer that was waiting.
   */
  async post(ep: Endpoint, path: string, body: unknown, timeoutS = this.spec.timeout ?? 600): Promise<{ status: number; text: string }> {
    for (let attempt = 0; ; attempt++) {
      const timeout = responsiveTimeout(timeoutS * 1000);
      try {
        const res = await fetch(`${ep.base}${path}`, { method: 'POST', headers: this.headers(), body: JSON.stringify(body), signal: timeout.signal });
        return { status: res.status, text: await res.text() };
      } catch (e) {
        const code = (e as Error & { cause?: { code?: string } }).cause?.code;
        if (!timeout.signal.aborted && attempt < CLOSED_RETRIES && code && CLOSED_UNDER_US.includes(code)) continue;
        throw new RequestError(timeout.signal.aborted ? `sent no reply within ${timeoutS} s` : `cannot be reached (${code ?? (e as Error).message})`, 'down');
      } finally {
        timeout.clear();
      }
    }
  }

  /** n choices of a prompt from the least-loaded server that is up; moved to another when that one fails. */
  async sample(r: RolloutRequest): Promise<RemoteChoice[]> {
    for (;;) {
      const ep = await this.acquire(r.n);
      try {
        return await this.request(ep, r);
      } catch (e) {
        if (!(e instanceof RequestError) || e.kind === 'fatal') throw e;
        this.takeOut(ep, e.message);
        this.moved++;
        this.log(`rollout: request for prompt ${r.index} (seed ${r.seed}, n ${r.n}) moved off ${ep.url}: it ${e.message}`);
      } finally {
        ep.load -= r.n;
        this.wake();
      }
    }
  }

  private async request(ep: Endpoint, r: RolloutRequest): Promise<RemoteChoice[]> {
    const body = {
      model: this.model, prompt: r.prompt, n: r.n, seed: r.seed, max_tokens: r.maxTokens, temperature: r.temperature, top_p: r.topP,
      ...(r.topK > 0 ? { top_k: r.topK } : {}), ...(r.stop.length ? { stop: r.stop } : {}),
      logprobs: 0, return_token_ids: true, return_tokens_as_token_ids: true, skip_special_tokens: false,
    };
    const retries = this.spec.retries ?? 4;
    for (let attempt = 0; ; attempt++) {
      const version = ep.version;
      const { status, text } = await this.post(ep, '/v1/completions', body);
      // the server's own weight_version when it reports one (r1 serve, SGLang), else the version last pushed to it
      if (status === 200) return parseCompletion(ep.url, text, r.n).map((c) => ({ ...c, weightVersion: c.weightVersion ?? version, endpoint: ep.url }));
      if (status !== 429 && status < 500) throw new RequestError(`${ep.url}/v1/completions rejected the request (HTTP ${status}: ${text.slice(0, 200)})`, 'fatal');
      if (attempt >= retries) throw new RequestError(`answered HTTP ${status} ${retries + 1} times (${text.slice(0, 120)})`, 'down');
      await sleep(500 * 2 ** attempt * (0.75 + 0.5 * Math.random()));
    }
  }

  /** The up server with the fewest choices in flight (below its concurrency); waits for one; NoServersError when none comes back. */
  private async acquire(n: number): Promise<Endpoint> {
    const most = this.spec.concurrency ?? 8;
    let waited: (() => number) | null = null; // responsive time since no server was up (a blocked event loop counts 300 ms)
    for (;;) {
      const up = this.eps.filter((e) => e.up);
      if (up.length === 0) {
        waited ??= responsiveClock(300);
        if (waited() > (this.spec.waitForServers ?? 30) * 1000) {
          throw new NoServersError(`every rollout server stopped answering (${this.eps.map((e) => `${e.url}: ${e.cause}`).join('; ')})`);
        }
      } else {
        waited = null;
        const free = up.filter((e) => e.load < most * n).sort((a, b) => a.load - b.load);
        if (free.length) {
          free[0]!.load += n;
          free[0]!.requests++;
          return free[0]!;
        }
      }
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 250); // not unref'd: with every server out, this wait is what keeps the process alive
      });
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((r) => r());
  }

  /** Takes a server out and checks its /health every healthInterval seconds; answered, it is synced and taken back. */
  takeOut(ep: Endpoint, cause: string): void {
    if (!ep.up) return;
    ep.up = false;
    ep.cause = cause;
    this.log(`rollout: ${ep.url} taken out: it ${cause}`);
    const check = async () => {
      ep.timer = null;
      if (this.closed) return;
      try {
        const timeout = responsiveTimeout(5000, true);
        const res = await fetch(`${ep.base}/health`, { signal: timeout.signal, headers: this.headers() }).finally(timeout.clear);
        if (res.ok) {
          await this.revive(ep);
          ep.up = true;
          this.log(`rollout: ${ep.url} answers its health check again; taken back at weight version ${ep.version}`);
          this.wake();
          return;
        }
      } catch { /* still down */ }
      if (!this.closed) ep.timer = setTimeout(check, (this.spec.healthInterval ?? 2) * 1000);
      ep.timer?.unref();
    };
    ep.timer = setTimeout(check, (this.spec.healthInterval ?? 2) * 1000);
    ep.timer.unref();
  }

  close(): void {
    this.closed = true;
    for (const e of this.eps) if (e.timer) clearTimeout(e.timer);
  }
}

/** The token id of a vLLM `return_tokens_as_token_ids` token ("token_id:123"), else null. */
function idOfToken(t: unknown): number | null {
  const m = typeof t === 'string' ? /^token_id:(\d+)$/.exec(t) : null;
  return m ? Number(m[1]) : null;
}

/**
 * The choices of a /v1/completions answer with their token ids (`token_ids`, else vLLM's "token_id:N" tokens) and
 * logprobs (`logprobs.token_logprobs`); a missing field is a RolloutProtocolError naming it and the server flag.
 */
export function parseCompletion(url: string, text: string, n: number): { tokens: number[]; logprobs: Float32Array; finishReason: 'stop' | 'length'; weightVersion: number | null }[] {
  let json: { choices?: unknown; weight_version?: unknown };
  try {
    json = JSON.parse(text);
  } catch {
    throw new RolloutProtocolError(`${url} is not OpenAI-compatible: /v1/completions answered ${JSON.stringify(text.slice(0, 80))}, not JSON; start the server's OpenAI API (vllm serve, python -m sglang.launch_server, r1 serve)`);
  }
  if (!json || !Array.isArray(json.choices)) throw new RolloutProtocolError(`${url} is not OpenAI-compatible: its /v1/completions answer has no 'choices' list`);
  const wv = json.weight_version;
  const version = (typeof wv === 'string' || typeof wv === 'number') && /^\d+$/.test(String(wv)) ? Number(wv) : null;
  const choices = [...json.choices as Record<string, unknown>[]].sort((a, b) => Number(a.index ?? 0) - Number(b.index ?? 0));
  if (choices.length !== n) throw new RolloutProtocolError(`${url} returned ${choices.length} choices for n = ${n}; the server must honour 'n'`);
  return choices.map((c) => {
    const lp = c.logprobs as { token_logprobs?: unknown; tokens?: unknown } | null | undefined;
    const logprobs = lp?.token_logprobs;
    if (!Array.isArray(logprobs) || logprobs.some((x) => typeof x !== 'number')) {
      throw new RolloutProtocolError(`${url} returned no per-token logprobs (choices[].logprobs.token_logprobs) for 'logprobs: 0'; vLLM: serve with --logprobs-mode processed_logprobs (--max-logprobs >= 0); SGLang and r1 serve return them when asked`);
    }
    let tokens: number[] | null = Array.isArray(c.token_ids) && c.token_ids.every((t) => Number.isInteger(t)) ? c.token_ids as number[] : null;
    if (!tokens && Array.isArray(lp?.tokens)) {
      const ids = (lp!.tokens as unknown[]).map(idOfToken);
      if (ids.every((x) => x !== null)) tokens = ids as number[];
    }
    if (!tokens) throw new RolloutProtocolError(`${url} returned no token ids (choices[].token_ids for 'return_token_ids: true', or "token_id:N" tokens for 'return_tokens_as_token_ids: true'); vLLM >= 0.10.2 returns them (older: serve with --return-tokens-as-token-ids)`);
    if (tokens.length !== logprobs.length) throw new RolloutProtocolError(`${url} returned ${tokens.length} token ids but ${logprobs.length} logprobs for one choice`);
    const finishReason = c.finish_reason === 'length' ? 'length' : 'stop';
    return { tokens, logprobs: Float32Array.from(logprobs as number[]), finishReason, weightVersion: version };
  });
}
