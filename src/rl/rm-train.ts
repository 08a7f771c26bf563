// Training a reward model on preference pairs `{prompt, chosen, rejected, kind?}`: reading and checking the pair file
// (file:line errors naming the fix), batches of pairs (chosen and rejected rows in one forward), AdamW with a cosine
// schedule, epochs, held-out pairwise accuracy each epoch, metrics.jsonl. Not the model or loss (rm.ts). TRL's RewardTrainer.
import { Rng } from '../util/rng.js';
import { add, lmHeadCrossEntropy, mul, noGrad, tidy, type Tensor } from '../tensor/index.js';
import { AdamW, clipGradNorm, lrAt } from '../optim/index.js';
import { attachLora, type LoraTrainOptions } from '../model/lora.js';
import { JsonlError, readJsonl } from '../data/jsonl.js';
import { UsageError, resolve } from '../run/spec.js';
import { RM_TRAINER_SPEC, type RmTrainerConfig } from './rm-config.js';
import { runContext, type RunContext } from '../run/context.js';
import { metricsFor, type MetricsLine } from '../run/metrics.js';
import { RewardModel, bradleyTerryLoss, lastTokenScores, padRows, saveRewardModel, sliceScores, softplus } from './rm.js';

/** One preference: the same prompt answered twice, the first reply preferred. */
export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
  /** What the pair is about (e.g. 'helpful', 'harmless'); free text, reported per kind. */
  kind?: string;
}

/** A malformed pair line: `file:line: what is wrong; the fix`. */
export class PairError extends UsageError {}

/** What is wrong with one parsed line, or null when it is a valid pair. */
export function pairProblem(v: Record<string, unknown>): string | null {
  for (const k of ['prompt', 'chosen', 'rejected'] as const) {
    if (!(k in v)) return `missing "${k}"; give every line "prompt", "chosen" and "rejected" strings (and optionally "kind")`;
    if (typeof v[k] !== 'string') return `"${k}" must be a string, got ${JSON.stringify(v[k])?.slice(0, 40)}; write the text as a JSON string`;
  }
  if (v['prompt'] === '') return 'empty "prompt"; give the request both replies answer';
  if (v['chosen'] === v['rejected']) return '"chosen" and "rejected" are the same text, so the pair prefers nothing; drop the line';
  if ('kind' in v && typeof v['kind'] !== 'string') return `"kind" must be a string, got ${JSON.stringify(v['kind'])?.slice(0, 40)}; drop it or quote it`;
  return null;
}

