// The `rollout` option of a GRPO run and its remote backend: 'local' (sampling in the trainer's process, as always) or
// servers ({endpoints, modelName, ...}); EndpointRollout checks the servers before the first step (OpenAI API, token ids,
// logprobs, the weight route), samples a step (one seed per prompt, so a step equals in-process sampling with those
// seeds: seededCompletions) and syncs weights. Not the HTTP details (endpoints.ts) nor the files (weight-sync.ts).
import type { Decoder } from '../model/decoder.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { generate } from '../generate/index.js';
import { Rng } from '../util/rng.js';
import { ConfigError } from '../run/spec.js';
import type { Completion } from '../eval/runner.js';
import { EndpointPool, RolloutProtocolError, parseCompletion, type EndpointsSpec } from './endpoints.js';
import { WeightSync, type SyncKind } from './weight-sync.js';

export type RolloutSpec = 'local' | EndpointsSpec;

const SPEC_KEYS = ['endpoints', 'modelName', 'apiKeyEnv', 'server', 'timeout', 'retries', 'concurrency', 'syncDir', 'loraName', 'healthInterval', 'waitForServers'];

/** `--rollout local`, `--rollout URL,URL` or `--rollout '{"endpoints": [...], ...}'`. */
export function parseRollout(text: string): RolloutSpec {
  const t = text.trim();
  if (t === 'local') return 'local';
  if (t.startsWith('{')) {
    try {
      return JSON.parse(t) as EndpointsSpec;
    } catch (e) {
      throw new ConfigError(`rollout: ${JSON.stringify(t.slice(0, 60))} is not valid JSON (${(e as Error).message}); give 'local', URL,URL or a JSON object`);
    }
  }
  return { endpoints: t.split(',').map((s) => s.trim()).filter(Boolean) };
}

/** Why a rollout option is malformed, or null. */
export function rolloutProblem(r: RolloutSpec): string | null {
  if (r === 'local') return null;
  if (!r || typeof r !== 'object' || Array.isArray(r)) return `rollout must be 'local' or {endpoints: [URL, ...], modelName?, apiKeyEnv?, ...}, got ${JSON.stringify(r)}`;
  const extra = Object.keys(r).filter((k) => !SPEC_KEYS.includes(k));
  if (extra.length) return `rollout: unknown field(s) ${extra.join(', ')}; it takes ${SPEC_KEYS.join(', ')}`;
  if (!Array.isArray(r.endpoints) || r.endpoints.length === 0) return 'rollout.endpoints must be a non-empty list of server URLs, e.g. ["http://127.0.0.1:8000/v1"]';
  for (const u of r.endpoints) if (typeof u !== 'string' || !/^https?:\/\/[^/\s]+/.test(u)) return `rollout.endpoints: ${JSON.stringify(u)} is not an http(s) URL`;
  if (new Set(r.endpoints).size !== r.endpoints.length) return 'rollout.endpoints lists a server twice';
  if (r.server !== undefined && r.server !== 'vllm' && r.server !== 'sglang') return `rollout.server must be 'vllm' (vLLM, r1 serve) or 'sglang', got ${JSON.stringify(r.server)}`;
  for (const k of ['timeout', 'healthInterval', 'waitForServers'] as const) if (r[k] !== undefined && !(typeof r[k] === 'number' && r[k]! > 0)) return `rollout.${k} must be seconds > 0`;
  for (const k of ['retries', 'concurrency'] as const) if (r[k] !== undefined && !(Number.isInteger(r[k]) && r[k]! >= (k === 'retries' ? 0 : 1))) return `rollout.${k} must be an integer >= ${k === 'retries' ? 0 : 1}`;
  for (const k of ['modelName', 'apiKeyEnv', 'syncDir', 'loraName'] as const) if (r[k] !== undefined && (typeof r[k] !== 'string' || !r[k])) return `rollout.${k} must be a non-empty string`;
  return null;
}

export interface StepSampling {
  maxTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  stop: string[];
}

/** A completion sampled by a server: the sampler's logprobs, and the weight version and server it came from. */
export interface RemoteCompletion extends Completion {
  weightVersion: number;
  endpoint: string;
}

/**
 * In-process sampling with the seeds a remote step uses: prompt i's n choices come from forks of Rng(seeds[i]), as
 * `r1 serve` seeds a request (the reference the endpoints are tested against).
 */
export function seededCompletions(model: Decoder, tokenizer: Tokenizer, prompts: number[][], n: number, seeds: number[], o: StepSampling): Completion[] {
  const eosIds = tokenizer.eosId === null ? [] : [tokenizer.eosId];
  return prompts.flatMap((p, i) => generate(model, Array.from({ length: n }, () => p), {
    maxNewTokens: o.maxTokens, temperature: o.temperature, topP: o.topP, topK: o.topK || undefined, rng: new Rng(seeds[i]!),
    eosIds, stopStrings: o.stop, tokenizer,
  }).map((r) => ({ promptIndex: i, tokens: r.tokens, text: textOf(tokenizer, r.tokens, eosIds), logprobs: r.logprobs, finishReason: r.finishReason })));
}

