// A reward model: the decoder with a scalar head (`score.weight`, (1, C), HF's LlamaForSequenceClassification
// naming) read at the last token of prompt + reply + EOS; the Bradley–Terry loss −log σ(r_chosen − r_rejected) with
// a hand-written backward; HF-layout save/load; scoreWithRewardModel. Not the training loop (rm-train.ts).
// DeepSeek-R1 §2.3.4 (helpfulness on the summary, harmlessness on the whole reply); Ouyang et al. 2022 eq. 1.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor, noGrad, randn, type MatmulPrecision } from '../tensor/index.js';
import { accumulateGrad, gradBuffer, result } from '../tensor/tensor.js';
import { Rng } from '../util/rng.js';
import { Decoder } from '../model/decoder.js';
import { type Architecture, type ModelConfig, configToJSON, makeConfig } from '../model/config.js';
import { loadCheckpoint } from '../model/checkpoint.js';
import { type Tokenizer, loadTokenizer } from '../model/tokenizer.js';
import { openSafetensors, readTensorInto, writeSafetensors } from '../model/safetensors.js';

/** Which part of a reply the reward model reads: the summary after `</think>` (helpfulness) or all of it (harmlessness). */
export type ReplyView = 'summary' | 'whole';
export const REPLY_VIEWS: readonly ReplyView[] = ['summary', 'whole'];

const THINK_CLOSE = '</think>';

/** The text a reward model reads of a reply: the summary is what follows the last `</think>` (leading blank lines dropped; '' when there is none). */
export function replyView(reply: string, view: ReplyView): string {
  if (view === 'whole') return reply;
  const at = reply.lastIndexOf(THINK_CLOSE);
  return at < 0 ? '' : reply.slice(at + THINK_CLOSE.length).replace(/^\s+/, '');
}

/** Causal-LM class → its sequence-classification class (the HF names the folder's config.json carries). */
const SEQ_CLS: Record<Architecture, string> = {
  LlamaForCausalLM: 'LlamaForSequenceClassification',
  Qwen2ForCausalLM: 'Qwen2ForSequenceClassification',
  Qwen3ForCausalLM: 'Qwen3ForSequenceClassification',
  MistralForCausalLM: 'MistralForSequenceClassification',
};
const CAUSAL_OF: Record<string, Architecture> = Object.fromEntries(Object.entries(SEQ_CLS).map(([k, v]) => [v, k as Architecture]));

export class RewardModel {
  /** @param score (1, C): the scalar head. */
  constructor(readonly decoder: Decoder, readonly score: Tensor, readonly tokenizer: Tokenizer, readonly view: ReplyView) {
    const C = decoder.config.hidden_size;
    if (score.shape.length !== 2 || score.shape[0] !== 1 || score.shape[1] !== C) {
      throw new Error(`RewardModel: score.weight has shape [${score.shape}], expected [1, ${C}]`);
    }
  }

  /** A fresh head on a policy checkpoint's decoder (its lm_head is dropped); the head starts at N(0, 0.02²) like HF's. */
  static async fromPolicy(dir: string, view: ReplyView, seed = 1, precision: MatmulPrecision = 'fp32'): Promise<RewardModel> {
    const { model, tokenizer } = await loadCheckpoint(dir, precision);
    const score = randn([1, model.config.hidden_size], new Rng(seed), 0.02, { requiresGrad: true });
    return new RewardModel(model, score, tokenizer, view);
  }

