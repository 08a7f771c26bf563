// `r1 eval`: the paper's evaluation (k samples per problem, T 0.6, top-p 0.95; pass@1 and cons@k) of a local
// checkpoint (--model DIR) or an OpenAI-compatible server (--endpoint URL --model NAME), on a world or a dataset.
// Parses flags and prints; sampling and scoring live in src/eval.
import { existsSync, writeFileSync } from 'node:fs';
import { UsageError } from './main.js';
import { parseFlags, numFlag, NON_NEGATIVE, NON_NEGATIVE_INT } from './args.js';
import { Rng } from '../util/rng.js';
import { loadCheckpoint } from '../model/checkpoint.js';
import { loadProblems } from '../data/datasets.js';
import { WORLDS, getWorld } from '../data/worlds/index.js';
import { dataTasks, worldTasks, type TaskSource } from '../rl/tasks.js';
import { evaluate, scoreSamples, type EvalResult } from '../eval/runner.js';
import { sampleEndpoint } from '../eval/endpoint.js';

const HELP = `usage: r1 eval --model DIR (--world NAME | --data FILE|NAME) [options]
       r1 eval --endpoint URL --model NAME (--world NAME | --data FILE|NAME) [options]
  --problems N         problems evaluated (default 200; a dataset's first N)
  --samples K          samples per problem: pass@1 is their mean correctness, cons@K their majority vote (default 16)
  --temperature T      (default 0.6)       --top-p P  (default 0.95)
  --max-new-tokens N   generation limit (default 160 for worlds, 1024 for datasets)
  --template NAME      r1-zero | compact | none | a string with {prompt} (default compact for worlds, r1-zero for data)
  --api completions|chat   endpoint API (default completions)
  --stop S,...         stop strings (default none: EOS ends a completion)
  --seed N             (default 1)
  --samples-out FILE   write every sample with its judgement as JSONL
  --json               one JSON object on stdout`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv, allowPositionals: false,
    options: {
      model: { type: 'string' }, endpoint: { type: 'string' }, api: { type: 'string' }, world: { type: 'string' }, data: { type: 'string' },
      problems: { type: 'string' }, samples: { type: 'string' }, temperature: { type: 'string' }, 'top-p': { type: 'string' },
      'max-new-tokens': { type: 'string' }, template: { type: 'string' }, stop: { type: 'string' }, seed: { type: 'string' },
      'samples-out': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.model) throw new UsageError('--model is required: a checkpoint folder, or with --endpoint the served model name');
  if (!values.world === !values.data) throw new UsageError('give exactly one of --world NAME and --data FILE|NAME');
  if (values.world && !WORLDS[values.world]) throw new UsageError(`unknown world '${values.world}'; choose one of ${Object.keys(WORLDS).join(', ')}`);
  const api = values.api ?? 'completions';
  if (api !== 'completions' && api !== 'chat') throw new UsageError(`--api must be completions or chat, got '${api}'`);
  if (!values.endpoint && !existsSync(values.model)) throw new UsageError(`--model ${values.model}: no such folder; pass a checkpoint folder, or --endpoint URL to evaluate a served model`);
  const P = numFlag(values.problems, 'problems', NON_NEGATIVE_INT, 200);
  const K = numFlag(values.samples, 'samples', NON_NEGATIVE_INT, 16);
  if (P < 1 || K < 1) throw new UsageError('--problems and --samples must be at least 1');
  const seed = numFlag(values.seed, 'seed', NON_NEGATIVE_INT, 1);
  const sampling = {
    temperature: numFlag(values.temperature, 'temperature', NON_NEGATIVE, 0.6), topP: numFlag(values['top-p'], 'top-p', NON_NEGATIVE, 0.95),
    maxNewTokens: numFlag(values['max-new-tokens'], 'max-new-tokens', NON_NEGATIVE_INT, values.world ? 160 : 1024),
    stopStrings: (values.stop ?? '').split(',').filter(Boolean),
  };
  let tasks: TaskSource;
  if (values.world) {
    tasks = worldTasks(getWorld(values.world), values.template ?? 'compact', seed);
  } else {
    const all = await loadProblems(values.data!, { limit: P });
    tasks = dataTasks(values.data!, all, all, values.template ?? 'r1-zero');
  }
  const problems = tasks.heldOut(P);
  const prompts = problems.map((p) => p.prompt);
  const log = (m: string) => console.error(m);
  log(`r1 eval: ${problems.length} problems × ${K} samples, T ${sampling.temperature}, top-p ${sampling.topP}, ≤ ${sampling.maxNewTokens} tokens`);
  let r: EvalResult;
  if (values.endpoint) {
    const t0 = performance.now();
    const texts = await sampleEndpoint(prompts, K, {
      url: values.endpoint, model: values.model, api, temperature: sampling.temperature, topP: sampling.topP,
      maxTokens: sampling.maxNewTokens, stop: sampling.stopStrings, apiKey: process.env.OPENAI_API_KEY,
    });
    r = { ...(await scoreSamples(problems, prompts, K, texts, tasks.judge)), seconds: (performance.now() - t0) / 1000 };
  } else {
    const { model, tokenizer } = await loadCheckpoint(values.model);
    r = await evaluate(model, tokenizer, problems, prompts, K, { ...sampling, rng: new Rng(seed), batchSize: 512 }, tasks.judge);
  }
  if (values['samples-out']) {
    writeFileSync(values['samples-out'], r.perProblem.flatMap((p) => p.samples.map((s) => JSON.stringify({ id: p.id, gold: p.gold, ...s }) + '\n')).join(''));
  }
  const out = {
    model: values.model, endpoint: values.endpoint ?? null, problems: r.summary.problems, samples: K,
    pass1: r.summary.pass1, [`cons${K}`]: r.summary.consK, format_rate: r.formatRate, mean_len: r.meanLength,
    always_wrong: r.summary.alwaysWrong, answer_rate: r.summary.answerRate, seconds: r.seconds,
  };
  if (values.json) console.log(JSON.stringify(out));
  else {
    console.log(`pass@1 ${(100 * r.summary.pass1).toFixed(1)}%  cons@${K} ${(100 * r.summary.consK).toFixed(1)}%  format ${(100 * r.formatRate).toFixed(1)}%  ` +
      `mean length ${r.meanLength.toFixed(1)}  always wrong ${r.summary.alwaysWrong}/${r.summary.problems}  (${r.seconds.toFixed(0)} s)`);
  }
  return 0;
}
