// The run specs of the sampling commands (generate, sample, serve), the pipeline's and the small tools' (report,
// tokenize, verify, logits), and the table of every command's spec that --help, the one-vocabulary test and the docs read.
// Declarations only (src/run/spec.ts); the trainers' specs live beside their trainers (src/rl/config.ts, src/sft/config.ts, …).
import { bool, defineSpec, int, nullable, num, oneOf, required, str, withDefault, type Fields, type Spec } from '../run/spec.js';
import { V, LORA_FIELDS } from '../run/vocabulary.js';
import { GRPO_SPEC } from '../rl/config.js';
import { DEMO_SPEC } from '../rl/demo.js';
import { TRAIN_RM_SPEC } from '../rl/rm-config.js';
import { PRETRAIN_SPEC, SFT_SPEC } from '../sft/config.js';
import { EVAL_SPEC } from '../eval/config.js';
import { TEXT_KINDS } from '../rewards/math/index.js';

export const GENERATE_SPEC = defineSpec({
  name: 'generate',
  fields: {
    model: required(withDefault(V.model, '', { doc: 'checkpoint folder (HF layout: config.json, model.safetensors, tokenizer.json)' })),
    adapter: nullable(V.adapter),
    prompt: required(str('', 'prompt text', { metavar: 'TEXT' })),
    chat: V.chat,
    temperature: withDefault(V.temperature, 1),
    topP: withDefault(V.topP, 1),
    topK: V.topK,
    maxCompletionLength: withDefault(V.maxCompletionLength, 128, { min: 0 }),
    numGenerations: withDefault(V.numGenerations, 1, { doc: 'completions for the prompt' }),
    stopStrings: V.stopStrings,
    seed: withDefault(V.seed, 0),
    precision: V.precision,
  },
});

export const SAMPLE_SPEC = defineSpec({
  name: 'sample',
  fields: {
    model: required(V.model),
    data: nullable(withDefault(V.data, '', { doc: 'problems of a world, one {"question": "..."} a line (the world: --world or the rows\' "world")' })),
    world: nullable(withDefault(V.world, '', { doc: 'a synthetic world (or mix:a=1,b=1); without --data, its first --problems train problems' })),
    problems: withDefault(V.problems, 100, { doc: 'train problems of --world to sample (without --data)' }),
    numGenerations: withDefault(V.numGenerations, 4),
    reject: bool(false, 'keep only correct, single-language, short-paragraph, code-free, distinct samples'),
    temperature: withDefault(V.temperature, 1.0, { above: 0, min: undefined }),
    topP: withDefault(V.topP, 1.0),
    maxCompletionLength: V.maxCompletionLength,
    maxParagraphChars: int(400, 'with --reject: the longest paragraph kept, in characters', { min: 1, aliases: ['maxParagraph'] }),
    seed: V.seed,
    out: required(withDefault(V.out, '', { doc: 'the kept samples as {prompt, completion, task} rows (SFT data)', metavar: 'FILE' })),
    precision: V.precision,
  },
  check: (c) => (!c.data && !c.world ? 'give --data FILE.jsonl (problems) or --world NAME' : null),
});

export const SERVE_SPEC = defineSpec({
  name: 'serve',
  fields: {
    model: required(withDefault(V.model, '', { doc: 'checkpoint folder (config.json, model.safetensors, tokenizer.json)' })),
    adapter: nullable(V.adapter),
    port: withDefault(V.port, 8000, { doc: 'TCP port (0 = any free port, printed on start)' }),
    host: str('127.0.0.1', '0.0.0.0 to listen on every interface', { metavar: 'H' }),
    modelName: nullable(withDefault(V.modelName, '', { doc: 'the name clients pass as "model" (default: the folder\'s name)' })),
    slots: nullable(withDefault(V.slots, 32, { doc: 'sequences decoded together in the running batch (default 32, fewer when their KV cache would pass 2 GiB)' })),
    maxModelLen: nullable(int(2, 'context per sequence, prompt plus completion (default: max_position_embeddings, at most 8192)', { min: 2 })),
    apiKeyEnv: nullable(withDefault(V.apiKeyEnv, '', { doc: 'require "Authorization: Bearer $VAR" on every request' })),
    reasoning: bool(false, 'split <think>…</think> into the reply\'s reasoning_content'),
    precision: V.precision,
    samplingPrecision: V.samplingPrecision,
  },
});

