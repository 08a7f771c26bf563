// Writes test/fixtures/model/lora-r1ts/: a LoRA adapter r1ts trained (8 SFT steps of the tiny Qwen2 on fixed random
// tokens, r 4, alpha 16, on q/v/o/down projections), saved in PEFT's format; scripts/ref/lora_fixture.py then has PEFT
// load it and write the logits PEFT gives. Not a test. Run: npx tsx scripts/ref/lora_r1ts_adapter.ts
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/model/checkpoint.js';
import { LoraAdapter } from '../../src/model/lora.js';
import { saveTrained } from '../../src/model/lora-io.js';
import { Trainer } from '../../src/sft/trainer.js';
import { Rng } from '../../src/util/rng.js';

const root = join(import.meta.dirname, '..', '..');
const base = 'test/fixtures/model/qwen2-tiny';
const { model, tokenizer } = await loadCheckpoint(join(root, base));
new LoraAdapter(model, { r: 4, alpha: 16, dropout: 0, targetModules: ['q_proj', 'v_proj', 'o_proj', 'down_proj'] }, new Rng(1));
const trainer = new Trainer(model, { weightDecay: 0 });
const rng = new Rng(2);
const B = 2, T = 12;
const ids = Int32Array.from({ length: B * T }, () => rng.int(0, 260));
const targets = Int32Array.from({ length: B * T }, (_, i) => (i % T === T - 1 ? -100 : ids[i + 1]!));
for (let s = 0; s < 8; s++) {
  const st = trainer.step([{ B, T, ids, targets, tokens: B * (T - 1) }], 1e-2);
  console.log(`step ${s}: loss ${st.loss.toFixed(4)}`);
}
saveTrained(join(root, 'test/fixtures/model/lora-r1ts'), model, tokenizer, {}, { baseModel: base });
