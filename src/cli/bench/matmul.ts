// `r1 bench matmul [--json] [--seconds S] [--precision fp32|bf16|auto] [--compare-torch]`: GFLOP/s of the kernels'
// gemm at 256³, 512³, 1024³ and [4096×256]@[256×1024], side by side with cblas_sgemm called directly from a tiny C
// program compiled on the fly (same environment), plus the TS kernels at 256³; with bf16 also gemmBf16 in the same
// run, and with --compare-torch PyTorch's FP32 and BF16 matmul at its best thread setting. PyTorch's BF16 is
// torch.autocast on FP32 tensors, casts inside the timing, as our gemmBf16 rounds its FP32 operands while packing
// (scripts/ref/bench_matmul.py); its matmul of tensors already in BF16 is reported beside it. A benchmark, not a test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../main.js';
import { PYTHON_HELP, torchPython } from './python.js';
import { parseFlags } from '../args.js';
import { getKernels, tsKernels, type Kernels } from '../../tensor/kernels/index.js';
import { autoCoreType } from '../../tensor/kernels/cpu.js';
import { checkPrecision, resolvePrecision } from '../../tensor/precision.js';
import { fileURLToPath } from 'node:url';

const SIZES: [number, number, number][] = [[256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [4096, 1024, 256]]; // M, N, K

/** The direct-BLAS reference: same timing scheme as measure() below (median of 5 trials of >= S seconds). */
const C_SOURCE = `
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
int main(int argc, char **argv) {
  double secs = atof(argv[1]);
  for (int s = 2; s + 2 < argc; s += 3) {
    int M = atoi(argv[s]), N = atoi(argv[s + 1]), K = atoi(argv[s + 2]);
    float *a = malloc(sizeof(float) * M * K), *b = malloc(sizeof(float) * K * N), *c = malloc(sizeof(float) * M * N);
    for (long i = 0; i < (long)M * K; i++) a[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    for (long i = 0; i < (long)K * N; i++) b[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, a, K, b, N, 0.0f, c, N);
    double g[5];
    for (int t = 0; t < 5; t++) {
      long reps = 0; double t0 = now(), el;
      do { cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, a, K, b, N, 0.0f, c, N); reps++; el = now() - t0; } while (el < secs);
      g[t] = 2.0 * M * N * K * reps / el / 1e9;
    }
    qsort(g, 5, sizeof g[0], cmp);
    printf("%s%.3f", s == 2 ? "" : " ", g[2]);
    free(a); free(b); free(c);
  }
  printf("\\n");
  return 0;
}
`;

function measure(k: Kernels, M: number, N: number, K: number, secs: number, bf16 = false): number {
  const a = Float32Array.from({ length: M * K }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const b = Float32Array.from({ length: K * N }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const c = new Float32Array(M * N);
  const gemm = bf16 ? k.gemmBf16 : k.gemm;
  const call = () => gemm(a, b, c, 1, M, N, K, false, false, 1, 0, 0, 0, 0);
  call();
  const g: number[] = [];
  for (let t = 0; t < 5; t++) {
    let reps = 0, el = 0;
    const t0 = performance.now();
    do { call(); reps++; el = (performance.now() - t0) / 1000; } while (el < secs);
    g.push((2 * M * N * K * reps) / el / 1e9);
  }
  return g.sort((x, y) => x - y)[2]!;
}

/** GFLOP/s per size from the C program, or the reason it could not run. */
function directBlas(secs: number): number[] | string {
  if (process.platform === 'darwin') return 'direct BLAS reference not set up for Accelerate';
  const dir = mkdtempSync(join(tmpdir(), 'r1-bench-matmul-'));
  try {
    writeFileSync(join(dir, 'ref.c'), C_SOURCE);
    const cc = spawnSync(process.env.CC ?? 'cc', ['-O2', '-o', join(dir, 'ref'), join(dir, 'ref.c'), '-lopenblas'], { encoding: 'utf8' });
    if (cc.error || cc.status !== 0) return `could not compile the C reference: ${(cc.stderr || String(cc.error)).split('\n')[0]}`;
    const r = spawnSync(join(dir, 'ref'), [String(secs), ...SIZES.flat().map(String)], { encoding: 'utf8', env: process.env });
    if (r.status !== 0) return `C reference failed: ${r.stderr.split('\n')[0]}`;
    return r.stdout.trim().split(' ').map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface TorchMatmul { threads: number; torch: string; sizes: { M: number; N: number; K: number; fp32: number; bf16: number; bf16_tensors: number }[] }

interface TorchBest { fp32: number; bf16: number; bf16_tensors: number; fp32_threads: number; bf16_threads: number; bf16_tensors_threads: number }

/** PyTorch's FP32, BF16 (autocast) and BF16-tensor matmul GFLOP/s per size, under 1 and 2 intra-op threads (and all
 * cores): the best per size and kind. */
function torchMatmul(python: string, secs: number, threads: number): { best: TorchBest[]; runs: TorchMatmul[] } | string {
  const script = fileURLToPath(new URL('../../../scripts/ref/bench_matmul.py', import.meta.url));
  const runs: TorchMatmul[] = [];
  for (const t of [...new Set([1, 2, threads])]) {
    const r = spawnSync(python, [script, '--threads', String(t), '--seconds', String(secs), '--sizes', ...SIZES.map(([M, N, K]) => `${M},${N},${K}`)],
      { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(t), OPENBLAS_NUM_THREADS: String(t) } });
    if (r.status !== 0) return `PyTorch run failed (${python}): ${(r.stderr || String(r.error)).trim().split('\n').pop()}`;
    runs.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchMatmul);
  }
  const best = SIZES.map((_, i) => {
    const top = (k: 'fp32' | 'bf16' | 'bf16_tensors') => runs.reduce((a, b) => (b.sizes[i]![k] > a.sizes[i]![k] ? b : a));
    const [f, h, p] = [top('fp32'), top('bf16'), top('bf16_tensors')];
    return { fp32: f.sizes[i]!.fp32, bf16: h.sizes[i]!.bf16, bf16_tensors: p.sizes[i]!.bf16_tensors,
      fp32_threads: f.threads, bf16_threads: h.threads, bf16_tensors_threads: p.threads };
  });
  return { best, runs };
}

const MATMUL_USAGE = `usage: r1 bench matmul [--json] [--seconds S] [--precision fp32|bf16|auto] [--compare-torch]
  --seconds S        time per size (default 0.2)
  --precision P      fp32 (default), bf16 (FP32 and BF16 side by side), or auto (bf16 where the CPU has AMX / AVX512-BF16)
  --compare-torch    also time PyTorch (--python's) FP32 and BF16 autocast at 1, 2 and all threads; the best is reported
${PYTHON_HELP}
  --json             one JSON object on stdout`;

export async function run(argv: string[]): Promise<number | void> {
  const { values } = parseFlags({ args: argv, options: {
    json: { type: 'boolean', default: false }, seconds: { type: 'string', default: '0.2' },
    precision: { type: 'string', default: 'fp32' }, 'compare-torch': { type: 'boolean', default: false }, python: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  } }, MATMUL_USAGE);
  if (values.help) {
    console.log(MATMUL_USAGE);
    return 0;
  }
  let precision;
  try {
    precision = checkPrecision(values.precision, '--precision');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const secs = Number(values.seconds);
  if (!(secs > 0 && secs <= 10)) throw new UsageError(`--seconds ${values.seconds}: give a number of seconds in (0, 10]`);
  const k = getKernels(); // loads the addon, which sets OPENBLAS_CORETYPE / OPENBLAS_NUM_THREADS when unset
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`bench matmul: kernels=${k.name} threads=${k.threads} OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? '(unset)'} OPENBLAS_NUM_THREADS=${process.env.OPENBLAS_NUM_THREADS ?? '(unset)'}`);
  const auto = autoCoreType();
  if (auto && process.env.OPENBLAS_CORETYPE && process.env.OPENBLAS_CORETYPE !== auto) {
    log(`  note: OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE} comes from the environment; this CPU supports ${auto} (run with OPENBLAS_CORETYPE= to let r1ts choose)`);
  }
  const bf16 = resolvePrecision(precision, k) === 'bf16';
  if (bf16) log(`  bf16: ${k.bf16 ?? 'no BF16 instructions (emulated in FP32)'}`);
  const ours = SIZES.map(([M, N, K]) => {
    const g = measure(k, M, N, K, secs);
    log(`  ${k.name} [${M}x${K}]@[${K}x${N}]: ${g.toFixed(1)} GFLOP/s`);
    return g;
  });
  const oursBf16 = bf16 ? SIZES.map(([M, N, K]) => {
    const g = measure(k, M, N, K, secs, true);
    log(`  ${k.name} bf16 [${M}x${K}]@[${K}x${N}]: ${g.toFixed(1)} GFLOP/s`);
    return g;
  }) : null;
  const torch = values['compare-torch'] ? torchMatmul(torchPython(values.python as string | undefined), secs, k.threads) : null;
  if (typeof torch === 'string') log(`  ${torch}`);
  const direct = directBlas(secs);
  if (typeof direct === 'string') log(`  ${direct}`);
  const sizes = SIZES.map(([M, N, K], i) => {
    const c = typeof direct === 'string' ? null : direct[i] ?? null;
    const t = torch && typeof torch !== 'string' ? torch.best[i]! : null;
    const h = oursBf16 ? oursBf16[i]! : null;
    return {
      name: `[${M}x${K}]@[${K}x${N}]`, M, N, K, gflops: round(ours[i]!), c_gflops: c === null ? null : round(c), ratio: c ? round(ours[i]! / c, 3) : null,
      ...(h !== null ? { bf16_gflops: round(h), bf16_vs_fp32: round(h / ours[i]!, 2) } : {}),
      ...(t ? { torch_fp32_gflops: round(t.fp32), torch_fp32_threads: t.fp32_threads, fp32_vs_torch: round(ours[i]! / t.fp32, 2) } : {}),
      ...(t && h !== null ? { torch_bf16_gflops: round(t.bf16), torch_bf16_threads: t.bf16_threads, bf16_vs_torch_bf16: round(h / t.bf16, 2),
        torch_bf16_tensors_gflops: round(t.bf16_tensors), torch_bf16_tensors_threads: t.bf16_tensors_threads, bf16_vs_torch_bf16_tensors: round(h / t.bf16_tensors, 2) } : {}),
    };
  });
  const ts = measure(tsKernels, 256, 256, 256, Math.min(secs, 0.2));
  const ratios = sizes.map((s) => s.ratio).filter((r): r is number => r !== null);
  const result = {
    kernels: k.name, threads: k.threads,
    openblas_coretype: process.env.OPENBLAS_CORETYPE ?? null, openblas_coretype_auto: auto, openblas_num_threads: process.env.OPENBLAS_NUM_THREADS ?? null,
    sizes, min_ratio: ratios.length ? Math.min(...ratios) : null, ts_gflops_256: round(ts),
    c_reference: typeof direct === 'string' ? direct : 'cblas_sgemm from C, same environment',
    precision: bf16 ? 'bf16' : 'fp32', bf16_instructions: k.bf16,
    ...(torch ? { torch: typeof torch === 'string' ? torch : { version: torch.runs[0]?.torch ?? null, threads_tried: torch.runs.map((r) => r.threads) } } : {}),
  };
  if (values.json) {
    console.log(JSON.stringify(result));
    return;
  }
  for (const s of sizes) {
    let line = `${s.name.padEnd(22)} ${s.gflops.toFixed(1).padStart(7)} GFLOP/s   C: ${s.c_gflops?.toFixed(1) ?? 'n/a'}   ratio ${s.ratio ?? 'n/a'}`;
    if (s.bf16_gflops !== undefined) line += `   bf16 ${s.bf16_gflops.toFixed(1)} (${s.bf16_vs_fp32}x fp32)`;
    if (s.torch_fp32_gflops !== undefined) line += `   torch fp32 ${s.torch_fp32_gflops.toFixed(1)}`;
    if (s.torch_bf16_gflops !== undefined) line += `   torch bf16 autocast ${s.torch_bf16_gflops.toFixed(1)} (ours ${s.bf16_vs_torch_bf16}x)`;
    if (s.torch_bf16_tensors_gflops !== undefined) line += `   torch bf16 tensors ${s.torch_bf16_tensors_gflops.toFixed(1)} (ours ${s.bf16_vs_torch_bf16_tensors}x)`;
    console.log(line);
  }
  console.log(`TS kernels at 256³: ${result.ts_gflops_256} GFLOP/s`);
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