/** `r1 pipeline`'s flags over its config file (src/pipeline/config.ts documents every key of that). */
export const PIPELINE_SPEC = defineSpec({
  name: 'pipeline',
  fields: {
    out: required(withDefault(V.out, '', { doc: 'the run folder: one sub-folder per stage (model, data, metrics, done.json), the stage table' })),
    seed: nullable(withDefault(V.seed, 1, { doc: "seed of every stage after the cached base (default the config's, 1)" })),
    precision: nullable(withDefault(V.precision, 'auto', { doc: "matmul precision of every stage (default the config's: auto, bf16 where the CPU has AMX / AVX512-BF16)" })),
    basesOnly: bool(false, 'only pretrain (or find cached) the default teacher and student bases, then stop'),
  },
});

/** `r1 distill`'s flags over its config file (pipeline options: worlds, eval, distill.*). */
export const DISTILL_SPEC = defineSpec({
  name: 'distill',
  fields: {
    teacher: required(str('', "the teacher checkpoint (e.g. a pipeline's all_scenario_rl model)", { metavar: 'DIR' })),
    out: required(withDefault(V.out, '', { doc: 'run folder (distill/: data, the distilled student, the GRPO student, done.json)' })),
    studentHidden: nullable(int(64, 'student width (default 64: a quarter of the default teacher\'s parameters or less)', { min: 1 })),
    studentLayers: nullable(int(4, 'student depth (default 4)', { min: 1 })),
    precision: nullable(withDefault(V.precision, 'auto', { doc: "matmul precision of every stage (default the config's: auto)" })),
    // LoRA (src/model/lora.ts): the distilled student as an adapter on its base; given flags override the config's distill.lora*
    ...LORA_FIELDS,
  },
});

/** `r1 merge-lora`'s options: a base, a LoRA adapter on it, and where the merged checkpoint goes. */
export const MERGE_LORA_SPEC = defineSpec({
  name: 'merge-lora',
  fields: {
    model: required(withDefault(V.model, '', { doc: 'the checkpoint the adapter was trained on (HF layout)' })),
    adapter: required(V.adapter),
    out: required(withDefault(V.out, '', { doc: 'where the merged checkpoint goes (config.json, model.safetensors, tokenizer)' })),
    dtype: nullable(oneOf(['float32', 'bfloat16', 'float16'] as const, 'float32', "stored dtype (default: the base's)")),
  },
});

/** The small tools' --json, -q and --help, with what --json prints and what -q silences. */
const toolManner = (json: string, quiet: string) =>
  ({ json: withDefault(V.json, false, { doc: json }), quiet: withDefault(V.quiet, false, { doc: quiet }), help: V.help });

/** `r1 report`'s flags (src/cli/report.ts; the report is src/report). */
export const REPORT_SPEC = defineSpec({
  name: 'report',
  fields: {
    out: nullable(withDefault(V.out, '', { metavar: 'FILE.html', doc: 'where the report goes (default RUN_DIR/report.html); one self-contained file, no network needed' })),
    png: bool(false, 'also write each plot as PNG into <out without .html>-png/ (for papers and issues)'),
    serve: bool(false, 'serve the report on 127.0.0.1 and reload it while the run goes on (Ctrl-C stops)'),
    port: nullable(withDefault(V.port, 8765, { doc: 'port for --serve (default 8765; 0 picks a free one)' })),
    ...toolManner('print {"report": FILE, "charts": N, "notes": [...], "png": [...]} on stdout', 'print nothing on stderr'),
  },
});

