// `r1 serve`'s weight-update routes, with the bodies and answers of the servers trainers drive: vLLM's
// POST /v1/load_lora_adapter {lora_name, lora_path, load_inplace}, SGLang's POST /load_lora_adapter {lora_name, lora_path}
// and POST /update_weights_from_disk {model_path, weight_version?}, GET /get_weight_version. Not HTTP (server.ts) and
// not the trainer's side (src/rl/weight-sync.ts). One adapter at a time: a loaded adapter serves every request. An update
// waits for the requests queued before it (each completion comes from one version, reported as weight_version).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readWeightsInto } from '../model/checkpoint.js';
import { loadAdapter } from '../model/lora-io.js';
import { loraOf } from '../model/lora.js';
import type { Engine } from './engine.js';

/** A refused update: the HTTP status and the message (the server answers in the route's own format). */
export class WeightUpdateError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export class WeightState {
  /** The served adapter's name (requests may name it as `model`), or null. */
  loraName: string | null = null;
  /** The version of the weights in use: the `weight_version` of the last update (null when it gave none, or before any). */
  get version(): string | null {
    return this.engine.weightVersion;
  }

  constructor(private readonly engine: Engine) {}

  /** Loads the PEFT adapter at path in place of the current one (vLLM needs load_inplace for a name already loaded). */
  async loadLora(b: Record<string, unknown>, vllm: boolean): Promise<void> {
    const name = b.lora_name, path = b.lora_path;
    if (typeof name !== 'string' || !name) throw new WeightUpdateError(400, "'lora_name' must be a non-empty string");
    if (typeof path !== 'string' || !path) throw new WeightUpdateError(400, "'lora_path' must be the folder of a PEFT adapter");
    if (vllm && name === this.loraName && b.load_inplace !== true) {
      throw new WeightUpdateError(400, `The lora adapter '${name}' has already been loaded. If you want to load the adapter in place, set 'load_inplace' to True.`);
    }
    if (!existsSync(join(path, 'adapter_config.json'))) throw new WeightUpdateError(400, `${path} has no adapter_config.json; lora_path must be a PEFT adapter folder`);
    const model = this.engine.model;
    const old = loraOf(model);
    await this.engine.replaceWeights(() => {
      old?.detach();
      try {
        loadAdapter(path, model);
      } catch (e) {
        model.adapter = old ?? null; // checked before any tensor is read: the old adapter serves on
        throw new WeightUpdateError(400, (e as Error).message);
      }
    }, versionOf(b));
    this.loraName = name;
  }

  /** Reads the full weights at model_path (sharded safetensors) into the served model in place. */
  async updateFromDisk(b: Record<string, unknown>): Promise<void> {
    const path = b.model_path;
    if (typeof path !== 'string' || !path) throw new WeightUpdateError(400, "'model_path' must be a checkpoint folder");
    await this.engine.replaceWeights(() => {
      try {
        readWeightsInto(path, this.engine.model);
      } catch (e) {
        throw new WeightUpdateError(400, (e as Error).message);
      }
    }, versionOf(b));
  }
}

function versionOf(b: Record<string, unknown>): string | null {
  const v = b.weight_version;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}
