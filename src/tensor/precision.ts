// Matmul precision, as PyTorch's CPU autocast has it: in 'bf16' mode linear() and matmul() (forward and
// backward) multiply BF16-rounded operands with FP32 accumulation; weights, activations, norms, softmax, losses
// and the optimizer stay FP32. Not a dtype system: tensors are always Float32Array. Reference: torch.autocast('cpu').
import { getKernels } from './kernels/index.js';
import type { Kernels } from './kernels/types.js';

/** What a user asks for: 'auto' is BF16 where the CPU has BF16 matrix instructions (AMX or AVX512-BF16), else FP32. */
export type Precision = 'fp32' | 'bf16' | 'auto';
/** What the matmuls run in. */
export type MatmulPrecision = 'fp32' | 'bf16';

export const PRECISIONS: readonly Precision[] = ['fp32', 'bf16', 'auto'];

/** The process-wide autocast mode (like torch's autocast state); 'fp32' unless a trainer or command sets it. */
const state: { mode: MatmulPrecision; noted: boolean } = { mode: 'fp32', noted: false };

/** Throws a one-line error naming `where` unless p is a precision. */
export function checkPrecision(p: unknown, where: string): Precision {
  if (typeof p === 'string' && (PRECISIONS as readonly string[]).includes(p)) return p as Precision;
  throw new Error(`${where}: precision ${JSON.stringify(p)} is not one of ${PRECISIONS.join(', ')} (auto: bf16 where the CPU has AMX or AVX512-BF16)`);
}

/** 'auto' → 'bf16' when the kernels have BF16 instructions, else 'fp32'. An explicit 'bf16' without them runs emulated (one note). */
export function resolvePrecision(p: Precision, k: Kernels = getKernels()): MatmulPrecision {
  if (p === 'auto') return k.bf16 !== null ? 'bf16' : 'fp32';
  if (p === 'bf16' && k.bf16 === null && !state.noted) {
    state.noted = true;
    process.stderr.write(`r1ts: precision bf16 on kernels without BF16 instructions (${k.name}): emulated in FP32, slower than fp32; use --precision auto or fp32\n`);
  }
  return p;
}

export function matmulPrecision(): MatmulPrecision {
  return state.mode;
}

/** Sets the mode (resolving 'auto'); returns the previous one. */
export function setMatmulPrecision(p: Precision): MatmulPrecision {
  const prev = state.mode;
  state.mode = resolvePrecision(p);
  return prev;
}

/** Runs fn with the matmuls in precision p, restoring the previous mode afterwards (after the promise settles when fn is async). */
export function withPrecision<T>(p: Precision, fn: () => T): T {
  const prev = setMatmulPrecision(p);
  let out: T;
  try {
    out = fn();
  } catch (err) {
    state.mode = prev;
    throw err;
  }
  if (out instanceof Promise) return out.finally(() => { state.mode = prev; }) as T;
  state.mode = prev;
  return out;
}