/** `r1 tokenize`'s flags (src/cli/tokenize.ts; the work is src/model/encode-inputs.ts). */
export const TOKENIZE_SPEC = defineSpec({
  name: 'tokenize',
  fields: {
    tokenizer: required(str('', 'folder with tokenizer.json (and tokenizer_config.json for the chat template and special tokens)', { metavar: 'DIR' })),
    text: nullable(str('', 'the text to encode', { metavar: 'T' })),
    file: nullable(str('', "a file's whole content", { metavar: 'F' })),
    jsonl: nullable(str('', 'one line per input, {"text"} or {"messages"}; prints one {"ids", "text"} line per input', { metavar: 'F' })),
    chat: withDefault(V.chat, false, { doc: 'treat the text as one user message and render it with the chat template (assistant turn opened)' }),
    special: bool(false, "add the tokenizer's post-processor tokens to raw text (e.g. a BOS), as transformers' tokenizer(text)"),
    ...toolManner('{"ids", "text"} on stdout (text: the rendered prompt with --chat, else the input)', 'nothing on stderr (this command writes none)'),
  },
  check: (c) => ([c.text, c.file, c.jsonl].filter((v) => v !== null).length !== 1 ? 'give exactly one of --text T, --file F and --jsonl F' : null),
});

/** `r1 verify`'s flags (src/cli/verify.ts; the work is src/rewards/verify-rows.ts). */
export const VERIFY_SPEC = defineSpec({
  name: 'verify',
  fields: {
    data: required(withDefault(V.data, '', { aliases: ['jsonl'], doc: 'lines {"gold": ..., "pred": ...}: gold an answer in any form (bare, $...$, \\boxed{}, "the answer is X", a worked solution), pred an answer or a completion; optional per line: "pred_kind", "gold_kind", "question" (its wording sets the list-order and several-boxes policies), "ordered"' })),
    predKind: oneOf(TEXT_KINDS, 'auto', 'what pred is: answer (parsed whole), completion (searched for its final answer), auto (whole when it is one bare answer, else searched)'),
    goldKind: oneOf(TEXT_KINDS, 'auto', 'the same for gold'),
    relTol: nullable(num(0, 'relative tolerance for decimals (default: both rounded to 6 places, as Math-Verify)', { min: 0, check: (v) => (v < 1 ? null : '--rel-tol must be below 1 (a relative tolerance such as 1e-4)') })),
    ordered: bool(false, 'comma-separated lists must match in order (default: any order)'),
    timeout: withDefault(V.timeout, 1, { doc: 'seconds one check may take' }),
    ...toolManner('print one object {total, correct, accuracy, malformed, no_answer, seconds, results: [lines]}', 'no summary on stderr'),
  },
});

/** `r1 logits`'s flags (src/cli/logits.ts). */
export const LOGITS_SPEC = defineSpec({
  name: 'logits',
  fields: {
    model: required(V.model),
    adapter: nullable(V.adapter),
    tokenIds: required(str('', 'comma-separated token ids', { metavar: '1,2,3', aliases: ['tokens'] })),
    ...toolManner('{"logits": [[...], ...]} on stdout (otherwise the top 5 ids per position)', 'nothing on stderr (this command writes none)'),
  },
});

/** Every command that has a run spec (the one-vocabulary test walks these). */
export const COMMAND_SPECS: Readonly<Record<string, Spec<Fields>>> = {
  grpo: GRPO_SPEC, demo: DEMO_SPEC, pretrain: PRETRAIN_SPEC, sft: SFT_SPEC, 'train-rm': TRAIN_RM_SPEC, eval: EVAL_SPEC,
  generate: GENERATE_SPEC, sample: SAMPLE_SPEC, serve: SERVE_SPEC, pipeline: PIPELINE_SPEC, distill: DISTILL_SPEC, 'merge-lora': MERGE_LORA_SPEC,
  report: REPORT_SPEC, tokenize: TOKENIZE_SPEC, verify: VERIFY_SPEC, logits: LOGITS_SPEC,
} as Record<string, Spec<Fields>>;

