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
import { hasChatTemplate } from '../model/chat.js';
import { getWorld } from '../data/worlds/index.js';
import { worldTasks } from '../rl/tasks.js';
import { formatBenchmarkSummary, mathEquivalent, runBenchmark, type BenchmarkSettings } from '../eval/benchmark.js';
import { EndpointError, checkedEndpointSampler } from '../eval/endpoint.js';
import { datasetProblems, evalJudge, evalTemplate, worldProblems, type EvalRunProblem, type Skipped } from '../eval/problems.js';
import { localSampler } from '../serve/local-sampler.js';

const OWN = { config: V.config, json: withDefault(V.json, false, { doc: 'the summary as one JSON object on stdout' }), quiet: V.quiet, help: V.help };
const USAGE = 'usage: r1 eval (--model DIR | --endpoint URL --model-name NAME [--api-key-env VAR]) --dataset NAME --out DIR [options]';
const fail = (message: string): number => { console.error(`r1 eval: ${message}`); return 1; };
const endpointFailure = (e: unknown) => (e instanceof EndpointError ? e.message : Promise.reject(e)); // an endpoint's failure: one line, exit 1

export async function run(argv: string[]): Promise<number> {
  const cl = readCommandLine(EVAL_SPEC, OWN, argv, { usage: USAGE });
  if (!cl) return 0;
  const c = resolve(EVAL_SPEC, [cl.flags.config ? readConfigFile(cl.flags.config) : {}, cl.layer]);
  const { dataset, numGenerations: k, temperature, topP, maxCompletionLength: maxTokens, seed } = c, endpoint = c.endpoint ?? undefined;
  const modelName = c.modelName ?? (endpoint ? c.model ?? undefined : undefined);
  if (!endpoint && !existsSync(c.model!)) throw new UsageError(`--model ${c.model}: no such folder; pass a checkpoint folder, or --endpoint URL to evaluate a served model`);
  const apiKey = c.apiKeyEnv ? process.env[c.apiKeyEnv] : endpoint ? process.env.OPENAI_API_KEY : undefined;
  if (c.apiKeyEnv && !apiKey) throw new UsageError(`--api-key-env ${c.apiKeyEnv}: that environment variable is empty; export the key in it`);
  const nPer = Math.min(k, c.nPerRequest ?? k), limit = c.problems ?? undefined, skipped: Skipped = [];
  const bar = createProgress({ label: 'r1 eval', total: 0, unit: 'problems', quiet: cl.flags.quiet }), log = (m: string) => bar.log(`r1 eval: ${m}`);
  const precision = resolvePrecision(c.precision), ckpt = endpoint ? null : await loadModel(c.model!, c.adapter, precision); // a LoRA adapter on it with --adapter
  const world = dataset.startsWith('world:') ? dataset.slice(6) : null;
  const template = evalTemplate(c.template, world, !ckpt || hasChatTemplate(ckpt.tokenizer), c.model); // the checkpoint's tokenizer decides the default
  const w = world === null ? null : getWorld(world), tasks = w && worldTasks(w, template === 'chat' ? 'compact' : template, seed);
  let problems: EvalRunProblem[] = tasks ? worldProblems(tasks.heldOut(limit ?? 200, c.split), template) : await datasetProblems(dataset, template, limit, skipped, log);
  const judge = evalJudge(w); // a world's own check (it reads each problem's `world`), else the math judge
  const local = ckpt ? localSampler(ckpt.model, ckpt.tokenizer, problems, { maxTokens, slots: c.slots, concurrency: c.concurrency, nPer, log, skipped,
    bf16Weights: c.samplingPrecision === 'bf16' }) : null;
  if (local && 'error' in local) return fail(local.error);
  const sampler = local?.sampler ?? await checkedEndpointSampler({ url: endpoint!, model: modelName!, apiKey, timeoutMs: c.timeout * 1000, retries: c.retries,
    onRetry: log, concurrency: c.concurrency ?? 8 }).catch(endpointFailure);
  if (typeof sampler === 'string') return fail(sampler);
  problems = local?.problems ?? problems;
  const settings: BenchmarkSettings = { dataset, ...(c.split !== 'test' ? { split: c.split } : {}), k, temperature, top_p: topP, max_tokens: local?.maxTokens ?? maxTokens, seed, n_per_request: nPer, prompt: template,
    model: endpoint ? `${endpoint} ${modelName}` : c.model!, stop: c.stopStrings, ...(c.adapter ? { adapter: c.adapter } : {}), ...(local && c.samplingPrecision === 'bf16' ? { sampling_precision: 'bf16' } : {}) };
  log(`${problems.length} problems × ${k} samples, T ${temperature}, top-p ${topP}, ≤ ${settings.max_tokens} tokens, prompt ${template}`);
  const summary = await runBenchmark(problems, { settings, sampler, judge, equivalent: world === null ? mathEquivalent : undefined, thinkAware: world === null,
    concurrency: local?.concurrency ?? c.concurrency ?? 8, outDir: c.out, log, skipped, progress: (done, total) => bar.update(done, {}, done / total) })
    .catch(endpointFailure).finally(() => bar.stop());
  if (typeof summary === 'string') return fail(summary);
  if (cl.flags.json) printJson({ out_dir: c.out, ...summary });
  else console.log(formatBenchmarkSummary(summary, k, c.out));
  return 0;
}
