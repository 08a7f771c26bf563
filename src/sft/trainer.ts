// The next-token training step shared by pretraining and SFT: token-weighted cross-entropy over micro-batches
// (gradient accumulation), global-norm clipping, AdamW with weight decay on matrices only; and the no-grad
// validation loss. Not a loop: pretrain.ts and sft.ts own schedules, data and checkpoints.
import { lmHeadCrossEntropy, mul, noGrad, tidy, type Tensor } from '../tensor/index.js';
import { AdamW, clipGradNorm } from '../optim/index.js';
import type { Decoder } from '../model/decoder.js';
import { trainableParameters } from '../model/lora.js';
import { IGNORE, type Batch } from './batching.js';

export interface TrainerOptions {
  /** Weight decay on 2-D weights (norm weights and biases get none). Default 0.1. */
  weightDecay?: number;
  betas?: [number, number];
  /** Global gradient-norm clip. Default 1.0. */
  clip?: number;
  /** Activation checkpointing per decoder layer (each layer runs again in backward). Default false. */
  gradientCheckpointing?: boolean;
}

export interface StepStats {
  /** Token-weighted mean loss over the micro-batches (nats/token). */
  loss: number;
  tokens: number;
  /** Padded positions processed (B*T summed). */
  positions: number;
  gradNorm: number;
}

export class Trainer {
  private readonly decayed: AdamW;
  private readonly plain: AdamW | null;
  private readonly params: Tensor[];
  private readonly clip: number;

  constructor(readonly model: Decoder, opts: TrainerOptions = {}) {
    const named = trainableParameters(model); // the adapter's tensors when the model has a LoRA adapter
    this.params = named.map(([, t]) => t);
    const matrices = named.filter(([, t]) => t.shape.length >= 2).map(([, t]) => t);
    const vectors = named.filter(([, t]) => t.shape.length < 2).map(([, t]) => t);
    const betas = opts.betas ?? [0.9, 0.95];
    this.decayed = new AdamW(matrices, { lr: 0, betas, weightDecay: opts.weightDecay ?? 0.1 });
    this.plain = vectors.length ? new AdamW(vectors, { lr: 0, betas, weightDecay: 0 }) : null;
    this.clip = opts.clip ?? 1.0;
    model.gradientCheckpointing = opts.gradientCheckpointing ?? false;
  }

  /** One optimizer step over micro-batches whose gradients are summed, weighted by their target counts. */
  step(micro: Batch[], lr: number): StepStats {
    const total = micro.reduce((s, b) => s + b.tokens, 0);
    if (total === 0) throw new Error('Trainer.step: no target tokens in the batch (every target masked); check the loss mask');
    this.decayed.zeroGrad();
    this.plain?.zeroGrad();
    let loss = 0;
    let positions = 0;
    for (const b of micro) {
      if (b.tokens === 0) continue;
      loss += tidy(() => { // activations recycled for the next micro-batch
        const l = this.loss(b); // mean over this micro-batch's targets
        mul(l, b.tokens / total).backward();
        return l.item() * (b.tokens / total);
      });
      positions += b.B * b.T;
    }
    const gradNorm = clipGradNorm(this.params, this.clip);
    this.decayed.step(lr);
    this.plain?.step(lr);
    return { loss, tokens: total, positions, gradNorm };
  }

  /** Token-weighted mean loss over batches, no gradients. */
  evalLoss(batches: Batch[]): number {
    let sum = 0;
    let n = 0;
    noGrad(() => {
      for (const b of batches) {
        if (b.tokens === 0) continue;
        sum += tidy(() => this.loss(b).item()) * b.tokens;
        n += b.tokens;
      }
    });
    return n ? sum / n : NaN;
  }

  /** Mean next-token cross-entropy of a batch's targets, lm_head in row chunks (no (B, T, V) logits). */
  private loss(b: Batch): Tensor {
    return lmHeadCrossEntropy(this.model.hidden(b.ids, b.B, b.T), this.model.outputWeight(), b.targets, IGNORE, { precision: this.model.precision }); // (B, T, C) → []
  }

  stateDict(): { decayed: unknown; plain: unknown } {
    return { decayed: this.decayed.stateDict(), plain: this.plain?.stateDict() ?? null };
  }
}
