#!/usr/bin/python3
# Reference fixtures for every tensor op: float32 inputs, a random upstream gradient, the output and the
# input gradients, computed by PyTorch in float64 from the float32 inputs (so the fixture carries no fp32 error).
# Writes test/fixtures/engine/ops.json (index) + ops.bin (little-endian float32). Run: /usr/bin/python3 scripts/ref/ops.py
import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'engine')
torch.manual_seed(1234)


def rnd(*shape, lo=None):
    x = torch.randn(*shape, dtype=torch.float32)
    if lo is not None:
        x = x.abs() + lo
    return x


def away_from(x, points, gap):
    """Nudges x so no element is within gap of any point (kinks of clamp/min/max)."""
    for p in points:
        close = (x - p).abs() < gap
        x = torch.where(close, x + 3 * gap * torch.sign(x - p + 1e-12), x)
    return x


def rope_tables(max_pos, hs, theta):
    inv_freq = 1.0 / (theta ** (torch.arange(0, hs, 2, dtype=torch.int64).float() / hs))
    t = torch.arange(max_pos, dtype=torch.float32)
    freqs = torch.outer(t, inv_freq)  # (maxPos, hs/2), float32 as in HF
    return freqs.double().cos(), freqs.double().sin()


def rope_ref(x, pos, theta):
    B, T, nh, hs = x.shape
    cos, sin = rope_tables(int(pos.max()) + 1, hs, theta)
    c = torch.cat([cos, cos], -1)[pos.long()].view(B, T, 1, hs)
    s = torch.cat([sin, sin], -1)[pos.long()].view(B, T, 1, hs)
    x1, x2 = x[..., : hs // 2], x[..., hs // 2:]
    rot = torch.cat([-x2, x1], -1)
    return x * c + rot * s


def attention_ref(q, k, v, causal, scale):
    B, T, nh, hs = q.shape
    S, nkv = k.shape[1], k.shape[2]
    rep = nh // nkv
    qh = q.transpose(1, 2)  # (B, nh, T, hs)
    kh = k.transpose(1, 2).repeat_interleave(rep, 1)  # (B, nh, S, hs)
    vh = v.transpose(1, 2).repeat_interleave(rep, 1)
    att = qh @ kh.transpose(-1, -2) * scale  # (B, nh, T, S)
    if causal:
        tpos = torch.arange(T).view(T, 1) + (S - T)
        mask = torch.arange(S).view(1, S) > tpos
        att = att.masked_fill(mask, float('-inf'))
    y = att.softmax(-1) @ vh  # (B, nh, T, hs)
    return y.transpose(1, 2).contiguous()


def rmsnorm_ref(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def logprob_ref(logits, targets):
    lp = logits.log_softmax(-1)
    t = targets.clamp(min=0).long()
    g = lp.gather(-1, t.unsqueeze(-1)).squeeze(-1)
    return torch.where(targets >= 0, g, torch.zeros_like(g))


def ce_ref(logits, targets, ignore):
    V = logits.shape[-1]
    return torch.nn.functional.cross_entropy(logits.reshape(-1, V), targets.reshape(-1).long(), ignore_index=ignore)


CASES = []


def case(name, op, fn, inputs, args=None, ints=None):
    CASES.append((name, op, fn, inputs, args or {}, ints or {}))


ids_pos = torch.tensor([[0, 1, 2, 3, 4], [7, 8, 9, 10, 11]], dtype=torch.int32)
# elementwise, with every broadcasting path: same shape, cyclic trailing row, general, small-a
case('add_same', 'add', lambda a, b: a + b, {'a': rnd(2, 3, 4), 'b': rnd(2, 3, 4)})
case('add_row', 'add', lambda a, b: a + b, {'a': rnd(2, 3, 4), 'b': rnd(4)})
case('add_general', 'add', lambda a, b: a + b, {'a': rnd(2, 3, 4), 'b': rnd(3, 1)})
case('add_small_a', 'add', lambda a, b: a + b, {'a': rnd(1, 3, 1), 'b': rnd(2, 1, 4)})
case('add_scalar', 'add', lambda a: a + 0.75, {'a': rnd(3, 4)}, {'scalar': 0.75})
case('sub_row', 'sub', lambda a, b: a - b, {'a': rnd(2, 3, 4), 'b': rnd(3, 4)})
case('sub_small_a', 'sub', lambda a, b: a - b, {'a': rnd(4), 'b': rnd(2, 3, 4)})
case('mul_same', 'mul', lambda a, b: a * b, {'a': rnd(2, 3, 4), 'b': rnd(2, 3, 4)})
case('mul_general', 'mul', lambda a, b: a * b, {'a': rnd(2, 1, 4), 'b': rnd(3, 1)})
case('mul_scalar', 'mul', lambda a: a * -1.5, {'a': rnd(3, 4)}, {'scalar': -1.5})
case('div_row', 'div', lambda a, b: a / b, {'a': rnd(2, 3, 4), 'b': rnd(4, lo=0.5)})
case('div_small_a', 'div', lambda a, b: a / b, {'a': rnd(3, 1), 'b': rnd(2, 3, 4, lo=0.5)})
case('minimum_general', 'minimum', torch.minimum, {'a': rnd(2, 3, 4), 'b': rnd(3, 1)})
case('maximum_row', 'maximum', torch.maximum, {'a': rnd(2, 3, 4), 'b': rnd(4)})
case('neg', 'neg', lambda x: -x, {'x': rnd(3, 5)})
case('exp', 'exp', torch.exp, {'x': rnd(3, 5)})
case('log', 'log', torch.log, {'x': rnd(3, 5, lo=0.2)})
case('silu', 'silu', torch.nn.functional.silu, {'x': rnd(3, 5)})
case('swiglu', 'swiglu', lambda g, u: torch.nn.functional.silu(g) * u, {'gate': rnd(4, 6), 'up': rnd(4, 6)})
case('clamp', 'clamp', lambda x: x.clamp(-0.5, 0.8), {'x': away_from(rnd(4, 6), [-0.5, 0.8], 0.02)}, {'lo': -0.5, 'hi': 0.8})
cond = (torch.rand(3, 4) > 0.5).float()
case('where', 'where', lambda c, a, b: torch.where(c > 0, a, b), {'cond': cond, 'a': rnd(3, 4), 'b': rnd(4)})
# reductions
case('sum_axis', 'sum', lambda x: x.sum(1, keepdim=True), {'x': rnd(2, 3, 4)}, {'axis': 1, 'keepdim': True})
case('sum_all', 'sum', lambda x: x.sum(), {'x': rnd(2, 3, 4)})
case('mean_last', 'mean', lambda x: x.mean(-1), {'x': rnd(2, 3, 4)}, {'axis': -1, 'keepdim': False})
case('mean_all', 'mean', lambda x: x.mean(), {'x': rnd(2, 3, 4)})
case('max_axis', 'max', lambda x: x.max(1).values, {'x': rnd(2, 5, 3)}, {'axis': 1, 'keepdim': False})
case('reshape', 'reshape', lambda x: x.reshape(4, -1) * torch.arange(6.0, dtype=x.dtype), {'x': rnd(2, 3, 4)}, {'shape': [4, -1]})
# matmul in every layout
case('matmul_batched', 'matmul', lambda a, b: a @ b, {'a': rnd(2, 3, 5, 4), 'b': rnd(2, 3, 4, 6)})
case('matmul_transA', 'matmul', lambda a, b: a.transpose(-1, -2) @ b, {'a': rnd(3, 4, 5), 'b': rnd(3, 4, 6)}, {'transA': True})
case('matmul_transB', 'matmul', lambda a, b: a @ b.transpose(-1, -2), {'a': rnd(3, 5, 4), 'b': rnd(3, 6, 4)}, {'transB': True})
case('matmul_transAB', 'matmul', lambda a, b: a.transpose(-1, -2) @ b.transpose(-1, -2), {'a': rnd(3, 4, 5), 'b': rnd(3, 6, 4)}, {'transA': True, 'transB': True})
case('matmul_b2d', 'matmul', lambda a, b: a @ b, {'a': rnd(2, 5, 4), 'b': rnd(4, 6)})
case('matmul_b2d_transA', 'matmul', lambda a, b: a.transpose(-1, -2) @ b, {'a': rnd(2, 4, 5), 'b': rnd(4, 6)}, {'transA': True})
case('matmul_b2d_transB', 'matmul', lambda a, b: a @ b.transpose(-1, -2), {'a': rnd(2, 5, 4), 'b': rnd(6, 4)}, {'transB': True})
case('matmul_a2d', 'matmul', lambda a, b: a @ b, {'a': rnd(5, 4), 'b': rnd(3, 4, 6)})
case('matmul_a2d_transA', 'matmul', lambda a, b: a.transpose(-1, -2) @ b, {'a': rnd(4, 5), 'b': rnd(3, 4, 6)}, {'transA': True})
case('linear_bias', 'linear', lambda x, w, b: x @ w.t() + b, {'x': rnd(2, 3, 5), 'w': rnd(4, 5), 'bias': rnd(4)})
case('linear', 'linear', lambda x, w: x @ w.t(), {'x': rnd(6, 5), 'w': rnd(7, 5)})
emb_ids = torch.tensor([[1, 3, 3], [0, 6, 1]], dtype=torch.int32)
case('embedding', 'embedding', lambda w: w[emb_ids.long()], {'weight': rnd(7, 5)}, {'idsShape': [2, 3]}, {'ids': emb_ids})
# fused network ops
case('rmsnorm', 'rmsnorm', lambda x, w: rmsnorm_ref(x, w, 1e-5), {'x': rnd(2, 3, 16), 'w': rnd(16)}, {'eps': 1e-5})
case('rope', 'rope', lambda x: rope_ref(x, ids_pos, 10000.0), {'x': rnd(2, 5, 3, 8)}, {'theta': 10000.0, 'maxPos': 16}, {'pos': ids_pos})
case('attention_causal_gqa', 'attention', lambda q, k, v: attention_ref(q, k, v, True, 1 / math.sqrt(8)),
     {'q': rnd(2, 5, 4, 8), 'k': rnd(2, 5, 2, 8), 'v': rnd(2, 5, 2, 8)}, {'causal': True})
case('attention_causal_offset', 'attention', lambda q, k, v: attention_ref(q, k, v, True, 0.3),
     {'q': rnd(2, 3, 2, 4), 'k': rnd(2, 6, 1, 4), 'v': rnd(2, 6, 1, 4)}, {'causal': True, 'scale': 0.3})
case('attention_full', 'attention', lambda q, k, v: attention_ref(q, k, v, False, 1 / math.sqrt(4)),
     {'q': rnd(1, 3, 2, 4), 'k': rnd(1, 6, 2, 4), 'v': rnd(1, 6, 2, 4)}, {'causal': False})
case('softmax', 'softmax', lambda x: x.softmax(-1), {'x': rnd(3, 4, 7)})
case('log_softmax', 'logSoftmax', lambda x: x.log_softmax(-1), {'x': rnd(3, 4, 7)})
lp_t = torch.tensor([[2, 10, -1, 0, 5], [9, 9, 1, 3, 4]], dtype=torch.int32)
case('logprob_of_targets', 'logprobOfTargets', lambda x: logprob_ref(x, lp_t), {'logits': rnd(2, 5, 11)}, {}, {'targets': lp_t})
ce_t = torch.tensor([[2, 10, -100, 0, 5], [9, -100, 1, 3, 4]], dtype=torch.int32)
case('cross_entropy', 'crossEntropy', lambda x: ce_ref(x, ce_t, -100), {'logits': rnd(2, 5, 11)}, {'ignoreIndex': -100}, {'targets': ce_t})


def main():
    blob = bytearray()
    index = []

    def put(t):
        off = len(blob) // 4
        blob.extend(t.detach().to(torch.float32).contiguous().numpy().astype('<f4').tobytes())
        return {'offset': off, 'shape': list(t.shape)}

    for name, op, fn, inputs, args, ints in CASES:
        xs = {k: v.double().requires_grad_(k != 'cond') for k, v in inputs.items()}
        out = fn(*xs.values())
        gout = torch.randn(out.shape, dtype=torch.float32)
        (out * gout.double()).sum().backward()
        entry = {'name': name, 'op': op, 'args': args, 'ints': {k: {'shape': list(v.shape), 'data': v.flatten().tolist()} for k, v in ints.items()},
                 'inputs': {k: put(v) for k, v in inputs.items()}, 'out': put(out), 'gradOut': put(gout),
                 'grads': {k: put(v.grad) for k, v in xs.items() if v.grad is not None}}
        index.append(entry)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'ops.bin'), 'wb') as f:
        f.write(bytes(blob))
    with open(os.path.join(OUT, 'ops.json'), 'w') as f:
        json.dump({'about': 'scripts/ref/ops.py: PyTorch %s, float64 math on float32 inputs; tensors are float32 in ops.bin at offset (in floats)' % torch.__version__,
                   'cases': index}, f, indent=1)
    print('wrote %d cases, %d floats' % (len(index), len(blob) // 4))


if __name__ == '__main__':
    main()
