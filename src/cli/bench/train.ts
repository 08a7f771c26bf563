// `r1 bench train`: trains a Llama-style Decoder on random tokens with AdamW and reports throughput
// (median step after two warm-up steps); --compare-torch runs scripts/ref/bench_train.py on the same model in the
// same run, under several thread settings, and compares against the fastest. --precision bf16 trains the same model
// in FP32 and then with BF16 matmuls (autocast-like) in one run, and PyTorch under torch.autocast('cpu', bfloat16) too.
// A benchmark, never a test.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../main.js';
import { PYTHON_HELP, torchPython } from './python.js';
import { parseFlags } from '../args.js';
import { Decoder } from '../../model/decoder.js';
import { makeConfig } from '../../model/config.js';
import { crossEntropy, tidy, getKernels, withKernels, matmulPrecisionOf, type Kernels, type MatmulPrecision } from '../../tensor/index.js';
import { AdamW } from '../../optim/index.js';
import { Rng } from '../../util/rng.js';
import { chooseCoreType, cpuFlags } from '../../tensor/kernels/cpu.js';

const INT_FLAGS = ['vocab', 'dim', 'layers', 'heads', 'kv-heads', 'ffn', 'seq', 'batch', 'steps', 'seed'] as const;
const DEFAULTS: Record<(typeof INT_FLAGS)[number], number> = {
  vocab: 64, dim: 128, layers: 4, heads: 4, 'kv-heads': 2, ffn: 344, seq: 128, batch: 16, steps: 12, seed: 0,
};
const SCRIPT = fileURLToPath(new URL('../../../scripts/ref/bench_train.py', import.meta.url));

interface TorchRun { precision: MatmulPrecision; blas_threads: number; torch_threads: number; tokens_per_s: number; ms_per_step: number; final_loss: number }

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The active kernels with every call timed, keyed by kernel (gemm by shape and transposes). */
function timedKernels(base: Kernels, ms: Map<string, { ms: number; calls: number }>): Kernels {
  const timed: Record<string, unknown> = { name: base.name, threads: base.threads, bf16: base.bf16 };
  for (const [key, fn] of Object.entries(base)) {
    if (typeof fn !== 'function') continue;
    timed[key] = (...args: unknown[]): unknown => {
      const t0 = performance.now();
      const r = (fn as (...a: unknown[]) => unknown).apply(base, args);
      const label = key === 'gemm' || key === 'gemmBf16' ? `${key} M${args[4]} N${args[5]} K${args[6]} batch${args[3]} ${args[7] ? 'T' : 'N'}${args[8] ? 'T' : 'N'}`
        : key === 'binary' || key === 'unary' ? `${key}(op ${String(args[0])}) n${String(args[4] ?? args[3])}` : key;
      const e = ms.get(label) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      ms.set(label, e);
      return r;
    };
  }
  return timed as unknown as Kernels;
}

const TRAIN_USAGE = `usage: r1 bench train [options] [--json] [--compare-torch]
  --vocab N --dim N --layers N --heads N --kv-heads N --ffn N   model (default 64 / 128 / 4 / 4 / 2 / 344)
  --seq N --batch N  tokens per sequence and sequences per step (default 128 / 16)
  --steps N          timed training steps (default ${DEFAULTS.steps}); --seed N; --lr X (default 1e-3)
  --precision P      fp32 (default), bf16 (also runs fp32 first, same model and batches), or auto (bf16 where the CPU has AMX / AVX512-BF16)
  --compare-torch    also train the same model in PyTorch (--python's), FP32 and BF16 autocast, under 1 and 2 BLAS and intra-op threads (4 settings); the best is reported
${PYTHON_HELP}
  --profile          time each kernel call
  --json             one JSON object on stdout`;

