// `r1 eval`: the paper's evaluation (k samples per problem, T 0.6, top-p 0.95; pass@1 ± stderr, cons@k, pass@k) of a
// checkpoint (--model DIR, sampled in-process by the same engine and seeds as `r1 serve`) or of any OpenAI-compatible
// server (--endpoint URL --model-name NAME), on a benchmark, a JSONL file or a world. Parses flags and wires src/eval.
import { existsSync } from 'node:fs';
import { UsageError } from './main.js';
import { parseFlags, numFlag, applyPrecisionFlag, NON_NEGATIVE, NON_NEGATIVE_INT, POSITIVE_INT } from './args.js';
import { createProgress } from '../util/progress.js';
import { loadCheckpoint } from '../model/checkpoint.js';
import { resolveDataset, rowToProblem, mathGold, DatasetError, type Problem } from '../data/datasets.js';
import { readJsonl } from '../data/jsonl.js';
import { applyTemplate } from '../data/templates.js';
import { WORLDS, getWorld, worldNameProblem } from '../data/worlds/index.js';
import { worldTasks } from '../rl/tasks.js';
import { MATH_INSTRUCTION, mathEquivalent, mathJudge, runBenchmark, type BenchmarkProblem, type BenchmarkSettings } from '../eval/benchmark.js';
import { EndpointError, endpointSampler, listModels, type Sampler } from '../eval/endpoint.js';
import type { Judge } from '../eval/runner.js';
import { Engine, slotsFor } from '../serve/engine.js';
import { encodePrompt, engineSampler } from '../serve/prompt.js';
import { promptOpensThink } from '../serve/reasoning.js';

