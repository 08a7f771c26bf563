// A judge model's call: the prompt of src/rewards/judge-model.ts sent to an OpenAI-compatible endpoint (the paper's
// DeepSeek-V3 as judge) or to a local checkpoint through the sampler, greedy, and the verdicts read back (GRPO's
// `judges` rewards). Not the prompt or the parsing (src/rewards/judge-model.ts), and not a task's judge (runner.ts
// Judge). DeepSeek-R1 §2.3.3.
import type { Decoder } from '../model/decoder.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { Rng } from '../util/rng.js';
import { judgePrompt, parseVerdict, predictionOf, verdictScores, type JudgeItem, type JudgeTemplate, type Verdict } from '../rewards/judge-model.js';
import { endpointSampler, type EndpointOptions } from './endpoint.js';
import { sampleCompletions } from './runner.js';

/** A judge model as a call: one verdict per item, null where the model's reply held none. */
export type JudgeModel = (items: readonly JudgeItem[]) => Promise<(Verdict | null)[]>;

export interface EndpointJudgeModelOptions extends EndpointOptions {
  /** Default 'instruct' (a large model); 'compact' for a served r1ts checkpoint trained on judgements. */
  template?: JudgeTemplate;
  /** 'chat' sends the prompt as one user message (default), 'completions' as raw text. */
  api?: 'chat' | 'completions';
  /** Tokens the judge may write (default 512: a reasoning judge thinks first). */
  maxTokens?: number;
}

/** A judge behind an OpenAI-compatible server, at temperature 0, one request per item (the client bounds concurrency). */
export function endpointJudgeModel(o: EndpointJudgeModelOptions): JudgeModel {
  const sample = endpointSampler(o);
  const template = o.template ?? 'instruct';
  return (items) => Promise.all(items.map(async (it) => {
    const prompt = judgePrompt(it, template);
    const [choice] = await sample({
      prompt: (o.api ?? 'chat') === 'chat' ? { messages: [{ role: 'user', content: prompt }] } : { text: prompt },
      n: 1, maxTokens: o.maxTokens ?? 512, temperature: 0, topP: 1,
    });
    return choice ? parseVerdict(choice.text) : null; // the answer text: a server that splits reasoning off keeps it out
  }));
}

export interface LocalJudgeModelOptions {
  /** Default 'compact' (the one format's prompt, which a small r1ts model is trained on). */
  template?: JudgeTemplate;
  /** Tokens the judge may write (default 64). */
  maxNewTokens?: number;
  /** Rows per generate call (default all). */
  batchSize?: number;
}

/** A judge that is a local checkpoint: greedy sampling with the r1ts sampler, EOS-terminated. */
export function localJudgeModel(model: Decoder, tokenizer: Tokenizer, o: LocalJudgeModelOptions = {}): JudgeModel {
  const template = o.template ?? 'compact';
  return async (items) => {
    if (items.length === 0) return [];
    const out = await sampleCompletions(model, tokenizer, items.map((it) => judgePrompt(it, template)), 1, {
      maxNewTokens: o.maxNewTokens ?? 64, temperature: 0, topP: 1, stopStrings: [], batchSize: o.batchSize, rng: new Rng(0),
    });
    return out.map((c) => parseVerdict(c.text));
  };
}

/**
 * Judge rewards for completions: 1 / 0 by the judge's verdict on each completion's summary against its reference;
 * null where there is no reference or the judge gave no verdict. questions and references align with completions.
 */
export async function judgeModelRewards(judge: JudgeModel, completions: readonly string[], questions: readonly string[],
  references: readonly (string | null | undefined)[]): Promise<(number | null)[]> {
  const rows = completions.map((_, i) => i).filter((i) => typeof references[i] === 'string' && references[i] !== '');
  const verdicts = await judge(rows.map((i) => ({ question: questions[i] ?? '', reference: references[i]!, prediction: predictionOf(completions[i]!) })));
  const out: (number | null)[] = new Array(completions.length).fill(null);
  const scores = verdictScores(verdicts);
  rows.forEach((i, k) => { out[i] = scores[k] ?? null; });
  return out;
}
