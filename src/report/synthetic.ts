// A synthetic GRPO run folder of any size (metrics with every key the trainer logs plus the planned style and
// faithfulness keys, evaluations, addition-world samples by the world's own writer, a fifth of them with an answer
// their lines do not give), for the report's size/open-time benchmark and tests. Not a training run: made-up curves.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../util/rng.js';
import { getWorld, sampleProblems, worldPrompt } from '../data/worlds/index.js';

export interface SyntheticRun { steps: number; samplesPerStep: number; evalEvery: number; seed?: number }

/** Writes config.json, metrics.jsonl and samples.jsonl of a fake run into `dir`. */
export function writeSyntheticRun(dir: string, o: SyntheticRun): void {
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(o.seed ?? 1);
  const world = getWorld('addition');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    model: 'synthetic', out: dir, world: 'addition', template: null, steps: o.steps, promptsPerStep: 8, numGenerations: 8,
    temperature: 1, maxCompletionLength: 240, rewards: [{ name: 'accuracy', weight: 1 }, { name: 'format', weight: 0.1 }],
    beta: 0, epsilon: 0.2, learningRate: 3e-4, evalEvery: o.evalEvery, evalSamples: 16, seed: o.seed ?? 1,
  }, null, 2));
  const metrics: string[] = [], samples: string[] = [];
  const problems = sampleProblems(world, { split: 'train', count: 512, seed: 3 });
  for (let s = 1; s <= o.steps; s++) {
    const t = s / o.steps, noise = () => (rng.next() - 0.5) * 0.1;
    const acc = Math.min(1, 0.3 + 0.65 * (1 - Math.exp(-5 * t)) + noise());
    const len = 80 + 40 * t + 10 * noise();
    const step = Math.min(1, 0.3 + 0.7 * t), self = 0.1 * (1 - t);
    metrics.push(JSON.stringify({
      type: 'train', step: s, reward: acc + 0.1, reward_std: 0.3, 'rewards/accuracy/mean': acc, 'rewards/format/mean': 1,
      accuracy: acc, format_rate: 1, completion_length: len, completion_length_min: len - 30, completion_length_max: len + 40,
      zero_std_fraction: 0.2 * (1 - t), truncated_fraction: 0.01, clip_low: 0.002, clip_high: 0.003, kl: 0, entropy: 0.5 - 0.3 * t,
      loss: noise(), grad_norm: 0.5 + noise(), lr: 3e-4 * (0.1 + 0.9 * (1 + Math.cos(Math.PI * t)) / 2), sampling_seconds: 0.4,
      training_seconds: 0.5, sampling_tokens_per_s: 9000, training_tokens_per_s: 15000,
      styles: { direct: Math.max(0, 1 - step - self), step, selfcheck: self }, reflection: self,
      unfaithful_line_rate: 0.05 * (1 - t), answer_unfaithful_rate: 0.6 * (1 - t), custom_unknown_key: t,
    }));
    if (s % o.evalEvery === 0) {
      metrics.push(JSON.stringify({ type: 'eval', step: s, pass1: acc, cons: Math.min(1, acc + 0.1), format_rate: 1, mean_len: len, always_wrong: 0.02, problems: 50, samples: 16 }));
    }
    for (let j = 0; j < o.samplesPerStep; j++) {
      const p = problems[rng.int(0, problems.length - 1)]!;
      const style = rng.next() < step ? 'step' : rng.next() < 0.5 ? 'direct' : 'selfcheck';
      let completion = world.write(p, style, rng);
      // one in five states an answer its own lines do not give (what RL runs were seen to learn)
      if (rng.next() < 0.2) completion = completion.replace(/(\d+)(\D*)$/, (_m, d: string, rest: string) => `${Number(d) + 10}${rest}`);
      const ok = world.check(p, completion).correct;
      samples.push(JSON.stringify({
        step: s, prompt: worldPrompt(p), gold: p.gold, completion, reward: (ok ? 1 : 0) + 0.1,
        rewards: { accuracy: ok ? 1 : 0, format: 1 }, advantage: ok ? 0.5 : -0.5, tokens: completion.length, finish: 'stop',
      }));
    }
  }
  writeFileSync(join(dir, 'metrics.jsonl'), metrics.join('\n') + '\n');
  writeFileSync(join(dir, 'samples.jsonl'), samples.join('\n') + '\n');
}
