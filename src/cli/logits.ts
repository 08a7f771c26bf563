// `r1 logits --model DIR --tokens 1,2,3 [--json]`: the logits of one token sequence (one row per position),
// for checking r1ts against other implementations. Parses flags and calls Decoder.forward; nothing else.
import { UsageError } from './main.js';
import { parseFlags } from './args.js';
import { ADAPTER_HELP, loadModelFlags } from './lora-flags.js';
import { noGrad } from '../tensor/index.js';

const HELP = `usage: r1 logits --model DIR --tokens 1,2,3 [--json]
  --model DIR     checkpoint folder (HF layout)   [required]
${ADAPTER_HELP}
  --tokens LIST   comma-separated token ids        [required]
  --json          {"logits": [[...], ...]} on stdout (otherwise the top 5 ids per position)`;

export async function run(argv: string[]): Promise<number | void> {
  const { values } = parseFlags({
    args: argv,
    options: { model: { type: 'string' }, adapter: { type: 'string' }, tokens: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.model) throw new UsageError('--model DIR is required (a checkpoint folder)');
  if (!values.tokens) throw new UsageError('--tokens 1,2,3 is required (comma-separated token ids)');
  const ids = values.tokens.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--tokens: '${s}' is not a non-negative integer token id`);
    return n;
  });
  if (ids.length === 0) throw new UsageError('--tokens is empty; give at least one token id');
  const { model, config } = await loadModelFlags(values.model, values.adapter);
  const bad = ids.find((id) => id >= config.vocab_size);
  if (bad !== undefined) throw new UsageError(`--tokens: id ${bad} is outside the vocabulary [0, ${config.vocab_size})`);
  const V = config.vocab_size;
  const out = noGrad(() => model.forward(Int32Array.from(ids), 1, ids.length)).data; // (1, T, V)
  const rows = ids.map((_, t) => Array.from(out.subarray(t * V, (t + 1) * V)));
  if (values.json) {
    console.log(JSON.stringify({ logits: rows }));
  } else {
    rows.forEach((row, t) => {
      const top = row.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 5);
      console.log(`${t}\t${ids[t]}\t${top.map(([v, i]) => `${i}:${v.toFixed(4)}`).join(' ')}`);
    });
  }
  return 0;
}
