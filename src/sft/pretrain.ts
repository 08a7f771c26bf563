// Pretraining a base model from scratch: on a synthetic world (documents drawn on the fly, with a style
// curriculum) or on a JSONL text corpus, with a character-level tokenizer, saving an HF-layout checkpoint.
// The default recipe follows issue 5's experiment: 0.8M-parameter Llama, step-heavy mix then the natural mix.
import { Rng } from '../util/rng.js';
import { runContext, type RunContext } from '../run/context.js';
import { metricsFor } from '../run/metrics.js';
import { resolvePretrain, type PretrainOptions } from './config.js';
import { Decoder } from '../model/decoder.js';
import { makeConfig, type ModelConfig } from '../model/config.js';
import { CharTokenizer, type Tokenizer } from '../model/tokenizer.js';
import { saveCheckpoint } from '../model/checkpoint.js';
import { getWorld, DEFAULT_WORLD } from '../data/worlds/index.js';
import { drawTrainProblem, pickWeighted, sampleProblems, worldPrompt, type CorpusPhase } from '../data/worlds/common.js';
import type { World, WorldProblem } from '../data/worlds/types.js';
import { bucketBatches, type Batch, type TrainSeq } from './batching.js';
import { Trainer } from './trainer.js';
import { cosineLr, fmt } from './schedule.js';
import { matmulPrecisionOf } from '../tensor/precision.js';

/** Every printable ASCII character and newline: the character vocabulary of the worlds (4 specials + 96 = 100 tokens). */
export const WORLD_CHARS = '\n' + Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

export function worldTokenizer(): CharTokenizer {
  return new CharTokenizer({ chars: WORLD_CHARS });
}

/** The default base model: dim 128, 4 layers, 4 heads, SwiGLU 352, tied embeddings (~0.8M parameters). */
export function defaultWorldModelConfig(tokenizer: Tokenizer, over: Partial<ModelConfig> = {}): ModelConfig {
  return makeConfig({
    model_type: 'llama',
    vocab_size: tokenizer.vocabSize,
    hidden_size: 128,
    intermediate_size: 352,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    num_key_value_heads: 4,
    max_position_embeddings: 512,
    rope_theta: 10000,
    tie_word_embeddings: true,
    bos_token_id: tokenizer.bosId,
    eos_token_id: tokenizer.eosId,
    ...over,
  });
}

/** The default curriculum: a step-heavy mix first, then the natural mix the base model should imitate. */
export function defaultCurriculum(world: World<WorldProblem>): CorpusPhase[] {
  const s = world.styles;
  const heavy: Record<string, number> = s.length === 3 ? { [s[0]!]: 0.1, [s[1]!]: 0.65, [s[2]!]: 0.25 } : { ...world.naturalMix };
  return [
    { share: 0.6, mix: heavy },
    { share: 0.4, mix: world.naturalMix },
  ];
}

export interface PretrainResult {
  dir: string;
  steps: number;
  /** Target tokens trained on (padding excluded). */
  tokens: number;
  seconds: number;
  tokensPerSecond: number;
  /** Padded positions per second (the engine's raw rate, comparable with `r1 bench train`). */
  positionsPerSecond: number;
  params: number;
  finalLoss: number;
  /** Held-out loss (nats/token) on the reasoning lines of clean step-by-step solutions to test problems. */
  stepLineLoss: number;
  /** The gate before RL: stepLineLoss <= 0.05. */
  gatePassed: boolean;
  stopped: boolean;
  /** The wall-clock safety limit (maxSeconds) ended training before the token budget. */
  cutShort: boolean;
  /** The matmul precision used ('auto' resolved). */
  precision: 'fp32' | 'bf16';
}

export const STEP_LINE_GATE = 0.05;

/** A document's tokens: prompt + completion + eos, every token trained. */
function docSeq(tok: Tokenizer, prompt: string, completion: string): TrainSeq {
  const ids = tok.encode(prompt + completion);
  if (tok.eosId !== null) ids.push(tok.eosId);
  return { ids, lossFrom: 1 };
}

