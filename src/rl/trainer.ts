// The GRPO trainer loop: sample G completions per prompt from the old policy → score with weighted
// registry rewards → group advantages → μ AdamW updates (gradient accumulation, clipping) → log;
// periodic held-out evaluation, checkpoints with optimizer and Rng state, exact resume.
// Not the math (grpo.ts, loss.ts) and not the CLI (src/cli/grpo.ts). DeepSeek-R1 §2.2, TRL's GRPOTrainer.
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../util/rng.js';
import type { Decoder } from '../model/decoder.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { TensorState, readTensorState } from '../model/state.js';
import { trainableParameters, withAdapter } from '../model/lora.js';
import { saveTrained } from '../model/lora-io.js';
import { AdamW, clipGradNorm, lrAt } from '../optim/index.js';
import { defaultRegistry, type CombinedRewards, type Registry } from '../rewards/registry.js';
import { evaluate, sampleCompletions, type Completion } from '../eval/runner.js';
import { Bf16WeightCopies } from '../generate/index.js';
import { worldStats } from '../eval/world.js';
import type { GrpoConfig } from './config.js';
import { groupAdvantages, informativeGroups, meanStd, sequenceWeights, truncationMask } from './grpo.js';
import { completionLogprobs, grpoLoss, type LossStats, type Rollout } from './loss.js';
import { trimJsonl } from './state.js';
import type { TaskProblem, TaskSource } from './tasks.js';
import { unmatchedKinds } from './covered.js';
import { RewardSet } from './reward-module.js';
import { modelRewardsOf, type ModelRewards } from './rm-reward.js';
import { matmulPrecisionOf, type MatmulPrecision } from '../tensor/precision.js';
import { tidy } from '../tensor/index.js';
import { jsonlMetrics, type MetricsWriter } from '../run/metrics.js';
import { runContext, type RunContext } from '../run/context.js';
import { NoServersError } from './endpoints.js';
import type { EndpointRollout, RemoteCompletion } from './rollout.js';
import { correctionMetrics, correctionWeights, emptyCorrectionStats, type CorrectionStats } from './correction.js';

/** What a GRPO run does besides the run context's parts (src/run/context.ts). */
export interface TrainerHooks {
  /** After each held-out evaluation is logged (the CLI rewrites the run's report there). */
  onEval?: (metrics: EvalMetrics) => void | Promise<void>;
}

/** Held-out evaluation numbers, as logged to metrics.jsonl. */
export interface EvalMetrics {
  pass1: number;
  cons: number;
  format_rate: number;
  mean_len: number;
  always_wrong: number;
  problems: number;
  samples: number;
  seconds: number;
  /** Shares of samples that backtrack or re-check (either, each), by the world's parser; worlds with one only. */
  reflection?: number;
  backtrack?: number;
  verify?: number;
  /** Per difficulty level, for worlds that say a problem's difficulty. */
  by_difficulty?: { difficulty: number; pass1: number; mean_len: number; reflection: number }[];
}

type Metrics = Record<string, number>;

export class GrpoTrainer {
  readonly params;
  readonly opt: AdamW;
  readonly rng: Rng;
  step = 0;
  updates = 0;
  /** Seconds spent in training steps and periodic evaluations, across resumes. */
  elapsed = 0;
  lastEval: EvalMetrics | null = null;
  /** The step of lastEval (-1: none yet in this process). */
  evalStep = -1;
  private readonly padId: number;
  /** cfg.rewards' reward and judge models, loaded on the first step. */
  private readonly modelRewards: ModelRewards;
  /** cfg.rewards with user modules loaded: on the first step unless set before (runGrpo sets it after its start-of-run check). */
  rewardSet: Promise<RewardSet> | null = null;
  /** Where step metrics and logged samples go: metrics.jsonl and samples.jsonl in cfg.out (appended to) unless set. */
  metrics: MetricsWriter;
  /** Rollouts from servers (cfg.rollout not 'local'; runGrpo opens it); null: sampled in this process. */
  rollout: EndpointRollout | null = null;
  /** asyncRollouts: the batches of the coming steps, sampling on the servers, each with the Rng state before its draw. */
  private pending: { rngState: number[]; problems: TaskProblem[]; batch: Promise<RemoteCompletion[]> }[] = [];
  /** samplingPrecision bf16: the BF16 copies of the policy's weights that local sampling reads. */
  private readonly samplingWeights: Bf16WeightCopies | null;