  /** Parameters under HF names: the decoder's `model.*` (no lm_head: the head is `score.weight`). */
  namedParameters(): [string, Tensor][] {
    const out = this.decoder.namedParameters().filter(([name]) => name.startsWith('model.'));
    out.push(['score.weight', this.score]);
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** ids (B*T), right-padded, and each row's length → scores (B) read at each row's last token. */
  forward(ids: Int32Array, B: number, T: number, lengths: readonly number[]): Tensor {
    const h = this.decoder.hidden(ids, B, T); // (B, T, C)
    return lastTokenScores(h, this.score, lengths); // (B)
  }

  /** Token ids of prompt + view(reply) + EOS, keeping the last maxLength tokens (the score reads the end); promptLen: the prompt tokens kept. */
  encode(prompt: string, reply: string, maxLength = this.decoder.config.max_position_embeddings): { ids: number[]; promptLen: number; truncated: boolean } {
    const p = this.tokenizer.encode(prompt);
    const ids = [...p, ...this.tokenizer.encode(replyView(reply, this.view))];
    if (this.tokenizer.eosId !== null) ids.push(this.tokenizer.eosId);
    if (ids.length === 0) throw new Error('RewardModel.encode: empty prompt and reply with no EOS token; give a prompt');
    const cut = Math.max(0, ids.length - maxLength);
    return { ids: cut ? ids.slice(cut) : ids, promptLen: Math.max(0, p.length - cut), truncated: cut > 0 };
  }
}

/** r_b = h[b, len_b − 1, :] · w: the score head at each row's last real token. h (B, T, C), w (1, C) → (B). */
export function lastTokenScores(h: Tensor, w: Tensor, lengths: readonly number[]): Tensor {
  const [B, T, C] = h.shape as [number, number, number];
  if (h.shape.length !== 3 || lengths.length !== B) throw new Error(`lastTokenScores: hidden [${h.shape}] and ${lengths.length} lengths do not match (B, T, C) and B`);
  for (const L of lengths) if (!(Number.isInteger(L) && L >= 1 && L <= T)) throw new Error(`lastTokenScores: length ${L} is outside [1, ${T}]`);
  const hd = h.data, wd = w.data;
  const out = new Float32Array(B);
  for (let b = 0; b < B; b++) {
    const o = (b * T + lengths[b]! - 1) * C;
    let s = 0;
    for (let c = 0; c < C; c++) s += hd[o + c]! * wd[c]!;
    out[b] = s;
  }
  return result('lastTokenScores', out, [B], [h, w], (g) => {
    if (h.requiresGrad) {
      const dh = gradBuffer(hd.length, true); // (B, T, C), zero except at the read positions
      for (let b = 0; b < B; b++) {
        const o = (b * T + lengths[b]! - 1) * C;
        for (let c = 0; c < C; c++) dh[o + c] = g[b]! * wd[c]!;
      }
      accumulateGrad(h, dh, true);
    }
    if (w.requiresGrad) {
      const dw = gradBuffer(C, true); // (1, C)
      for (let b = 0; b < B; b++) {
        const o = (b * T + lengths[b]! - 1) * C;
        for (let c = 0; c < C; c++) dw[c] += g[b]! * hd[o + c]!;
      }
      accumulateGrad(w, dw, true);
    }
  });
}

/** x[start .. start + n) of a 1-D tensor, with its gradient scattered back (a batch's chosen or rejected scores). */
export function sliceScores(x: Tensor, start: number, n: number): Tensor {
  if (x.shape.length !== 1 || start < 0 || start + n > x.size) throw new Error(`sliceScores: [${start}, ${start + n}) is outside a tensor of shape [${x.shape}]`);
  return result('sliceScores', x.data.slice(start, start + n), [n], [x], (g) => {
    const dx = gradBuffer(x.size, true);
    dx.set(g, start);
    accumulateGrad(x, dx, true);
  });
}

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/**
 * Bradley–Terry loss over N pairs: mean_i −log σ(r_chosen_i − r_rejected_i) = mean_i softplus(−(r_c − r_r)).
 * rChosen, rRejected (N) → scalar; d/dr_c = −σ(−d)/N, d/dr_r = +σ(−d)/N with d = r_c − r_r.
 */
export function bradleyTerryLoss(rChosen: Tensor, rRejected: Tensor): Tensor {
  const N = rChosen.size;
  if (N === 0 || rRejected.size !== N) throw new Error(`bradleyTerryLoss: ${N} chosen and ${rRejected.size} rejected scores; give one of each per pair`);
  const c = rChosen.data, r = rRejected.data;
  let loss = 0;
  for (let i = 0; i < N; i++) loss += softplus(-(c[i]! - r[i]!));
  return result('bradleyTerryLoss', Float32Array.of(loss / N), [], [rChosen, rRejected], (g) => {
    const dc = gradBuffer(N, true), dr = gradBuffer(N, true);
    for (let i = 0; i < N; i++) {
      const s = 1 / (1 + Math.exp(c[i]! - r[i]!)); // σ(−d)
      dc[i] = (-g[0]! * s) / N;
      dr[i] = (g[0]! * s) / N;
    }
    accumulateGrad(rChosen, dc, true);
    accumulateGrad(rRejected, dr, true);
  });
}

/** Right-pads sequences into one (B, T) batch; returns ids and lengths. */
export function padRows(seqs: readonly number[][], padId: number): { ids: Int32Array; B: number; T: number; lengths: number[] } {
  const B = seqs.length;
  const T = Math.max(1, ...seqs.map((s) => s.length));
  const ids = new Int32Array(B * T).fill(padId); // (B, T)
  seqs.forEach((s, b) => ids.set(s, b * T));
  return { ids, B, T, lengths: seqs.map((s) => s.length) };
}

/** The reward model's score of each (prompt, reply), no gradients, in batches of rows of similar length. */
export function scoreWithRewardModel(rm: RewardModel, prompts: readonly string[], completions: readonly string[], opts: { batchSize?: number } = {}): number[] {
  if (prompts.length !== completions.length) throw new Error(`scoreWithRewardModel: ${prompts.length} prompts for ${completions.length} completions; give one prompt per completion`);
  const seqs = completions.map((c, i) => rm.encode(prompts[i]!, c).ids);
  const order = seqs.map((_, i) => i).sort((a, b) => seqs[a]!.length - seqs[b]!.length);
  const bs = opts.batchSize ?? 32;
  const padId = rm.tokenizer.padId ?? rm.tokenizer.eosId ?? 0;
  const out = new Array<number>(seqs.length);
  noGrad(() => {
    for (let s = 0; s < order.length; s += bs) {
      const rows = order.slice(s, s + bs);
      const b = padRows(rows.map((i) => seqs[i]!), padId);
      const r = rm.forward(b.ids, b.B, b.T, b.lengths); // (B)
      rows.forEach((i, j) => { out[i] = r.data[j]!; });
    }
  });
  return out;
}

/** What a reward-model folder's config.json adds to the decoder's: the HF classification fields and the reply view. */
function rmConfigJSON(rm: RewardModel): Record<string, unknown> {
  const c = rm.decoder.config;
  return {
    ...configToJSON(c), architectures: [SEQ_CLS[c.architectures[0]!]], num_labels: 1,
    id2label: { 0: 'LABEL_0' }, label2id: { LABEL_0: 0 }, pad_token_id: rm.tokenizer.padId ?? rm.tokenizer.eosId ?? undefined,
    problem_type: 'regression', reply_view: rm.view,
  };
}

/** Writes an HF-layout folder: config.json, model.safetensors (model.* + score.weight), tokenizer files, plus extra JSON files. */
export function saveRewardModel(dir: string, rm: RewardModel, extra: Record<string, unknown> = {}): void {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, `${name}.tmp`), text);
    renameSync(join(dir, `${name}.tmp`), join(dir, name));
  };
  const json = (name: string, v: unknown) => write(name, JSON.stringify(v, null, 2) + '\n');
  json('config.json', rmConfigJSON(rm));
  json('tokenizer.json', rm.tokenizer.toJSON());
  json('tokenizer_config.json', rm.tokenizer.tokenizerConfig());
  writeSafetensors(join(dir, 'model.safetensors'), rm.namedParameters().map(([name, t]) => ({ name, data: t.data, shape: t.shape })));
  for (const [name, v] of Object.entries(extra)) json(name, v);
}

