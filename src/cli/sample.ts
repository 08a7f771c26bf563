// `r1 sample`: k samples per problem from a checkpoint through the one sample-and-judge loop; with --reject, the
// rejection sampling of R1 §2.3.3 (correct only, no mixed language, no long paragraphs, no code, distinct), reporting
// what each filter removed. Writes {prompt, completion, task} SFT rows. Parses flags only; the work is src/pipeline/reject.ts.
import { Rng } from '../util/rng.js';
import { loadCheckpoint } from '../model/checkpoint.js';
import { writeJsonl } from '../data/jsonl.js';
import { getWorld, sampleProblems } from '../data/worlds/index.js';
import { conversationPrompts, readWorldRows } from '../data/world-rows.js';
import { printJson, readCommandLine } from './args.js';
import { resolvePrecision } from '../tensor/precision.js';
import { SAMPLE_SPEC } from './specs.js';
import { readConfigFile, resolve, withDefault } from '../run/spec.js';
import { V } from '../run/vocabulary.js';
import { formatRejectReport, rejectionSample } from '../pipeline/reject.js';
import { createProgress } from '../util/progress.js';

const OWN = { config: V.config, json: withDefault(V.json, false, { doc: 'print the filter report as JSON on stdout' }), quiet: V.quiet, help: V.help };

export async function run(argv: string[]): Promise<number> {
  const cl = readCommandLine(SAMPLE_SPEC, OWN, argv, { usage: 'usage: r1 sample --model DIR (--data FILE.jsonl | --world NAME [--problems N]) --num-generations K --out FILE.jsonl [--reject] [--json]' });
  if (!cl) return 0;
  const values = cl.flags;
  const c = resolve(SAMPLE_SPEC, [values.config ? readConfigFile(values.config) : {}, cl.layer]);
  const precision = resolvePrecision(c.precision);
  const seed = c.seed;
  const rows = c.data ? await readWorldRows(c.data, c.world ?? undefined)
    : { world: c.world!, problems: sampleProblems(getWorld(c.world!), { split: 'train', count: c.problems, seed }), conversations: [] };
  const { problems } = rows, world = getWorld(rows.world);
  const { model, tokenizer } = await loadCheckpoint(c.model, precision);
  const prompts = conversationPrompts(rows, (m) => tokenizer.applyChatTemplate(m, { addGenerationPrompt: true }), c.data!);
  const n = c.numGenerations;
  const bar = createProgress({ label: 'r1 sample', total: problems.length * n, unit: 'samples', quiet: Boolean(values.quiet) });
  const r = await rejectionSample(model, tokenizer, world, problems, {
    samples: n, temperature: c.temperature, topP: c.topP, maxNewTokens: c.maxCompletionLength,
    rng: new Rng(seed), maxParagraphChars: c.reject ? c.maxParagraphChars : Number.MAX_SAFE_INTEGER,
    acceptMixed: !c.reject, keepWrong: !c.reject, log: (l) => bar.log(l), progress: (done) => bar.update(done), prompts,
  }).finally(() => bar.stop());
  await writeJsonl(c.out, r.rows.map(({ prompt, completion, task }) => ({ prompt, completion, ...(task ? { task } : {}) })));
  if (values.json) printJson({ ...r.report, out: c.out });
  else console.error(formatRejectReport(r.report) + ` -> ${c.out}`);
  if (c.reject && r.rows.length === 0) {
    console.error(`r1 sample: nothing passed the filters (no correct sample); sample more (--num-generations), or train the model further`);
    return 2;
  }
  return 0;
}