  constructor(readonly cfg: GrpoConfig, readonly policy: Decoder, readonly tokenizer: Tokenizer,
    readonly ref: Decoder | null, readonly tasks: TaskSource, readonly registry: Registry = defaultRegistry) {
    if (cfg.beta > 0 && !ref) throw new Error('beta > 0 needs a reference model');
    this.params = trainableParameters(policy).map(([, t]) => t); // only the adapter with LoRA
    this.opt = new AdamW(this.params, { lr: cfg.learningRate, betas: cfg.adamBetas, weightDecay: cfg.weightDecay });
    this.rng = new Rng(cfg.seed);
    this.padId = tokenizer.padId ?? tokenizer.eosId ?? 0;
    this.modelRewards = modelRewardsOf(cfg.rewards);
    this.metrics = jsonlMetrics(cfg.out); // makes the folder
    this.samplingWeights = cfg.samplingPrecision === 'bf16' ? new Bf16WeightCopies() : null;
  }

  /** Restores optimizer, Rng and counters from a checkpoint folder (the weights are loaded by the caller), and trims logs written after it. */
  resumeFrom(dir: string): void {
    const st = JSON.parse(readFileSync(join(dir, 'trainer_state.json'), 'utf8')) as
      { step: number; updates: number; elapsedSeconds: number; rng: (number | null)[] };
    this.opt.loadStateDict(readTensorState(dir, 'optimizer') as ReturnType<AdamW['stateDict']>, false);
    this.rng.setState(st.rng.map((x) => (x === null ? NaN : x)));
    this.step = st.step;
    this.updates = st.updates;
    this.elapsed = st.elapsedSeconds;
    trimJsonl(join(this.cfg.out, 'metrics.jsonl'), this.step);
    trimJsonl(join(this.cfg.out, 'samples.jsonl'), this.step);
  }

  /** The matmul precision of the policy, the reference and the reward models (train() sets it; callers of trainStep() may). */
  setPrecision(precision: MatmulPrecision): void {
    this.policy.precision = precision;
    if (this.ref) this.ref.precision = precision;
    this.modelRewards.precision = precision;
  }

  /** Saves checkpoints/step-N: HF weights, optimizer state (optimizer.json + optimizer.safetensors), trainer state; all or nothing. */
  save(): string {
    const dir = join(this.cfg.out, 'checkpoints', `step-${this.step}`);
    const trainerState = {
      step: this.step, updates: this.updates, elapsedSeconds: this.elapsed, seed: this.cfg.seed,
      // with batches sampled ahead, the Rng as before their draw: a resumed run draws the same problems and seeds
      rng: (this.pending[0]?.rngState ?? this.rng.getState()).map((x) => (Number.isNaN(x) ? null : x)),
    };
    saveTrained(dir, this.policy, this.tokenizer, { optimizer: new TensorState(this.opt.stateDict(false)), 'trainer_state.json': trainerState },
      { baseModel: this.cfg.model }); // an adapter (and its optimizer state) with LoRA
    return dir;
  }