function parse(argv: string[]): { n: Record<(typeof INT_FLAGS)[number], number>; lr: number; compareTorch: boolean; python: string | undefined; json: boolean; profile: boolean; precision: MatmulPrecision; help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    lr: { type: 'string' }, 'compare-torch': { type: 'boolean' }, python: { type: 'string' }, json: { type: 'boolean' }, profile: { type: 'boolean' }, precision: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  };
  for (const f of INT_FLAGS) options[f] = { type: 'string' };
  const values: Record<string, string | boolean | undefined> = parseFlags({ args: argv, options, allowPositionals: false },
    TRAIN_USAGE).values;
  let precision: MatmulPrecision;
  try {
    precision = matmulPrecisionOf(values['precision'], '--precision');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const n = { ...DEFAULTS };
  for (const f of INT_FLAGS) {
    const v = values[f];
    if (v === undefined) continue;
    const x = Number(v);
    if (!Number.isInteger(x) || x < (f === 'seed' ? 0 : 1)) throw new UsageError(`--${f} must be a positive integer, got '${String(v)}'`);
    n[f] = x;
  }
  if (n.dim % n.heads !== 0) throw new UsageError(`--dim ${n.dim} must be a multiple of --heads ${n.heads}`);
  if (n.heads % n['kv-heads'] !== 0) throw new UsageError(`--heads ${n.heads} must be a multiple of --kv-heads ${n['kv-heads']}`);
  if ((n.dim / n.heads) % 2 !== 0) throw new UsageError(`the head size --dim/--heads = ${n.dim / n.heads} must be even (RoPE)`);
  const lr = values['lr'] === undefined ? 1e-3 : Number(values['lr']);
  if (!(lr > 0)) throw new UsageError(`--lr must be a positive number, got '${String(values['lr'])}'`);
  return { n, lr, compareTorch: values['compare-torch'] === true, python: values['python'] as string | undefined, json: values['json'] === true, profile: values['profile'] === true, precision, help: values['help'] === true };
}

