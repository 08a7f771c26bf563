// `r1 bench train`: trains a Llama-style Decoder on random tokens with AdamW and reports throughput
// (median step after two warm-up steps); --compare-torch runs scripts/ref/bench_train.py on the same model in the
// same run, under several thread settings, and compares against the fastest. A benchmark, never a test.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../main.js';
import { parseFlags } from '../args.js';
import { Decoder } from '../../model/decoder.js';
import { makeConfig } from '../../model/config.js';
import { crossEntropy, getKernels, withKernels, type Kernels } from '../../tensor/index.js';
import { AdamW } from '../../optim/index.js';
import { Rng } from '../../util/rng.js';
import { chooseCoreType, cpuFlags } from '../../tensor/kernels/cpu.js';

const INT_FLAGS = ['vocab', 'dim', 'layers', 'heads', 'kv-heads', 'ffn', 'seq', 'batch', 'steps', 'seed'] as const;
const DEFAULTS: Record<(typeof INT_FLAGS)[number], number> = {
  vocab: 64, dim: 128, layers: 4, heads: 4, 'kv-heads': 2, ffn: 344, seq: 128, batch: 16, steps: 12, seed: 0,
};
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../scripts/ref/bench_train.py', import.meta.url));

interface TorchRun { blas_threads: number; torch_threads: number; tokens_per_s: number; ms_per_step: number; final_loss: number }

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The active kernels with every call timed, keyed by kernel (gemm by shape and transposes). */
function timedKernels(base: Kernels, ms: Map<string, { ms: number; calls: number }>): Kernels {
  const timed: Record<string, unknown> = { name: base.name, threads: base.threads };
  for (const [key, fn] of Object.entries(base)) {
    if (typeof fn !== 'function') continue;
    timed[key] = (...args: unknown[]): unknown => {
      const t0 = performance.now();
      const r = (fn as (...a: unknown[]) => unknown).apply(base, args);
      const label = key === 'gemm' ? `gemm M${args[4]} N${args[5]} K${args[6]} batch${args[3]} ${args[7] ? 'T' : 'N'}${args[8] ? 'T' : 'N'}`
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

function parse(argv: string[]): { n: Record<(typeof INT_FLAGS)[number], number>; lr: number; compareTorch: boolean; json: boolean; profile: boolean } {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    lr: { type: 'string' }, 'compare-torch': { type: 'boolean' }, json: { type: 'boolean' }, profile: { type: 'boolean' },
  };
  for (const f of INT_FLAGS) options[f] = { type: 'string' };
  const values: Record<string, string | boolean | undefined> = parseFlags({ args: argv, options, allowPositionals: false },
    `flags: ${INT_FLAGS.map((f) => `--${f} N`).join(' ')} --lr X --compare-torch --profile --json`).values;
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
  return { n, lr, compareTorch: values['compare-torch'] === true, json: values['json'] === true, profile: values['profile'] === true };
}

/** One PyTorch run with the given BLAS / intra-op threads (OPENBLAS_CORETYPE as our loader chooses it). */
function runTorch(n: Record<(typeof INT_FLAGS)[number], number>, lr: number, blasThreads: number, torchThreads: number): TorchRun {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(blasThreads), OMP_NUM_THREADS: String(torchThreads) };
  const core = process.env['OPENBLAS_CORETYPE'] ?? chooseCoreType(cpuFlags());
  if (core) env['OPENBLAS_CORETYPE'] = core;
  const args = [SCRIPT, ...INT_FLAGS.map((f) => [`--${f}`, String(n[f])]).flat(), '--threads', String(torchThreads), '--lr', String(lr)];
  const r = spawnSync(PYTHON, args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench train: ${PYTHON} ${SCRIPT} failed (${r.error?.message ?? r.stderr.trim().split('\n').pop()})`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { tokens_per_s: number; ms_per_step: number; final_loss: number };
  return { blas_threads: blasThreads, torch_threads: torchThreads, tokens_per_s: out.tokens_per_s, ms_per_step: out.ms_per_step, final_loss: out.final_loss };
}

export async function run(argv: string[]): Promise<number> {
  const { n, lr, compareTorch, json, profile } = parse(argv);
  if (compareTorch && (!existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import torch']).status !== 0)) {
    throw new UsageError(`--compare-torch needs PyTorch importable by ${PYTHON} (Debian: apt-get install python3-torch)`);
  }
  const config = makeConfig({
    vocab_size: n.vocab, hidden_size: n.dim, intermediate_size: n.ffn, num_hidden_layers: n.layers,
    num_attention_heads: n.heads, num_key_value_heads: n['kv-heads'], max_position_embeddings: n.seq, tie_word_embeddings: false,
  });
  const rng = new Rng(n.seed);
  const model = new Decoder(config, rng);
  const params = model.parameters();
  const opt = new AdamW(params, { lr, weightDecay: 0.1 });
  const B = n.batch, T = n.seq;
  const ids = new Int32Array(B * T), targets = new Int32Array(B * T);
  const times: number[] = [];
  const kernelMs = new Map<string, { ms: number; calls: number }>();
  const kernels = profile ? timedKernels(getKernels(), kernelMs) : getKernels();
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
      const l = crossEntropy(model.forward(ids, B, T), targets);
      l.backward();
      opt.step();
      return l.item();
    });
    times.push(performance.now() - t0);
    process.stderr.write(`step ${step}: loss ${loss.toFixed(4)}  ${times[step]!.toFixed(1)} ms\n`);
  }
  const ms = median(times.length > 2 ? times.slice(2) : times);
  const k = getKernels();
  const report: Record<string, unknown> = {
    tokens_per_s: (B * T) / (ms / 1000), ms_per_step: ms, params: model.numParameters(), threads: k.threads, kernels: k.name,
    final_loss: loss, steps: n.steps, batch: B, seq: T, blas_coretype: process.env['OPENBLAS_CORETYPE'] ?? null,
  };
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
    // the issue's reference setup first (1 BLAS thread, 2 intra-op threads), then the others; compare with the fastest
    const settings: [number, number][] = [[1, 2], [1, 1], [2, 1], [2, 2]];
    const runs = settings.map(([bt, tt]) => {
      process.stderr.write(`torch: OPENBLAS_NUM_THREADS=${bt} torch.set_num_threads(${tt}) ...\n`);
      return runTorch(n, lr, bt, tt);
    });
    const best = runs.reduce((a, b) => (b.tokens_per_s > a.tokens_per_s ? b : a));
    report['torch_tokens_per_s'] = best.tokens_per_s;
    report['torch_ms_per_step'] = best.ms_per_step;
    report['torch_best_setting'] = { blas_threads: best.blas_threads, torch_threads: best.torch_threads };
    report['torch_runs'] = runs;
    report['ratio'] = (report['tokens_per_s'] as number) / best.tokens_per_s;
  }
  if (json) console.log(JSON.stringify(report));
  else for (const [key, v] of Object.entries(report)) console.log(`${key.padEnd(20)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return 0;
}