/** Loads what saveRewardModel (or transformers' LlamaForSequenceClassification with num_labels 1) wrote; every tensor is checked first. */
export async function loadRewardModel(dir: string, precision: MatmulPrecision = 'fp32'): Promise<RewardModel> {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new Error(`reward model: ${path} does not exist; point at a folder written by r1 train-rm`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`reward model: ${path} is not valid JSON (${(err as Error).message}); fix it or retrain with r1 train-rm`);
  }
  const arch = Array.isArray(raw['architectures']) ? String(raw['architectures'][0]) : '';
  const causal = CAUSAL_OF[arch];
  if (!causal) throw new Error(`reward model: ${path}: architecture '${arch}' is not a reward model; use a folder written by r1 train-rm (${Object.values(SEQ_CLS).join(' or ')})`);
  const labels = raw['num_labels'] ?? (raw['id2label'] ? Object.keys(raw['id2label'] as object).length : 1);
  if (labels !== 1) throw new Error(`reward model: ${path}: num_labels is ${JSON.stringify(labels)}; a reward model has one scalar output (num_labels 1)`);
  const view = (raw['reply_view'] ?? 'whole') as ReplyView;
  if (!REPLY_VIEWS.includes(view)) throw new Error(`reward model: ${path}: reply_view '${String(view)}' is not one of ${REPLY_VIEWS.join(', ')}`);
  const td = raw['torch_dtype'] ?? raw['dtype'];
  let config: ModelConfig;
  try {
    config = makeConfig({ ...raw, architectures: [causal], torch_dtype: td === 'bfloat16' || td === 'float16' ? td : 'float32' } as Partial<ModelConfig> & Record<string, unknown>);
  } catch (err) {
    throw new Error(`reward model: ${path}: ${(err as Error).message}`);
  }
  const tokenizer = await loadTokenizer(dir);
  const decoder = new Decoder(config, null);
  decoder.precision = precision;
  const rm = new RewardModel(decoder, new Tensor(new Float32Array(config.hidden_size), [1, config.hidden_size], true), tokenizer, view);
  const infos = openSafetensors(dir);
  const params = new Map(rm.namedParameters());
  for (const [name, info] of infos) {
    const p = params.get(name);
    if (!p) throw new Error(`reward model: ${info.file}: unexpected tensor '${name}'; check config.json matches the weights`);
    if (info.shape.length !== p.shape.length || info.shape.some((d, i) => d !== p.shape[i])) {
      throw new Error(`reward model: ${info.file}: tensor '${name}' has shape ${JSON.stringify(info.shape)} but config.json implies ${JSON.stringify(p.shape)}`);
    }
  }
  for (const name of params.keys()) if (!infos.has(name)) throw new Error(`reward model: tensor '${name}' is missing from ${dir}; retrain with r1 train-rm`);
  for (const [name, p] of params) readTensorInto(infos.get(name)!, p.data);
  return rm;
}
