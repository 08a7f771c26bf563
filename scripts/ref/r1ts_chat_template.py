#!/usr/bin/python3
# Reference renders of r1ts's own chat template (src/model/chat.ts) by transformers: `r1 pretrain`-style tokenizer
# files are written by r1ts (node, tsx), loaded with AutoTokenizer, and apply_chat_template renders a few conversations
# with and without the generation prompt. test/model/chat-template.test.ts compares @huggingface/jinja's renders.
# Usage: /work/venv/bin/python scripts/ref/r1ts_chat_template.py   (transformers 5.x; writes test/fixtures/chat/r1ts.json)
import json
import os
import subprocess
import tempfile

import transformers
from transformers import AutoTokenizer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'chat', 'r1ts.json')
CONVERSATIONS = [
    [{'role': 'user', 'content': '347+285'}],
    [{'role': 'system', 'content': 'Add two numbers.'}, {'role': 'user', 'content': '12+30'}],
    [{'role': 'user', 'content': '1+2'}, {'role': 'assistant', 'content': '<think>\nones 1+2+0=03 carry 0\n</think>\n\nThe answer is 3.'},
     {'role': 'user', 'content': 'and 2+2?'}],
    [{'role': 'user', 'content': "quotes ' \" and {{ braces }} stay text"}],
]

with tempfile.TemporaryDirectory() as d:
    script = ("import { worldTokenizer } from './src/sft/pretrain.ts'; import { writeFileSync } from 'node:fs';"
              f"const t = worldTokenizer(); writeFileSync('{d}/tokenizer.json', JSON.stringify(t.toJSON()));"
              f"writeFileSync('{d}/tokenizer_config.json', JSON.stringify(t.tokenizerConfig()));")
    subprocess.run(['node', '--import', 'tsx', '--input-type=module', '-e', script], cwd=ROOT, check=True)
    tok = AutoTokenizer.from_pretrained(d)
    cases = []
    for messages in CONVERSATIONS:
        for gen in (True, False):
            text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen)
            cases.append({'messages': messages, 'add_generation_prompt': gen, 'text': text})
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump({'transformers': transformers.__version__, 'cases': cases}, f, indent=1, ensure_ascii=False)
    f.write('\n')
print(f'wrote {len(cases)} renders to {OUT}')
