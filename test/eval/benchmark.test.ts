// The benchmark runner with a scripted sampler: results.jsonl holds every sample, summary.json the hand-computed
// numbers; the reasoning is stripped before the answer is read; an interrupted run resumes without resampling the
// problems it finished; a failing problem is skipped and counted; other settings in the same folder are refused.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mathEquivalent, mathJudge, requestSeed, runBenchmark, stripReasoning, withThinkOpened, type BenchmarkSettings } from '../../src/eval/benchmark.js';
import { EndpointError, type SampleRequest, type SampledChoice } from '../../src/eval/endpoint.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'r1-bench-')); dirs.push(d); return d; };

const settings = (over: Partial<BenchmarkSettings> = {}): BenchmarkSettings => ({
  dataset: 'test', k: 4, temperature: 0.6, top_p: 0.95, max_tokens: 100, seed: 1, n_per_request: 2, prompt: 'chat', model: 'scripted', stop: [], ...over,
});
const problems = [
  { id: 'half', gold: '\\frac{1}{2}', prompt: { messages: [{ role: 'user', content: 'half?' }] } },
  { id: 'four', gold: '4', prompt: { messages: [{ role: 'user', content: '2+2?' }] } },
];
/** Scripted completions per problem: the readable R1 format, answers written differently. */
const SCRIPT: Record<string, string[]> = {
  half: ['<think>\nmaybe \\boxed{3}\n</think>\n\nIt is \\boxed{0.5}.', '<think>\nhmm\n</think>\n\n\\boxed{1/2}', '<think>\nno\n</think>\n\n\\boxed{3}', '<think>\nunfinished \\boxed{1/2}'],
  four: ['<think>\n2+2\n</think>\n\n\\boxed{4}', '<think>\nx\n</think>\n\n\\boxed{5}', '<think>\nx\n</think>\n\n\\boxed{5}', '<think>\nx\n</think>\n\n\\boxed{4}'],
};
function sampler(calls: SampleRequest[]) {
  return async (r: SampleRequest): Promise<SampledChoice[]> => {
    calls.push(r);
    const id = (r.prompt as { messages: { content: string }[] }).messages[0]!.content === 'half?' ? 'half' : 'four';
    const chunk = calls.filter((c) => c.prompt === r.prompt).length - 1;
    return SCRIPT[id]!.slice(chunk * 2, chunk * 2 + r.n).map((text, j) => ({ text, reasoning: null, tokens: 10 + j, finishReason: text.includes('unfinished') ? 'length' : 'stop' }));
  };
}

test('stripReasoning keeps what follows the last </think>; an unclosed <think> leaves nothing', () => {
  assert.equal(stripReasoning('<think>\n\\boxed{3}\n</think>\n\nso \\boxed{5}'), '\n\nso \\boxed{5}');
  assert.equal(stripReasoning('<think>a</think>b</think>c'), 'c');
  assert.equal(stripReasoning('<think>\nstill going \\boxed{2}'), '');
  assert.equal(stripReasoning('plain \\boxed{2}'), 'plain \\boxed{2}');
});

test('mathEquivalent: numbers by their canonical key, other answers by the verifier', () => {
  assert.equal(mathEquivalent('0.5', '\\frac{1}{2}'), true);
  assert.equal(mathEquivalent('50\\%', '0.5'), true);
  assert.equal(mathEquivalent('3', '4'), false);
  assert.equal(mathEquivalent('x^2+2x+1', '(x+1)^2'), true);
  assert.equal(mathEquivalent('(1,2)', '(2,1)'), false);
});

test('results.jsonl and the summary: pass@1 ± stderr, verifier-grouped cons@k with a tie, pass@k, length, truncation', async () => {
  const out = tmp();
  const calls: SampleRequest[] = [];
  const s = await runBenchmark(problems, { settings: settings(), sampler: sampler(calls), judge: mathJudge, equivalent: mathEquivalent, outDir: out });
  // 2 requests of n = 2 per problem, seeds from (seed, id, chunk)
  assert.equal(calls.length, 4);
  assert.deepEqual(calls.filter((c) => c.prompt === problems[0]!.prompt).map((c) => c.seed), [requestSeed(1, 'half', 0), requestSeed(1, 'half', 1)]);
  const lines = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 8);
  const half = lines.filter((l) => l.problem_id === 'half').sort((a, b) => a.sample - b.sample);
  // the boxed 3 inside the reasoning is not the answer; the unfinished sample has none
  assert.deepEqual(half.map((l) => [l.answer, l.correct]), [['0.5', true], ['1/2', true], ['3', false], [null, false]]);
  // half: 2/4 right; four: 2/4 right → pass@1 0.5, stderr 0
  assert.equal(s.pass_at_1, 0.5);
  assert.equal(s.pass_at_1_stderr, 0);
  // half: {0.5, 1/2} (2 votes) beats {3}: right. four: 4 and 5 tie 2–2: the split rule gives 0.5 → (1 + 0.5) / 2
  assert.equal(s.cons_at_k, 0.75);
  assert.equal(s.cons_ties, 1);
  // pass@2 per problem: 1 - C(2,2)/C(4,2) = 5/6 each; pass@4 = 1
  assert.deepEqual(s.pass_at_k.map((p) => p.k), [1, 2, 4]);
  assert.ok(Math.abs(s.pass_at_k[1]!.pass - 5 / 6) < 1e-12);
  assert.equal(s.mean_length, 10.5);
  assert.equal(s.truncation_rate, 1 / 8);
  assert.equal(s.answer_rate, 7 / 8);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).settings, settings());
});