/** Reads a pair file; the first malformed line throws PairError naming file:line and the fix. */
export async function readPairs(file: string): Promise<PreferencePair[]> {
  const out: PreferencePair[] = [];
  try {
    for await (const { value, line } of readJsonl<Record<string, unknown>>(file, { onError: 'fail' })) {
      const problem = pairProblem(value);
      if (problem) throw new PairError(`${file}:${line}: ${problem}`);
      const { prompt, chosen, rejected, kind } = value as unknown as PreferencePair;
      out.push({ prompt, chosen, rejected, ...(kind !== undefined ? { kind } : {}) });
    }
  } catch (err) {
    if (err instanceof PairError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new PairError(`${file}: no such file; check --data / --eval-data`);
    if (err instanceof JsonlError) throw new PairError(e.message.replace(/; fix the line or read with onError: 'skip'$/, '; fix the JSON on that line'));
    throw err;
  }
  if (out.length === 0) throw new PairError(`${file}: no pairs; write one {"prompt", "chosen", "rejected"} object a line`);
  return out;
}

/** Splits pairs by prompt (no prompt on both sides): about `fraction` of the prompts are held out, chosen with the seed. */
export function splitByPrompt(pairs: readonly PreferencePair[], fraction: number, seed: number): { train: PreferencePair[]; heldOut: PreferencePair[] } {
  const prompts = new Rng(seed).shuffle([...new Set(pairs.map((p) => p.prompt))]);
  const held = new Set(prompts.slice(0, Math.round(prompts.length * fraction)));
  return { train: pairs.filter((p) => !held.has(p.prompt)), heldOut: pairs.filter((p) => held.has(p.prompt)) };
}

/** Pairs to train on, and held-out pairs for the per-epoch pairwise accuracy (may be empty). */
export interface RmPairs {
  train: readonly PreferencePair[];
  heldOut: readonly PreferencePair[];
}

/**
 * What trainRewardModel takes: RM_TRAINER_SPEC's fields (src/rl/rm-config.ts; out, the run folder, required), the rest
 * at their defaults (the LoRA modules may also be PEFT's 'all-linear' string). LoRA (loraR > 0) trains an adapter on
 * the frozen trunk plus the score head; the saved reward model has the adapter merged. lmWeight > 0 keeps the policy's
 * lm_head and adds a next-token loss on the chosen replies (GRM: Yang et al. 2024); the lm_head is trained, not saved.
 */
export type RmTrainOptions = Partial<Omit<RmTrainerConfig, 'loraTargetModules'>> & Pick<RmTrainerConfig, 'out'> & Partial<Pick<LoraTrainOptions, 'loraTargetModules'>>;

export interface PairwiseEval {
  /** Share of pairs whose chosen reply scores strictly higher. */
  accuracy: number;
  loss: number;
  /** Mean r_chosen − r_rejected. */
  margin: number;
  pairs: number;
  /** Accuracy per pair kind (pairs without a kind count as ''). */
  by_kind: Record<string, number>;
}

export interface RmTrainResult {
  dir: string;
  steps: number;
  epochs: number;
  pairs: number;
  /** Pairs dropped because chosen and rejected read the same under the model's view (e.g. differing only in reasoning for 'summary'). */
  dropped_same_view: number;
  truncated: number;
  seconds: number;
  train_accuracy: number;
  /** Held-out numbers after each epoch (empty without held-out pairs); the last is the final model's. */
  held_out: PairwiseEval[];
  stopped: boolean;
}

interface EncodedPair { chosen: number[]; rejected: number[]; kind: string; /** Prompt tokens at the start of chosen. */ promptLen: number }

function encodePairs(rm: RewardModel, pairs: readonly PreferencePair[], maxLength: number): { enc: EncodedPair[]; dropped: number; truncated: number } {
  let dropped = 0, truncated = 0;
  const enc: EncodedPair[] = [];
  for (const p of pairs) {
    const c = rm.encode(p.prompt, p.chosen, maxLength), r = rm.encode(p.prompt, p.rejected, maxLength);
    if (c.ids.length === r.ids.length && c.ids.every((x, i) => x === r.ids[i])) { dropped++; continue; }
    truncated += Number(c.truncated) + Number(r.truncated);
    enc.push({ chosen: c.ids, rejected: r.ids, kind: p.kind ?? '', promptLen: c.promptLen });
  }
  return { enc, dropped, truncated };
}

/** Batches of pairs of similar length (sorted by the longer reply), in shuffled order. */
function pairBatches(enc: readonly EncodedPair[], size: number, rng: Rng): EncodedPair[][] {
  const len = (p: EncodedPair) => Math.max(p.chosen.length, p.rejected.length);
  const order = rng.shuffle(enc.map((_, i) => i)).sort((a, b) => len(enc[a]!) - len(enc[b]!));
  const batches: EncodedPair[][] = [];
  for (let s = 0; s < order.length; s += size) batches.push(order.slice(s, s + size).map((i) => enc[i]!));
  return rng.shuffle(batches);
}

/** Scores of a batch of pairs: the chosen rows then the rejected rows in one forward → (2N). */
function pairScores(rm: RewardModel, batch: readonly EncodedPair[], padId: number) {
  const b = padRows([...batch.map((p) => p.chosen), ...batch.map((p) => p.rejected)], padId);
  return rm.forward(b.ids, b.B, b.T, b.lengths); // (2N)
}

/** The training loss of a batch: Bradley–Terry over its pairs, plus lmWeight × next-token loss on the chosen replies; with the (2N) scores. */
function pairLoss(rm: RewardModel, batch: readonly EncodedPair[], padId: number, lmWeight: number) {
  const N = batch.length;
  const b = padRows([...batch.map((p) => p.chosen), ...batch.map((p) => p.rejected)], padId);
  const h = rm.decoder.hidden(b.ids, b.B, b.T); // (2N, T, C)
  const r = lastTokenScores(h, rm.score, b.lengths); // (2N)
  const bt = bradleyTerryLoss(sliceScores(r, 0, N), sliceScores(r, N, N));
  if (lmWeight === 0) return { loss: bt, bt, lm: null, scores: r };
  const targets = new Int32Array(b.B * b.T).fill(-100); // (2N, T): the chosen rows' reply tokens (and EOS) only
  batch.forEach((p, i) => {
    for (let t = Math.max(0, p.promptLen - 1); t < p.chosen.length - 1; t++) targets[i * b.T + t] = p.chosen[t + 1]!;
  });
  const lm = lmHeadCrossEntropy(h, rm.decoder.outputWeight(), targets, -100, { precision: rm.decoder.precision }); // mean over targets, lm_head in row chunks
  return { loss: add(bt, mul(lm, lmWeight)), bt, lm, scores: r };
}

function evalPairs(rm: RewardModel, enc: readonly EncodedPair[], padId: number): PairwiseEval {
  let right = 0, loss = 0, margin = 0;
  const kinds: Record<string, [number, number]> = {};
  noGrad(() => {
    for (const batch of pairBatches(enc, 32, new Rng(0))) {
      const r = pairScores(rm, batch, padId).data; // (2N)
      batch.forEach((p, i) => {
        const d = r[i]! - r[batch.length + i]!;
        const k = (kinds[p.kind] ??= [0, 0]);
        k[1]++;
        if (d > 0) { right++; k[0]++; }
        loss += softplus(-d);
        margin += d;
      });
    }
  });
  const n = Math.max(1, enc.length);
  return {
    accuracy: right / n, loss: loss / n, margin: margin / n, pairs: enc.length,
    by_kind: Object.fromEntries(Object.entries(kinds).map(([k, [a, t]]) => [k, a / t])),
  };
}

/**
 * Trains the reward model in place on preference pairs and saves it to opts.out. The run context gives the stop
 * signal, log lines, progress (phase 'train-rm', after each step) and the metrics writer; the model runs in the
 * precision it was built with (RewardModel.fromPolicy with the context's precision, resolved).
 */
export async function trainRewardModel(rm: RewardModel, pairs: RmPairs, options: RmTrainOptions, ctx: RunContext = runContext()): Promise<RmTrainResult> {
  const opts = resolve(RM_TRAINER_SPEC, [options]);
  const log = ctx.log;
  const seed = opts.seed;
  const rng = new Rng(seed);
  const maxLength = Math.min(opts.maxLength || rm.decoder.config.max_position_embeddings, rm.decoder.config.max_position_embeddings);
  const padId = rm.tokenizer.padId ?? rm.tokenizer.eosId ?? 0;
  const train = encodePairs(rm, pairs.train, maxLength);
  const held = encodePairs(rm, pairs.heldOut, maxLength);
  if (train.enc.length === 0) throw new PairError(`no training pairs left: all ${pairs.train.length} read the same under the '${rm.view}' view; check the pairs differ where the model looks`);
  const epochs = opts.numTrainEpochs, batchSize = opts.batchSize, peak = opts.learningRate;
  const stepsPerEpoch = Math.ceil(train.enc.length / batchSize);
  const totalSteps = stepsPerEpoch * epochs;
  const lmWeight = opts.lmWeight;
  rm.decoder.gradientCheckpointing = opts.gradientCheckpointing;
  const lora = attachLora(rm.decoder, opts, seed + 4243);
  const named: [string, Tensor][] = lora ? [...lora.namedParameters(), ['score.weight', rm.score]] : rm.namedParameters(); // LoRA: adapter + head
  if (lmWeight > 0 && rm.decoder.lmHead && !lora) named.push(['lm_head.weight', rm.decoder.lmHead]); // trained for the auxiliary loss, not saved
  const params = named.map(([, t]) => t);
  const betas: [number, number] = [0.9, 0.95];
  const decayed = new AdamW(named.filter(([, t]) => t.shape.length >= 2).map(([, t]) => t), { lr: 0, betas, weightDecay: opts.weightDecay });
  const plain = new AdamW(named.filter(([, t]) => t.shape.length < 2).map(([, t]) => t), { lr: 0, betas, weightDecay: 0 });
  const metrics = metricsFor(ctx.metrics, opts.out);
  log(`train-rm: ${train.enc.length} train / ${held.enc.length} held-out pairs (${train.dropped + held.dropped} the same under the '${rm.view}' view, dropped), ${epochs} epoch(s) of ${stepsPerEpoch} steps of ${batchSize} pairs`);

  const heldOut: PairwiseEval[] = [];
  let step = 0, epoch = 0, stopped = false, right = 0, seen = 0;
  const t0 = performance.now();
  for (; epoch < epochs && !stopped; epoch++) {
    let eRight = 0, eSeen = 0, eLoss = 0;
    for (const batch of pairBatches(train.enc, batchSize, rng)) {
      if (ctx.signal.aborted) { stopped = true; break; }
      const lr = lrAt(step, { kind: 'cosine', peak, warmupSteps: opts.warmupSteps, totalSteps, minLr: 0.1 * peak });
      decayed.zeroGrad();
      plain.zeroGrad();
      const N = batch.length;
      const { ok, btLoss, lmLoss } = tidy(() => { // activations recycled for the next step; only numbers leave the scope
        const { loss, bt, lm, scores: r } = pairLoss(rm, batch, padId, lmWeight); // r: (2N)
        const chosen = r.data.subarray(0, N), rejected = r.data.subarray(N);
        loss.backward();
        return { ok: Array.from(chosen).filter((c, i) => c > rejected[i]!).length, btLoss: bt.item(), lmLoss: lm?.item() };
      });
      const gradNorm = clipGradNorm(params, 1.0);
      decayed.step(lr);
      plain.step(lr);
      step++;
      eRight += ok; eSeen += N; eLoss += btLoss * N;
      metrics.metric({ type: 'train', step, epoch: epoch + 1, loss: btLoss, ...(lmLoss !== undefined ? { lm_loss: lmLoss } : {}), accuracy: ok / N, grad_norm: gradNorm, lr });
      ctx.progress?.('train-rm', step, totalSteps, step / totalSteps, { loss: btLoss, acc: pct(ok / N) });
      if (step % 10 === 0 || step === totalSteps) {
        log(`epoch ${epoch + 1} step ${step}/${totalSteps}  loss ${(eLoss / eSeen).toFixed(4)}  train acc ${pct(eRight / eSeen)}  lr ${lr.toExponential(2)}`);
        await new Promise((res) => setImmediate(res)); // let Ctrl-C in
      }
    }
    right += eRight; seen += eSeen;
    const e: MetricsLine = { type: 'epoch', epoch: epoch + 1, step, train_loss: eLoss / Math.max(1, eSeen), train_accuracy: eRight / Math.max(1, eSeen), seconds: (performance.now() - t0) / 1000 };
    if (held.enc.length) {
      const h = evalPairs(rm, held.enc, padId);
      heldOut.push(h);
      Object.assign(e, { held_out_accuracy: h.accuracy, held_out_loss: h.loss, held_out_margin: h.margin, held_out_by_kind: h.by_kind });
      log(`epoch ${epoch + 1}: held-out pairwise accuracy ${pct(h.accuracy)} (${h.pairs} pairs), loss ${h.loss.toFixed(4)}, margin ${h.margin.toFixed(3)}`);
    }
    metrics.metric(e);
  }
  const seconds = (performance.now() - t0) / 1000;
  const res: RmTrainResult = {
    dir: opts.out, steps: step, epochs: epoch, pairs: train.enc.length, dropped_same_view: train.dropped + held.dropped,
    truncated: train.truncated + held.truncated, seconds, train_accuracy: right / Math.max(1, seen), held_out: heldOut, stopped,
  };
  lora?.mergeInto(); // a reward-model folder holds plain weights
  saveRewardModel(opts.out, rm, { 'trainer_state.json': { kind: 'reward_model', view: rm.view, batch_size: batchSize, lr: peak, lm_weight: lmWeight, seed, ...res } });
  log(`train-rm: ${step} steps in ${seconds.toFixed(0)}s${heldOut.length ? `, held-out pairwise accuracy ${pct(heldOut[heldOut.length - 1]!.accuracy)}` : ''}, saved ${opts.out}`);
  return res;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