const HELP = `usage: r1 eval (--model DIR | --endpoint URL --model-name NAME [--api-key-env VAR]) --dataset NAME --out DIR [options]
  --dataset D          gsm8k | math500 | aime24 | amc23 | FILE.jsonl | world:NAME (${Object.keys(WORLDS).join(', ')})
  --out DIR            results.jsonl (every sample), summary.json, settings.json; an unfinished run there resumes
  --k K                samples per problem: pass@1 is their mean correctness, cons@K their vote (default 64)
  --temperature T      (default 0.6)          --top-p P   (default 0.95)
  --max-tokens N       completion limit (default 32768; a local model is capped at its context)
  --limit N            first N problems (default all; 200 for worlds)
  --template T         chat (the tokenizer's / server's chat template) | r1-zero | compact | none | a string with {prompt}
                       (default: chat, or r1-zero for a checkpoint without a chat template, compact for worlds)
  --n-per-request N    samples per request (default K; lower it for servers that cap n)
  --concurrency N      problems in flight (default 8 for endpoints; enough to fill the batch for --model)
  --slots N            --model: sequences decoded together (default 64, fewer when their KV cache would pass 2 GiB)
  --stop S             stop string (repeatable; default none: EOS ends a completion)
  --seed N             (default 0): request seeds derive from it and the problem id, so reruns and backends agree
  --timeout S          endpoint: seconds per request (default 600)   --retries N (default 4)
  --precision P        --model: matmul precision fp32 (default), bf16 (BF16 weight copies), or auto (bf16 where the CPU has AMX / AVX512-BF16)
  --json               the summary as one JSON object on stdout
  -q, --quiet          no progress on stderr`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv, allowPositionals: false,
    options: {
      model: { type: 'string' }, endpoint: { type: 'string' }, 'model-name': { type: 'string' }, 'api-key-env': { type: 'string' },
      dataset: { type: 'string' }, out: { type: 'string' }, k: { type: 'string' }, temperature: { type: 'string' }, 'top-p': { type: 'string' },
      'max-tokens': { type: 'string' }, limit: { type: 'string' }, template: { type: 'string' }, 'n-per-request': { type: 'string' },
      concurrency: { type: 'string' }, slots: { type: 'string' }, stop: { type: 'string', multiple: true }, seed: { type: 'string' },
      timeout: { type: 'string' }, retries: { type: 'string' }, precision: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, quiet: { type: 'boolean', short: 'q' },
      // earlier names, still accepted
      world: { type: 'string' }, data: { type: 'string' }, samples: { type: 'string' }, problems: { type: 'string' }, 'max-new-tokens': { type: 'string' },
    },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const dataset = values.dataset ?? (values.world ? `world:${values.world}` : values.data);
  if (!dataset) throw new UsageError('--dataset is required: gsm8k, math500, aime24, amc23, FILE.jsonl or world:NAME');
  if (!values.out) throw new UsageError('--out DIR is required (results.jsonl and summary.json go there; an unfinished run resumes)');
  const endpoint = values.endpoint;
  const modelName = values['model-name'] ?? (endpoint ? values.model : undefined);
  if (endpoint && !modelName) throw new UsageError('--endpoint needs --model-name NAME (the served model; GET URL/v1/models lists them)');
  if (!endpoint && !values.model) throw new UsageError('give --model DIR (a checkpoint folder) or --endpoint URL --model-name NAME');
  if (!endpoint && !existsSync(values.model!)) throw new UsageError(`--model ${values.model}: no such folder; pass a checkpoint folder, or --endpoint URL to evaluate a served model`);
  let apiKey: string | undefined;
  if (values['api-key-env']) {
    apiKey = process.env[values['api-key-env']];
    if (!apiKey) throw new UsageError(`--api-key-env ${values['api-key-env']}: that environment variable is empty; export the key in it`);
  } else apiKey = endpoint ? process.env.OPENAI_API_KEY : undefined;
  const k = numFlag(values.k ?? values.samples, 'k', POSITIVE_INT, 64);
  const temperature = numFlag(values.temperature, 'temperature', NON_NEGATIVE, 0.6);
  const topP = numFlag(values['top-p'], 'top-p', { above: 0, max: 1 }, 0.95);
  const maxTokens = numFlag(values['max-tokens'] ?? values['max-new-tokens'], 'max-tokens', POSITIVE_INT, 32768);
  const limit = numFlag(values.limit ?? values.problems, 'limit', POSITIVE_INT);
  const nPer = Math.min(k, numFlag(values['n-per-request'], 'n-per-request', POSITIVE_INT, k));
  const seed = numFlag(values.seed, 'seed', NON_NEGATIVE_INT, 0);
  const slotsFlag = numFlag(values.slots, 'slots', POSITIVE_INT);
  const bar = createProgress({ label: 'r1 eval', total: 0, unit: 'problems', quiet: values.quiet });
  const log = (m: string) => bar.log(`r1 eval: ${m}`);

  // the checkpoint, when sampling in-process (its tokenizer decides the default template)
  applyPrecisionFlag(values.precision);
  const ckpt = endpoint ? null : await loadCheckpoint(values.model!);
  const hasChat = (() => {
    if (!ckpt) return true;
    try {
      ckpt.tokenizer.applyChatTemplate([{ role: 'user', content: 'x' }], { addGenerationPrompt: true });
      return true;
    } catch {
      return false;
    }
  })();
  const world = dataset.startsWith('world:') ? dataset.slice(6) : null;
  if (world !== null && worldNameProblem(world)) throw new UsageError(worldNameProblem(world)!);
  const template = values.template ?? (world !== null ? 'compact' : hasChat ? 'chat' : 'r1-zero');
  if (template === 'chat' && !hasChat) throw new UsageError(`--template chat: ${values.model} has no chat template (tokenizer_config.json); use --template r1-zero or compact`);

  let problems: BenchmarkProblem[];
  let judge: Judge<BenchmarkProblem>;
  const skipped: { problem_id: string; error: string }[] = [];
  if (world !== null) {
    const tasks = worldTasks(getWorld(world), template === 'chat' ? 'compact' : template, seed);
    const tp = tasks.heldOut(limit ?? 200);
    problems = tp.map((p) => ({ ...p, prompt: template === 'chat' ? { messages: [{ role: 'user', content: String(p.fields.question) }] } : { text: p.prompt } }));
    judge = tasks.judge as unknown as Judge<BenchmarkProblem>;
  } else {
    const rows = await loadRows(dataset, limit, skipped, log);
    problems = rows.map((p) => {
      // reward (issue 22): a conversational row (TRL's prompt: [messages]) is sent as its messages, without the instruction
      if (p.messages && template === 'chat') return { id: p.id, gold: p.gold, prompt: { messages: p.messages } };
      if (p.messages && p.messages.length > 1) throw new UsageError(`${dataset}: problem ${p.id} is a conversation of ${p.messages.length} messages; it needs --template chat`);
      const content = `${p.prompt}\n${MATH_INSTRUCTION}`;
      return { id: p.id, gold: p.gold, prompt: template === 'chat' ? { messages: [{ role: 'user', content }] } : { text: applyTemplateOrThrow(template, content) } };
    });
    judge = mathJudge;
  }

  let sampler: Sampler;
  let concurrency: number;
  let maxTokensUsed = maxTokens;
  if (endpoint) {
    const eo = {
      url: endpoint, model: modelName!, apiKey, timeoutMs: numFlag(values.timeout, 'timeout', { above: 0 }, 600) * 1000,
      retries: numFlag(values.retries, 'retries', NON_NEGATIVE_INT, 4), onRetry: log,
    };
    try {
      const names = await listModels(eo);
      if (names.length && !names.includes(modelName!)) throw new UsageError(`--model-name ${modelName}: ${endpoint} serves ${names.join(', ')}; pass one of them`);
    } catch (e) {
      if (e instanceof EndpointError) return fail(e.message);
      throw e;
    }
    concurrency = numFlag(values.concurrency, 'concurrency', POSITIVE_INT, 8);
    sampler = endpointSampler({ ...eo, concurrency });
  } else {
    const { model, tokenizer, config } = ckpt!;
    // a prompt that leaves no room in the context is skipped with its id, as a server's 400 would be
    const ctx = config.max_position_embeddings;
    const lengths = problems.map((p) => encodePrompt(tokenizer, p.prompt).length);
    problems = problems.filter((p, i) => {
      if (lengths[i]! < ctx) return true;
      log(`problem ${p.id} skipped: its prompt is ${lengths[i]} tokens, over the model's context of ${ctx}`);
      skipped.push({ problem_id: p.id, error: `prompt is ${lengths[i]} tokens, over the model's context of ${ctx}` });
      return false;
    });
    if (problems.length === 0) return fail(`every prompt is longer than the model's context of ${ctx} tokens; use a shorter --template or another dataset`);
    const longest = Math.max(...lengths.filter((n) => n < ctx));
    const maxLen = Math.min(config.max_position_embeddings, longest + maxTokens);
    maxTokensUsed = Math.min(maxTokens, maxLen - 1);
    for (const p of problems) if ('messages' in p.prompt) p.opensThink = promptOpensThink(tokenizer.applyChatTemplate(p.prompt.messages, { addGenerationPrompt: true }));
    const slots = slotsFlag ?? slotsFor(config, maxLen, 64);
    const engine = new Engine(model, tokenizer, { slots, maxLen });
    sampler = engineSampler(engine);
    concurrency = numFlag(values.concurrency, 'concurrency', POSITIVE_INT, Math.max(2, Math.ceil((2 * slots) / nPer)));
  }
  const settings: BenchmarkSettings = {
    dataset, k, temperature, top_p: topP, max_tokens: maxTokensUsed, seed, n_per_request: nPer, prompt: template,
    model: endpoint ? `${endpoint} ${modelName}` : values.model!, stop: values.stop ?? [],
  };
  log(`${problems.length} problems × ${k} samples, T ${temperature}, top-p ${topP}, ≤ ${maxTokensUsed} tokens, prompt ${template}`);
  let summary;
  try {
    summary = await runBenchmark(problems, {
      settings, sampler, judge, equivalent: world === null ? mathEquivalent : undefined, thinkAware: world === null, concurrency, outDir: values.out, log, skipped,
      progress: (done, total) => bar.update(done, {}, done / total),
    });
    bar.stop();
  } catch (e) {
    bar.stop();
    if (e instanceof EndpointError) return fail(e.message);
    throw e;
  }
  if (values.json) console.log(JSON.stringify({ out_dir: values.out, ...summary }));
  else {
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    console.log(`pass@1 ${pct(summary.pass_at_1)} ± ${pct(summary.pass_at_1_stderr)}  cons@${k} ${pct(summary.cons_at_k)}  ` +
      `pass@k ${summary.pass_at_k.map((p) => `${p.k}:${pct(p.pass)}`).join(' ')}  mean length ${summary.mean_length?.toFixed(1) ?? '?'}  ` +
      `truncated ${pct(summary.truncation_rate)}  (${summary.problems} problems, ${summary.skipped.length} skipped; ${values.out}/summary.json)`);
  }
  return 0;
}

