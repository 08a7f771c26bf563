// The run spec of `r1 train-rm`: each option once (type, default, range, doc; old flag names as deprecated aliases),
// from which its flags, --help and config files come (src/run/spec.ts). Not the trainer (rm-train.ts); the
// defaults here are its. DeepSeek-R1 §2.3.4 (helpfulness on the summary, harmlessness on the whole reply).
import { defineSpec, num, nullable, omitFields, oneOf, required, withDefault, type ConfigOf } from '../run/spec.js';
import { V, LORA_FIELDS } from '../run/vocabulary.js';
import { REPLY_VIEWS } from './rm.js';

export const TRAIN_RM_FIELDS = {
  model: required(withDefault(V.model, '', { doc: 'policy checkpoint the reward model starts from (HF layout)' })),
  data: required(withDefault(V.data, '', { doc: '{"prompt", "chosen", "rejected", "kind"?} preference pairs' })),
  out: required(withDefault(V.out, '', { doc: 'where the reward model goes (HF LlamaForSequenceClassification)' })),
  evalData: nullable(withDefault(V.evalData, '', { doc: "held-out pairs for the per-epoch pairwise accuracy (default: --held-out of --data's prompts)" })),
  heldOut: num(0.1, "share of --data's prompts held out when no --eval-data (0 = none)", { min: 0, max: 0.9 }),
  on: oneOf(REPLY_VIEWS, 'whole', "what the model reads of a reply: 'whole' (harmlessness) or 'summary' (the text after </think>; helpfulness)"),
  numTrainEpochs: withDefault(V.numTrainEpochs, 2),
  batchSize: withDefault(V.batchSize, 16, { doc: 'pairs per step' }),
  learningRate: withDefault(V.learningRate, 1e-4, { doc: 'peak learning rate, cosine to 10% after warmupSteps' }),
  warmupSteps: withDefault(V.warmupSteps, 10),
  maxLength: withDefault(V.maxLength, 0, { doc: "longest sequence in tokens (0: the model's context; longer ones keep their end)" }),
  lmWeight: num(0, 'add X × next-token loss on the chosen replies (a GRM-style regulariser that teaches the trunk the preferred reply)', { min: 0 }),
  weightDecay: withDefault(V.weightDecay, 0, { doc: "AdamW's decoupled weight decay on the matrices" }),
  gradientCheckpointing: V.gradientCheckpointing,
  seed: withDefault(V.seed, 1, { min: 1 }),
  precision: V.precision,
  // LoRA (src/model/lora.ts): loraR > 0 trains an adapter on the frozen trunk plus the score head; the saved reward model has it merged
  ...LORA_FIELDS,
};
export const TRAIN_RM_SPEC = defineSpec({ name: 'train-rm', fields: TRAIN_RM_FIELDS });
export type TrainRmConfig = ConfigOf<typeof TRAIN_RM_FIELDS>;

/**
 * What trainRewardModel reads: TRAIN_RM_SPEC's fields less those used before it runs (the pairs' files and split,
 * the reply view, the precision the model is built in).
 */
export const RM_TRAINER_SPEC = defineSpec({ name: 'train-rm', fields: omitFields(TRAIN_RM_FIELDS, ['model', 'data', 'evalData', 'heldOut', 'on', 'precision']) });
export type RmTrainerConfig = ConfigOf<typeof RM_TRAINER_SPEC.fields>;
