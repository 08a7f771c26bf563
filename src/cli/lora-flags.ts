// The LoRA flags shared by the training commands (--lora-r, --lora-alpha, --lora-dropout, --lora-target-modules) and the
// --adapter flag of the commands that load a model (generate, logits, eval, serve): flag declarations, parsing, and the
// model loader whose bad-adapter errors become one-line user errors. Not the adapter itself (src/model/lora.ts).
import { UsageError } from './main.js';
import { numFlag, NON_NEGATIVE, NON_NEGATIVE_INT, POSITIVE } from './args.js';
import { LORA_DEFAULTS, loraOptionsProblem, parseTargetModules, type LoraTrainOptions } from '../model/lora.js';
import { AdapterError, loadModel } from '../model/lora-io.js';

/** parseArgs options of the LoRA training flags (spread into a command's options). */
export const LORA_FLAGS = {
  'lora-r': { type: 'string' }, 'lora-alpha': { type: 'string' }, 'lora-dropout': { type: 'string' }, 'lora-target-modules': { type: 'string' },
} as const;

export const LORA_HELP = `  --lora-r N           train a LoRA adapter of rank N instead of every weight (default 0: full fine-tuning); saves PEFT adapters
  --lora-alpha X       LoRA alpha; the update is scaled by alpha / r (default 2 × r)
  --lora-dropout X     dropout on the adapter's input while training (default 0)
  --lora-target-modules M  all-linear, or a list of q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj (default q_proj,v_proj)`;

/** The LoRA options the flags give (defaults where absent); a bad value is a UsageError naming the flag. */
export function loraFlags(values: Record<string, unknown>): LoraTrainOptions {
  const s = (k: string): string | undefined => values[k] as string | undefined;
  const o: LoraTrainOptions = {
    loraR: numFlag(s('lora-r'), 'lora-r', NON_NEGATIVE_INT, LORA_DEFAULTS.loraR),
    loraAlpha: numFlag(s('lora-alpha'), 'lora-alpha', POSITIVE) ?? LORA_DEFAULTS.loraAlpha,
    loraDropout: numFlag(s('lora-dropout'), 'lora-dropout', { ...NON_NEGATIVE, max: 0.99 }, LORA_DEFAULTS.loraDropout),
    loraTargetModules: s('lora-target-modules') !== undefined ? parseTargetModules(s('lora-target-modules')!) : LORA_DEFAULTS.loraTargetModules,
  };
  const p = loraOptionsProblem(o);
  if (p) throw new UsageError(p.replace(/^lora[A-Za-z]+/, (k) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())));
  return o;
}

export const ADAPTER_HELP = `  --adapter DIR        a LoRA adapter (PEFT's adapter_config.json + adapter_model.safetensors) on top of --model`;

/** loadModel (a checkpoint plus an optional adapter) with a bad adapter as a one-line user error (exit 2). */
export async function loadModelFlags(model: string, adapter: string | undefined): ReturnType<typeof loadModel> {
  try {
    return await loadModel(model, adapter);
  } catch (e) {
    if (e instanceof AdapterError) throw new UsageError(e.message);
    throw e;
  }
}
