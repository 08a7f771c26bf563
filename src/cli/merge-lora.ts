// `r1 merge-lora --model BASE --adapter DIR --out DIR`: the base with a LoRA adapter folded into its weights
// (W + alpha/r · B A, PEFT's merge_and_unload), written as a plain checkpoint in the base's dtype. Flags and --help
// from MERGE_LORA_SPEC (src/cli/specs.ts); calls the library (src/model/lora.ts, lora-io.ts); nothing else.
import { printJson, readCommandLine } from './args.js';
import { MERGE_LORA_SPEC } from './specs.js';
import { readConfigFile, resolve, withDefault } from '../run/spec.js';
import { V } from '../run/vocabulary.js';
import { loadModel } from '../model/lora-io.js';
import { saveCheckpoint } from '../model/checkpoint.js';

const OWN = {
  config: V.config, json: withDefault(V.json, false, { doc: 'print {"out", "merged_modules", "adapter_parameters"} on stdout' }), quiet: V.quiet, help: V.help,
};

export async function run(argv: string[]): Promise<number> {
  const cl = readCommandLine(MERGE_LORA_SPEC, OWN, argv, { usage: 'usage: r1 merge-lora --model BASE --adapter DIR --out DIR [--dtype float32|bfloat16|float16] [--json]' });
  if (!cl) return 0;
  const c = resolve(MERGE_LORA_SPEC, [cl.flags.config ? readConfigFile(cl.flags.config) : {}, cl.layer]);
  const { model, tokenizer, config, adapter } = await loadModel(c.model, c.adapter); // a bad adapter: AdapterError, a user error
  const merged = adapter!.pairs.length, params = adapter!.numParameters();
  adapter!.mergeInto();
  saveCheckpoint(c.out, model, tokenizer, {}, { dtype: c.dtype ?? config.torch_dtype });
  if (cl.flags.json) printJson({ out: c.out, mergedModules: merged, adapterParameters: params });
  else if (!cl.flags.quiet) console.error(`r1 merge-lora: merged ${merged} adapted projections (${params} adapter parameters) into ${c.out}`);
  return 0;
}
