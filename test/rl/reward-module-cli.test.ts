// `r1 grpo --reward-module` as a user runs it: the example's TypeScript module on conversational JSONL with a tiny
// r1ts checkpoint (its chat template renders the prompts), the components logged under the functions' names; a module
// that is missing, lacks the export or fails mid-run is one line and exit 2, and a run that fails keeps its checkpoints.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { r1BatchAsync, r1Spawn } from '../r1-batch.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/util/rng.js';
import { Decoder } from '../../src/model/decoder.js';
import { saveCheckpoint } from '../../src/model/checkpoint.js';
import { defaultWorldModelConfig, worldTokenizer } from '../../src/sft/pretrain.js';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'addition');
const dir = mkdtempSync(join(tmpdir(), 'r1-rmod-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const model = join(dir, 'model');
const tok = worldTokenizer();
saveCheckpoint(model, new Decoder(defaultWorldModelConfig(tok, { hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 2 }), new Rng(1)), tok);
const lines = (f: string, n: number) => readFileSync(join(EXAMPLE, f), 'utf8').trim().split('\n').slice(0, n).join('\n') + '\n';
writeFileSync(join(dir, 'train.jsonl'), lines('train.jsonl', 8));
writeFileSync(join(dir, 'held.jsonl'), lines('heldout.jsonl', 2));

/** The arguments of a short `r1 grpo` run on the example data, writing to `out` under the temporary folder. */
const grpoArgs = (out: string, ...extra: string[]) => ['grpo', '--model', model, '--data', join(dir, 'train.jsonl'),
  '--eval-data', join(dir, 'held.jsonl'), '--out', join(dir, out), '--steps', '2', '--prompts-per-step', '2', '--num-generations', '2',
  '--max-completion-length', '6', '--eval-problems', '2', '--eval-samples', '1', '--eval-every=-1', '--json', '-q', ...extra];

function grpo(out: string, ...extra: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'r1.js'), ...grpoArgs(out, ...extra)], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}

