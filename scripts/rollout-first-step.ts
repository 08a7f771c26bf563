// Issue 23's first bar at a real recipe's scale: one GRPO step sampled on running `r1 serve` replicas (or any
// OpenAI-compatible servers of the same model) equals in-process sampling with the step's seeds.
//   node --import tsx scripts/rollout-first-step.ts --config configs/demo.yaml --model BASE --world addition \
//     --rollout http://127.0.0.1:8001/v1,http://127.0.0.1:8002/v1 [--lora-r 16] [--seed S]
// Runs `r1 grpo`'s own code for one step (no evaluation, no checkpoint, into a temporary folder), records every
// request's prompt, seed and answer, then samples the same prompts with the same seeds in this process from the
// checkpoint and compares token ids, finish reasons and logprobs row by row. Prints one JSON line; exit 1 on a mismatch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRPO_SPEC, resolveConfig } from '../src/rl/config.js';
import { readConfigFile } from '../src/run/spec.js';
import { readCommandLine } from '../src/cli/args.js';
import { V } from '../src/run/vocabulary.js';
import { runGrpo } from '../src/rl/run.js';
import { runContext } from '../src/run/context.js';
import { loadCheckpoint } from '../src/model/checkpoint.js';
import { EndpointRollout, seededCompletions, type RemoteCompletion, type StepSampling } from '../src/rl/rollout.js';

const cl = readCommandLine(GRPO_SPEC, { config: V.config }, process.argv.slice(2), { usage: 'see the header of scripts/rollout-first-step.ts' });
if (!cl) process.exit(0);
const tmp = mkdtempSync(join(tmpdir(), 'r1-first-step-'));
const cfg = resolveConfig(...(cl.flags.config ? [readConfigFile(cl.flags.config)] : []), cl.layer, { steps: 1, evalEvery: -1, saveEvery: 0, out: tmp, maxSeconds: 0 });
if (cfg.rollout === 'local') throw new Error('--rollout URL,URL is needed: the servers to check');

const requests: { prompts: number[][]; n: number; seeds: number[]; o: StepSampling; got: RemoteCompletion[] }[] = [];
const sample = EndpointRollout.prototype.sample;
EndpointRollout.prototype.sample = async function (prompts, n, seeds, o) {
  const got = await sample.call(this, prompts, n, seeds, o);
  requests.push({ prompts, n, seeds, o, got });
  return got;
};
try {
  await runGrpo(cfg, runContext({ log: () => {} }));
  const { model, tokenizer } = await loadCheckpoint(cfg.model); // the weights of step 1's sampling (a LoRA adapter starts at B = 0)
  let rows = 0, tokens = 0, maxLogprobDiff = 0;
  const mismatches: string[] = [];
  for (const r of requests) {
    const want = seededCompletions(model, tokenizer, r.prompts, r.n, r.seeds, r.o);
    r.got.forEach((g, i) => {
      const w = want[i]!;
      rows++;
      tokens += g.tokens.length;
      if (g.tokens.join() !== w.tokens.join() || g.finishReason !== w.finishReason) mismatches.push(`row ${i}: ${JSON.stringify(g.text.slice(0, 60))} vs ${JSON.stringify(w.text.slice(0, 60))}`);
      else g.logprobs.forEach((lp, t) => { maxLogprobDiff = Math.max(maxLogprobDiff, Math.abs(lp - w.logprobs[t]!)); });
    });
  }
  const endpoints = [...new Set(requests.flatMap((r) => r.got.map((g) => g.endpoint)))];
  console.log(JSON.stringify({ rows, tokens, identical_rows: rows - mismatches.length, max_abs_logprob_diff: maxLogprobDiff, endpoints, mismatches: mismatches.slice(0, 5) }));
  process.exitCode = mismatches.length || rows === 0 ? 1 : 0;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
