// Loads the native kernel addon (build/Release/r1kernels.node, built from native/ by scripts/build-native.mjs)
// and presents it as Kernels. It does not build anything; a missing or broken addon is reported as a reason
// string so the caller can fall back to the TS kernels with a one-line warning.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Kernels } from './types.js';
import { configureBlasEnv, cpuFlags } from './cpu.js';

/** The addon's exports: the Kernels methods (same signatures) plus thread control. */
type Addon = Omit<Kernels, 'name' | 'threads' | 'bf16'> & { setThreads(n: number): number; bf16Mode(): 'amx' | 'avx512bf16' | 'none' };

export const ADDON_PATH = join(fileURLToPath(new URL('../../..', import.meta.url)), 'build', 'Release', 'r1kernels.node');
const FIX = 'build it with `node scripts/build-native.mjs` (needs a C compiler and libopenblas-dev)';

/** Instruction sets the build used (build/Release/r1kernels.isa.json) that /proc/cpuinfo does not list. */
function missingIsa(): string[] {
  const file = ADDON_PATH.replace(/\.node$/, '.isa.json');
  if (!existsSync(file)) return [];
  const need = (JSON.parse(readFileSync(file, 'utf8')) as { need?: string[] }).need ?? [];
  if (need.length === 0) return [];
  const have = cpuFlags();
  return have.size === 0 ? [] : need.filter((f) => !have.has(f));
}

export type NativeLoad = { kernels: Kernels } | { error: string };

export function loadNative(): NativeLoad {
  if (!existsSync(ADDON_PATH)) return { error: `native addon not built (${ADDON_PATH} missing); ${FIX}` };
  const missing = missingIsa();
  if (missing.length > 0) {
    return { error: `native addon was built for CPU features this CPU lacks (${missing.join(' ')}); rebuild it here with \`node scripts/build-native.mjs\`` };
  }
  const blas = configureBlasEnv();
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
  } catch (err) {
    return { error: `native addon failed to load (${(err as Error).message.split('\n')[0]}); ${FIX}` };
  }
  if (typeof addon.gemmRowsW16 !== 'function') {
    return { error: `native addon is older than its sources (it lacks gemmRowsW16); rebuild it with \`node scripts/build-native.mjs\`` };
  }
  const threads = addon.setThreads(blas.threads);
  const mode = addon.bf16Mode();
  return {
    kernels: {
      name: 'native',
      threads,
      bf16: mode === 'none' ? null : mode,
      gemm: addon.gemm,
      gemmRows: addon.gemmRows,
      packW16: addon.packW16,
      gemmRowsW16: addon.gemmRowsW16,
      alignedFloat32: addon.alignedFloat32,
      gemmBf16: addon.gemmBf16,
      packBf16: addon.packBf16,
      gemmBf16Packed: addon.gemmBf16Packed,
      roundBf16: addon.roundBf16,
      binary: addon.binary,
      unary: addon.unary,
      axpy: addon.axpy,
      swigluFwd: addon.swigluFwd,
      swigluBwd: addon.swigluBwd,
      rmsnormFwd: addon.rmsnormFwd,
      rmsnormBwd: addon.rmsnormBwd,
      rope: addon.rope,
      attentionFwd: addon.attentionFwd,
      attentionBwd: addon.attentionBwd,
      attentionFwdBf16: addon.attentionFwdBf16,
      attentionBwdBf16: addon.attentionBwdBf16,
      attentionDecode: addon.attentionDecode,
      attentionDecodeBf16: addon.attentionDecodeBf16,
      softmaxFwd: addon.softmaxFwd,
      softmaxBwd: addon.softmaxBwd,
      logSoftmaxFwd: addon.logSoftmaxFwd,
      logSoftmaxBwd: addon.logSoftmaxBwd,
      logprobFwd: addon.logprobFwd,
      logprobBwd: addon.logprobBwd,
      embeddingFwd: addon.embeddingFwd,
      embeddingBwd: addon.embeddingBwd,
      sumSquares: addon.sumSquares,
      expShift: addon.expShift,
      sampleBuckets: addon.sampleBuckets,
      sampleRowsPrep: addon.sampleRowsPrep,
      argmax: addon.argmax,
      cdfIndex: addon.cdfIndex,
      bucketIds: addon.bucketIds,
      adamw: addon.adamw,
    },
  };
}