  /** Held-out evaluation (evalSamples per problem at evalTemperature / evalTopP), with its own fixed Rng so it never shifts training. */
  async evaluate(): Promise<EvalMetrics> {
    const c = this.cfg;
    const problems = this.tasks.heldOut(c.evalProblems);
    const r = await evaluate(this.policy, this.tokenizer, problems, problems.map((p) => p.prompt), c.evalSamples, {
      maxNewTokens: c.evalMaxNewTokens ?? c.maxCompletionLength, temperature: c.evalTemperature, topP: c.evalTopP,
      stopStrings: c.stopStrings, batchSize: c.generationBatchSize ?? undefined, rng: new Rng(c.seed + 7919),
    }, this.tasks.judge);
    const m: EvalMetrics = {
      pass1: r.summary.pass1, cons: r.summary.consK, format_rate: r.formatRate, mean_len: r.meanLength,
      always_wrong: r.summary.alwaysWrong, problems: r.summary.problems, samples: c.evalSamples, seconds: r.seconds,
    };
    const w = this.tasks.world;
    if (w?.reflection || w?.difficultyOf) {
      const ws = worldStats(w, problems.map((p) => p.world!), r, c.evalSamples, false);
      if (w.reflection) Object.assign(m, { reflection: ws.reflection.any, backtrack: ws.reflection.backtrack, verify: ws.reflection.verify });
      if (ws.byDifficulty.length) {
        m.by_difficulty = ws.byDifficulty.map((d) => ({ difficulty: d.difficulty, pass1: d.pass1, mean_len: d.meanLen, reflection: d.reflection.any }));
      }
    }
    this.metrics.metric({ type: 'eval', step: this.step, ...m });
    this.lastEval = m;
    this.evalStep = this.step;
    return m;
  }

  /**
   * Runs cfg.steps steps (the budget; the LR schedule runs over them), evaluating and saving on schedule, with the
   * matmuls in cfg.precision (else the context's): the policy, the reference and the reward models are set to it.
   * cfg.maxSeconds is only a safety limit ('time': it cut the run short). Returns why it stopped.
   */
  async train(ctx: RunContext = runContext(), hooks: TrainerHooks = {}): Promise<'done' | 'time' | 'interrupted' | 'no-servers'> {
    const c = this.cfg;
    const precision = matmulPrecisionOf(c.precision ?? ctx.precision, 'grpo');
    this.setPrecision(precision);
    const log = ctx.log;
    const evalDue = (s: number) => c.evalEvery > 0 && s % c.evalEvery === 0;
    const evaluateLogged = async () => {
      const e = await this.evaluate();
      await hooks.onEval?.(e);
      log(`eval step ${this.step}: pass@1 ${pct(e.pass1)} cons@${c.evalSamples} ${pct(e.cons)} format ${pct(e.format_rate)} len ${e.mean_len.toFixed(1)}`);
    };
    // before any work: a `kinds` entry that names no problem would turn its reward off without a word
    // ('addition-bi@2' matches the mixture part of problems whose task is 'addition-bi'; a typo matches nothing)
    const unmatched = unmatchedKinds(c.rewards, this.tasks.draw(new Rng(c.seed ^ 0x6b1d), 256, true));
    if (unmatched.length) throw new Error(`grpo config: ${unmatched.join('; ')}; name the problems' kind, world or mixture part`);
    if (this.step === 0 && c.evalEvery >= 0) await evaluateLogged();
    let reason: 'done' | 'time' | 'interrupted' | 'no-servers' = 'done';
    const firstStep = this.step;
    let stepSeconds = 0;
    log(`grpo: ${c.steps - this.step} steps to run, ${precision} matmuls${c.maxSeconds > 0 ? `, wall-clock safety limit ${c.maxSeconds}s` : ''}`);
    if (this.rollout && c.asyncRollouts && c.maxStaleness > 1 && c.clipAgainst === 'trainer') {
      log(`grpo: note: rollouts up to ${c.maxStaleness} versions old, clipped against the trainer: on the demo recipe at staleness 4 this collapsed 1 run of 2; --clip-against sampler met the bar on 3 of 3 (docs/rollouts.md)`);
    }
    while (this.step < c.steps) {
      await new Promise((r) => setImmediate(r)); // let signals (Ctrl-C) and timers run between steps
      if (ctx.signal.aborted) { reason = 'interrupted'; break; }
      if (c.maxSeconds > 0 && this.elapsed >= c.maxSeconds) {
        reason = 'time';
        log(`grpo: STOPPED by the wall-clock safety limit (maxSeconds ${c.maxSeconds}) after step ${this.step} of ${c.steps}: the run is shorter than configured; raise maxSeconds or lower steps`);
        break;
      }
      const t0 = performance.now();
      const rngBefore = this.pending[0]?.rngState ?? this.rng.getState();
      let m: Metrics;
      try {
        m = await this.trainStep();
      } catch (e) {
        if (!(e instanceof NoServersError)) throw e;
        this.rng.setState(rngBefore); // the step did not happen: a resumed run draws the same problems and seeds again
        this.pending = [];
        log(`grpo: STOPPED at step ${this.step} of ${c.steps}: ${e.message}; restart the servers and continue with --resume`);
        reason = 'no-servers';
        break;
      }
      stepSeconds += (performance.now() - t0) / 1000;
      if (this.step - firstStep === Math.min(3, c.steps - firstStep) && this.step < c.steps) {
        const per = stepSeconds / (this.step - firstStep);
        log(`grpo: ${per.toFixed(1)} s/step over the first ${this.step - firstStep} steps: the remaining ${c.steps - this.step} steps will take about ${((c.steps - this.step) * per / 60).toFixed(1)} minutes plus evaluations (longer if completions grow)`);
      }
      log(`step ${this.step}: reward ${m.reward!.toFixed(3)} acc ${pct(m.accuracy!)} len ${m.completion_length!.toFixed(1)} ` +
        `(sample ${m.sampling_seconds!.toFixed(2)}s, train ${m.training_seconds!.toFixed(2)}s)`);
      if (evalDue(this.step) && this.step < c.steps) await evaluateLogged();
      this.elapsed += (performance.now() - t0) / 1000;
      ctx.progress?.('grpo', this.step, c.steps, this.step / c.steps, {
        reward: m.reward!, acc: pct(m.accuracy!), len: m.completion_length!, 'tok/s': m.sampling_tokens_per_s!,
        ...(this.lastEval ? { 'pass@1': pct(this.lastEval.pass1) } : {}),
      });
      if (c.saveEvery > 0 && this.step % c.saveEvery === 0 && this.step < c.steps) this.save();
    }
    if ((reason === 'done' || reason === 'time') && c.evalEvery >= 0 && this.evalStep !== this.step) await evaluateLogged();
    const dir = this.save();
    log(`saved ${dir}`);
    return reason;
  }

