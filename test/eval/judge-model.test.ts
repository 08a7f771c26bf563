// The judge model: verdict parsing as a table, the endpoint judge against a loopback HTTP server that grades
// like a judge model would (request shape, verdicts, no-verdict nulls, rows without a reference), and the local
// judge through the r1ts sampler with a tiny checkpoint trained here to give the verdicts of a few judgements.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Rng } from '../../src/util/rng.js';
import { Decoder } from '../../src/model/decoder.js';
import { makeConfig } from '../../src/model/config.js';
import { CharTokenizer } from '../../src/model/tokenizer.js';
import { Trainer } from '../../src/sft/trainer.js';
import { makeBatch } from '../../src/sft/batching.js';
import { judgePrompt, parseVerdict, predictionOf, type JudgeItem } from '../../src/rewards/judge-model.js';
import { endpointJudgeModel, judgeModelRewards, localJudgeModel } from '../../src/eval/judge-model.js';

test('parseVerdict reads the last verdict word of the summary', () => {
  const rows: [string, 'correct' | 'incorrect' | null][] = [
    ['correct', 'correct'],
    ['Incorrect.', 'incorrect'],
    ['The prediction is not correct.', 'incorrect'], // negation
    ['<think>\nit looks correct at first, but 7 != 8\n</think>\n\nincorrect', 'incorrect'], // reasoning is not read
    ['<think>\nhmm, wrong?\n</think>\n\nVerdict: CORRECT', 'correct'],
    ['It was wrong at first; on reflection it is right.', 'correct'], // the last word decides
    ['incorrectly formatted but fine', null], // not a whole verdict word
    ['I cannot tell.', null],
    ['', null],
  ];
  for (const [reply, expected] of rows) assert.equal(parseVerdict(reply), expected, JSON.stringify(reply));
});

test('judge prompts show question, reference and prediction; the prediction is the summary', () => {
  const it: JudgeItem = { question: 'write 342 in words', reference: 'three hundred forty two', prediction: predictionOf('<think>\nx\n</think>\n\nthree hundred forty-two') };
  assert.equal(it.prediction, 'three hundred forty-two');
  const p = judgePrompt(it, 'instruct');
  for (const s of ['Question: write 342 in words', 'Reference answer: three hundred forty two', 'Predicted answer: three hundred forty-two', 'correct or incorrect']) assert.ok(p.includes(s), s);
  assert.equal(judgePrompt({ question: 'q\nq', reference: 'a', prediction: 'b  c' }, 'compact'), 'User: judge q q | reference a | prediction b c\nAssistant: ');
});

// A loopback server that grades like a judge model: same words, ignoring case, hyphens and a final period.
let server: Server;
let url = '';
const seen: Record<string, unknown>[] = [];
before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const b = JSON.parse(body) as { messages: { content: string }[] };
      seen.push(b);
      const text = b.messages[0]!.content;
      const get = (k: string) => (text.match(new RegExp(`^${k}: (.*)$`, 'm'))?.[1] ?? '').toLowerCase().replace(/-/g, ' ').replace(/\.$/, '').trim();
      const content = get('Predicted answer') === '???' ? 'I am not sure.' : get('Reference answer') === get('Predicted answer') ? 'Verdict: correct' : 'Verdict: incorrect';
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content, reasoning_content: 'compared the two; correct?' }, finish_reason: 'stop' }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server?.close());

test('endpoint judge: verdicts from an OpenAI-compatible server become 1 / 0 / null rewards', async () => {
  const judge = endpointJudgeModel({ url, model: 'judge-v3', retries: 0 });
  const completions = [
    '<think>\n\n</think>\n\nthree hundred forty-two', // same answer, another form: correct
    '<think>\n\n</think>\n\nthree hundred forty three', // incorrect
    '<think>\n\n</think>\n\n???', // the judge gives no verdict: null
    '<think>\n\n</think>\n\ncba', // no reference: not sent, null
  ];
  const r = await judgeModelRewards(judge, completions, ['write 342 in words', 'write 342 in words', 'write 1 in words', 'reverse abc'],
    ['three hundred forty two', 'three hundred forty two', 'one', null]);
  assert.deepEqual(r, [1, 0, null, null]);
  assert.equal(seen.length, 3);
  assert.deepEqual({ ...seen[0], messages: undefined }, { model: 'judge-v3', n: 1, temperature: 0, top_p: 1, max_tokens: 512, messages: undefined });
  await assert.rejects(endpointJudgeModel({ url: 'http://127.0.0.1:9', model: 'm', retries: 0 })([{ question: 'q', reference: 'a', prediction: 'a' }]), /cannot be reached/);
});

test('local judge: a checkpoint run through the r1ts sampler gives the verdicts it was trained to give', async () => {
  const items: [JudgeItem, 'correct' | 'incorrect'][] = [
    [{ question: 'reverse ab', reference: 'ba', prediction: 'ba' }, 'correct'],
    [{ question: 'reverse ab', reference: 'ba', prediction: 'ab' }, 'incorrect'],
    [{ question: 'count abc', reference: '3', prediction: '3' }, 'correct'],
    [{ question: 'count abc', reference: '3', prediction: '4' }, 'incorrect'],
  ];
  const texts = items.map(([it, v]) => [judgePrompt(it, 'compact'), `<think>\n\n</think>\n\n${v}`] as const);
  const tok = CharTokenizer.fromCorpus(texts.flat());
  const model = new Decoder(makeConfig({
    vocab_size: tok.vocabSize, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4,
    bos_token_id: tok.bosId, eos_token_id: tok.eosId,
  }), new Rng(1));
  const judge = localJudgeModel(model, tok);
  const want = items.map(([, v]) => v);
  const seqs = texts.map(([p, c]) => ({ ids: [...tok.encode(p), ...tok.encode(c), tok.eosId!], lossFrom: tok.encode(p).length }));
  const trainer = new Trainer(model, { weightDecay: 0 });
  let got: (string | null)[] = await judge(items.map(([it]) => it));
  assert.notDeepEqual(got, want, 'an untrained model does not give these verdicts');
  for (let step = 0; step < 300; step++) {
    trainer.step([makeBatch(seqs, tok.padId!)], 3e-3);
    if (step % 50 === 49 && JSON.stringify(got = await judge(items.map(([it]) => it))) === JSON.stringify(want)) break;
  }
  assert.deepEqual(got, want);
  assert.deepEqual(await judgeModelRewards(judge, ['x</think>\n\nba', 'x</think>\n\n4'], ['reverse ab', 'count abc'], ['ba', '3']), [1, 0]);
});
