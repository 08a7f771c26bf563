// The run specs of `r1 pretrain` and `r1 sft`: each option once (type, default, range, doc; old flag names as
// deprecated aliases), from which their flags, --help, config files and the saved config come (src/run/spec.ts).
// Not the trainers (pretrain.ts, corpus.ts, sft.ts); the defaults here are theirs.
import { bool, defineSpec, int, nullable, num, required, resolve, str, withDefault, type ConfigOf } from '../run/spec.js';
import { V, LORA_FIELDS } from '../run/vocabulary.js';
import type { ModelConfig } from '../model/config.js';
import type { CorpusPhase } from '../data/worlds/common.js';

export const PRETRAIN_FIELDS = {
  world: nullable(withDefault(V.world, '', { doc: 'synthetic world to pretrain on (default addition)' })),
  data: nullable(withDefault(V.data, '', { doc: 'a raw-text corpus instead, one {"text": ...} a line' })),
  out: withDefault(V.out, '', { doc: 'checkpoint folder (HF layout) [required]' }),
  difficulty: nullable(int(1, "world difficulty (addition: digits; default the world's)", { min: 1 })),
  tokens: int(12_000_000, 'token budget; the run and its LR schedule cover exactly these tokens', { min: 1 }),
  maxSeconds: V.maxSeconds,
  precision: V.precision,
  batchSize: withDefault(V.batchSize, 32),
  learningRate: withDefault(V.learningRate, 3e-3),
  hiddenSize: nullable(int(128, 'model width (HF hidden_size; default 128)', { min: 1, aliases: ['dim'] })),
  numHiddenLayers: nullable(int(4, 'layers (default 4)', { min: 1, aliases: ['layers'] })),
  numAttentionHeads: nullable(int(4, 'attention heads, also the key/value heads (default 4)', { min: 1, aliases: ['heads'] })),
  intermediateSize: nullable(int(352, 'MLP width (default 352)', { min: 1, aliases: ['ffn'] })),
  warmupSteps: withDefault(V.warmupSteps, 100),
  minLrRatio: V.minLrRatio,
  weightDecay: withDefault(V.weightDecay, 0.1, { doc: "AdamW's decoupled weight decay on the matrices" }),
  numTrainEpochs: withDefault(V.numTrainEpochs, 1, { doc: 'corpus epochs (--data only)' }),
  context: int(256, 'tokens per training window; longer documents are cut (--data only)', { min: 2 }),
  skipBadLines: withDefault(V.skipBadLines, false, { doc: 'skip malformed JSONL lines (each reported) instead of failing (--data only)' }),
  poolBatches: int(16, 'batches cut from each length-sorted pool of generated documents (worlds only)', { min: 1 }),
  evalEvery: withDefault(V.evalEvery, 200, { min: 1, doc: 'held-out step-line loss every N steps (worlds only)' }),
  seed: withDefault(V.seed, 1, { min: 1 }),
  measure: nullable(int(1, 'afterwards, sample 16 per held-out problem on N problems and report pass@1, cons@16, styles', { min: 1 })),
  writeCorpus: nullable(str('', "write the world's corpus (--docs N rows of {text, prompt, completion, style}) to FILE and exit", { metavar: 'FILE' })),
  docs: int(10_000, 'documents for --write-corpus', { min: 1 }),
};
export const PRETRAIN_SPEC = defineSpec({
  name: 'pretrain', fields: PRETRAIN_FIELDS,
  check: (c) => (!c.out && !c.writeCorpus ? 'out is required: pass --out DIR (the checkpoint folder to write)' : c.world && c.data ? 'give --world NAME or --data FILE.jsonl, not both'
    : c.writeCorpus && c.data ? '--write-corpus writes a world corpus; give --world NAME, not --data' : null),
});
export type PretrainConfig = ConfigOf<typeof PRETRAIN_FIELDS>;

/**
 * What pretrainWorld and pretrainCorpus take: PRETRAIN_SPEC's fields (out required), the rest at their defaults;
 * `model` sets config fields over the spec's four, `phases` the world curriculum (default defaultCurriculum).
 */
export type PretrainOptions = Partial<PretrainConfig> & { out: string; model?: Partial<ModelConfig>; phases?: CorpusPhase[] };

/** Options resolved and validated by PRETRAIN_SPEC, with the model fields merged. */
export function resolvePretrain(o: PretrainOptions): { c: PretrainConfig; model: Partial<ModelConfig>; phases: CorpusPhase[] | undefined } {
  const { model, phases, ...fields } = o;
  const c = resolve(PRETRAIN_SPEC, [fields]);
  return { c, model: { ...pretrainModelFields(c), ...model }, phases };
}

/** The model fields a pretrain config sets (the rest are the default world model's); the heads are also the key/value heads. */
export function pretrainModelFields(c: PretrainConfig): Partial<ModelConfig> {
  const model: Partial<ModelConfig> = {};
  if (c.hiddenSize) model.hidden_size = c.hiddenSize;
  if (c.numHiddenLayers) model.num_hidden_layers = c.numHiddenLayers;
  if (c.numAttentionHeads) model.num_attention_heads = model.num_key_value_heads = c.numAttentionHeads;
  if (c.intermediateSize) model.intermediate_size = c.intermediateSize;
  return model;
}

export const SFT_FIELDS = {
  model: required(withDefault(V.model, '', { doc: 'starting checkpoint (HF layout)' })),
  data: required(withDefault(V.data, '', { doc: '{"prompt","completion"} or {"messages": [...]} rows' })),
  out: required(withDefault(V.out, '', { doc: 'where the fine-tuned checkpoint goes' })),
  val: nullable(str('', 'validation set (default: --val-fraction of --data held out)', { metavar: 'FILE' })),
  valFraction: num(0.05, 'without --val: the share of --data held out for validation (at most 500 rows; 0: none)', { min: 0, max: 1 }),
  numTrainEpochs: V.numTrainEpochs,
  batchSize: withDefault(V.batchSize, 16),
  gradientAccumulationSteps: V.gradientAccumulationSteps,
  learningRate: withDefault(V.learningRate, 1e-4, { doc: 'peak learning rate, cosine to minLrRatio × it after warmupSteps' }),
  warmupSteps: withDefault(V.warmupSteps, 10),
  minLrRatio: V.minLrRatio,
  weightDecay: V.weightDecay,
  gradientCheckpointing: V.gradientCheckpointing,
  maxLength: V.maxLength,
  precision: V.precision,
  evalEvery: withDefault(V.evalEvery, 0, { min: 0, doc: 'validation loss every N steps (0: at each epoch end)' }),
  saveEvery: withDefault(V.saveEvery, 0, { doc: 'also save OUT/checkpoints/step-N every N steps (0: only the final model)' }),
  skipBadLines: V.skipBadLines,
  seed: withDefault(V.seed, 1, { min: 1 }),
  // LoRA (src/model/lora.ts): loraR > 0 trains an adapter on the frozen model and saves PEFT adapters
  ...LORA_FIELDS,
};
export const SFT_SPEC = defineSpec({ name: 'sft', fields: SFT_FIELDS });
export type SftConfig = ConfigOf<typeof SFT_FIELDS>;