test('resume: finished problems are not sampled again; a half-written tail is dropped and redone', async () => {
  const out = tmp();
  const full = await runBenchmark(problems, { settings: settings(), sampler: sampler([]), judge: mathJudge, equivalent: mathEquivalent, outDir: out });
  const file = join(out, 'results.jsonl');
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const keep = lines.filter((l) => JSON.parse(l).problem_id === 'half');
  // an interruption: 'four' got only one line, then a line cut short
  writeFileSync(file, keep.join('\n') + '\n' + lines.find((l) => JSON.parse(l).problem_id === 'four') + '\n');
  appendFileSync(file, '{"problem_id":"four","sam');
  const calls: SampleRequest[] = [];
  const resumed = await runBenchmark(problems, { settings: settings(), sampler: sampler(calls), judge: mathJudge, equivalent: mathEquivalent, outDir: out });
  assert.ok(calls.every((c) => c.prompt === problems[1]!.prompt), 'only the unfinished problem is sampled');
  assert.equal(calls.length, 2);
  const { seconds: _a, ...x } = full;
  const { seconds: _b, ...y } = resumed;
  assert.deepEqual(y, x);
  await assert.rejects(runBenchmark(problems, { settings: settings({ temperature: 1 }), sampler: sampler([]), judge: mathJudge, outDir: out }),
    /holds an eval with other settings \(temperature: 0.6\); use another --out/);
  // a setting recorded only when used (an adapter, BF16 weight copies) counts whether it is added or dropped
  await assert.rejects(runBenchmark(problems, { settings: settings({ sampling_precision: 'bf16' }), sampler: sampler([]), judge: mathJudge, outDir: out }),
    /other settings \(sampling_precision: undefined\)/);
  const bf16 = tmp();
  await runBenchmark(problems, { settings: settings({ sampling_precision: 'bf16' }), sampler: sampler([]), judge: mathJudge, outDir: bf16 });
  await assert.rejects(runBenchmark(problems, { settings: settings(), sampler: sampler([]), judge: mathJudge, outDir: bf16 }), /other settings \(sampling_precision: "bf16"\)/);
});

test('a problem whose sampling fails is skipped with its id and cause; a fatal error stops the run', async () => {
  const out = tmp();
  const flaky = sampler([]);
  const s = await runBenchmark(problems, {
    settings: settings(), judge: mathJudge, outDir: out,
    sampler: async (r) => { if ((r.prompt as { messages: { content: string }[] }).messages[0]!.content === 'half?') throw new EndpointError('http://h/v1/chat/completions sent a reply that is not JSON', 200, false); return flaky(r); },
  });
  assert.equal(s.problems, 1);
  assert.deepEqual(s.skipped, [{ problem_id: 'half', error: 'http://h/v1/chat/completions sent a reply that is not JSON' }]);
  await assert.rejects(runBenchmark(problems, {
    settings: settings(), judge: mathJudge, outDir: tmp(),
    sampler: async () => { throw new EndpointError('http://h refused the API key (HTTP 401)', 401, true); },
  }), /problem (half|four): http:\/\/h refused the API key/);
});

test('a prompt that opened <think> (R1 distill template): an unclosed sample is all reasoning, so it has no answer', async () => {
  // the completions of an R1 distill: the prompt ends with <think>\n, so they hold only the closing tag
  assert.deepEqual(withThinkOpened(['so \\boxed{2}', 'x</think>\n\n\\boxed{4}'], false), ['<think>\nso \\boxed{2}', '<think>\nx</think>\n\n\\boxed{4}']);
  assert.deepEqual(withThinkOpened(['so \\boxed{2}'], true), ['<think>\nso \\boxed{2}']);
  assert.deepEqual(withThinkOpened(['plain \\boxed{2}', '<think>a</think>b'], false), ['plain \\boxed{2}', '<think>a</think>b']);
  const truncated = 'Let me guess \\boxed{4} first, then check';
  const run = (thinkAware: boolean, opensThink: boolean) => runBenchmark([{ id: 'p', gold: '4', prompt: { text: 'q' }, opensThink }], {
    settings: settings({ k: 2, n_per_request: 2 }), judge: mathJudge, outDir: tmp(), thinkAware,
    sampler: async () => [{ text: truncated, reasoning: null, tokens: 100, finishReason: 'length' }, { text: 'ok</think>\n\n\\boxed{4}', reasoning: null, tokens: 9, finishReason: 'stop' }],
  });
  assert.equal((await run(true, true)).pass_at_1, 0.5); // the truncated sample's guess is reasoning, not an answer
  assert.equal((await run(true, false)).pass_at_1, 0.5); // the other sample shows the template opened <think>
  assert.equal((await run(false, false)).pass_at_1, 1); // without it the guess inside the reasoning would count
});
