#!/usr/bin/env python3
# The PyTorch side of `r1 bench train --compare-torch`: the same Llama-style model (RMSNorm, RoPE rotate-half,
# SwiGLU, GQA, untied head) trained with AdamW on random tokens; prints one JSON line. Threads and BLAS settings
# come from the caller's environment (OPENBLAS_*) and --threads (torch.set_num_threads); --precision bf16 runs the
# forward and loss under torch.autocast('cpu', dtype=torch.bfloat16) (FP32 weights and optimizer). Not a correctness reference.
import contextlib
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, c, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], -1)


class Layer(nn.Module):
    def __init__(self, a):
        super().__init__()
        C, hs = a.dim, a.dim // a.heads
        self.nh, self.nkv, self.hs = a.heads, a.kv_heads, hs
        self.input_layernorm = RMSNorm(C, 1e-6)
        self.q_proj = nn.Linear(C, a.heads * hs, bias=False)
        self.k_proj = nn.Linear(C, a.kv_heads * hs, bias=False)
        self.v_proj = nn.Linear(C, a.kv_heads * hs, bias=False)
        self.o_proj = nn.Linear(a.heads * hs, C, bias=False)
        self.post_attention_layernorm = RMSNorm(C, 1e-6)
        self.gate_proj = nn.Linear(C, a.ffn, bias=False)
        self.up_proj = nn.Linear(C, a.ffn, bias=False)
        self.down_proj = nn.Linear(a.ffn, C, bias=False)

    def forward(self, x, cos, sin):
        B, T, C = x.shape
        h = self.input_layernorm(x)
        q = self.q_proj(h).view(B, T, self.nh, self.hs).transpose(1, 2)  # (B, nh, T, hs)
        k = self.k_proj(h).view(B, T, self.nkv, self.hs).transpose(1, 2)  # (B, nkv, T, hs)
        v = self.v_proj(h).view(B, T, self.nkv, self.hs).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)  # (B, nh, T, hs)
        y = y.transpose(1, 2).reshape(B, T, C)
        x = x + self.o_proj(y)
        h2 = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h2)) * self.up_proj(h2))


class Model(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.embed_tokens = nn.Embedding(a.vocab, a.dim)
        self.layers = nn.ModuleList([Layer(a) for _ in range(a.layers)])
        self.norm = RMSNorm(a.dim, 1e-6)
        self.lm_head = nn.Linear(a.dim, a.vocab, bias=False)
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, 0, 0.02)
        hs = a.dim // a.heads
        inv_freq = 1.0 / (10000.0 ** (torch.arange(0, hs, 2).float() / hs))
        freqs = torch.outer(torch.arange(a.seq).float(), inv_freq)
        emb = torch.cat([freqs, freqs], -1)
        self.register_buffer('cos', emb.cos(), persistent=False)
        self.register_buffer('sin', emb.sin(), persistent=False)

    def forward(self, ids):
        x = self.embed_tokens(ids)
        for l in self.layers:
            x = l(x, self.cos, self.sin)
        return self.lm_head(self.norm(x))


def main():
    p = argparse.ArgumentParser()
    for k, d in [('vocab', 64), ('dim', 128), ('layers', 4), ('heads', 4), ('kv-heads', 2), ('ffn', 344), ('seq', 128), ('batch', 16), ('steps', 12), ('threads', 1), ('seed', 0)]:
        p.add_argument('--' + k, type=int, default=d)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--precision', choices=['fp32', 'bf16'], default='fp32')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model = Model(a)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.1)
    g = torch.Generator().manual_seed(a.seed + 1)
    times, loss = [], None
    for _ in range(a.steps):
        toks = torch.randint(0, a.vocab, (a.batch, a.seq + 1), generator=g)
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        ctx = torch.autocast('cpu', dtype=torch.bfloat16) if a.precision == 'bf16' else contextlib.nullcontext()
        with ctx:
            logits = model(toks[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, a.vocab), toks[:, 1:].reshape(-1))
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times[2:] if len(times) > 2 else times)
    print(json.dumps({'tokens_per_s': a.batch * a.seq / med, 'ms_per_step': med * 1000, 'final_loss': float(loss),
                      'params': sum(p.numel() for p in model.parameters()), 'threads': torch.get_num_threads(),
                      'torch': torch.__version__, 'precision': a.precision}))


if __name__ == '__main__':
    main()
