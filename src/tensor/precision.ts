// Matmul precision, as PyTorch's CPU autocast has it: in 'bf16' mode linear() and matmul() (forward and
// backward) multiply BF16-rounded operands with FP32 accumulation; weights, activations, norms, softmax, losses
// and the optimizer stay FP32. Not a dtype system: tensors are always Float32Array, and not a process-wide mode: the
// precision is passed (ops take it as an argument, a Decoder carries it). Reference: torch.autocast('cpu').
import { getKernels, noteOnce } from './kernels/index.js';
import type { Kernels } from './kernels/types.js';

/** What a user asks for: 'auto' is BF16 where the CPU has BF16 matrix instructions (AMX or AVX512-BF16), else FP32. */
export type Precision = 'fp32' | 'bf16' | 'auto';
/** What the matmuls run in. */
export type MatmulPrecision = 'fp32' | 'bf16';

export const PRECISIONS: readonly Precision[] = ['fp32', 'bf16', 'auto'];

/** Throws a one-line error naming `where` unless p is a precision. */
export function checkPrecision(p: unknown, where: string): Precision {
  if (typeof p === 'string' && (PRECISIONS as readonly string[]).includes(p)) return p as Precision;
  throw new Error(`${where}: precision ${JSON.stringify(p)} is not one of ${PRECISIONS.join(', ')} (auto: bf16 where the CPU has AMX or AVX512-BF16)`);
}

/** 'auto' → 'bf16' when the kernels have BF16 instructions, else 'fp32'. An explicit 'bf16' without them runs emulated (one note). */
export function resolvePrecision(p: Precision, k: Kernels = getKernels()): MatmulPrecision {
  if (p === 'auto') return k.bf16 !== null ? 'bf16' : 'fp32';
  if (p === 'bf16' && k.bf16 === null) noteOnce('bf16-emulated', `r1ts: precision bf16 on kernels without BF16 instructions (${k.name}): emulated in FP32, slower than fp32; use --precision auto or fp32`);
  return p;
}

/** What a trainer's precision option (checked, fp32 when unset) runs its matmuls in; `where` names the option in errors. */
export function matmulPrecisionOf(p: unknown, where: string, k: Kernels = getKernels()): MatmulPrecision {
  return resolvePrecision(checkPrecision(p ?? 'fp32', where), k);
}