  /** One GRPO step: sample, score, advantages, μ updates. Returns the metrics it logged. */
  async trainStep(): Promise<Metrics> {
    const c = this.cfg, G = c.numGenerations;
    const tStart = performance.now();
    const remote = this.rollout ? this.nextRemoteBatch() : null;
    const problems = remote ? remote.problems : this.tasks.draw(this.rng, c.promptsPerStep);
    const tSample = performance.now();
    const completions: (Completion & Partial<RemoteCompletion>)[] = remote
      ? await remote.batch
      : await sampleCompletions(this.policy, this.tokenizer, problems.map((p) => p.prompt), G, {
        maxNewTokens: c.maxCompletionLength, temperature: c.temperature, topP: c.topP, topK: c.topK || undefined,
        stopStrings: c.stopStrings, batchSize: c.generationBatchSize ?? undefined, rng: this.rng, bf16Weights: this.samplingWeights ?? undefined,
      });
    const tScore = performance.now();
    const rowProblems = completions.map((x) => problems[x.promptIndex]!);
    const rewards = await (this.rewardSet ??= RewardSet.load(c.rewards, this.registry)); // registry rewards and user functions, `kinds` applied
    const scored = await rewards.score(completions.map((x) => x.text), rowProblems, `at step ${this.step + 1}`);
    await this.modelRewards.add(scored, completions.map((x) => x.text), rowProblems); // + Σ weight · reward-model score / judge verdict
    const total = withGroupMeans(scored.total, G); // an unscorable completion gets its group's mean (advantage 0) and no weight
    const { advantages, zeroStdFraction } = groupAdvantages(total, G, c.scaleRewards);
    const tTrain = performance.now();

    const masked = truncationMask(completions.map((x) => x.finishReason), c.maskTruncatedCompletions).map((m, i) => m || scored.total[i] === null);
    // with servers, groups sampled more than maxStaleness weight versions ago are dropped (one request = one group = one version)
    const fresh = (g: number) => !this.rollout || this.step - (completions[g * G]!.weightVersion ?? this.step) <= c.maxStaleness;
    const groups = (c.dynamicSampling ? informativeGroups(total, G) : problems.map((_, g) => g)).filter(fresh);
    const dropped = problems.filter((_, g) => !fresh(g)).length * G;
    const rows = groups.flatMap((g) => Array.from({ length: G }, (_, j) => g * G + j));
    const weights = sequenceWeights(rows.map((i) => (masked[i] ? 0 : completions[i]!.tokens.length)), c.lossType, c.maxCompletionLength);
    const rollouts: Rollout[] = rows.map((i, k) => ({
      prompt: this.tokenizer.encode(rowProblems[i]!.prompt), completion: completions[i]!.tokens, oldLogp: completions[i]!.logprobs,
      refLogp: null, advantage: advantages[i]!, weight: weights[k]!, ...(this.rollout ? { samplerLogp: completions[i]!.logprobs } : {}),
    }));
    const train = rollouts.length > 0 ? this.update(rollouts) : null;
    const tEnd = performance.now();
    let syncSeconds = 0;
    if (this.rollout && (this.step + 1) % c.weightSyncSteps === 0 && this.step + 1 < c.steps) { // the servers get version step + 1
      await this.rollout.sync(this.policy, this.tokenizer, this.step + 1);
      syncSeconds = (performance.now() - tEnd) / 1000;
    }

    this.step++;
    const m = this.stepMetrics(completions, scored, total, zeroStdFraction, train, rows.length);
    Object.assign(m, {
      sampling_seconds: (tScore - tSample) / 1000, reward_seconds: (tTrain - tScore) / 1000, training_seconds: (tEnd - tTrain) / 1000,
    });
    m.sampling_tokens_per_s = m.completion_tokens! / m.sampling_seconds!;
    m.training_tokens_per_s = train ? train.tokensProcessed / m.training_seconds! : 0;
    m.step_seconds = (performance.now() - tStart) / 1000;
    Object.assign(m, this.reflectionMetrics(completions, rowProblems, scored));
    if (this.rollout) Object.assign(m, this.rolloutMetrics(completions, train?.correction ?? null, syncSeconds), { 'rollout/dropped_stale': dropped });
    this.metrics.metric({ type: 'train', step: this.step, ...m });
    this.logSamples(completions, rowProblems, scored, advantages);
    return m;
  }

