// Profiles GRPO's update (μ optimizer steps over one batch of rollouts) at a real model shape, without sampling:
// prompts of a fixed length and completions of random tokens, so the update's time and peak memory show alone.
// Not a benchmark with a peer (r1 bench grpo --compare-trl is); a tool for finding where time and memory go.
// usage: node --import tsx scripts/prof-grpo-update.ts DIR [rows=16] [completion=256] [prompt=150] [mu=2] [maxTokensPerMicroBatch=0] [ckpt=0]
import { loadCheckpoint } from '../src/model/checkpoint.js';
import { AdamW, clipGradNorm } from '../src/optim/index.js';
import { tidy, resolvePrecision } from '../src/tensor/index.js';
import { grpoLoss, type Rollout } from '../src/rl/loss.js';
import { microBatches } from '../src/rl/trainer.js';
import { Rng } from '../src/util/rng.js';

const [dir, rowsS = '16', compS = '256', promptS = '150', muS = '2', tokS = '0', ckS = '0'] = process.argv.slice(2);
const rows = +rowsS, comp = +compS, plen = +promptS, mu = +muS, maxTok = +tokS;
const gb = (b: number) => (b / 1024 ** 3).toFixed(2);
const rss = () => gb(process.memoryUsage().rss);
const maxRss = () => gb(process.resourceUsage().maxRSS * 1024);
const t0 = performance.now();
const { model } = await loadCheckpoint(dir!);
model.gradientCheckpointing = ckS === '1';
console.error(`loaded ${(model.numParameters() / 1e6).toFixed(0)}M params in ${((performance.now() - t0) / 1000).toFixed(1)} s, rss ${rss()} GB`);
const rng = new Rng(1);
const V = model.config.vocab_size;
const rollouts: Rollout[] = Array.from({ length: rows }, (_, i) => {
  const c = comp - (i % 4) * Math.floor(comp / 32); // a little spread, as sampled lengths have
  return {
    prompt: Array.from({ length: plen }, () => Math.floor(rng.next() * V)),
    completion: Array.from({ length: c }, () => Math.floor(rng.next() * V)),
    oldLogp: new Float32Array(c).fill(-12), refLogp: null, advantage: (i % 2 ? 1 : -1) * 0.5, weight: 1 / (rows * c),
  };
});
const opt = new AdamW(model.parameters(), { lr: 1e-6 });
const micro = microBatches([...rollouts].sort((a, b) => a.completion.length - b.completion.length), 1, maxTok);
console.error(`${micro.length} micro-batches of ${micro.map((m) => m.length).join(', ')} rows`);
model.precision = resolvePrecision('auto');
for (let it = 0; it < mu; it++) {
  const ts = performance.now();
  opt.zeroGrad();
  let fwd = 0, bwd = 0;
  for (const mb of micro) {
    tidy(() => {
      const a = performance.now();
      const { loss } = grpoLoss(model, mb, { epsilon: 0.2, epsilonHigh: 0.2, beta: 0, temperature: 1, padId: 0 });
      const b = performance.now();
      loss.backward();
      fwd += b - a; bwd += performance.now() - b;
    });
  }
  const a = performance.now();
  clipGradNorm(model.parameters(), 1);
  opt.step(1e-6);
  const o = performance.now() - a;
  console.error(`update ${it}: ${((performance.now() - ts) / 1000).toFixed(2)} s (fwd ${(fwd / 1000).toFixed(2)}, bwd ${(bwd / 1000).toFixed(2)}, clip+adam ${(o / 1000).toFixed(2)}), rss ${rss()} GB, peak ${maxRss()} GB`);
}
