// Kernel selection: the native addon when it loads, else the pure-TS kernels with one warning line.
// R1_KERNELS=ts forces TS; R1_KERNELS=native makes a missing addon an error. withKernels swaps the
// active set for the duration of a synchronous call (tests run every op on both).
import type { Kernels } from './types.js';
import { tsKernels } from './ts.js';
import { loadNative } from './native.js';

export { tsKernels };
export type { Kernels };
export { BinaryOp, UnaryOp } from './types.js';

/** The process-wide kernel choice: the loaded addon (cached: a .node loads once) and the active set. */
const state: { native: Kernels | null | undefined; nativeError: string; active: Kernels | null; warned: boolean; noted: Set<string> } = {
  native: undefined, nativeError: '', active: null, warned: false, noted: new Set(),
};

/** The native kernels, or null when the addon is missing or fails to load (the reason is kept for the warning). */
export function loadNativeKernels(): Kernels | null {
  if (state.native === undefined) {
    const r = loadNative();
    state.native = 'kernels' in r ? r.kernels : null;
    state.nativeError = 'error' in r ? r.error : '';
  }
  return state.native;
}

/** Why the native kernels are unavailable ('' when they loaded or were never tried). */
export function nativeKernelsError(): string {
  return state.nativeError;
}

function choose(): Kernels {
  const want = process.env.R1_KERNELS;
  if (want === 'ts') return tsKernels;
  if (want !== undefined && want !== '' && want !== 'native') {
    throw new Error(`R1_KERNELS=${want} is not a kernel set; use R1_KERNELS=native or R1_KERNELS=ts`);
  }
  const native = loadNativeKernels();
  if (native) return native;
  if (want === 'native') throw new Error(`R1_KERNELS=native but ${state.nativeError}`);
  if (!state.warned) {
    state.warned = true;
    process.stderr.write(`r1ts: using the slow pure-TS kernels: ${state.nativeError}\n`);
  }
  return tsKernels;
}

/** Writes line to stderr the first time key is noted in this process (notes about the kernels, such as BF16 emulated in FP32). */
export function noteOnce(key: string, line: string): void {
  if (state.noted.has(key)) return;
  state.noted.add(key);
  process.stderr.write(line + '\n');
}

/** The active kernels (native when available). */
export function getKernels(): Kernels {
  if (state.active === null) state.active = choose();
  return state.active;
}

/** Runs fn with k as the active kernels, restoring the previous choice afterwards (fn must be synchronous). */
export function withKernels<T>(k: Kernels, fn: () => T): T {
  const prev = state.active;
  state.active = k;
  try {
    return fn();
  } finally {
    state.active = prev;
  }
}
