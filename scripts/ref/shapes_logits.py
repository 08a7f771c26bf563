#!/work/venv/bin/python
# Cross-checks r1ts on real-shape checkpoints (a folder transformers wrote, e.g. /work/shapes/*): `r1 logits --json`
# on a token sequence beside transformers' FP32 logits of the same folder; prints the max abs difference and whether
# the greedy next tokens agree. Not a fixture writer (the folders are too large to commit) and not a test. Heavy (each
# side holds the model in FP32): run under flock. Run: /work/venv/bin/python scripts/ref/shapes_logits.py DIR [DIR ...]
import json
import os
import subprocess
import sys
import time

import torch
from transformers import AutoModelForCausalLM

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
TOKENS = [9707, 11, 1879, 0, 220, 16, 10, 17, 28, 30, 151643, 785, 4226, 374, 220, 18]


def main():
    for d in sys.argv[1:]:
        t0 = time.time()
        r = subprocess.run(['node', os.path.join(ROOT, 'bin', 'r1.js'), 'logits', '--model', d, '--token-ids', ','.join(map(str, TOKENS)), '--json'],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(f'{d}: r1 logits failed ({r.returncode}): {r.stderr.strip()}')
            continue
        ours = torch.tensor(json.loads(r.stdout)['logits'])  # (T, V)
        t1 = time.time()
        m = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32, attn_implementation='eager')
        with torch.no_grad():
            ref = m(torch.tensor([TOKENS])).logits[0]
        del m
        diff = float((ours - ref).abs().max())
        same = bool((ours.argmax(-1) == ref.argmax(-1)).all())
        print(f'{os.path.basename(d.rstrip("/"))}: {len(TOKENS)} positions, max abs diff {diff:.2e} (logits up to {float(ref.abs().max()):.1f}), '
              f'argmax equal at every position: {same}; r1 {t1 - t0:.0f} s, transformers {time.time() - t1:.0f} s')


if __name__ == '__main__':
    main()
