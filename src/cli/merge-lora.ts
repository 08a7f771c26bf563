// `r1 merge-lora --model BASE --adapter DIR --out DIR`: the base with a LoRA adapter folded into its weights
// (W + alpha/r · B A, PEFT's merge_and_unload), written as a plain checkpoint in the base's dtype. Parses flags and
// calls the library (src/model/lora.ts, lora-io.ts); nothing else.
import { UsageError } from './main.js';
import { parseFlags, printJson } from './args.js';
import { loadModelFlags } from './lora-flags.js';
import { saveCheckpoint } from '../model/checkpoint.js';

const HELP = `usage: r1 merge-lora --model BASE --adapter DIR --out DIR [--dtype float32|bfloat16|float16] [--json]
  --model BASE     the checkpoint the adapter was trained on (HF layout)                     [required]
  --adapter DIR    the LoRA adapter (adapter_config.json + adapter_model.safetensors)        [required]
  --out DIR        where the merged checkpoint goes (config.json, model.safetensors, tokenizer) [required]
  --dtype D        stored dtype (default: the base's)
  --json           {"out", "merged_modules", "adapter_parameters"} on stdout`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: { model: { type: 'string' }, adapter: { type: 'string' }, out: { type: 'string' }, dtype: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  for (const k of ['model', 'adapter', 'out'] as const) if (!values[k]) throw new UsageError(`--${k} is required; see r1 merge-lora --help`);
  const dtypes = ['float32', 'bfloat16', 'float16'] as const;
  const dtype = values.dtype as (typeof dtypes)[number] | undefined;
  if (dtype !== undefined && !dtypes.includes(dtype)) throw new UsageError(`--dtype must be one of ${dtypes.join(', ')} (got '${values.dtype}')`);
  const { model, tokenizer, config, adapter } = await loadModelFlags(values.model!, values.adapter!);
  const merged = adapter!.pairs.length, params = adapter!.numParameters();
  adapter!.mergeInto();
  saveCheckpoint(values.out!, model, tokenizer, {}, { dtype: dtype ?? config.torch_dtype });
  if (values.json) printJson({ out: values.out, mergedModules: merged, adapterParameters: params });
  else console.error(`r1 merge-lora: merged ${merged} adapted projections (${params} adapter parameters) into ${values.out}`);
  return 0;
}
