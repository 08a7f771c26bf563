// The BLAS environment chosen before OpenBLAS loads: core type from cpuinfo flags (never an ISA the CPU lacks),
// an existing OPENBLAS_CORETYPE respected, thread counts filled only when unset.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseCoreType, configureBlasEnv, cpuFlags } from '../../src/tensor/kernels/cpu.js';

const flags = (s: string) => new Set(s.split(' '));

it('chooses the widest OpenBLAS core type the flags allow', () => {
  assert.equal(chooseCoreType(flags('sse2 avx avx2 fma avx512f avx512bw avx512vl avx512dq avx512_bf16')), 'Cooperlake');
  assert.equal(chooseCoreType(flags('sse2 avx avx2 fma avx512f avx512bw avx512vl avx512dq')), 'SkylakeX');
  assert.equal(chooseCoreType(flags('sse2 avx avx2 fma avx512f avx512bw avx512dq')), 'Haswell'); // no avx512vl
  assert.equal(chooseCoreType(flags('sse2 avx avx2 fma')), 'Haswell');
  assert.equal(chooseCoreType(flags('sse2 avx avx2')), null); // no fma
  assert.equal(chooseCoreType(new Set()), null);
});

it('reads the flags line of /proc/cpuinfo text', () => {
  const text = 'processor\t: 0\nmodel name\t: X\nflags\t\t: fpu sse2 avx2 fma\nbugs\t\t: none\n';
  assert.deepEqual([...cpuFlags(text)], ['fpu', 'sse2', 'avx2', 'fma']);
  assert.equal(cpuFlags('nothing here').size, 0);
});

it('respects OPENBLAS_CORETYPE and OPENBLAS_NUM_THREADS already set, fills them when unset', () => {
  const preset: NodeJS.ProcessEnv = { OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_NUM_THREADS: '1' };
  const r = configureBlasEnv(preset);
  assert.equal(preset.OPENBLAS_CORETYPE, 'Haswell');
  assert.equal(preset.OPENBLAS_NUM_THREADS, '1');
  assert.equal(r.threads, 1);
  assert.deepEqual(r.set, {});
  const empty: NodeJS.ProcessEnv = {};
  const e = configureBlasEnv(empty);
  assert.equal(empty.OPENBLAS_NUM_THREADS, String(e.threads));
  assert.ok(e.threads >= 1);
  const r1: NodeJS.ProcessEnv = { R1_THREADS: '3' };
  assert.equal(configureBlasEnv(r1).threads, 3);
});