/**
 * Held-out gate set: clean (correct, faithful) step-style solutions to test problems, the loss taken on the
 * reasoning between <think> and </think> only.
 */
export function stepLineBatches(world: World<WorldProblem>, tok: Tokenizer, opts: { count: number; difficulty: number; seed: number }): Batch[] {
  const rng = new Rng(opts.seed);
  const style = world.styles.includes('step') ? 'step' : world.styles[0]!;
  const seqs: TrainSeq[] = [];
  for (const p of sampleProblems(world, { split: 'test', count: opts.count, seed: opts.seed, difficulty: opts.difficulty })) {
    let c = world.write(p, style, rng);
    for (let i = 0; i < 50 && !(world.check(p, c).correct && world.faithfulness(p, c).unfaithful === 0); i++) c = world.write(p, style, rng);
    const start = c.indexOf('<think>') + '<think>'.length;
    const end = c.indexOf('</think>');
    const prompt = worldPrompt(p);
    seqs.push({ ids: tok.encode(prompt + c.slice(0, end)), lossFrom: tok.encode(prompt + c.slice(0, start)).length });
  }
  return bucketBatches(seqs, { batchSize: 64, padId: tok.padId ?? 0, rng });
}

/**
 * Trains the default (or a configured) base model on a world and saves it to opts.out. The run context gives the
 * matmul precision, the stop signal, log lines, progress (phase 'pretrain', the share of the token budget spent) and the metrics writer.
 */
