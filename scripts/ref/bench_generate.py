#!/usr/bin/env python3
# PyTorch side of `r1 bench generate --compare-torch`: the same Llama/Qwen2-style decoder with a preallocated
# KV cache, random weights, batched prefill of equal-length prompts then token-by-token sampling (temperature,
# multinomial) with the sampled tokens' logprobs, as r1ts does; "precision": "bf16" stores the weights once in BF16
# and runs under torch.autocast('cpu', dtype=torch.bfloat16). Not a correctness reference (see qwen2_fixture.py).
# Usage: bench_generate.py '{"vocab":64,"dim":128,"layers":4,"heads":4,"kv_heads":2,"ffn":344,"batch":64,
#        "prompt_len":16,"new_tokens":128,"threads":2,"repeats":3,"temperature":1.0}'  → one JSON line on stdout
import contextlib
import json
import sys
import time

import torch
import torch.nn.functional as F


def main():
    a = json.loads(sys.argv[1])
    torch.set_num_threads(a['threads'])
    torch.manual_seed(0)
    V, C, L, nh, nkv, Fd = a['vocab'], a['dim'], a['layers'], a['heads'], a['kv_heads'], a['ffn']
    B, P, N = a['batch'], a['prompt_len'], a['new_tokens']
    hs = C // nh
    g = nh // nkv
    S = P + N
    eps = 1e-6

    def lin(o, i):
        return torch.randn(o, i) * 0.02

    emb = torch.randn(V, C) * 0.02
    layers = [dict(n1=torch.ones(C), wq=lin(nh * hs, C), wk=lin(nkv * hs, C), wv=lin(nkv * hs, C), wo=lin(C, nh * hs),
                   n2=torch.ones(C), wg=lin(Fd, C), wu=lin(Fd, C), wd=lin(C, Fd)) for _ in range(L)]
    norm = torch.ones(C)
    head = lin(V, C)
    bf16 = a.get('precision', 'fp32') == 'bf16'
    if bf16:  # weights stored once in BF16 (norm weights stay FP32, as autocast keeps norms in FP32)
        layers = [{k: (w.bfloat16() if w.dim() == 2 else w) for k, w in l.items()} for l in layers]
        head = head.bfloat16()
    inv = 1.0 / (10000.0 ** (torch.arange(0, hs, 2).float() / hs))
    ang = torch.arange(S).float()[:, None] * inv[None, :]
    cos = torch.cat([ang.cos(), ang.cos()], -1)  # (S, hs)
    sin = torch.cat([ang.sin(), ang.sin()], -1)

    def rms(x, w):
        return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))

    def rot(x, c, s):  # x (B, h, T, hs), c/s (T, hs)
        x1, x2 = x[..., :hs // 2], x[..., hs // 2:]
        return x * c + torch.cat((-x2, x1), -1) * s

    def forward(ids, kc, vc, start):
        Bq, T = ids.shape
        x = F.embedding(ids, emb)
        c, s = cos[start:start + T], sin[start:start + T]
        for i, l in enumerate(layers):
            h = rms(x, l['n1'])
            q = F.linear(h, l['wq']).view(Bq, T, nh, hs).transpose(1, 2)
            k = F.linear(h, l['wk']).view(Bq, T, nkv, hs).transpose(1, 2)
            v = F.linear(h, l['wv']).view(Bq, T, nkv, hs).transpose(1, 2)
            q, k = rot(q, c, s), rot(k, c, s)
            kc[i][:, :, start:start + T] = k
            vc[i][:, :, start:start + T] = v
            K, Vv = kc[i][:, :, :start + T], vc[i][:, :, :start + T]  # (B, nkv, S', hs)
            # (B, nh, T, hs): a new token attends to the whole cache; a prefill is causal
            o = F.scaled_dot_product_attention(q, K, Vv, is_causal=T > 1, enable_gqa=True)
            x = x + F.linear(o.transpose(1, 2).reshape(Bq, T, C), l['wo'])
            h = rms(x, l['n2'])
            x = x + F.linear(F.silu(F.linear(h, l['wg'])) * F.linear(h, l['wu']), l['wd'])
        return F.linear(rms(x[:, -1], norm), head)  # (B, V)

    def run(n_new):
        kc = [torch.zeros(B, nkv, S, hs) for _ in range(L)]
        vc = [torch.zeros(B, nkv, S, hs) for _ in range(L)]
        ids = torch.randint(0, V, (B, P))
        logits = forward(ids, kc, vc, 0)
        pos = P
        out, lps = [], []
        for t in range(n_new):
            lp = F.log_softmax(logits / a['temperature'], -1)
            tok = torch.multinomial(lp.exp(), 1)  # (B, 1)
            out.append(tok)
            lps.append(lp.gather(1, tok))
            if t == n_new - 1:
                break
            logits = forward(tok, kc, vc, pos)
            pos += 1
        return torch.cat(out, 1), torch.cat(lps, 1)

    ctx = torch.autocast('cpu', dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
    with torch.inference_mode(), ctx:
        run(4)  # warm-up
        times = []
        for _ in range(a['repeats']):
            t0 = time.perf_counter()
            toks, _ = run(N)
            times.append(time.perf_counter() - t0)
    times.sort()
    sec = times[len(times) // 2]
    print(json.dumps({'tokens_per_s': B * N / sec, 'seconds': sec, 'threads': torch.get_num_threads(),
                      'torch': torch.__version__, 'precision': a.get('precision', 'fp32'), 'new_tokens': int(toks.numel())}))


if __name__ == '__main__':
    main()