function textOf(tokenizer: Tokenizer, tokens: number[], eosIds: number[]): string {
  const last = tokens[tokens.length - 1];
  return tokenizer.decode(last !== undefined && eosIds.includes(last) ? tokens.slice(0, -1) : tokens); // EOS is not text
}

export class EndpointRollout {
  private constructor(readonly pool: EndpointPool, readonly weights: WeightSync, private readonly tokenizer: Tokenizer) {}

  /**
   * Checks every server (GET /v1/models, a one-token completion with token ids and logprobs) and pushes the trainer's
   * weights as `version`: a server that fails a check is a RolloutProtocolError (one line, exit 2) before the first step.
   */
  static async open(spec: EndpointsSpec, o: { kind: SyncKind; syncDir: string; baseModel: string | null; model: Decoder; tokenizer: Tokenizer;
    version: number; probePrompt: number[]; log: (line: string) => void }): Promise<EndpointRollout> {
    const pool = new EndpointPool(spec, o.log);
    const weights = new WeightSync(pool, o.kind, spec.syncDir ?? o.syncDir, spec.loraName ?? 'r1-policy', o.baseModel);
    pool.revive = (ep) => weights.push(ep);
    for (const ep of pool.eps) {
      const names = await servedModels(ep.base, pool.headers());
      if (!pool.model) pool.model = pool.baseModelName = names[0] ?? '';
      if (!names.includes(pool.baseModelName)) throw new RolloutProtocolError(`${ep.url} serves ${JSON.stringify(names)}, not '${pool.baseModelName}'; set rollout.modelName to the served name`);
      const { status, text } = await pool.post(ep, '/v1/completions', {
        model: pool.model, prompt: o.probePrompt, n: 1, max_tokens: 1, temperature: 1, seed: 0, logprobs: 0, return_token_ids: true, return_tokens_as_token_ids: true,
      }).catch((e: Error) => { throw new RolloutProtocolError(`${ep.url}/v1/completions ${e.message}; check rollout.endpoints and that the server is up`); });
      if (status !== 200) throw new RolloutProtocolError(`${ep.url} is not OpenAI-compatible for rollouts: POST /v1/completions answered HTTP ${status} (${text.slice(0, 160).replace(/\s+/g, ' ')})`);
      parseCompletion(ep.url, text, 1);
    }
    const r = new EndpointRollout(pool, weights, o.tokenizer);
    weights.write(o.model, o.tokenizer, o.version);
    for (const ep of pool.eps) {
      await weights.push(ep).catch((e: Error) => {
        throw e instanceof RolloutProtocolError ? e : new RolloutProtocolError(`${ep.url}: the weight update ${e.message}`);
      });
    }
    o.log(`rollout: ${pool.eps.length} server(s) (${pool.eps.map((e) => e.url).join(', ')}) serve '${pool.model}' with the trainer's weights (version ${o.version}, ${o.kind} sync)`);
    return r;
  }

  /** n completions of every prompt (prompt i's are rows i*n .. i*n+n-1), one seeded request per prompt. */
  async sample(prompts: number[][], n: number, seeds: number[], o: StepSampling): Promise<RemoteCompletion[]> {
    const eosIds = this.tokenizer.eosId === null ? [] : [this.tokenizer.eosId];
    const per = await Promise.all(prompts.map((prompt, index) => this.pool.sample({ index, prompt, n, seed: seeds[index]!, ...o })));
    return per.flatMap((cs, i) => cs.map((c) => ({
      promptIndex: i, tokens: c.tokens, text: textOf(this.tokenizer, c.tokens, eosIds), logprobs: c.logprobs, finishReason: c.finishReason,
      weightVersion: c.weightVersion, endpoint: c.endpoint,
    })));
  }

  /** Writes and pushes the weights as `version`. */
  sync(model: Decoder, tokenizer: Tokenizer, version: number): Promise<void> {
    return this.weights.sync(model, tokenizer, version);
  }

  /** Requests moved off a failed server since the last call. */
  takeMoved(): number {
    const m = this.pool.moved;
    this.pool.moved = 0;
    return m;
  }

  close(): void {
    this.pool.close();
  }
}

/** GET /v1/models's names, or a RolloutProtocolError: unreachable, or not an OpenAI model list. */
async function servedModels(base: string, headers: Record<string, string>): Promise<string[]> {
  const url = `${base}/v1/models`;
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    throw new RolloutProtocolError(`${url} cannot be reached (${err.cause?.code ?? err.message}); check rollout.endpoints and that the server is running`);
  }
  const json = (await res.json().catch(() => null)) as { data?: { id?: unknown }[] } | null;
  if (!res.ok || !json || !Array.isArray(json.data)) {
    throw new RolloutProtocolError(`${url} is not OpenAI-compatible (HTTP ${res.status}, no 'data' list of models); start the server's OpenAI API (vllm serve, python -m sglang.launch_server, r1 serve)`);
  }
  return json.data.map((m) => String(m.id));
}