  /**
   * This step's batch from the servers: sampled now (synchronous), or taken from those sampling ahead (asyncRollouts),
   * after topping them up to this step plus maxStaleness. Each batch draws its problems, then one seed per prompt.
   */
  private nextRemoteBatch(): { problems: TaskProblem[]; batch: Promise<RemoteCompletion[]> } {
    const c = this.cfg;
    const ahead = c.asyncRollouts ? c.maxStaleness : 0;
    while (this.pending.length <= ahead && this.step + this.pending.length < c.steps) {
      const rngState = this.rng.getState();
      const problems = this.tasks.draw(this.rng, c.promptsPerStep);
      const batch = this.rollout!.sample(problems.map((p) => this.tokenizer.encode(p.prompt)), c.numGenerations, problems.map(() => this.rng.nextU32()), {
        maxTokens: c.maxCompletionLength, temperature: c.temperature, topP: c.topP, topK: c.topK, stop: c.stopStrings,
      });
      batch.catch(() => {}); // awaited when its step comes; a failure then stops the run
      this.pending.push({ rngState, problems, batch });
    }
    return this.pending.shift()!;
  }

  /** μ optimizer updates on the rollouts, each over gradientAccumulationSteps micro-batches. */
  private update(rollouts: Rollout[]): { loss: number; gradNorm: number; stats: LossStats; lr: number; tokensProcessed: number; correction: CorrectionStats | null; samplerDiff: number } {
    const c = this.cfg;
    // sort by length so each micro-batch pads little; the loss is a weighted sum, so the order does not change it
    const order = rollouts.map((_, i) => i).sort((a, b) => seqLen(rollouts[a]!) - seqLen(rollouts[b]!));
    // longest first: the later, shorter micro-batches reuse its pooled buffers instead of allocating beside them
    const micro = microBatches(order.map((i) => rollouts[i]!), c.gradientAccumulationSteps, c.maxTokensPerMicroBatch).reverse();
    this.policy.gradientCheckpointing = c.gradientCheckpointing;
    if (this.ref) {
      const ref0 = this.ref;
      for (const mb of micro) { // with LoRA the reference is the policy with its adapter off (ref === policy)
        const ref = withAdapter(ref0, ref0 !== this.policy, () => completionLogprobs(ref0, mb, c.temperature, this.padId));
        mb.forEach((r, i) => { r.refLogp = ref[i]!; });
      }
    }
    const correction = rollouts.some((r) => r.samplerLogp) ? this.correct(micro) : null;
    const stats: LossStats = { tokens: 0, clipLow: 0, clipHigh: 0, klSum: 0, entropySum: 0, absLogRatioSum: 0 };
    let samplerDiff = 0; // mean |trainer − sampler| logprob: the first update's |log ratio| (local sampling, token ratios)
    let loss = 0, gradNorm = 0, lr = 0, tokensProcessed = 0;
    const opts = {
      epsilon: c.epsilon, epsilonHigh: c.epsilonHigh ?? c.epsilon, beta: c.beta, temperature: c.temperature, padId: this.padId,
      lossType: c.lossType, importanceSamplingLevel: c.importanceSamplingLevel,
    };
    for (let it = 0; it < c.numIterations; it++) {
      this.opt.zeroGrad();
      for (const mb of micro) {
        const r = tidy(() => { // activations recycled for the next micro-batch; only numbers leave the scope
          const { loss: l, stats: s } = grpoLoss(this.policy, mb, opts);
          l.backward();
          return { loss: l.item(), stats: s };
        });
        loss += r.loss / c.numIterations;
        for (const k of Object.keys(stats) as (keyof LossStats)[]) stats[k] += r.stats[k];
        if (it === 0) samplerDiff += r.stats.absLogRatioSum;
        tokensProcessed += mb.reduce((s, x) => s + seqLen(x), 0);
      }
      gradNorm += (c.maxGradNorm > 0 ? clipGradNorm(this.params, c.maxGradNorm) : gradNormOf(this.params)) / c.numIterations;
      const totalUpdates = c.steps * c.numIterations;
      // the schedule runs over steps only, so the run does not depend on the machine's speed (maxSeconds is a safety limit)
      lr = lrAt(Math.min(totalUpdates, this.updates), {
        kind: c.lrSchedulerType, peak: c.learningRate, warmupSteps: c.warmupSteps,
        totalSteps: totalUpdates, minLr: c.lrSchedulerType === 'cosine' ? 0.1 * c.learningRate : c.learningRate,
      });
      this.opt.step(lr);
      if (!this.policy.adapter) this.samplingWeights?.stale(); // an adapter's term is added in FP32; the base weights stay
      this.updates++;
    }
    samplerDiff /= Math.max(1, stats.tokens / c.numIterations);
    return { loss, gradNorm, stats, lr, tokensProcessed, correction, samplerDiff };
  }

