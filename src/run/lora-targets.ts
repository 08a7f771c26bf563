// The values of the LoRA target-modules option: the projections an adapter can target (PEFT's and HF's module names) and how a
// targetModules value selects them;
// plain data with no tensor imports, so the option vocabulary (src/run/vocabulary.ts) can validate --lora-target-modules.
// Not the adapter (src/model/lora.ts).

/** The projections an adapter can target, by PEFT's (and HF's) module names. */
export const LORA_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraModule = (typeof LORA_MODULES)[number];

/** The module names targetModules selects; a name we do not adapt is an error naming it. */
export function resolveTargets(t: readonly string[] | string): LoraModule[] {
  if (t === 'all-linear') return [...LORA_MODULES];
  const list = typeof t === 'string' ? t.split(',').map((s) => s.trim()).filter(Boolean) : [...t];
  if (list.length === 1 && list[0] === 'all-linear') return [...LORA_MODULES];
  if (list.length === 0) throw new Error(`LoRA: target modules are empty; name some of ${LORA_MODULES.join(', ')} or 'all-linear'`);
  for (const m of list) {
    if (!(LORA_MODULES as readonly string[]).includes(m)) {
      throw new Error(`LoRA: target module '${m}' is not a projection r1ts adapts; use ${LORA_MODULES.join(', ')} or 'all-linear'`);
    }
  }
  return LORA_MODULES.filter((m) => list.includes(m));
}

/** Why a targetModules value selects nothing valid (naming the option and the fix), or null. */
export function targetModulesProblem(t: readonly string[] | string): string | null {
  try {
    resolveTargets(t);
    return null;
  } catch (e) {
    return `loraTargetModules: ${(e as Error).message.replace(/^LoRA: /, '')}`;
  }
}
