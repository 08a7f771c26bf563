// Supervised fine-tuning: the loss on completion tokens only (the prompt is context), length-bucketed batches,
// epochs, gradient accumulation, a held-out validation loss, HF-layout checkpoints. Serves cold-start,
// rejection-sampled and distillation data alike (all are prompt → completion). Not RL; not pretraining.
import { join } from 'node:path';
import { Rng } from '../util/rng.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { loadCheckpoint } from '../model/checkpoint.js';
import { attachLora, type LoraTrainOptions } from '../model/lora.js';
import { saveTrained } from '../model/lora-io.js';
import { loadSftExamples, DatasetError, type ChatMessage, type SftExample } from '../data/datasets.js';
import { bucketBatches, type Batch, type TrainSeq } from './batching.js';
import { Trainer } from './trainer.js';
import { cosineLr, fmt } from './schedule.js';
import { matmulPrecisionOf } from '../tensor/precision.js';
import { runContext, type RunContext } from '../run/context.js';
import { metricsFor } from '../run/metrics.js';
import { resolve } from '../run/spec.js';
import { SFT_SPEC, type SftConfig } from './config.js';

/**
 * What sftTrain takes: SFT_SPEC's fields (src/sft/config.ts; model, data and out required), the rest at their
 * defaults (the LoRA modules may also be PEFT's 'all-linear' string). LoRA (loraR > 0) trains an adapter on the frozen
 * model and saves adapters.
 */
export type SftOptions = Partial<Omit<SftConfig, 'loraTargetModules'>> & Pick<SftConfig, 'model' | 'data' | 'out'> & Partial<Pick<LoraTrainOptions, 'loraTargetModules'>>;

export interface SftResult {
  dir: string;
  steps: number;
  epochs: number;
  examples: number;
  tokens: number;
  seconds: number;
  tokensPerSecond: number;
  trainLoss: number;
  /** Validation loss per evaluation, in order (the last is the final one); empty without validation data. */
  valLoss: number[];
  truncated: number;
  stopped: boolean;
}

/** Tokenizes examples: prompt ids then completion ids + eos, the loss from the first completion token on. */
export function sftSequences(examples: SftExample[], tok: Tokenizer, maxLength: number): { seqs: TrainSeq[]; truncated: number } {
  let truncated = 0;
  const seqs = examples.map((ex) => {
    const p = tok.encode(ex.prompt);
    const c = tok.encode(ex.completion);
    if (tok.eosId !== null) c.push(tok.eosId);
    if (p.length + 1 >= maxLength) {
      throw new DatasetError(`SFT item ${ex.id}: prompt is ${p.length} tokens, leaving no room for the completion in ${maxLength}; shorten the prompt, drop the item, or raise --max-length (at most the model's max_position_embeddings)`);
    }
    if (p.length === 0) throw new DatasetError(`SFT item ${ex.id}: empty prompt; the first completion token needs a token before it (add a prompt or a BOS)`);
    let ids = [...p, ...c];
    if (ids.length > maxLength) {
      ids = ids.slice(0, maxLength);
      truncated++;
    }
    return { ids, lossFrom: p.length };
  });
  return { seqs, truncated };
}

/** Conversational rows' prompts through the checkpoint's chat template, the assistant turn opened (no silent plain-text fallback). */
function renderWith(tok: Tokenizer, model: string): (m: ChatMessage[]) => string {
  return (messages) => {
    try {
      return tok.applyChatTemplate(messages, { addGenerationPrompt: true });
    } catch (e) {
      throw new DatasetError(`conversational SFT data needs a chat template: ${model}: ${(e as Error).message}; add chat_template to its tokenizer_config.json or write the rows as {prompt, completion} text`);
    }
  };
}

/**
 * Fine-tunes a checkpoint on prompt → completion data and saves the result to opts.out. The run context gives the
 * matmul precision, the stop signal, log lines, progress (phase 'sft', after each step) and the metrics writer.
 */