  /**
   * Rollouts sampled by servers: the old logprobs are the trainer's own (one forward, no gradient, before the μ updates),
   * and each token's surrogate is weighted by TRL's correction of the sampler's logprobs toward them; or, with clipAgainst
   * 'sampler', the old logprobs stay the sampler's and the correction is only measured.
   */
  private correct(micro: Rollout[][]): CorrectionStats {
    const c = this.cfg, stats = emptyCorrectionStats();
    for (const mb of micro) {
      const old = completionLogprobs(this.policy, mb, c.temperature, this.padId);
      mb.forEach((r, i) => {
        const w = correctionWeights(old[i]!, r.samplerLogp!, c.vllmImportanceSamplingMode, c.vllmImportanceSamplingCap, stats);
        if (c.clipAgainst === 'sampler') return; // the ratio's old policy stays the sampler's logprobs (oldLogp); w only logged
        r.oldLogp = old[i]!;
        if (c.vllmImportanceSamplingCorrection) r.isWeight = w;
      });
    }
    return stats;
  }

  /** Where the rollouts came from: the weight versions they were sampled with, requests moved, the correction's numbers. */
  private rolloutMetrics(completions: Partial<RemoteCompletion>[], correction: CorrectionStats | null, syncSeconds: number): Metrics {
    const staleness = completions.map((x) => this.step - 1 - (x.weightVersion ?? this.step - 1)); // the step trained on weights of version step - 1
    return {
      'rollout/staleness_mean': staleness.reduce((a, b) => a + b, 0) / Math.max(1, staleness.length),
      'rollout/staleness_max': Math.max(0, ...staleness),
      'rollout/weight_version_min': Math.min(...completions.map((x) => x.weightVersion ?? -1)),
      'rollout/moved_requests': this.rollout!.takeMoved(),
      'rollout/servers_up': this.rollout!.pool.eps.filter((e) => e.up).length,
      weight_sync_seconds: syncSeconds,
      ...(correction ? correctionMetrics(correction) : {}),
    };
  }

