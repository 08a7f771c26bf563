// `r1 bench generate [--json] [--compare-torch]`: sampling throughput (new tokens of all sequences per second)
// of a random Llama-style model with the KV-cached sampler, and with --compare-torch the same model in PyTorch
// (scripts/ref/bench_generate.py) in the same run under several thread settings (the best is compared), and the
// ratio. --precision bf16 samples the same model in FP32 and then on BF16 weight copies in one run, and PyTorch
// with BF16 weights under autocast. A benchmark, not a test.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { UsageError } from '../main.js';
import { PYTHON_HELP, torchPython } from './python.js';
import { parseFlags } from '../args.js';
import { Rng } from '../../util/rng.js';
import { Decoder } from '../../model/decoder.js';
import { makeConfig } from '../../model/config.js';
import { generate } from '../../generate/index.js';
import { getKernels, matmulPrecisionOf, type MatmulPrecision } from '../../tensor/index.js';

const HELP = `usage: r1 bench generate [options] [--json] [--compare-torch]
  --vocab N --dim N --layers N --heads N --kv-heads N --ffn N   model (default 64 / 128 / 4 / 4 / 2 / 344)
  --batch N          sequences sampled together (default 64)
  --prompt-len N     prompt tokens per sequence (default 16)
  --new-tokens N     new tokens per sequence (default 128)
  --temperature X    (default 1)
  --repeats N        timed runs; the median is reported (default 3)
  --seed N           (default 0)
  --threads N        kernel (and PyTorch) threads (default: R1_THREADS, else all cores)
  --precision P      fp32 (default), bf16 (also runs fp32 first, same run), or auto (bf16 where the CPU has AMX / AVX512-BF16)
  --compare-torch    also run the same model in PyTorch (--python's) under 1 and 2 threads and report the ratio to the best
${PYTHON_HELP}
  --json             one JSON object on stdout`;

const INT_FLAGS = ['vocab', 'dim', 'layers', 'heads', 'kv-heads', 'ffn', 'batch', 'prompt-len', 'new-tokens', 'repeats', 'seed', 'threads'] as const;

