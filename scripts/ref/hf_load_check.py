#!/work/venv/bin/python
# Loads a checkpoint folder r1ts wrote (sharded or not) with transformers' AutoModelForCausalLM in FP32 and compares
# its logits with the ones r1ts computed (DIR.ours.json + DIR.ours.f32, written by scripts/checkpoint-roundtrip.ts):
# prints the largest difference; exits 1 above --tol (default 1e-4) or when transformers reports missing/unexpected
# weights. Not a fixture writer. Run: /work/venv/bin/python scripts/ref/hf_load_check.py /work/tmp-ckpt/qwen2.5-0.5b
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from transformers import AutoModelForCausalLM

ap = argparse.ArgumentParser()
ap.add_argument('dir')
ap.add_argument('--tol', type=float, default=1e-4)
a = ap.parse_args()
d = a.dir.rstrip('/')
meta = json.load(open(d + '.ours.json'))
ours = np.fromfile(d + '.ours.f32', dtype=np.float32).reshape(len(meta['tokens']), meta['vocab'])
t0 = time.time()
model, info = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32, output_loading_info=True)
files = sorted(f for f in os.listdir(d) if f.endswith('.safetensors') and f.startswith('model'))
print(f'transformers loaded {d} ({len(files)} safetensors file(s)) in {time.time() - t0:.1f} s; '
      f'missing {info["missing_keys"]}, unexpected {info["unexpected_keys"]}')
model.eval()
with torch.no_grad():
    theirs = model(torch.tensor([meta['tokens']])).logits[0].numpy()  # (T, V)
diff = np.abs(theirs - ours)
print(f'logits {ours.shape}: max |ours - transformers| = {diff.max():.3e} (mean {diff.mean():.3e}; max |logit| {np.abs(theirs).max():.3f}); '
      f'argmax agree at {(theirs.argmax(-1) == ours.argmax(-1)).sum()}/{ours.shape[0]} positions')
ok = diff.max() <= a.tol and not info['missing_keys'] and not info['unexpected_keys']
print('OK' if ok else f'FAIL (tolerance {a.tol})')
sys.exit(0 if ok else 1)