/** One PyTorch run with the given BLAS / intra-op threads (OPENBLAS_CORETYPE as our loader chooses it). */
function runTorch(PYTHON: string, n: Record<(typeof INT_FLAGS)[number], number>, lr: number, blasThreads: number, torchThreads: number, precision: MatmulPrecision): TorchRun {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(blasThreads), OMP_NUM_THREADS: String(torchThreads) };
  const core = process.env['OPENBLAS_CORETYPE'] ?? chooseCoreType(cpuFlags());
  if (core) env['OPENBLAS_CORETYPE'] = core;
  const args = [SCRIPT, ...INT_FLAGS.map((f) => [`--${f}`, String(n[f])]).flat(), '--threads', String(torchThreads), '--lr', String(lr), '--precision', precision];
  const r = spawnSync(PYTHON, args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench train: ${PYTHON} ${SCRIPT} failed (${r.error?.message ?? r.stderr.trim().split('\n').pop()})`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { tokens_per_s: number; ms_per_step: number; final_loss: number };
  return { precision, blas_threads: blasThreads, torch_threads: torchThreads, tokens_per_s: out.tokens_per_s, ms_per_step: out.ms_per_step, final_loss: out.final_loss };
}

interface OwnRun { ms: number; loss: number; params: number }

/** Trains a fresh model (same seed, same batches) for n.steps steps in the given matmul precision; median ms per step after 2 warm-up steps. */
function trainOnce(n: Record<(typeof INT_FLAGS)[number], number>, lr: number, precision: MatmulPrecision, kernels: Kernels,
  kernelMs: Map<string, { ms: number; calls: number }>): OwnRun {
  const config = makeConfig({
    vocab_size: n.vocab, hidden_size: n.dim, intermediate_size: n.ffn, num_hidden_layers: n.layers,
    num_attention_heads: n.heads, num_key_value_heads: n['kv-heads'], max_position_embeddings: n.seq, tie_word_embeddings: false,
  });
  const rng = new Rng(n.seed);
  const model = new Decoder(config, rng);
  model.precision = precision;
  const params = model.parameters();
  const opt = new AdamW(params, { lr, weightDecay: 0.1 });
  const B = n.batch, T = n.seq;
  const ids = new Int32Array(B * T), targets = new Int32Array(B * T);
  const times: number[] = [];
  let loss = NaN;
  for (let step = 0; step < n.steps; step++) {
    for (let b = 0; b < B; b++) {
      let prev = rng.int(0, n.vocab - 1);
      for (let t = 0; t < T; t++) {
        const next = rng.int(0, n.vocab - 1);
        ids[b * T + t] = prev;
        targets[b * T + t] = next;
        prev = next;
      }
    }
    if (step === 2) kernelMs.clear(); // the profile covers the timed steps only
    const t0 = performance.now();
    loss = withKernels(kernels, () => {
      opt.zeroGrad();
      const v = tidy(() => {
        const l = crossEntropy(model.forward(ids, B, T), targets);
        l.backward();
        return l.item();
      });
      opt.step();
      return v;
    });
    times.push(performance.now() - t0);
    process.stderr.write(`${precision} step ${step}: loss ${loss.toFixed(4)}  ${times[step]!.toFixed(1)} ms\n`);
  }
  return { ms: median(times.length > 2 ? times.slice(2) : times), loss, params: model.numParameters() };
}

export async function run(argv: string[]): Promise<number> {
  const { n, lr, compareTorch, python, json, profile, precision, help } = parse(argv);
  if (help) {
    console.log(TRAIN_USAGE);
    return 0;
  }
  const PYTHON = compareTorch ? torchPython(python) : '';
  const B = n.batch, T = n.seq;
  const kernelMs = new Map<string, { ms: number; calls: number }>();
  const kernels = profile ? timedKernels(getKernels(), kernelMs) : getKernels();
  // with bf16, the FP32 run first (same model, same batches) so both ratios come from one run
  const fp32 = precision === 'bf16' ? trainOnce(n, lr, 'fp32', kernels, kernelMs) : null;
  const own = trainOnce(n, lr, precision, kernels, kernelMs);
  const ms = own.ms;
  const k = getKernels();
  const report: Record<string, unknown> = {
    tokens_per_s: (B * T) / (ms / 1000), ms_per_step: ms, params: own.params, threads: k.threads, kernels: k.name,
    precision, bf16_instructions: k.bf16,
    final_loss: own.loss, steps: n.steps, batch: B, seq: T, blas_coretype: process.env['OPENBLAS_CORETYPE'] ?? null,
  };
  if (fp32) {
    report['fp32_tokens_per_s'] = (B * T) / (fp32.ms / 1000);
    report['fp32_final_loss'] = fp32.loss;
    report['bf16_vs_fp32'] = fp32.ms / ms;
  }
  if (profile) {
    const timed = Math.max(1, n.steps - 2);
    const rows = [...kernelMs.entries()].sort((a, b) => b[1].ms - a[1].ms);
    const total = rows.reduce((s, [, e]) => s + e.ms, 0) / timed;
    process.stderr.write(`kernel time per step: ${total.toFixed(1)} ms of ${ms.toFixed(1)} ms (the rest is JS: autograd, allocation)\n`);
    for (const [label, e] of rows) process.stderr.write(`${(e.ms / timed).toFixed(2).padStart(9)} ms ${String(e.calls / timed).padStart(4)}x  ${label}\n`);
    report['kernel_ms_per_step'] = total;
    report['profile'] = Object.fromEntries(rows.map(([label, e]) => [label, { ms_per_step: e.ms / timed, calls_per_step: e.calls / timed }]));
  }
  if (compareTorch) {
    // the reference setup first (1 BLAS thread, 2 intra-op threads), then the others; compare with the fastest
    const settings: [number, number][] = [[1, 2], [1, 1], [2, 1], [2, 2]];
    const best = (p: MatmulPrecision): TorchRun[] => settings.map(([bt, tt]) => {
      process.stderr.write(`torch ${p}: OPENBLAS_NUM_THREADS=${bt} torch.set_num_threads(${tt}) ...\n`);
      return runTorch(PYTHON, n, lr, bt, tt, p);
    });
    const pick = (runs: TorchRun[]): TorchRun => runs.reduce((a, b) => (b.tokens_per_s > a.tokens_per_s ? b : a));
    const runs = best(precision);
    const top = pick(runs);
    report['torch_tokens_per_s'] = top.tokens_per_s;
    report['torch_ms_per_step'] = top.ms_per_step;
    report['torch_best_setting'] = { blas_threads: top.blas_threads, torch_threads: top.torch_threads };
    report['torch_runs'] = runs;
    report['ratio'] = (report['tokens_per_s'] as number) / top.tokens_per_s;
    if (fp32) {
      const runs32 = best('fp32');
      const top32 = pick(runs32);
      report['torch_fp32_tokens_per_s'] = top32.tokens_per_s;
      report['torch_fp32_best_setting'] = { blas_threads: top32.blas_threads, torch_threads: top32.torch_threads };
      report['torch_fp32_runs'] = runs32;
      report['fp32_ratio'] = (report['fp32_tokens_per_s'] as number) / top32.tokens_per_s;
    }
  }
  if (json) console.log(JSON.stringify(report));
  else for (const [key, v] of Object.entries(report)) console.log(`${key.padEnd(20)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return 0;
}