  private stepMetrics(completions: Completion[], scored: CombinedRewards, total: number[],
    zeroStdFraction: number, train: ReturnType<GrpoTrainer['update']> | null, kept: number): Metrics {
    const lens = completions.map((x) => x.tokens.length);
    const scoredTotals = scored.total.filter((x): x is number => x !== null);
    const nullTotals = total.length - scoredTotals.length;
    const rs = meanStd(scoredTotals);
    const m: Metrics = { reward: rs.mean, reward_std: rs.std, reward_null_fraction: nullTotals / Math.max(1, total.length) };
    for (const [name, vals] of Object.entries(scored.components)) {
      const ok = vals.filter((v): v is number => v !== null);
      const s = meanStd(ok);
      m[`rewards/${name}/mean`] = ok.length ? s.mean : NaN;
      m[`rewards/${name}/std`] = ok.length ? s.std : NaN;
      m[`rewards/${name}/null_fraction`] = (vals.length - ok.length) / Math.max(1, vals.length);
    }
    const share = (name: string) => {
      const v = scored.components[name];
      return v ? v.filter((x) => x !== null && x >= 1).length / v.length : NaN;
    };
    const st = train?.stats;
    const tok = Math.max(1, st?.tokens ?? 0);
    Object.assign(m, {
      accuracy: share(this.cfg.rewards.find((r) => r.name !== 'format')?.name ?? 'accuracy'),
      format_rate: share('format'),
      completion_length: lens.reduce((a, b) => a + b, 0) / lens.length,
      completion_length_min: Math.min(...lens), completion_length_max: Math.max(...lens),
      completion_tokens: lens.reduce((a, b) => a + b, 0),
      truncated_fraction: completions.filter((x) => x.finishReason === 'length').length / completions.length,
      zero_std_fraction: zeroStdFraction,
      rollouts_trained: kept,
      clip_low: st ? st.clipLow / tok : 0, clip_high: st ? st.clipHigh / tok : 0,
      kl: st ? st.klSum / tok : 0, entropy: st ? st.entropySum / tok : 0,
      ...(train && !this.rollout && this.cfg.importanceSamplingLevel === 'token' ? { 'offpolicy/abs_logp_diff': train.samplerDiff } : {}),
      loss: train?.loss ?? 0, grad_norm: train?.gradNorm ?? 0, lr: train?.lr ?? 0,
    });
    return m;
  }

