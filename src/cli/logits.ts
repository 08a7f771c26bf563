// `r1 logits --model DIR --token-ids 1,2,3 [--json]`: the logits of one token sequence (one row per position),
// for checking r1ts against other implementations. Parses flags and calls Decoder.forward; nothing else.
import { UsageError } from './main.js';
import { printJson, readCommandLine } from './args.js';
import { resolve } from '../run/spec.js';
import { LOGITS_SPEC as SPEC } from './specs.js';
import { loadModel } from '../model/lora-io.js';
import { noGrad } from '../tensor/index.js';

export async function run(argv: string[]): Promise<number | void> {
  const cl = readCommandLine(SPEC, {}, argv, { usage: 'usage: r1 logits --model DIR --token-ids 1,2,3 [--json]' });
  if (!cl) return 0;
  const values = resolve(SPEC, [cl.layer]);
  const ids = values.tokenIds.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--token-ids: '${s}' is not a non-negative integer token id`);
    return n;
  });
  if (ids.length === 0) throw new UsageError('--token-ids is empty; give at least one token id');
  const { model, config } = await loadModel(values.model, values.adapter); // a LoRA adapter on it with --adapter
  const bad = ids.find((id) => id >= config.vocab_size);
  if (bad !== undefined) throw new UsageError(`--token-ids: id ${bad} is outside the vocabulary [0, ${config.vocab_size})`);
  const nv = config.vocab_size;
  const out = noGrad(() => model.forward(Int32Array.from(ids), 1, ids.length)).data; // (1, T, V)
  const rows = ids.map((_, t) => Array.from(out.subarray(t * nv, (t + 1) * nv)));
  if (values.json) {
    printJson({ logits: rows });
  } else {
    rows.forEach((row, t) => {
      const top = row.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 5);
      console.log(`${t}\t${ids[t]}\t${top.map(([v, i]) => `${i}:${v.toFixed(4)}`).join(' ')}`);
    });
  }
  return 0;
}
