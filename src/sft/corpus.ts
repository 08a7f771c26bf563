// Pretraining on a JSONL text corpus ({"text": ...} a line): two streaming passes (the character vocabulary,
// then training in length-bucketed pools), documents longer than the context cut into windows.
// Not a world: no styles or gates; the default model sizes are pretrain.ts's.
import { Rng } from '../util/rng.js';
import { Decoder } from '../model/decoder.js';
import { CharTokenizer, type Tokenizer } from '../model/tokenizer.js';
import { saveCheckpoint } from '../model/checkpoint.js';
import { readJsonl } from '../data/jsonl.js';
import { bucketBatches, type TrainSeq } from './batching.js';
import { Trainer } from './trainer.js';
import { cosineLr, fmt } from './schedule.js';
import { defaultWorldModelConfig } from './pretrain.js';
import { matmulPrecisionOf } from '../tensor/precision.js';
import { runContext, type RunContext } from '../run/context.js';
import { metricsFor } from '../run/metrics.js';
import { resolvePretrain, type PretrainOptions } from './config.js';

export interface PretrainCorpusResult {
  dir: string;
  steps: number;
  tokens: number;
  seconds: number;
  tokensPerSecond: number;
  finalLoss: number;
  documents: number;
  stopped: boolean;
}

function textOf(row: Record<string, unknown>, file: string, line: number): string {
  if (typeof row.text !== 'string') throw new Error(`${file}:${line}: expected a string field "text" (raw-text corpus rows are {"text": ...})`);
  return row.text;
}

/**
 * Trains a character-level base model on a text corpus, streaming it each epoch. The run context gives the matmul
 * precision, the stop signal, log lines, progress (phase 'pretrain', the share of the budget spent) and the metrics writer.
 */
export async function pretrainCorpus(options: PretrainOptions & { data: string }, ctx: RunContext = runContext()): Promise<PretrainCorpusResult> {
  const { c: opts, model: modelFields } = resolvePretrain(options);
  const data = options.data;
  const precision = matmulPrecisionOf(ctx.precision, 'pretrainCorpus');
  const log = ctx.log;
  const read = { onError: opts.skipBadLines ? 'skip' : 'fail' } as const;
  const chars = new Set<string>();
  let documents = 0;
  let totalTokens = 0;
  for await (const { value, line } of readJsonl(data, read)) {
    const text = textOf(value, data, line);
    for (const c of text) chars.add(c);
    documents++;
    totalTokens += text.length + 1;
  }
  if (documents === 0) throw new Error(`${data}: no documents; a raw-text corpus has one {"text": ...} object a line`);
  const tok: Tokenizer = new CharTokenizer({ chars: [...chars].sort() });
  const context = opts.context;
  const config = defaultWorldModelConfig(tok, { max_position_embeddings: Math.max(512, context), ...modelFields });
  const seed = opts.seed;
  const model = new Decoder(config, new Rng(seed));
  model.precision = precision;
  const trainer = new Trainer(model, { weightDecay: opts.weightDecay });
  const rng = new Rng(seed + 1);
  const batchSize = opts.batchSize;
  const epochs = opts.numTrainEpochs;
  const peak = opts.learningRate;
  const budget = totalTokens * epochs;
  const maxSeconds = opts.maxSeconds || Infinity;
  log(`pretrain: ${documents} documents, ${fmt(totalTokens)} tokens, vocabulary ${tok.vocabSize}, ${epochs} epoch(s)`);
  let step = 0, tokens = 0, lastLoss = NaN, stopped = false;
  const metrics = metricsFor(ctx.metrics, opts.out);
  const t0 = performance.now();
  const progress = () => Math.max(tokens / budget, (performance.now() - t0) / 1000 / maxSeconds);
  const trainPool = async (pool: TrainSeq[]) => {
    for (const b of bucketBatches(pool, { batchSize, padId: tok.padId ?? 0, rng })) {
      if (ctx.signal.aborted || progress() >= 1) {
        stopped = stopped || ctx.signal.aborted;
        return;
      }
      const lr = cosineLr(progress(), step, { peak, warmupSteps: opts.warmupSteps, minLr: peak * opts.minLrRatio });
      const st = trainer.step([b], lr);
      step++;
      tokens += st.tokens;
      lastLoss = st.loss;
      metrics.metric({ type: 'train', step, loss: st.loss, lr, grad_norm: st.gradNorm, tokens: st.tokens, seconds: (performance.now() - t0) / 1000 });
      ctx.progress?.('pretrain', step, 0, progress(), { loss: st.loss, 'tok/s': tokens / ((performance.now() - t0) / 1000) });
      if (step % 100 === 0) {
        log(`step ${step}  loss ${st.loss.toFixed(4)}  ${fmt(tokens / ((performance.now() - t0) / 1000))} tok/s`);
        await new Promise((r) => setImmediate(r));
      }
    }
  };
  for (let e = 0; e < epochs && !stopped && progress() < 1; e++) {
    let pool: TrainSeq[] = [];
    for await (const { value, line } of readJsonl(data, read)) {
      const ids = tok.encode(textOf(value, data, line));
      if (tok.eosId !== null) ids.push(tok.eosId);
      for (let s = 0; s < ids.length - 1; s += context) pool.push({ ids: ids.slice(s, s + context + 1), lossFrom: 1 });
      if (pool.length >= batchSize * 16) {
        await trainPool(pool);
        pool = [];
      }
      if (stopped || progress() >= 1) break;
    }
    if (pool.length) await trainPool(pool);
  }
  const seconds = (performance.now() - t0) / 1000;
  const result: PretrainCorpusResult = { dir: opts.out, steps: step, tokens, seconds, tokensPerSecond: tokens / seconds, finalLoss: lastLoss, documents, stopped };
  saveCheckpoint(opts.out, model, tok, { 'trainer_state.json': { kind: 'pretrain-corpus', data, context, epochs, batchSize, lr: peak, seed, ...result } });
  log(`pretrain: ${step} steps, ${fmt(tokens)} tokens in ${seconds.toFixed(0)}s, final loss ${lastLoss.toFixed(4)}, saved ${opts.out}`);
  return result;
}