  /**
   * The world's reading of the rollouts (issue 12's figure): shares that backtrack, re-check, or either, and per
   * difficulty level its accuracy, mean length and reflection share (`difficulty/3/accuracy`, …). Empty for datasets.
   */
  private reflectionMetrics(completions: Completion[], problems: TaskProblem[], scored: CombinedRewards): Metrics {
    const w = this.tasks.world;
    if (!w) return {};
    const acc = scored.components[this.cfg.rewards.find((r) => r.name !== 'format')?.name ?? 'accuracy'];
    const m: Metrics = {};
    const levels = new Map<number, { n: number; right: number; tokens: number; reflect: number }>();
    let backtrack = 0, verify = 0, any = 0;
    completions.forEach((x, i) => {
      const p = problems[i]!.world!;
      const r = w.reflection?.(p, x.text);
      if (r?.backtrack) backtrack++;
      if (r?.verify) verify++;
      if (r && (r.backtrack || r.verify)) any++;
      const d = w.difficultyOf?.(p);
      if (d === undefined) return;
      const l = levels.get(d) ?? levels.set(d, { n: 0, right: 0, tokens: 0, reflect: 0 }).get(d)!;
      l.n++;
      l.tokens += x.tokens.length;
      if ((acc?.[i] ?? 0) >= 1) l.right++;
      if (r && (r.backtrack || r.verify)) l.reflect++;
    });
    const n = Math.max(1, completions.length);
    if (w.reflection) Object.assign(m, { reflection: any / n, backtrack: backtrack / n, verify: verify / n });
    for (const [d, l] of [...levels.entries()].sort((a, b) => a[0] - b[0])) {
      m[`difficulty/${d}/accuracy`] = l.right / l.n;
      m[`difficulty/${d}/completion_length`] = l.tokens / l.n;
      if (w.reflection) m[`difficulty/${d}/reflection`] = l.reflect / l.n;
    }
    return m;
  }

  private logSamples(completions: Completion[], problems: TaskProblem[], scored: CombinedRewards,
    advantages: Float64Array): void {
    const P = this.cfg.promptsPerStep, G = this.cfg.numGenerations;
    for (let q = 0; q < Math.min(this.cfg.samplesPerStepLogged, completions.length); q++) {
      const i = (q % P) * G + Math.floor(q / P); // spread over prompts first
      const x = completions[i]!;
      this.metrics.sample({
        step: this.step, prompt: problems[i]!.prompt, gold: problems[i]!.gold, completion: x.text, reward: scored.total[i],
        rewards: Object.fromEntries(Object.entries(scored.components).map(([k, v]) => [k, v[i]])),
        advantage: advantages[i], tokens: x.tokens.length, finish: x.finishReason,
      });
    }
  }
}

/** Totals with each null replaced by the mean of its group's scored totals (0 when none is scored). */
function withGroupMeans(total: (number | null)[], G: number): number[] {
  const out = new Array<number>(total.length);
  for (let g = 0; g < total.length; g += G) {
    const ok = total.slice(g, g + G).filter((x): x is number => x !== null);
    const mean = ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : 0;
    for (let j = g; j < g + G; j++) out[j] = total[j] ?? mean;
  }
  return out;
}

/**
 * Rollouts sorted by length → micro-batches: with maxTokens > 0, each as many rows as keep rows × (longest row - 1)
 * (the padded tokens of its forward) within maxTokens (a longer row alone); else `parts` equal parts.
 */
export function microBatches(sorted: Rollout[], parts: number, maxTokens: number): Rollout[][] {
  const micro: Rollout[][] = [];
  if (maxTokens > 0) {
    let cur: Rollout[] = [];
    for (const r of sorted) { // ascending lengths: the newest row is the longest
      if (cur.length > 0 && (cur.length + 1) * (seqLen(r) - 1) > maxTokens) { micro.push(cur); cur = []; }
      cur.push(r);
    }
    if (cur.length > 0) micro.push(cur);
    return micro;
  }
  const per = Math.ceil(sorted.length / parts);
  for (let s = 0; s < sorted.length; s += per) micro.push(sorted.slice(s, s + per));
  return micro;
}

function gradNormOf(params: readonly { grad: Float32Array | null }[]): number {
  let ss = 0;
  for (const p of params) if (p.grad) for (let i = 0; i < p.grad.length; i++) ss += p.grad[i]! * p.grad[i]!;
  return Math.sqrt(ss);
}

function seqLen(r: Rollout): number {
  return r.prompt.length + r.completion.length;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** Writes the merged config into the run folder. */
export function writeRunConfig(cfg: GrpoConfig): void {
  mkdirSync(cfg.out, { recursive: true });
  writeFileSync(join(cfg.out, 'config.json'), JSON.stringify(cfg, null, 2) + '\n');
}
