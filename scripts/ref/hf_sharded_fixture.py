#!/work/venv/bin/python
# Loads test/fixtures/model/r1ts-sharded/ (written by r1ts' saveCheckpoint: BF16 shards + index, see
# scripts/ref/sharded_fixture.ts) with transformers' AutoModelForCausalLM in FP32 and writes expected.json: the
# logits of a token sequence, which test/model/hf-sharded.test.ts compares with r1ts' own within 1e-4.
# Not run in CI. Run: /work/venv/bin/python scripts/ref/hf_sharded_fixture.py
import json
import os

import torch
from transformers import AutoModelForCausalLM

DIR = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'model', 'r1ts-sharded')
TOKENS = [3, 17, 40, 5, 63, 0, 22, 9, 41, 12, 7, 30]
model, info = AutoModelForCausalLM.from_pretrained(DIR, dtype=torch.float32, output_loading_info=True)
assert not info['missing_keys'] and not info['unexpected_keys'], info
model.eval()
with torch.no_grad():
    logits = model(torch.tensor([TOKENS])).logits[0]  # (T, V)
json.dump({'tokens': TOKENS, 'logits': logits.tolist(), 'transformers': __import__('transformers').__version__},
          open(os.path.join(DIR, 'expected.json'), 'w'))
print('wrote', os.path.join(DIR, 'expected.json'), 'max |logit|', logits.abs().max().item())
