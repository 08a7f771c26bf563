#!/usr/bin/env python3
# PyTorch side of `r1 bench matmul --compare-torch`: GFLOP/s of torch.matmul at the given sizes, median of 5 trials
# of >= S seconds each, as the TS side times itself, in three forms:
#   fp32         FP32 tensors in, FP32 out
#   bf16         torch.autocast('cpu', dtype=torch.bfloat16) on FP32 tensors: the FP32 -> BF16 casts of both
#                operands are inside the timing, as our gemmBf16 rounds its FP32 operands while packing (the same
#                work); the product is oneDNN's AMX / AVX512-BF16 kernel and its output BF16 (ours stays FP32)
#   bf16_tensors operands already BF16 tensors (casts outside the timing), output BF16: less work than ours,
#                reported for reference only
# Threads come from --threads (torch.set_num_threads). Not a correctness check.
# Usage: bench_matmul.py --threads 2 --seconds 0.2 --sizes 1024,1024,1024 4096,1024,256  → one JSON line
import argparse
import json
import statistics
import time

import torch


def gflops(M, N, K, kind, secs):
    g = torch.Generator().manual_seed(0)
    dtype = torch.bfloat16 if kind == 'bf16_tensors' else torch.float32
    a = torch.rand(M, K, generator=g).sub(0.5).to(dtype)
    b = torch.rand(K, N, generator=g).sub(0.5).to(dtype)
    if kind == 'bf16':
        def call():
            with torch.autocast('cpu', dtype=torch.bfloat16):
                return torch.matmul(a, b)
        assert call().dtype == torch.bfloat16, 'autocast did not run matmul in BF16'
    else:
        c = torch.empty(M, N, dtype=dtype)

        def call():
            return torch.matmul(a, b, out=c)
    call()
    trials = []
    for _ in range(5):
        reps, t0 = 0, time.perf_counter()
        while True:
            call()
            reps += 1
            el = time.perf_counter() - t0
            if el >= secs:
                break
        trials.append(2.0 * M * N * K * reps / el / 1e9)
    return statistics.median(trials)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--seconds', type=float, default=0.2)
    p.add_argument('--sizes', nargs='+', required=True)  # M,N,K
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    out = []
    for s in a.sizes:
        M, N, K = (int(x) for x in s.split(','))
        out.append({'M': M, 'N': N, 'K': K, **{kind: gflops(M, N, K, kind, a.seconds) for kind in ('fp32', 'bf16', 'bf16_tensors')}})
    print(json.dumps({'threads': torch.get_num_threads(), 'torch': torch.__version__, 'sizes': out}))


if __name__ == '__main__':
    main()
