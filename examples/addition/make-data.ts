// Writes the example's conversational JSONL from the addition world (the demo's): train.jsonl for GRPO's rollouts and
// heldout.jsonl for its evaluation, split by the canonical problem (a+b and b+a are one problem): a held-out sum is one
// whose both orders the world holds out (so the base model never saw it in pretraining) and no training row has.
// Not a world: it only draws from one. Run: npx tsx examples/addition/make-data.ts [TRAIN_ROWS] [HELDOUT_ROWS]
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/util/rng.js';
import { getWorld, splitOf } from '../../src/data/worlds/index.js';
import type { AdditionProblem } from '../../src/data/worlds/addition.js';

const here = dirname(fileURLToPath(import.meta.url));
const [nTrain, nHeld] = [Number(process.argv[2] ?? 2000), Number(process.argv[3] ?? 200)];
const world = getWorld('addition');
const key = (p: AdditionProblem) => `${Math.min(p.a, p.b)}+${Math.max(p.a, p.b)}`;
const heldOut = new Map<string, AdditionProblem>(), train = new Map<string, AdditionProblem>();
const rng = new Rng(22);
while (heldOut.size < nHeld || train.size < nTrain) {
  const p = world.generate(rng, world.defaultDifficulty) as AdditionProblem;
  const k = key(p);
  if (heldOut.has(k) || train.has(k)) continue;
  const both = [splitOf(`${p.a}+${p.b}`), splitOf(`${p.b}+${p.a}`)];
  if (both.every((s) => s === 'test')) { if (heldOut.size < nHeld) heldOut.set(k, p); }
  else if (both.every((s) => s === 'train') && train.size < nTrain) train.set(k, p);
}
const row = (p: AdditionProblem) => JSON.stringify({ id: p.id, prompt: [{ role: 'user', content: p.question }], answer: p.gold, a: p.a, b: p.b });
writeFileSync(join(here, 'train.jsonl'), [...train.values()].map(row).join('\n') + '\n');
writeFileSync(join(here, 'heldout.jsonl'), [...heldOut.values()].map(row).join('\n') + '\n');
console.error(`wrote ${train.size} training and ${heldOut.size} held-out problems (disjoint as unordered pairs) to ${here}`);
