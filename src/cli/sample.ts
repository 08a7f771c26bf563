// `r1 sample`: k samples per problem from a checkpoint through the one sample-and-judge loop; with --reject, the
// rejection sampling of R1 §2.3.3 (correct only, no mixed language, no long paragraphs, no code, distinct), reporting
// what each filter removed. Writes {prompt, completion, task} SFT rows. Parses flags only; the work is src/pipeline/reject.ts.
import { Rng } from '../util/rng.js';
import { loadCheckpoint } from '../model/checkpoint.js';
import { readJsonlAll, writeJsonl } from '../data/jsonl.js';
import { getWorld, sampleProblems, worldPrompt } from '../data/worlds/index.js';
import { rowToProblem, type ChatMessage } from '../data/datasets.js';
import type { WorldProblem } from '../data/worlds/types.js';
import { UsageError } from './main.js';
import { numFlag, parseFlags, POSITIVE, POSITIVE_INT, applyPrecisionFlag } from './args.js';
import { formatRejectReport, rejectionSample } from '../pipeline/reject.js';
import { createProgress } from '../util/progress.js';

const HELP = `usage: r1 sample --model DIR (--data FILE.jsonl | --world NAME [--problems N]) --n K --out FILE.jsonl [--reject] [--json]
  --data FILE       problems of a world, one {"question": "..."} (or {"prompt": "..."}, or TRL's conversational {"prompt": [messages]},
                    rendered with the checkpoint's chat template) a line; --world names the world (default: from --data rows' "world")
  --world NAME      a synthetic world (or mix:a=1,b=1); without --data, its first N train problems (--problems, default 100)
  --n K             samples per problem (default 4)
  --reject          keep only correct, single-language, short-paragraph, code-free, distinct samples
  --temperature T   (default 1.0)  --top-p P (default 1.0)  --max-tokens N (default 240)  --max-paragraph N (default 400)  --seed N
  --out FILE        the kept samples as {prompt, completion, task} rows (SFT data)
  --json            print the filter report as JSON on stdout
  --precision P        matmul precision: fp32 (default), bf16, or auto (bf16 where the CPU has AMX / AVX512-BF16)
  -q, --quiet       no progress on stderr`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv, allowPositionals: false,
    options: { precision: { type: 'string' },
      model: { type: 'string' }, data: { type: 'string' }, world: { type: 'string' }, problems: { type: 'string' }, n: { type: 'string' },
      reject: { type: 'boolean' }, temperature: { type: 'string' }, 'top-p': { type: 'string' }, 'max-tokens': { type: 'string' },
      'max-paragraph': { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' },
    },
  }, HELP);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  applyPrecisionFlag(values.precision); // the trainers and samplers below inherit it
  if (!values.model) throw new UsageError('--model DIR is required (a checkpoint folder)');
  if (!values.out) throw new UsageError('--out FILE.jsonl is required (where the kept samples go)');
  if (!values.data && !values.world) throw new UsageError('give --data FILE.jsonl (problems) or --world NAME');
  const seed = numFlag(values.seed, 'seed', { int: true, min: 0 }, 1);
  let worldName = values.world;
  let problems: WorldProblem[];
  const conversations: (ChatMessage[] | null)[] = []; // reward (issue 22): TRL's conversational rows, rendered with the chat template
  if (values.data) {
    const rows = await readJsonlAll<Record<string, unknown>>(values.data, { onError: 'fail' });
    problems = rows.map(({ value, line }) => {
      const w = typeof value.world === 'string' ? value.world : worldName;
      if (!w) throw new UsageError(`${values.data}:${line}: no world; pass --world NAME or give the row a "world" field`);
      worldName ??= w;
      const conv = Array.isArray(value.prompt) ? rowToProblem({ ...value, answer: '?' }, `${values.data}:${line}`) : null;
      if (typeof conv === 'string') throw new UsageError(`${values.data}:${line}: ${conv}`);
      conversations.push(conv?.messages ?? null);
      const q = conv ? conv.prompt : typeof value.question === 'string' ? value.question : typeof value.prompt === 'string' ? value.prompt : null;
      if (q === null) throw new UsageError(`${values.data}:${line}: expected a "question" string (or a conversational "prompt": [messages])`);
      const p = getWorld(w).parse(q);
      if (!p) throw new UsageError(`${values.data}:${line}: '${q}' is not a question of world ${w}; write it as the world's generator does`);
      return p;
    });
    if (problems.length === 0) throw new UsageError(`${values.data}: no problems`);
  } else {
    problems = sampleProblems(getWorld(worldName!), { split: 'train', count: numFlag(values.problems, 'problems', POSITIVE_INT, 100), seed });
  }
  const world = getWorld(worldName!);
  const { model, tokenizer } = await loadCheckpoint(values.model);
  let prompts: string[] | undefined;
  if (conversations.some((c) => c !== null)) {
    try {
      prompts = problems.map((p, i) => (conversations[i] ? tokenizer.applyChatTemplate(conversations[i]!, { addGenerationPrompt: true }) : worldPrompt(p)));
    } catch (e) {
      throw new UsageError(`${values.data}: conversational rows need the checkpoint's chat template: ${(e as Error).message}`);
    }
  }
  const n = numFlag(values.n, 'n', POSITIVE_INT, 4);
  const bar = createProgress({ label: 'r1 sample', total: problems.length * n, unit: 'samples', quiet: Boolean(values.quiet) });
  const r = await rejectionSample(model, tokenizer, world, problems, {
    samples: n, temperature: numFlag(values.temperature, 'temperature', POSITIVE, 1.0),
    topP: numFlag(values['top-p'], 'top-p', { above: 0, max: 1 }, 1.0), maxNewTokens: numFlag(values['max-tokens'], 'max-tokens', POSITIVE_INT, 240),
    rng: new Rng(seed), maxParagraphChars: values.reject ? numFlag(values['max-paragraph'], 'max-paragraph', POSITIVE_INT, 400) : Number.MAX_SAFE_INTEGER,
    acceptMixed: !values.reject, keepWrong: !values.reject, log: (l) => bar.log(l), progress: (done) => bar.update(done), prompts,
  }).finally(() => bar.stop());
  await writeJsonl(values.out, r.rows.map(({ prompt, completion, task }) => ({ prompt, completion, ...(task ? { task } : {}) })));
  if (values.json) console.log(JSON.stringify({ ...r.report, out: values.out }));
  else console.error(formatRejectReport(r.report) + ` -> ${values.out}`);
  if (values.reject && r.rows.length === 0) {
    console.error(`r1 sample: nothing passed the filters (no correct sample); sample more (--n), or train the model further`);
    return 2;
  }
  return 0;
}
