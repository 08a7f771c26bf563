#!/work/venv/bin/python
# LoRA fixtures written by PEFT 0.21 over the tiny Qwen2 checkpoint (test/fixtures/model/qwen2-tiny):
#  - lora-peft/: an adapter PEFT made (r 4, alpha 8, all-linear, B non-zero so it matters), expected.json with the
#    adapted logits of a token sequence and a greedy continuation, and merged.safetensors: merge_and_unload()'s weights
#    of every adapted projection;
#  - lora-r1ts/: an adapter r1ts trained (scripts/ref/lora_r1ts_adapter.ts writes it first); PEFT loads it and writes
#    peft_expected.json with its logits.
# Not run in CI (the outputs are committed). Run: /work/venv/bin/python scripts/ref/lora_fixture.py
import json
import os

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM

os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))  # the repo root: base_model_name_or_path stays relative
ROOT = os.path.join('test', 'fixtures', 'model')
BASE = os.path.join(ROOT, 'qwen2-tiny')
TOKENS = [5, 17, 200, 33, 262, 99, 1, 250, 140, 7, 63, 11]
PROMPT = [104, 101, 108, 108, 111]


def base():
    return AutoModelForCausalLM.from_pretrained(BASE, dtype=torch.float32).eval()


def logits(m):
    with torch.no_grad():
        return m(torch.tensor([TOKENS])).logits[0].tolist()


def greedy(m, n=16):
    with torch.no_grad():
        out = m.generate(input_ids=torch.tensor([PROMPT]), attention_mask=torch.ones(1, len(PROMPT), dtype=torch.long),
                         max_new_tokens=n, do_sample=False, eos_token_id=None, pad_token_id=0)
    return out[0, len(PROMPT):].tolist()


def peft_made():
    out = os.path.join(ROOT, 'lora-peft')
    torch.manual_seed(0)
    m = get_peft_model(base(), LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules='all-linear'))
    with torch.no_grad():
        for name, p in m.named_parameters():
            if 'lora_B' in name:
                p.normal_(0, 0.05)  # PEFT starts B at 0; a trained adapter does not
    m.eval()
    m.save_pretrained(out)
    os.remove(os.path.join(out, 'README.md'))  # PEFT's model card, not needed
    expected = {'tokens': TOKENS, 'logits': logits(m), 'greedy': {'prompt': PROMPT, 'tokens': greedy(m)}}
    merged = m.merge_and_unload()
    sd = {k: v.contiguous() for k, v in merged.state_dict().items()
          if any(f'.{n}.' in k for n in ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj']) and k.endswith('weight')}
    save_file(sd, os.path.join(out, 'merged.safetensors'), metadata={'format': 'pt'})
    with open(os.path.join(out, 'expected.json'), 'w') as f:
        json.dump(expected, f)
    print(f'wrote {out}: {len(sd)} merged weights')


def r1ts_made():
    d = os.path.join(ROOT, 'lora-r1ts')
    if not os.path.exists(os.path.join(d, 'adapter_config.json')):
        print(f'skipped {d}: run `npx tsx scripts/ref/lora_r1ts_adapter.ts` first')
        return
    m = PeftModel.from_pretrained(base(), d).eval()
    with open(os.path.join(d, 'peft_expected.json'), 'w') as f:
        json.dump({'tokens': TOKENS, 'logits': logits(m), 'greedy': {'prompt': PROMPT, 'tokens': greedy(m)}}, f)
    print(f'wrote {d}/peft_expected.json')


if __name__ == '__main__':
    peft_made()
    r1ts_made()
