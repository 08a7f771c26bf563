// CPU facts the native kernels need before OpenBLAS loads: the BLAS core type from /proc/cpuinfo flags
// and the thread count. Debian's OpenBLAS 0.3.21 does not recognise recent AVX-512 parts (AMD Zen 4) and
// falls back to a generic kernel ~6x slower; naming the core type fixes that. Never picks a missing ISA.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** The flags line of /proc/cpuinfo as a set (empty off Linux or when unreadable). */
export function cpuFlags(cpuinfo?: string): Set<string> {
  let text = cpuinfo;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return new Set();
    }
  }
  const line = text.split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
  return new Set(line ? line.slice(line.indexOf(':') + 1).trim().split(/\s+/) : []);
}

/** OpenBLAS core type for these flags: Cooperlake / SkylakeX / Haswell, or null to let OpenBLAS decide. */
export function chooseCoreType(flags: Set<string>): string | null {
  const avx512 = ['avx512f', 'avx512bw', 'avx512vl', 'avx512dq'].every((f) => flags.has(f));
  if (avx512) return flags.has('avx512_bf16') ? 'Cooperlake' : 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return null;
}

export interface BlasEnv {
  /** What was set in process.env by us (names → values); existing values are never overwritten. */
  set: Record<string, string>;
  coreType: string | null;
  threads: number;
}

/** The core type configureBlasEnv would pick on this machine (null: none, or not x86 Linux). */
export function autoCoreType(): string | null {
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'ia32')) return null;
  return chooseCoreType(cpuFlags());
}

/**
 * Fills OPENBLAS_CORETYPE (unset or empty) and OPENBLAS_NUM_THREADS (unset) in process.env (x86 Linux only for the
 * core type). Must run before the addon (hence libopenblas) is loaded; later changes have no effect.
 */
export function configureBlasEnv(env: NodeJS.ProcessEnv = process.env): BlasEnv {
  const set: Record<string, string> = {};
  if (!env.OPENBLAS_CORETYPE) {
    const core = autoCoreType();
    if (core) set.OPENBLAS_CORETYPE = core;
  }
  const fromEnv = Number.parseInt(env.R1_THREADS ?? env.OPENBLAS_NUM_THREADS ?? env.OMP_NUM_THREADS ?? '', 10);
  const threads = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : availableParallelism();
  if (env.OPENBLAS_NUM_THREADS === undefined) set.OPENBLAS_NUM_THREADS = String(threads);
  Object.assign(env, set);
  return { set, coreType: env.OPENBLAS_CORETYPE ?? null, threads };
}