export async function run(argv: string[]): Promise<number | void> {
  const { values } = parseFlags({
    args: argv,
    options: {
      ...Object.fromEntries(INT_FLAGS.map((f) => [f, { type: 'string' as const }])),
      temperature: { type: 'string' }, precision: { type: 'string' }, 'compare-torch': { type: 'boolean' }, python: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const v = values as Record<string, string | boolean | undefined>;
  const int = (name: (typeof INT_FLAGS)[number], dflt: number, min = 1): number => {
    const s = v[name];
    if (s === undefined) return dflt;
    const n = Number(s);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min} (got '${s}')`);
    return n;
  };
  const a = {
    vocab: int('vocab', 64), dim: int('dim', 128), layers: int('layers', 4), heads: int('heads', 4), kv_heads: int('kv-heads', 2),
    ffn: int('ffn', 344), batch: int('batch', 64), prompt_len: int('prompt-len', 16), new_tokens: int('new-tokens', 128),
    repeats: int('repeats', 3), seed: int('seed', 0, 0),
  };
  const temperature = v.temperature === undefined ? 1 : Number(v.temperature);
  if (!(temperature > 0)) throw new UsageError(`--temperature must be > 0 (got '${v.temperature}')`);
  let config;
  try {
    config = makeConfig({
      vocab_size: a.vocab, hidden_size: a.dim, num_hidden_layers: a.layers, num_attention_heads: a.heads,
      num_key_value_heads: a.kv_heads, intermediate_size: a.ffn, max_position_embeddings: a.prompt_len + a.new_tokens,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (v.threads !== undefined) process.env.R1_THREADS = String(int('threads', 1)); // read when the kernels load, just below
  const kernels = getKernels();
  const rng = new Rng(a.seed);
  const model = new Decoder(config, rng);
  const prompts = (): number[][] => Array.from({ length: a.batch }, () => Array.from({ length: a.prompt_len }, () => rng.int(0, a.vocab - 1)));
  let precision: MatmulPrecision;
  try {
    precision = matmulPrecisionOf(v.precision, '--precision', kernels);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const sample = (n: number): number => {
    const t0 = performance.now();
    const out = generate(model, prompts(), { maxNewTokens: n, temperature, rng, eosIds: [] });
    const sec = (performance.now() - t0) / 1000;
    if (out.some((r) => r.tokens.length !== n)) throw new Error('bench generate: a row stopped early');
    return sec;
  };
  const log = (s: string): void => void process.stderr.write(s + '\n');
  log(`bench generate: ${model.numParameters()} params, ${a.batch} x (${a.prompt_len} + ${a.new_tokens}) tokens, kernels ${kernels.name}, ${kernels.threads} threads`);
  const timed = (p: MatmulPrecision): number => {
    model.precision = p;
    sample(Math.min(8, a.new_tokens));
    const times: number[] = [];
    for (let i = 0; i < a.repeats; i++) {
      times.push(sample(a.new_tokens));
      log(`  ${p} run ${i + 1}: ${(a.batch * a.new_tokens / times[i]!).toFixed(0)} tokens/s`);
    }
    times.sort((x, y) => x - y);
    return times[Math.floor(times.length / 2)]!;
  };
  const fp32Sec = precision === 'bf16' ? timed('fp32') : null;
  const sec = timed(precision);
  const result: Record<string, unknown> = {
    tokens_per_s: (a.batch * a.new_tokens) / sec, seconds: sec, ms_per_step: (sec * 1000) / a.new_tokens,
    batch: a.batch, prompt_len: a.prompt_len, new_tokens: a.new_tokens, params: model.numParameters(),
    threads: kernels.threads, kernels: kernels.name, precision, bf16_instructions: kernels.bf16,
    ...(fp32Sec !== null ? { fp32_tokens_per_s: (a.batch * a.new_tokens) / fp32Sec, bf16_vs_fp32: fp32Sec / sec } : {}),
    blas_env: { OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE ?? null, OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? null },
  };
  if (v['compare-torch']) {
    const python = torchPython(v.python as string | undefined);
    // PyTorch under each thread setting (intra-op threads; BLAS threads 1 and the same), the fastest compared
    const script = join(import.meta.dirname, '..', '..', '..', 'scripts', 'ref', 'bench_generate.py');
    const settings: [number, number][] = [...new Set([1, 2, kernels.threads])].flatMap((t) => [[t, 1], [t, t]] as [number, number][])
      .filter(([t, bt], i, all) => all.findIndex(([x, y]) => x === t && y === bt) === i);
    const torchRun = (p: MatmulPrecision) => settings.map(([threads, blas]) => {
      const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(blas) };
      log(`torch ${p}: torch.set_num_threads(${threads}) OPENBLAS_NUM_THREADS=${blas} ...`);
      const r = spawnSync(python, [script, JSON.stringify({ ...a, threads, temperature, precision: p })], { env, encoding: 'utf8' });
      if (r.status !== 0) return { error: (r.stderr || String(r.error)).trim().split('\n').pop() ?? 'failed', threads, blas_threads: blas };
      const t = JSON.parse(r.stdout.trim().split('\n').pop()!) as { tokens_per_s: number; torch: string };
      log(`  ${t.tokens_per_s.toFixed(0)} tokens/s`);
      return { tokens_per_s: t.tokens_per_s, threads, blas_threads: blas, torch: t.torch };
    });
    const best = (runs: ReturnType<typeof torchRun>) => runs.reduce<(typeof runs)[number] | null>((x, y) => ('tokens_per_s' in y && (!x || !('tokens_per_s' in x) || y.tokens_per_s! > x.tokens_per_s!) ? y : x), null);
    const runs = torchRun(precision);
    const top = best(runs);
    result['torch_runs'] = runs;
    if (!top || !('tokens_per_s' in top)) {
      const err = runs.find((r) => 'error' in r);
      log(`bench generate: PyTorch run failed (${python}): ${err && 'error' in err ? err.error : ''}`);
      result['torch_error'] = err && 'error' in err ? err.error : 'failed';
    } else {
      result['torch_tokens_per_s'] = top.tokens_per_s;
      result['torch_threads'] = top.threads;
      result['torch_blas_threads'] = top.blas_threads;
      result['torch_version'] = top.torch;
      result['ratio'] = (result['tokens_per_s'] as number) / top.tokens_per_s!;
      if (fp32Sec !== null) {
        const runs32 = torchRun('fp32');
        const top32 = best(runs32);
        result['torch_fp32_runs'] = runs32;
        if (top32 && 'tokens_per_s' in top32) {
          result['torch_fp32_tokens_per_s'] = top32.tokens_per_s;
          result['fp32_ratio'] = (result['fp32_tokens_per_s'] as number) / top32.tokens_per_s!;
        }
      }
    }
  }
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(`tokens/s ${(result['tokens_per_s'] as number).toFixed(0)} (${(result['ms_per_step'] as number).toFixed(2)} ms per step of ${a.batch})`);
    if (result['bf16_vs_fp32'] !== undefined) console.log(`fp32 tokens/s ${(result['fp32_tokens_per_s'] as number).toFixed(0)}, bf16 ${(result['bf16_vs_fp32'] as number).toFixed(2)}x fp32`);
    if (result['ratio'] !== undefined) console.log(`PyTorch tokens/s ${(result['torch_tokens_per_s'] as number).toFixed(0)}, ratio ${(result['ratio'] as number).toFixed(2)}x`);
  }
  return 0;
}
