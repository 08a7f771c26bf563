// `r1 bench sample`: the sampler's cost per token at a real vocabulary, top-p / top-k beside plain sampling (top-p 1)
// in the same run, on normal logit rows or a checkpoint's logits, and with --model whole generations too.
// Parses flags and prints; the measuring is src/bench/sample.ts.
import { UsageError } from '../main.js';
import { parseFlags, printJson } from '../args.js';
import { loadCheckpoint } from '../../model/checkpoint.js';
import { modelLogitRows, normalLogitRows, timeGenerate, timeSampler } from '../../bench/sample.js';

const HELP = `usage: r1 bench sample [options] [--json]
  --top-p X          nucleus kept (default 0.95); compared with top-p 1 at the same temperature
  --top-k N          top-k as well (default 0: off)
  --temperature X    (default 1)
  --vocab N          logit rows of N normal(0, --sigma) values (default 151936; without --model)
  --sigma X          (default 1)
  --rows N           logit rows timed (default 64)
  --repeats N        timed passes over the rows; the median is reported (default 5)
  --model DIR        rows from this checkpoint's logits instead, and whole generations under both settings:
  --batch N --prompt-len N --new-tokens N   (default 16 / 16 / 64)
  --json             one JSON object on stdout`;

export async function run(argv: string[]): Promise<number | void> {
  const { values: v } = parseFlags({
    args: argv,
    options: {
      'top-p': { type: 'string' }, 'top-k': { type: 'string' }, temperature: { type: 'string' }, vocab: { type: 'string' }, sigma: { type: 'string' },
      rows: { type: 'string' }, repeats: { type: 'string' }, model: { type: 'string' }, batch: { type: 'string' }, 'prompt-len': { type: 'string' },
      'new-tokens': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  }, HELP);
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  const num = (name: string, dflt: number, ok: (x: number) => boolean, what: string): number => {
    const s = (v as Record<string, unknown>)[name] as string | undefined;
    if (s === undefined) return dflt;
    const x = Number(s);
    if (!ok(x)) throw new UsageError(`--${name} must be ${what} (got '${s}')`);
    return x;
  };
  const posInt = (x: number): boolean => Number.isInteger(x) && x >= 1;
  const topP = num('top-p', 0.95, (x) => x > 0 && x <= 1, 'in (0, 1]');
  const topK = num('top-k', 0, (x) => Number.isInteger(x) && x >= 0, 'an integer >= 0');
  const temperature = num('temperature', 1, (x) => x > 0 && Number.isFinite(x), '> 0');
  const rowsN = num('rows', 64, posInt, 'an integer >= 1');
  const repeats = num('repeats', 5, posInt, 'an integer >= 1');
  const o = { temperature, topP, topK };
  const log = (s: string): void => void process.stderr.write(s + '\n');
  const model = v.model ? (await loadCheckpoint(v.model)).model : null;
  const rows = model ? modelLogitRows(model, rowsN, 1) : normalLogitRows(num('vocab', 151936, posInt, 'an integer >= 1'), rowsN, num('sigma', 1, (x) => x >= 0, '>= 0'), 1);
  log(`bench sample: ${rows.length} rows of V = ${rows[0]!.length} (${model ? v.model : 'normal logits'}), top-p ${topP}, top-k ${topK}, T ${temperature}`);
  const sampler = timeSampler(rows, o, repeats);
  const result: Record<string, unknown> = { vocab: rows[0]!.length, top_p: topP, top_k: topK, temperature, rows: rows.length, source: v.model ?? 'normal', sampler };
  if (model) {
    const g = timeGenerate(model, num('batch', 16, posInt, 'an integer >= 1'), num('prompt-len', 16, posInt, 'an integer >= 1'), num('new-tokens', 64, posInt, 'an integer >= 1'), o, 1);
    result.generate = g;
  }
  if (v.json) printJson(result);
  else {
    console.log(`sampleRow CPU time per token: top-p 1 ${sampler.plainUs.toFixed(0)} us, top-p ${topP}${topK ? ` top-k ${topK}` : ''} ${sampler.truncatedUs.toFixed(0)} us, ratio ${sampler.ratio.toFixed(2)}x`);
    const g = result.generate as ReturnType<typeof timeGenerate> | undefined;
    if (g) console.log(`generate per token (${g.tokens} tokens): top-p 1 ${g.plainMs.toFixed(2)} ms, top-p ${topP} ${g.truncatedMs.toFixed(2)} ms, ratio ${g.ratio.toFixed(2)}x`);
  }
  return 0;
}
