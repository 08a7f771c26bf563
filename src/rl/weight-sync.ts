// Weight sync over HTTP, no NCCL: the trainer writes each weight version to a folder the servers can read (LoRA: a PEFT
// adapter folder; full: sharded safetensors as r1ts saves a checkpoint) and tells every server to load it (vLLM's
// POST /v1/load_lora_adapter {lora_name, lora_path, load_inplace}, SGLang's /load_lora_adapter and
// /update_weights_from_disk {model_path}). Not the sampling (endpoints.ts). Routes as documented by vLLM and SGLang.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Decoder } from '../model/decoder.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { saveCheckpoint } from '../model/checkpoint.js';
import { saveAdapter } from '../model/lora-io.js';
import { loraOf } from '../model/lora.js';
import { RolloutProtocolError, type Endpoint, type EndpointPool } from './endpoints.js';

export type SyncKind = 'lora' | 'full';

/** The route, body and the flag that enables the route, for one server kind and sync kind. */
export function syncRoute(server: 'vllm' | 'sglang', kind: SyncKind, name: string, path: string, version: number): { route: string; body: Record<string, unknown>; enable: string } {
  if (kind === 'full') {
    return {
      route: '/update_weights_from_disk', body: { model_path: path, weight_version: String(version) },
      enable: server === 'vllm'
        ? 'vLLM has no full-weight reload over HTTP: serve with SGLang (rollout.server "sglang") or r1 serve, or train LoRA (loraR > 0)'
        : 'SGLang serves it by default (python -m sglang.launch_server); check the server version',
    };
  }
  return server === 'vllm'
    ? { route: '/v1/load_lora_adapter', body: { lora_name: name, lora_path: path, load_inplace: true }, enable: 'start vLLM with --enable-lora (and --max-lora-rank >= loraR) and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True' }
    : { route: '/load_lora_adapter', body: { lora_name: name, lora_path: path }, enable: 'start SGLang with --enable-lora (and --max-lora-rank >= loraR, --lora-target-modules)' };
}

export class WeightSync {
  /** The folder of the latest version written, and its number. */
  path: string | null = null;
  version = -1;

  constructor(readonly pool: EndpointPool, readonly kind: SyncKind, readonly dir: string, readonly loraName: string,
    readonly baseModel: string | null) {}

  /** Writes the model's weights (the adapter for LoRA) as `version`, and removes older versions. */
  write(model: Decoder, tokenizer: Tokenizer, version: number): string {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, `v${version}`);
    rmSync(path, { recursive: true, force: true });
    if (this.kind === 'lora') saveAdapter(path, loraOf(model)!, this.baseModel);
    else saveCheckpoint(path, model, tokenizer);
    for (const f of readdirSync(this.dir)) if (f !== `v${version}` && /^v\d+$/.test(f)) rmSync(join(this.dir, f), { recursive: true, force: true });
    this.path = path;
    this.version = version;
    return path;
  }

  /** Tells one server to load the latest version; a refusal is a RolloutProtocolError naming the route and the flag. */
  async push(ep: Endpoint): Promise<void> {
    if (this.path === null) return;
    const server = this.pool.spec.server ?? 'vllm';
    const { route, body, enable } = syncRoute(server, this.kind, this.loraName, this.path, this.version);
    const { status, text } = await this.pool.post(ep, route, body);
    let ok = status === 200;
    if (ok && server === 'sglang') { // SGLang answers 200 with {success: false, message} on some failures
      try {
        ok = (JSON.parse(text) as { success?: boolean }).success !== false;
      } catch { /* a text answer: the status decides */ }
    }
    if (!ok) throw new RolloutProtocolError(`${ep.url} refused POST ${route} (HTTP ${status}: ${text.slice(0, 160).replace(/\s+/g, ' ')}); ${enable}`);
    ep.version = this.version;
    // vLLM samples with the adapter only when asked for it by name; SGLang's OpenAI API takes 'base:adapter'
    if (this.kind === 'lora') this.pool.model = server === 'vllm' ? this.loraName : `${this.pool.baseModelName}:${this.loraName}`;
  }

  /** Writes the version and pushes it to every server that is up (a server that fails meanwhile is taken out). */
  async sync(model: Decoder, tokenizer: Tokenizer, version: number): Promise<void> {
    this.write(model, tokenizer, version);
    await Promise.all(this.pool.eps.filter((e) => e.up).map(async (ep) => {
      try {
        await this.push(ep);
      } catch (e) {
        if (e instanceof RolloutProtocolError) throw e;
        this.pool.takeOut(ep, (e as Error).message); // it gets this version when it comes back
      }
    }));
  }
}
