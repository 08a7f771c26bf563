// `r1 serve --reasoning`: the <think> part of a reply as reasoning_content, whole and streamed (every way of cutting
// the stream gives the same split), and the eval client putting it back so the answer is still read after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReasoningStream, promptOpensThink, splitReasoning } from '../../src/serve/reasoning.js';
import { OpenAIServer } from '../../src/serve/server.js';
import type { Engine, EngineRequest } from '../../src/serve/engine.js';
import { CharTokenizer } from '../../src/model/tokenizer.js';
import { endpointSampler, fullText } from '../../src/eval/endpoint.js';
import { stripReasoning } from '../../src/eval/benchmark.js';

test('splitReasoning: opened by the prompt, opened by the reply, none, never closed', () => {
  assert.deepEqual(splitReasoning('2+2 is 4.\n</think>\n\nThe answer is \\boxed{4}.', true), { reasoning: '2+2 is 4.\n', content: '\n\nThe answer is \\boxed{4}.' });
  assert.deepEqual(splitReasoning('<think>\nhm\n</think>\n\nok', false), { reasoning: '\nhm\n', content: '\n\nok' });
  assert.deepEqual(splitReasoning('just an answer </think> here', false), { reasoning: null, content: 'just an answer </think> here' });
  assert.deepEqual(splitReasoning('still thinking', true), { reasoning: 'still thinking', content: '' });
  assert.equal(promptOpensThink('<｜User｜>hi<｜Assistant｜><think>\n'), true);
  assert.equal(promptOpensThink('<|im_start|>assistant\n'), false);
});

test('ReasoningStream: any cutting of the stream gives the whole-reply split', () => {
  const cases: [string, boolean][] = [
    ['2+2 is 4.\n</think>\n\nThe answer is 4.', true], ['<think>\nx</thi</think>\n\ny', false], ['<thin', false],
    ['plain <think> text', false], ['never closed </thin', true], ['', true],
  ];
  for (const [text, opened] of cases) {
    const whole = splitReasoning(text, opened);
    for (let a = 0; a <= text.length; a++) {
      for (let b = a; b <= text.length; b++) {
        const st = new ReasoningStream(opened);
        let r = '', c = '';
        for (const piece of [text.slice(0, a), text.slice(a, b), text.slice(b)]) {
          const p = st.push(piece);
          r += p.reasoning;
          c += p.content;
        }
        const p = st.end();
        r += p.reasoning;
        c += p.content;
        assert.deepEqual({ r, c }, { r: whole.reasoning ?? '', c: whole.content }, `${JSON.stringify(text)} cut at ${a}, ${b}`);
      }
    }
  }
});

/** An engine stand-in that "samples" a fixed reply character by character (the HTTP layer is what is tested). */
function scriptedEngine(reply: string): Engine {
  const tokenizer = new CharTokenizer({ chars: 'abcdefghijklmnopqrstuvwxyz<>/\\{}0123456789 .+=\n', chatTemplate: "{% for m in messages %}{{ m['content'] }}{% endfor %}<think>\n" });
  return {
    tokenizer, maxLen: 4096, load: { active: 0, waiting: 0 }, close() {},
    async submit(r: EngineRequest) {
      const n = r.n ?? 1;
      for (let j = 0; j < n; j++) for (const ch of reply) r.onText?.(j, ch);
      return Array.from({ length: n }, (_, index) => ({ index, text: reply, tokens: tokenizer.encode(reply), logprobs: [], finishReason: 'stop' as const }));
    },
  } as unknown as Engine;
}

test('r1 serve --reasoning: reasoning_content apart, whole and streamed; the eval client reads the answer after it', async () => {
  const reply = '2+2=4\n</think>\n\nthe answer is \\boxed{4}.';
  const server = new OpenAIServer(scriptedEngine(reply), { modelName: 'm', reasoning: true });
  const port = await server.listen(0, '127.0.0.1');
  try {
    const body = { model: 'm', messages: [{ role: 'user', content: 'what is 2+2' }], max_tokens: 50 };
    const plain = (await (await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(body) })).json()) as { choices: { message: Record<string, string> }[] };
    assert.deepEqual(plain.choices[0]!.message, { role: 'assistant', content: '\n\nthe answer is \\boxed{4}.', reasoning_content: '2+2=4\n' });
    const sse = await (await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ ...body, stream: true }) })).text();
    let r = '', c = '';
    for (const line of sse.split('\n')) {
      if (!line.startsWith('data: {')) continue;
      const d = JSON.parse(line.slice(6)).choices[0]?.delta ?? {};
      r += d.reasoning_content ?? '';
      c += d.content ?? '';
    }
    assert.deepEqual({ r, c }, { r: '2+2=4\n', c: '\n\nthe answer is \\boxed{4}.' });
    const [choice] = await endpointSampler({ url: `http://127.0.0.1:${port}`, model: 'm' })({ prompt: { messages: body.messages }, n: 1, maxTokens: 50, temperature: 0, topP: 1 });
    assert.equal(choice!.reasoning, '2+2=4\n');
    assert.equal(fullText(choice!), '<think>\n2+2=4\n\n</think>\n\n\n\nthe answer is \\boxed{4}.');
    assert.equal(stripReasoning(choice!.text).trim(), 'the answer is \\boxed{4}.');
  } finally {
    await server.close();
  }
});
