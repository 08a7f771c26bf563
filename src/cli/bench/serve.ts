// `r1 bench serve [--json]`: completion tokens per second of `r1 serve` (HTTP, continuous batching) with 1, 8 and 32
// concurrent clients on the bench model (the random Llama-style model of `r1 bench generate`), served on loopback in
// this process. Each client sends its requests one after another. A benchmark, not a test: no pass/fail here.
import { UsageError } from '../main.js';
import { parseFlags, numFlag, POSITIVE_INT, NON_NEGATIVE_INT } from '../args.js';
import { Rng } from '../../util/rng.js';
import { Decoder } from '../../model/decoder.js';
import { makeConfig } from '../../model/config.js';
import { CharTokenizer } from '../../model/tokenizer.js';
import { getKernels } from '../../tensor/index.js';
import { Engine } from '../../serve/engine.js';
import { OpenAIServer } from '../../serve/server.js';

const HELP = `usage: r1 bench serve [options] [--json]
  --clients LIST     concurrent clients per run (default 1,8,32)
  --requests N       requests each client sends, one after another (default 3; at least 24 per run in all,
                     so the single-client figure is not a sub-second measurement)
  --new-tokens N     max_tokens per request (default 128)       --prompt-len N  prompt characters (default 16)
  --slots N          the server's batch slots (default 32)
  --dim N --layers N --heads N --kv-heads N --ffn N   bench model (default 128 / 4 / 4 / 2 / 344, vocabulary 64)
  --seed N           (default 0)
  --json             {"results": [{"clients", "tokens_per_s", ...}], "speedup_max_vs_1": x} on stdout`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      clients: { type: 'string' }, requests: { type: 'string' }, 'new-tokens': { type: 'string' }, 'prompt-len': { type: 'string' },
      slots: { type: 'string' }, dim: { type: 'string' }, layers: { type: 'string' }, heads: { type: 'string' }, 'kv-heads': { type: 'string' },
      ffn: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const clients = (values.clients ?? '1,8,32').split(',').map((s) => numFlag(s, 'clients', POSITIVE_INT, 1));
  if (clients.length === 0) throw new UsageError('--clients needs a comma-separated list of positive integers');
  const requests = numFlag(values.requests, 'requests', POSITIVE_INT, 3);
  const newTokens = numFlag(values['new-tokens'], 'new-tokens', POSITIVE_INT, 128);
  const promptLen = numFlag(values['prompt-len'], 'prompt-len', POSITIVE_INT, 16);
  const slots = numFlag(values.slots, 'slots', POSITIVE_INT, 32);
  const seed = numFlag(values.seed, 'seed', NON_NEGATIVE_INT, 0);
  const chars = Array.from({ length: 64 }, (_, i) => String.fromCharCode(0x30 + i)).join('');
  const tokenizer = new CharTokenizer({ chars, specials: [] }); // no EOS: every request runs to max_tokens
  let config;
  try {
    config = makeConfig({
      vocab_size: tokenizer.vocabSize, hidden_size: numFlag(values.dim, 'dim', POSITIVE_INT, 128), num_hidden_layers: numFlag(values.layers, 'layers', POSITIVE_INT, 4),
      num_attention_heads: numFlag(values.heads, 'heads', POSITIVE_INT, 4), num_key_value_heads: numFlag(values['kv-heads'], 'kv-heads', POSITIVE_INT, 2),
      intermediate_size: numFlag(values.ffn, 'ffn', POSITIVE_INT, 344), max_position_embeddings: promptLen + newTokens + 1,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const model = new Decoder(config, new Rng(seed));
  const engine = new Engine(model, tokenizer, { slots });
  const server = new OpenAIServer(engine, { modelName: 'bench' });
  const port = await server.listen(0, '127.0.0.1');
  const rng = new Rng(seed + 1);
  const prompt = () => Array.from({ length: promptLen }, () => chars[rng.int(0, chars.length - 1)]).join('');
  const log = (s: string) => void process.stderr.write(s + '\n');
  log(`bench serve: ${model.numParameters()} params, ${slots} slots, ${requests} requests × ${newTokens} tokens per client, kernels ${getKernels().name}, ${getKernels().threads} threads`);

  const one = async (): Promise<number> => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'bench', prompt: prompt(), max_tokens: newTokens, temperature: 1, seed: rng.nextU32() }),
    });
    const j = (await res.json()) as { usage?: { completion_tokens: number }; error?: { message: string } };
    if (!res.ok || !j.usage) throw new Error(`bench serve: the server answered ${res.status}: ${j.error?.message ?? 'no usage'}`);
    return j.usage.completion_tokens;
  };
  const results: { clients: number; tokens_per_s: number; tokens: number; seconds: number; requests: number; max_batch: number }[] = [];
  try {
    await one(); // warm-up
    for (const c of clients) {
      engine.stats.maxBatch = 0;
      const t0 = performance.now();
      const each = Math.max(requests, Math.ceil(24 / c));
      const counts = await Promise.all(Array.from({ length: c }, async () => {
        let t = 0;
        for (let r = 0; r < each; r++) t += await one();
        return t;
      }));
      const seconds = (performance.now() - t0) / 1000;
      const tokens = counts.reduce((a, b) => a + b, 0);
      results.push({ clients: c, tokens_per_s: tokens / seconds, tokens, seconds, requests: c * each, max_batch: engine.stats.maxBatch });
      log(`  ${c} clients: ${(tokens / seconds).toFixed(0)} tokens/s (${tokens} tokens in ${seconds.toFixed(2)} s, batch up to ${engine.stats.maxBatch})`);
    }
  } finally {
    await server.close();
  }
  const base = results.find((r) => r.clients === 1);
  const top = results.reduce((a, b) => (b.clients > a.clients ? b : a));
  const out = { results, speedup_max_vs_1: base ? top.tokens_per_s / base.tokens_per_s : null, slots, new_tokens: newTokens, params: model.numParameters(), threads: getKernels().threads };
  if (values.json) console.log(JSON.stringify(out));
  else for (const r of results) console.log(`${String(r.clients).padStart(3)} clients  ${r.tokens_per_s.toFixed(0).padStart(8)} tokens/s`);
  return 0;
}