function fail(message: string): number {
  console.error(`r1 eval: ${message}`);
  return 1;
}

function applyTemplateOrThrow(template: string, content: string): string {
  try {
    return applyTemplate(template, content);
  } catch (e) {
    throw new UsageError(`--template: ${(e as Error).message}`);
  }
}

/** The dataset's problems; a line without a usable answer is reported with its id and skipped (counted in the summary). */
async function loadRows(name: string, limit: number | undefined, skipped: { problem_id: string; error: string }[], log: (m: string) => void) {
  let file: string;
  try {
    file = resolveDataset(name);
  } catch (e) {
    throw new UsageError((e as DatasetError).message);
  }
  const out: Problem[] = [];
  for await (const { value, line } of readJsonl<Record<string, unknown>>(file, {
    onError: 'skip', onSkip: (e) => { log(`skipped ${e.message}`); skipped.push({ problem_id: `${file}:${e.line ?? '?'}`, error: e.message }); },
  })) {
    const id = value.id !== undefined ? String(value.id) : value.unique_id !== undefined ? String(value.unique_id) : `${file}:${line}`;
    const p = rowToProblem(value, `${file}:${line}`);
    let why = typeof p === 'string' ? p : null;
    if (typeof p !== 'string') {
      let ok: string | null = null;
      try { ok = mathGold(p.gold); } catch { ok = null; }
      if (ok === null) why = `gold answer ${JSON.stringify(p.gold)} cannot be parsed by the verifier`;
    }
    if (why !== null || typeof p === 'string') {
      log(`problem ${id} (${file}:${line}) skipped: ${why}`);
      skipped.push({ problem_id: id, error: why! });
      continue;
    }
    out.push(p);
    if (limit !== undefined && out.length >= limit) break;
  }
  if (out.length === 0) throw new UsageError(`${file}: no usable problems (${skipped.length} skipped); check the file's fields (question/problem/prompt and answer)`);
  return out;
}