test('the example module drives a run on conversational JSONL: prompts through the chat template, components by function name', () => {
  const r = grpo('ok', '--reward-module', 'examples/addition/reward.ts#correct:1', '--reward-module', 'examples/addition/reward.ts#format:0.1');
  assert.equal(r.code, 0, r.stderr);
  const cfg = JSON.parse(readFileSync(join(dir, 'ok', 'config.json'), 'utf8'));
  assert.equal(cfg.template, 'chat');
  assert.deepEqual(cfg.rewards, [
    { name: 'correct', weight: 1, module: `${join(EXAMPLE, 'reward.ts')}#correct` },
    { name: 'format', weight: 0.1, module: `${join(EXAMPLE, 'reward.ts')}#format` },
  ]);
  const train = readFileSync(join(dir, 'ok', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.type === 'train');
  assert.equal(train.length, 2);
  for (const m of train) for (const k of ['rewards/correct/mean', 'rewards/format/mean']) assert.equal(typeof m[k], 'number', k);
  const sample = JSON.parse(readFileSync(join(dir, 'ok', 'samples.jsonl'), 'utf8').split('\n')[0]!);
  assert.match(sample.prompt, /^User: \d+\+\d+\nAssistant: $/); // the conversation rendered by the checkpoint's template
  assert.deepEqual(Object.keys(sample.rewards), ['correct', 'format']);
  assert.ok(existsSync(join(dir, 'ok', 'checkpoints', 'step-2', 'model.safetensors')));
  const tc = JSON.parse(readFileSync(join(dir, 'ok', 'checkpoints', 'step-2', 'tokenizer_config.json'), 'utf8'));
  assert.equal(typeof tc.chat_template, 'string'); // every checkpoint r1ts writes carries its chat template
});

test('a missing module, a missing export or a bad flag: one line naming it, exit 2, before any training', async () => {
  // the three runs in one process (test/r1-batch.ts); beside it the first as a real `node bin/r1.js`, which must give the same
  const modules = [['missing', './nope.ts#correct'], ['noexport', 'examples/addition/reward.ts#accuracy'], ['bad', 'examples/addition/reward.ts#correct:heavy']];
  const [batch, real] = await Promise.all([
    r1BatchAsync(modules.map(([out, m]) => grpoArgs(out!, '--reward-module', m!)), { cwd: ROOT }),
    r1Spawn(grpoArgs('missing-real', '--reward-module', './nope.ts#correct'), { cwd: ROOT }),
  ]);
  const [missing, noExport, bad] = batch.map((r) => ({ code: r.status, stdout: r.stdout, stderr: r.stderr.trim() }));
  assert.equal(missing!.code, 2);
  assert.match(missing!.stderr, /^r1 grpo: reward module .*nope\.ts: file not found/);
  assert.equal(missing!.stderr.split('\n').length, 1);
  assert.deepEqual(real, batch[0], 'the real binary: the same line, exit 2');
  assert.equal(noExport!.code, 2);
  assert.match(noExport!.stderr, /reward\.ts has no export 'accuracy'; its functions: correct, format/);
  assert.equal(existsSync(join(dir, 'noexport', 'metrics.jsonl')), false);
  assert.equal(bad!.code, 2);
  assert.match(bad!.stderr, /is not PATH#EXPORT or PATH#EXPORT:WEIGHT/);
});

test('a module that fails mid-run: one line naming it and the step, exit 2, the checkpoints saved so far kept', () => {
  // the start-of-run probe is call 1, steps 1 and 2 are calls 2 and 3; step 3 returns a string
  writeFileSync(join(dir, 'flaky.ts'), 'let calls = 0;\nexport function flaky(_p: unknown[], cs: unknown[]) { calls++; return cs.map(() => (calls > 3 ? "1" : 1)); }\n');
  const r = grpo('flaky', '--reward-module', `${join(dir, 'flaky.ts')}#flaky`, '--steps', '4', '--save-every', '1');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^r1 grpo: reward .*flaky\.ts#flaky: row 0 is "1" \(string\) at step 3; return a finite number, or null/);
  assert.equal(r.stderr.split('\n').length, 1);
  assert.ok(existsSync(join(dir, 'flaky', 'checkpoints', 'step-2', 'trainer_state.json')));
  assert.equal(existsSync(join(dir, 'flaky', 'checkpoints', 'step-3')), false);
});

test("the library: grpo() takes functions (TRL's reward_funcs) beside built-in names; config.json records them without code", async () => {
  const { grpo } = await import('../../src/rl/index.js');
  const seen: number[] = [];
  function long(_p: unknown[], completions: unknown[]): number[] {
    seen.push(completions.length);
    return completions.map((c) => (Array.isArray(c) ? String((c[0] as { content: string }).content).length : 0));
  }
  const out = join(dir, 'lib');
  const r = await grpo({
    model, out, data: join(dir, 'train.jsonl'), evalData: join(dir, 'held.jsonl'), rewards: [long, { name: 'format', weight: 0.1 }],
    steps: 1, promptsPerStep: 2, numGenerations: 2, maxCompletionLength: 5, evalEvery: -1, seed: 3,
  });
  assert.equal(r.steps, 1);
  assert.deepEqual(seen, [2, 4]); // the start-of-run probe (2 problems), then 2 prompts × 2 completions
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).rewards, [{ name: 'long', weight: 1 }, { name: 'format', weight: 0.1 }]);
  const m = JSON.parse(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n')[0]!);
  assert.equal(typeof m['rewards/long/mean'], 'number');
  for (const line of readFileSync(join(out, 'samples.jsonl'), 'utf8').trim().split('\n')) {
    const x = JSON.parse(line);
    assert.equal(x.rewards.long, x.completion.length); // the function saw the completion as TRL's assistant message
    assert.equal(x.reward, x.completion.length + 0.1 * x.rewards.format);
  }
});

test("--template chat on a world renders its questions with the checkpoint's chat template (the compact prompt for r1ts's own)", async () => {
  const { buildTasks } = await import('../../src/rl/run.js');
  const { resolveConfig } = await import('../../src/rl/config.js');
  const tasks = await buildTasks(resolveConfig({ model, out: join(dir, 'w'), world: 'addition', template: 'chat' }));
  for (const p of tasks.heldOut(3)) assert.equal(p.prompt, `User: ${p.input}\nAssistant: `);
});