export async function pretrainWorld(options: PretrainOptions, ctx: RunContext = runContext()): Promise<PretrainResult> {
  const { c: opts, model: modelFields, phases: curriculum } = resolvePretrain(options);
  const precision = matmulPrecisionOf(ctx.precision, 'pretrain');
  const world = getWorld(opts.world ?? DEFAULT_WORLD);
  const difficulty = opts.difficulty ?? world.defaultDifficulty;
  const tok = worldTokenizer();
  const seed = opts.seed;
  const config = defaultWorldModelConfig(tok, modelFields);
  const model = new Decoder(config, new Rng(seed));
  model.precision = precision;
  const log = ctx.log;
  const params = model.parameters().reduce((s, t) => s + t.size, 0);
  const phases = curriculum ?? defaultCurriculum(world);
  const totalShare = phases.reduce((s, p) => s + p.share, 0);
  const phaseAt = (progress: number): CorpusPhase => {
    let acc = 0;
    for (const ph of phases) {
      acc += ph.share / totalShare;
      if (progress < acc) return ph;
    }
    return phases[phases.length - 1]!;
  };
  const budgetTokens = opts.tokens;
  const safetySeconds = opts.maxSeconds;
  const batchSize = opts.batchSize;
  const poolBatches = opts.poolBatches;
  const peak = opts.learningRate;
  const warmup = opts.warmupSteps;
  const minLrRatio = opts.minLrRatio;
  const evalEvery = opts.evalEvery;
  const trainer = new Trainer(model, { weightDecay: opts.weightDecay });
  const gate = stepLineBatches(world, tok, { count: 64, difficulty, seed: seed + 7 });
  const rng = new Rng(seed + 1);
  const padId = tok.padId ?? 0;
  const metrics = metricsFor(ctx.metrics, opts.out);
  log(`pretrain: world ${world.name} (difficulty ${difficulty}), ${params} parameters, budget ${fmt(budgetTokens)} tokens${safetySeconds > 0 ? ` (safety limit ${safetySeconds}s)` : ''}, batch ${batchSize}, ${precision} matmuls`);

  let pool: Batch[] = [];
  let tokens = 0;
  let positions = 0;
  let step = 0;
  let lastLoss = NaN;
  let stepLineLoss = NaN;
  let stopped = false;
  let cutShort = false;
  const t0 = performance.now();
  const ESTIMATE_AFTER = 30; // steps (the first few include warm-up costs, so the rate is measured from step 10)
  let tEstimate0 = 0, tokensAt10 = 0;
  for (let progress = 0; progress < 1; progress = tokens / budgetTokens) {
    if (ctx.signal.aborted) {
      stopped = true;
      break;
    }
    if (safetySeconds > 0 && (performance.now() - t0) / 1000 >= safetySeconds) {
      cutShort = true;
      log(`pretrain: STOPPED by the wall-clock safety limit (${safetySeconds}s) after ${fmt(tokens)} of ${fmt(budgetTokens)} tokens: the model is undertrained; raise maxSeconds (--max-seconds) or lower the token budget`);
      break;
    }
    if (pool.length === 0) {
      const mix = phaseAt(progress).mix;
      const seqs: TrainSeq[] = [];
      for (let i = 0; i < batchSize * poolBatches; i++) {
        const p = drawTrainProblem(world, rng, difficulty);
        seqs.push(docSeq(tok, worldPrompt(p), world.write(p, pickWeighted(rng, mix), rng)));
      }
      pool = bucketBatches(seqs, { batchSize, padId, rng });
    }
    const lr = cosineLr(progress, step, { peak, warmupSteps: warmup, minLr: peak * minLrRatio });
    const st = trainer.step([pool.pop()!], lr);
    step++;
    if (step === 10) { tEstimate0 = performance.now(); tokensAt10 = tokens + st.tokens; }
    tokens += st.tokens;
    if (step === ESTIMATE_AFTER) {
      const rate = (tokens - tokensAt10) / ((performance.now() - tEstimate0) / 1000);
      log(`pretrain: ${fmt(rate)} tok/s over steps 10-${ESTIMATE_AFTER}: ${fmt(budgetTokens)} tokens will take about ${((budgetTokens - tokens) / rate / 60).toFixed(1)} more minutes`);
    }
    positions += st.positions;
    lastLoss = st.loss;
    metrics.metric({ type: 'train', step, loss: st.loss, lr, grad_norm: st.gradNorm, tokens: st.tokens, progress: tokens / budgetTokens, seconds: (performance.now() - t0) / 1000 });
    ctx.progress?.('pretrain', step, 0, tokens / budgetTokens, { loss: st.loss, 'tok/s': tokens / ((performance.now() - t0) / 1000) });
    if (step % evalEvery === 0) {
      stepLineLoss = trainer.evalLoss(gate);
      metrics.metric({ type: 'eval', step, step_line_loss: stepLineLoss });
      const sec = (performance.now() - t0) / 1000;
      log(`step ${step}  progress ${(progress * 100).toFixed(1)}%  loss ${st.loss.toFixed(4)}  step-line ${stepLineLoss.toFixed(4)}  lr ${lr.toExponential(2)}  ${fmt(tokens / sec)} tok/s  ${sec.toFixed(0)}s`);
    }
    // let Ctrl-C and timers through between steps
    if (step % 20 === 0) await new Promise((r) => setImmediate(r));
  }
  const seconds = (performance.now() - t0) / 1000;
  stepLineLoss = trainer.evalLoss(gate);
  if (step % evalEvery !== 0) metrics.metric({ type: 'eval', step, step_line_loss: stepLineLoss });
  const result: PretrainResult = {
    dir: opts.out, steps: step, tokens, seconds, tokensPerSecond: tokens / seconds, positionsPerSecond: positions / seconds,
    params, finalLoss: lastLoss, stepLineLoss, gatePassed: stepLineLoss <= STEP_LINE_GATE, stopped, cutShort, precision,
  };
  saveCheckpoint(opts.out, model, tok, {
    'trainer_state.json': { kind: 'pretrain', world: world.name, difficulty, seed, phases, batchSize, lr: peak, warmupSteps: warmup, minLrRatio, ...result },
  });
  log(`pretrain: ${step} steps, ${fmt(tokens)} tokens in ${seconds.toFixed(0)}s (${fmt(result.tokensPerSecond)} tok/s), step-line loss ${stepLineLoss.toFixed(4)} (gate ${STEP_LINE_GATE}: ${result.gatePassed ? 'passed' : 'NOT passed'}), saved ${opts.out}`);
  return result;
}
