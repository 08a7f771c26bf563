// Real-shape checkpoint check: loads a checkpoint folder, saves it sharded (weights in their dtype, plus an
// optimizer state of the model's size when --optimizer), reloads both and compares every tensor bit for bit with the source's, and
// writes the FP32 logits of a fixed text for scripts/ref/hf_load_check.py (transformers loading what we wrote).
// Not a test (real shapes need minutes and GBs: run it under flock /work/heavy.lock). Usage:
//   npx tsx scripts/checkpoint-roundtrip.ts SRC OUT [--max-shard-mb N] [--optimizer]
import { writeFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../src/model/checkpoint.js';
import { TensorState, readTensorState } from '../src/model/state.js';
import { openSafetensors, readTensorInto } from '../src/model/safetensors.js';
import { Rng } from '../src/util/rng.js';
import { noGrad } from '../src/tensor/index.js';

const TEXT = 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.';

const [src, out, ...rest] = process.argv.slice(2);
if (!src || !out) throw new Error('usage: npx tsx scripts/checkpoint-roundtrip.ts SRC OUT [--max-shard-mb N] [--optimizer]');
const mb = rest.includes('--max-shard-mb') ? Number(rest[rest.indexOf('--max-shard-mb') + 1]) : 500;
const withOpt = rest.includes('--optimizer');
const rss = (): string => `${(process.memoryUsage().rss / 2 ** 30).toFixed(1)} GB RSS`;
const time = async <T>(what: string, fn: () => T | Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const r = await fn();
  console.log(`${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${rss()}`);
  return r;
};
const bitsEqual = (a: Float32Array, b: Float32Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

let a: Awaited<ReturnType<typeof loadCheckpoint>> | null = await time(`load ${src}`, () => loadCheckpoint(src));
const params = a.model.namedParameters().map(([n, p]) => [n, { size: p.size }] as const);
console.log(`${params.length} tensors, ${params.reduce((s, [, p]) => s + p.size, 0)} parameters, torch_dtype ${a.config.torch_dtype}`);
let opt: { params: { step: number; m: Float32Array; v: Float32Array }[] } | null = null;
if (withOpt) {
  const rng = new Rng(1);
  opt = { params: params.map(([, p]) => ({ step: 3, m: Float32Array.from({ length: p.size }, () => rng.normal() * 1e-3), v: new Float32Array(p.size).fill(1e-7) })) };
}
await time(`save ${out} (shards <= ${mb} MB)`, () =>
  saveCheckpoint(out, a!.model, a!.tokenizer, opt ? { optimizer: new TensorState(opt) } : {}, { maxShardBytes: mb * 1e6 }));
for (const f of readdirSync(out).sort()) console.log(`  ${f}  ${(statSync(join(out, f)).size / 1e6).toFixed(1)} MB`);
const tokenizer = a.tokenizer;
a = null; // one model in memory at a time: the reload is compared with SRC's tensors read one by one
const b = await time(`reload ${out}`, () => loadCheckpoint(out));
const srcInfos = openSafetensors(src);
const diff = b.model.namedParameters().filter(([n, p]) => {
  const info = srcInfos.get(n) ?? (n === 'lm_head.weight' ? srcInfos.get('model.embed_tokens.weight')! : undefined)!;
  const orig = new Float32Array(p.size);
  readTensorInto(info, orig);
  return !bitsEqual(orig, p.data);
}).map(([n]) => n);
console.log(`weights bit-exact: ${diff.length === 0 ? `yes (${params.length}/${params.length} tensors)` : `NO: ${diff.slice(0, 5).join(', ')}`}`);
if (opt) {
  const back = await time('reload optimizer state', () => readTensorState(out, 'optimizer') as typeof opt);
  const bad = opt.params.filter((s, i) => !bitsEqual(s.m, back!.params[i]!.m) || !bitsEqual(s.v, back!.params[i]!.v) || s.step !== back!.params[i]!.step).length;
  console.log(`optimizer state bit-exact: ${bad === 0 ? `yes (${opt.params.length} parameters' m and v)` : `NO (${bad} differ)`}`);
}
const ids = tokenizer.encode(TEXT);
const V = b.config.vocab_size;
const logits = await time(`logits of ${ids.length} tokens`, () => noGrad(() => b.model.forward(Int32Array.from(ids), 1, ids.length)).data.slice()); // (1, T, V)
writeFileSync(join(out, '..', `${out.split('/').pop()}.ours.json`), JSON.stringify({ tokens: ids, vocab: V }));
writeFileSync(join(out, '..', `${out.split('/').pop()}.ours.f32`), new Uint8Array(logits.buffer));
console.log(`wrote our logits (${ids.length} x ${V}) beside ${out}; now: /work/venv/bin/python scripts/ref/hf_load_check.py ${out}`);
