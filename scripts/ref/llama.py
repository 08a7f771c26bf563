#!/usr/bin/python3
# Reference fixture for a whole 2-layer Llama-style model with GQA (RMSNorm, RoPE rotate-half, SwiGLU, untied head)
# in plain PyTorch with Hugging Face tensor names: initial weights, ids/targets, logits, loss, every parameter grad at
# step 0, and the losses + grad norms of 10 AdamW steps with weight decay and grad clipping, then the final weights.
# Math runs in float64 from float32 weights. Writes test/fixtures/engine/llama.{json,bin}. Run: /usr/bin/python3 scripts/ref/llama.py
import json
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'engine')
CFG = dict(vocab_size=32, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
           num_key_value_heads=2, rope_theta=10000.0, rms_norm_eps=1e-6, max_position_embeddings=64, tie_word_embeddings=False)
B, T = 2, 8
OPT = dict(lr=1e-2, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
MAX_NORM = 1.0
STEPS = 10


def init_weights(g):
    """HF names → float32 tensors: matrices normal(0, 0.1), norms 1 + normal(0, 0.1) (away from the trivial init)."""
    C, F, V = CFG['hidden_size'], CFG['intermediate_size'], CFG['vocab_size']
    nh, nkv = CFG['num_attention_heads'], CFG['num_key_value_heads']
    hs = C // nh
    w = {}

    def mat(r, c):
        return torch.randn(r, c, generator=g) * 0.1

    def norm():
        return 1 + torch.randn(C, generator=g) * 0.1

    w['model.embed_tokens.weight'] = mat(V, C)
    for i in range(CFG['num_hidden_layers']):
        p = 'model.layers.%d.' % i
        w[p + 'input_layernorm.weight'] = norm()
        w[p + 'self_attn.q_proj.weight'] = mat(nh * hs, C)
        w[p + 'self_attn.k_proj.weight'] = mat(nkv * hs, C)
        w[p + 'self_attn.v_proj.weight'] = mat(nkv * hs, C)
        w[p + 'self_attn.o_proj.weight'] = mat(C, nh * hs)
        w[p + 'post_attention_layernorm.weight'] = norm()
        w[p + 'mlp.gate_proj.weight'] = mat(F, C)
        w[p + 'mlp.up_proj.weight'] = mat(F, C)
        w[p + 'mlp.down_proj.weight'] = mat(C, F)
    w['model.norm.weight'] = norm()
    w['lm_head.weight'] = mat(V, C)
    return w


def rmsnorm(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + CFG['rms_norm_eps']) * w


def rope_cos_sin(T, hs):
    inv_freq = 1.0 / (CFG['rope_theta'] ** (torch.arange(0, hs, 2, dtype=torch.int64).float() / hs))
    freqs = torch.outer(torch.arange(T, dtype=torch.float32), inv_freq)  # float32, as HF
    emb = torch.cat([freqs, freqs], -1).double()
    return emb.cos(), emb.sin()  # (T, hs)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], -1)


def forward(w, ids):
    C = CFG['hidden_size']
    nh, nkv = CFG['num_attention_heads'], CFG['num_key_value_heads']
    hs = C // nh
    cos, sin = rope_cos_sin(T, hs)
    x = w['model.embed_tokens.weight'][ids]  # (B, T, C)
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    for i in range(CFG['num_hidden_layers']):
        p = 'model.layers.%d.' % i
        h = rmsnorm(x, w[p + 'input_layernorm.weight'])
        q = (h @ w[p + 'self_attn.q_proj.weight'].t()).view(B, T, nh, hs).transpose(1, 2)  # (B, nh, T, hs)
        k = (h @ w[p + 'self_attn.k_proj.weight'].t()).view(B, T, nkv, hs).transpose(1, 2)  # (B, nkv, T, hs)
        v = (h @ w[p + 'self_attn.v_proj.weight'].t()).view(B, T, nkv, hs).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(nh // nkv, 1)
        v = v.repeat_interleave(nh // nkv, 1)
        att = (q @ k.transpose(-1, -2)) / hs ** 0.5
        att = att.masked_fill(mask, float('-inf')).softmax(-1)
        a = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + a @ w[p + 'self_attn.o_proj.weight'].t()
        h2 = rmsnorm(x, w[p + 'post_attention_layernorm.weight'])
        m = torch.nn.functional.silu(h2 @ w[p + 'mlp.gate_proj.weight'].t()) * (h2 @ w[p + 'mlp.up_proj.weight'].t())
        x = x + m @ w[p + 'mlp.down_proj.weight'].t()
    x = rmsnorm(x, w['model.norm.weight'])
    return x @ w['lm_head.weight'].t()  # (B, T, V)


def main():
    g = torch.Generator().manual_seed(7)
    w32 = init_weights(g)
    ids = torch.randint(0, CFG['vocab_size'], (B, T), generator=g, dtype=torch.int64)
    targets = torch.randint(0, CFG['vocab_size'], (B, T), generator=g, dtype=torch.int64)
    targets[1, 5] = -100  # one ignored position
    w = {k: v.double().requires_grad_(True) for k, v in w32.items()}

    def loss_of(logits):
        return torch.nn.functional.cross_entropy(logits.reshape(-1, CFG['vocab_size']), targets.reshape(-1), ignore_index=-100)

    logits = forward(w, ids)
    loss = loss_of(logits)
    loss.backward()
    grads0 = {k: v.grad.clone() for k, v in w.items()}
    logits0 = logits.detach()

    for v in w.values():
        v.grad = None
    opt = torch.optim.AdamW(list(w.values()), **OPT)
    losses, norms = [], []
    for _ in range(STEPS):
        opt.zero_grad(set_to_none=True)
        l = loss_of(forward(w, ids))
        l.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(list(w.values()), MAX_NORM)))
        opt.step()
        losses.append(float(l))

    blob = bytearray()

    def put(t):
        off = len(blob) // 4
        blob.extend(t.detach().to(torch.float32).contiguous().numpy().astype('<f4').tobytes())
        return {'offset': off, 'shape': list(t.shape)}

    index = {
        'about': 'scripts/ref/llama.py: PyTorch %s, float64 math from float32 weights; tensors are float32 in llama.bin at offset (in floats)' % torch.__version__,
        'config': CFG, 'B': B, 'T': T, 'optimizer': dict(OPT, betas=list(OPT['betas'])), 'maxNorm': MAX_NORM,
        'ids': ids.flatten().tolist(), 'targets': targets.flatten().tolist(),
        'loss': float(loss), 'logits': put(logits0),
        'weights': {k: put(v) for k, v in w32.items()},
        'grads': {k: put(v) for k, v in grads0.items()},
        'losses': losses, 'gradNorms': norms,
        'finalWeights': {k: put(v) for k, v in w.items()},
    }
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'llama.bin'), 'wb') as f:
        f.write(bytes(blob))
    with open(os.path.join(OUT, 'llama.json'), 'w') as f:
        json.dump(index, f, indent=1)
    print('loss %.6f; losses %s; grad norms %s' % (float(loss), ['%.5f' % x for x in losses], ['%.3f' % x for x in norms]))


if __name__ == '__main__':
    main()
