// `r1 eval`: the paper's evaluation (k samples per problem, T 0.6, top-p 0.95; pass@1 ± stderr, cons@k, pass@k) of a
// checkpoint (--model DIR, sampled in-process by the same engine and seeds as `r1 serve`) or of any OpenAI-compatible
// server (--endpoint URL --model-name NAME), on a benchmark, a JSONL file or a world. Parses flags and wires src/eval.
import { existsSync } from 'node:fs';
import { UsageError } from './main.js';
import { printJson, readCommandLine } from './args.js';
import { resolvePrecision } from '../tensor/precision.js';
import { EVAL_SPEC } from '../eval/config.js';
import { readConfigFile, resolve, withDefault } from '../run/spec.js';
import { V } from '../run/vocabulary.js';
import { createProgress } from '../util/progress.js';
import { loadModel } from '../model/lora-io.js';
import { resolveDataset, rowToProblem, mathGold, DatasetError, type Problem } from '../data/datasets.js';
import { readJsonl } from '../data/jsonl.js';
import { applyTemplate } from '../data/templates.js';
import { getWorld, worldNameProblem } from '../data/worlds/index.js';
import { worldTasks } from '../rl/tasks.js';
import { MATH_INSTRUCTION, mathEquivalent, mathJudge, runBenchmark, type BenchmarkProblem, type BenchmarkSettings } from '../eval/benchmark.js';
import { EndpointError, endpointSampler, listModels, type Sampler } from '../eval/endpoint.js';
import type { Judge } from '../eval/runner.js';
import { Engine, slotsFor } from '../serve/engine.js';
import { encodePrompt, engineSampler } from '../serve/prompt.js';
import { promptOpensThink } from '../serve/reasoning.js';

const OWN = { config: V.config, json: withDefault(V.json, false, { doc: 'the summary as one JSON object on stdout' }), quiet: V.quiet, help: V.help };
const USAGE = 'usage: r1 eval (--model DIR | --endpoint URL --model-name NAME [--api-key-env VAR]) --dataset NAME --out DIR [options]';

export async function run(argv: string[]): Promise<number> {
  const cl = readCommandLine(EVAL_SPEC, OWN, argv, { usage: USAGE });
  if (!cl) return 0;
  const values = cl.flags;
  const c = resolve(EVAL_SPEC, [values.config ? readConfigFile(values.config) : {}, cl.layer]);
  const dataset = c.dataset;
  const endpoint = c.endpoint ?? undefined;
  const modelName = c.modelName ?? (endpoint ? c.model ?? undefined : undefined);
  if (!endpoint && !existsSync(c.model!)) throw new UsageError(`--model ${c.model}: no such folder; pass a checkpoint folder, or --endpoint URL to evaluate a served model`);
  let apiKey: string | undefined;
  if (c.apiKeyEnv) {
    apiKey = process.env[c.apiKeyEnv];
    if (!apiKey) throw new UsageError(`--api-key-env ${c.apiKeyEnv}: that environment variable is empty; export the key in it`);
  } else apiKey = endpoint ? process.env.OPENAI_API_KEY : undefined;
  const { numGenerations: k, temperature, topP, maxCompletionLength: maxTokens, seed } = c;
  const limit = c.problems ?? undefined;
  const nPer = Math.min(k, c.nPerRequest ?? k);
  const bar = createProgress({ label: 'r1 eval', total: 0, unit: 'problems', quiet: values.quiet });
  const log = (m: string) => bar.log(`r1 eval: ${m}`);

  // the checkpoint, when sampling in-process (its tokenizer decides the default template)
  const precision = resolvePrecision(c.precision);
  const ckpt = endpoint ? null : await loadModel(c.model!, c.adapter, precision); // a LoRA adapter on it with --adapter
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
  const template = c.template ?? (world !== null ? 'compact' : hasChat ? 'chat' : 'r1-zero');
  if (template === 'chat' && !hasChat) throw new UsageError(`--template chat: ${c.model} has no chat template (tokenizer_config.json); use --template r1-zero or compact`);

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
      url: endpoint, model: modelName!, apiKey, timeoutMs: c.timeout * 1000,
      retries: c.retries, onRetry: log,
    };
    try {
      const names = await listModels(eo);
      if (names.length && !names.includes(modelName!)) throw new UsageError(`--model-name ${modelName}: ${endpoint} serves ${names.join(', ')}; pass one of them`);
    } catch (e) {
      if (e instanceof EndpointError) return fail(e.message);
      throw e;
    }
    concurrency = c.concurrency ?? 8;
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
    const slots = c.slots ?? slotsFor(config, maxLen, 64, undefined, model.precision);
    const engine = new Engine(model, tokenizer, { slots, maxLen });
    sampler = engineSampler(engine);
    concurrency = c.concurrency ?? Math.max(2, Math.ceil((2 * slots) / nPer));
  }
  const settings: BenchmarkSettings = {
    dataset, k, temperature, top_p: topP, max_tokens: maxTokensUsed, seed, n_per_request: nPer, prompt: template,
    model: endpoint ? `${endpoint} ${modelName}` : c.model!, stop: c.stopStrings,
  };
  log(`${problems.length} problems × ${k} samples, T ${temperature}, top-p ${topP}, ≤ ${maxTokensUsed} tokens, prompt ${template}`);
  let summary;
  try {
    summary = await runBenchmark(problems, {
      settings, sampler, judge, equivalent: world === null ? mathEquivalent : undefined, thinkAware: world === null, concurrency, outDir: c.out, log, skipped,
      progress: (done, total) => bar.update(done, {}, done / total),
    });
    bar.stop();
  } catch (e) {
    bar.stop();
    if (e instanceof EndpointError) return fail(e.message);
    throw e;
  }
  if (values.json) printJson({ out_dir: c.out, ...summary });
  else {
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    console.log(`pass@1 ${pct(summary.pass_at_1)} ± ${pct(summary.pass_at_1_stderr)}  cons@${k} ${pct(summary.cons_at_k)}  ` +
      `pass@k ${summary.pass_at_k.map((p) => `${p.k}:${pct(p.pass)}`).join(' ')}  mean length ${summary.mean_length?.toFixed(1) ?? '?'}  ` +
      `truncated ${pct(summary.truncation_rate)}  (${summary.problems} problems, ${summary.skipped.length} skipped; ${c.out}/summary.json)`);
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