export async function sftTrain(options: SftOptions, ctx: RunContext = runContext()): Promise<SftResult> {
  const opts = resolve(SFT_SPEC, [options]);
  const precision = matmulPrecisionOf(ctx.precision, 'sftTrain');
  const log = ctx.log;
  const { model, tokenizer: tok } = await loadCheckpoint(opts.model, precision);
  const seed = opts.seed;
  attachLora(model, opts, seed + 4243); // LoRA: nothing when loraR is 0
  const rng = new Rng(seed);
  const read = { onError: opts.skipBadLines ? 'skip' : 'fail', renderPrompt: renderWith(tok, opts.model) } as const;
  let train = await loadSftExamples(opts.data, read);
  let val: SftExample[] = [];
  if (opts.val) val = await loadSftExamples(opts.val, read);
  else {
    const nVal = Math.min(500, Math.floor(train.length * opts.valFraction));
    if (nVal > 0) {
      const shuffled = rng.shuffle([...train]);
      val = shuffled.slice(0, nVal);
      train = shuffled.slice(nVal);
    }
  }
  const maxLength = Math.min(opts.maxLength || model.config.max_position_embeddings, model.config.max_position_embeddings);
  const { seqs, truncated } = sftSequences(train, tok, maxLength);
  const valSeqs = sftSequences(val, tok, maxLength).seqs;
  const padId = tok.padId ?? tok.eosId ?? 0;
  const batchSize = opts.batchSize;
  const accum = opts.gradientAccumulationSteps;
  const epochs = opts.numTrainEpochs;
  const valBatches: Batch[] = valSeqs.length ? bucketBatches(valSeqs, { batchSize: 64, padId, rng: new Rng(seed + 2) }) : [];
  const stepsPerEpoch = Math.ceil(Math.ceil(seqs.length / batchSize) / accum);
  const totalSteps = stepsPerEpoch * epochs;
  const peak = opts.learningRate;
  const trainer = new Trainer(model, { weightDecay: opts.weightDecay, gradientCheckpointing: opts.gradientCheckpointing });
  log(`sft: ${seqs.length} train / ${valSeqs.length} validation examples, ${epochs} epoch(s) of ${stepsPerEpoch} steps (batch ${batchSize} x ${accum}), ${truncated} truncated to ${maxLength} tokens`);

  const metrics = metricsFor(ctx.metrics, opts.out);
  const valLoss: number[] = [];
  const evaluate = () => {
    if (!valBatches.length) return;
    valLoss.push(trainer.evalLoss(valBatches));
    metrics.metric({ type: 'eval', step, loss: valLoss[valLoss.length - 1]! });
    log(`  validation loss ${valLoss[valLoss.length - 1]!.toFixed(4)}`);
  };
  const save = (dir: string, extra: Record<string, unknown>) => saveTrained(dir, model, tok, { 'trainer_state.json': extra }, { baseModel: opts.model });
  let step = 0, tokens = 0, lossSum = 0, lossTokens = 0, stopped = false, epoch = 0;
  const t0 = performance.now();
  for (; epoch < epochs && !stopped; epoch++) {
    const batches = bucketBatches(seqs, { batchSize, padId, rng });
    for (let i = 0; i < batches.length; i += accum) {
      if (ctx.signal.aborted) {
        stopped = true;
        break;
      }
      const lr = cosineLr(step / totalSteps, step, { peak, warmupSteps: opts.warmupSteps, minLr: peak * opts.minLrRatio });
      const st = trainer.step(batches.slice(i, i + accum), lr);
      step++;
      tokens += st.tokens;
      lossSum += st.loss * st.tokens;
      lossTokens += st.tokens;
      metrics.metric({ type: 'train', step, epoch: epoch + 1, loss: st.loss, lr, grad_norm: st.gradNorm, tokens: st.tokens, seconds: (performance.now() - t0) / 1000 });
      ctx.progress?.('sft', step, 0, step / totalSteps, { loss: st.loss, 'tok/s': tokens / ((performance.now() - t0) / 1000) });
      if (step % 10 === 0 || step === totalSteps) {
        log(`epoch ${epoch + 1} step ${step}/${totalSteps}  loss ${(lossSum / lossTokens).toFixed(4)}  lr ${lr.toExponential(2)}  ${fmt(tokens / ((performance.now() - t0) / 1000))} tok/s`);
        lossSum = lossTokens = 0;
        await new Promise((r) => setImmediate(r));
      }
      if (opts.evalEvery && step % opts.evalEvery === 0) evaluate();
      if (opts.saveEvery && step % opts.saveEvery === 0) save(join(opts.out, 'checkpoints', `step-${step}`), { kind: 'sft', step, epoch });
    }
    if (!opts.evalEvery || step % opts.evalEvery !== 0) evaluate();
  }
  const seconds = (performance.now() - t0) / 1000;
  const finalTrain = trainer.evalLoss(bucketBatches(seqs.slice(0, 256), { batchSize: 64, padId, rng: new Rng(seed + 3) }));
  const result: SftResult = {
    dir: opts.out, steps: step, epochs: epoch, examples: seqs.length, tokens, seconds, tokensPerSecond: tokens / seconds,
    trainLoss: finalTrain, valLoss, truncated, stopped,
  };
  save(opts.out, { kind: 'sft', model: opts.model, data: opts.data, batchSize, gradAccum: accum, lr: peak, seed, ...result });
  log(`sft: ${step} steps in ${seconds.toFixed(0)}s, train loss ${finalTrain.toFixed(4)}${valLoss.length ? `, validation ${valLoss[valLoss.length - 1]!.toFixed(4)}` : ''}, saved ${opts.out}`);
  return result;
}
