#!/usr/bin/python3
# Writes test/fixtures/model/qwen2-tiny/: a tiny random Qwen2 checkpoint in Hugging Face layout (config.json,
# model.safetensors written by hand, a hand-made byte-level BPE tokenizer.json) and expected.json with the logits
# of a token sequence and a greedy continuation. Not transformers: the architecture is re-implemented in plain
# PyTorch exactly as transformers' modeling_qwen2 computes it (fp32). Run: /usr/bin/python3 scripts/ref/qwen2_fixture.py
import json
import math
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'model', 'qwen2-tiny')

CFG = dict(
    architectures=['Qwen2ForCausalLM'], model_type='qwen2', vocab_size=272, hidden_size=64, intermediate_size=96,
    num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, rope_theta=10000.0, rms_norm_eps=1e-6,
    max_position_embeddings=128, tie_word_embeddings=False, torch_dtype='float32', bos_token_id=None,
    eos_token_id=265, hidden_act='silu', use_sliding_window=False, sliding_window=128, max_window_layers=2,
    attention_dropout=0.0, initializer_range=0.02, use_cache=True, transformers_version='4.45.0',
)


# ---- the model, as modeling_qwen2 computes it ----
def rms_norm(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def rope_cos_sin(T, hs, theta):
    inv_freq = 1.0 / (theta ** (torch.arange(0, hs, 2, dtype=torch.int64).float() / hs))
    pos = torch.arange(T, dtype=torch.int64)[None, :].float()  # (1, T)
    freqs = (inv_freq[None, :, None] @ pos[:, None, :]).transpose(1, 2)  # (1, T, hs/2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()  # (1, T, hs)


def forward(W, ids):
    c = CFG
    B, T = ids.shape
    nh, nkv = c['num_attention_heads'], c['num_key_value_heads']
    hs = c['hidden_size'] // nh
    eps = c['rms_norm_eps']
    cos, sin = rope_cos_sin(T, hs, c['rope_theta'])
    cos, sin = cos[:, None], sin[:, None]  # (1, 1, T, hs)
    x = W['model.embed_tokens.weight'][ids]  # (B, T, C)
    mask = torch.full((T, T), float('-inf')).triu(1)
    for i in range(c['num_hidden_layers']):
        p = f'model.layers.{i}.'
        h = rms_norm(x, W[p + 'input_layernorm.weight'], eps)
        q = (h @ W[p + 'self_attn.q_proj.weight'].T + W[p + 'self_attn.q_proj.bias']).view(B, T, nh, hs).transpose(1, 2)
        k = (h @ W[p + 'self_attn.k_proj.weight'].T + W[p + 'self_attn.k_proj.bias']).view(B, T, nkv, hs).transpose(1, 2)
        v = (h @ W[p + 'self_attn.v_proj.weight'].T + W[p + 'self_attn.v_proj.bias']).view(B, T, nkv, hs).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(nh // nkv, dim=1)  # repeat_kv
        v = v.repeat_interleave(nh // nkv, dim=1)
        att = q @ k.transpose(2, 3) / math.sqrt(hs) + mask
        att = torch.softmax(att, dim=-1, dtype=torch.float32)
        a = (att @ v).transpose(1, 2).reshape(B, T, nh * hs)
        x = x + a @ W[p + 'self_attn.o_proj.weight'].T
        h = rms_norm(x, W[p + 'post_attention_layernorm.weight'], eps)
        g = h @ W[p + 'mlp.gate_proj.weight'].T
        u = h @ W[p + 'mlp.up_proj.weight'].T
        x = x + (torch.nn.functional.silu(g) * u) @ W[p + 'mlp.down_proj.weight'].T
    x = rms_norm(x, W['model.norm.weight'], eps)
    return x @ W['lm_head.weight'].T  # (B, T, V)


def make_weights(gen):
    c = CFG
    C, F, V = c['hidden_size'], c['intermediate_size'], c['vocab_size']
    nh, nkv = c['num_attention_heads'], c['num_key_value_heads']
    hs = C // nh
    W = {}

    def mat(o, i):
        return torch.randn(o, i, generator=gen) / math.sqrt(i)

    def vec(n, mean, std):
        return mean + std * torch.randn(n, generator=gen)

    W['model.embed_tokens.weight'] = torch.randn(V, C, generator=gen)
    for i in range(c['num_hidden_layers']):
        p = f'model.layers.{i}.'
        W[p + 'input_layernorm.weight'] = vec(C, 1.0, 0.1)
        W[p + 'self_attn.q_proj.weight'] = mat(nh * hs, C)
        W[p + 'self_attn.q_proj.bias'] = vec(nh * hs, 0.0, 0.1)
        W[p + 'self_attn.k_proj.weight'] = mat(nkv * hs, C)
        W[p + 'self_attn.k_proj.bias'] = vec(nkv * hs, 0.0, 0.1)
        W[p + 'self_attn.v_proj.weight'] = mat(nkv * hs, C)
        W[p + 'self_attn.v_proj.bias'] = vec(nkv * hs, 0.0, 0.1)
        W[p + 'self_attn.o_proj.weight'] = mat(C, nh * hs)
        W[p + 'post_attention_layernorm.weight'] = vec(C, 1.0, 0.1)
        W[p + 'mlp.gate_proj.weight'] = mat(F, C)
        W[p + 'mlp.up_proj.weight'] = mat(F, C)
        W[p + 'mlp.down_proj.weight'] = mat(C, F)
    W['model.norm.weight'] = vec(C, 1.0, 0.1)
    W['lm_head.weight'] = mat(V, C)
    return W


# ---- safetensors, by hand (8-byte LE header length, JSON header, raw little-endian data) ----
DT = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16'}


def write_safetensors(path, tensors):
    header, blobs, off = {'__metadata__': {'format': 'pt'}}, [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {'dtype': DT[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# ---- a tiny byte-level BPE tokenizer (Qwen2-style pre-tokenizer), written by hand ----
def bytes_to_unicode():
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


B2U = bytes_to_unicode()
MERGES = [('h', 'e'), ('l', 'l'), ('Ġ', 't'), ('Ġt', 'he'), ('he', 'll'), ('hell', 'o'), ('Ġ', 'w')]
SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>']
QWEN_SPLIT = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
CHAT_TEMPLATE = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
                 "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")


def tokenizer_json():
    vocab = {B2U[b]: i for i, b in enumerate(range(256))}
    for a, b in MERGES:
        vocab[a + b] = len(vocab)
    added = [dict(id=len(vocab) + i, content=s, single_word=False, lstrip=False, rstrip=False, normalized=False, special=True)
             for i, s in enumerate(SPECIALS)]
    return {
        'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': added,
        'normalizer': {'type': 'NFC'},
        'pre_tokenizer': {'type': 'Sequence', 'pretokenizers': [
            {'type': 'Split', 'pattern': {'Regex': QWEN_SPLIT}, 'behavior': 'Isolated', 'invert': False},
            {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': False, 'use_regex': False}]},
        'post_processor': {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': False, 'use_regex': False},
        'decoder': {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': False, 'use_regex': False},
        'model': {'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': '', 'end_of_word_suffix': '',
                  'fuse_unk': False, 'byte_fallback': False, 'vocab': vocab, 'merges': [f'{a} {b}' for a, b in MERGES]},
    }


def bpe_word(word, vocab):
    """Applies the merges by rank to one pre-tokenized word (already byte-to-unicode mapped)."""
    parts = list(word)
    rank = {m: r for r, m in enumerate(MERGES)}
    while True:
        pairs = [(rank.get((parts[i], parts[i + 1]), 1 << 30), i) for i in range(len(parts) - 1)]
        if not pairs or min(pairs)[0] == 1 << 30:
            break
        _, i = min(pairs)
        parts[i:i + 2] = [parts[i] + parts[i + 1]]
    return [vocab[p] for p in parts]


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1234)
    W = make_weights(gen)
    write_safetensors(os.path.join(OUT, 'model.safetensors'), W)
    with open(os.path.join(OUT, 'config.json'), 'w') as f:
        json.dump(CFG, f, indent=2)
    tj = tokenizer_json()
    with open(os.path.join(OUT, 'tokenizer.json'), 'w') as f:
        json.dump(tj, f, indent=2, ensure_ascii=False)
    with open(os.path.join(OUT, 'tokenizer_config.json'), 'w') as f:
        json.dump({'tokenizer_class': 'Qwen2Tokenizer', 'eos_token': '<|im_end|>', 'pad_token': '<|endoftext|>',
                   'bos_token': None, 'chat_template': CHAT_TEMPLATE, 'model_max_length': 128}, f, indent=2)
    with open(os.path.join(OUT, 'generation_config.json'), 'w') as f:
        json.dump({'eos_token_id': 265, 'pad_token_id': 263}, f, indent=2)

    # tokenizer cases: words split by hand exactly as the Qwen2 regex splits these simple strings
    vocab = tj['model']['vocab']
    cases = []
    for text, words in [('hello the world', ['hello', ' the', ' world']), ('the hell', ['the', ' hell']),
                        ('héllo 42', ['héllo', ' ', '4', '2'])]:
        ids = []
        for w in words:
            ids += bpe_word(''.join(B2U[b] for b in w.encode('utf8')), vocab)
        cases.append({'text': text, 'ids': ids})

    tokens = [5, 17, 200, 33, 262, 99, 1, 250, 140, 7, 63, 11]
    with torch.no_grad():
        logits = forward(W, torch.tensor([tokens]))[0]
        prompt = [104, 101, 108, 108, 111]
        seq = list(prompt)
        margins = []
        for _ in range(16):
            lg = forward(W, torch.tensor([seq]))[0, -1]
            top = torch.topk(lg, 2).values
            margins.append(float(top[0] - top[1]))
            seq.append(int(lg.argmax()))
    assert min(margins) > 1e-3, f'greedy margins too small for an exact test: {min(margins)}'
    # a small dtype file: the same values in F16 and BF16, with the exact F32 values they decode to
    vals = torch.tensor([0.0, 1.0, -2.5, 3.14159, 1e-3, -65504.0, 6e-8, 1e4])
    write_safetensors(os.path.join(OUT, '..', 'dtypes.safetensors'), {'h': vals.half(), 'b': vals.bfloat16(), 'f': vals})
    expected = {
        'tokens': tokens,
        'logits': logits.tolist(),
        'greedy': {'prompt': prompt, 'tokens': seq[len(prompt):], 'min_margin': min(margins)},
        'tokenizer': cases,
        'dtypes': {'h': vals.half().float().tolist(), 'b': vals.bfloat16().float().tolist(), 'f': vals.tolist()},
    }
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f)
    print('wrote', os.path.abspath(OUT), 'min greedy margin', min(margins))


if __name__ == '__main__':
    main()
