#!/usr/bin/python3
# PyTorch side of `r1 bench matmul --compare-torch`: GFLOP/s of torch.matmul in FP32 and BF16 (bf16 tensors, so
# oneDNN's AMX/AVX512-BF16 kernels where the CPU has them) at the given sizes, median of 5 trials of >= S seconds
# each, as the TS side times itself. Threads come from --threads (torch.set_num_threads). Not a correctness check.
# Usage: bench_matmul.py --threads 2 --seconds 0.2 --sizes 1024,1024,1024 4096,1024,256  → one JSON line
import argparse
import json
import statistics
import time

import torch


def gflops(M, N, K, dtype, secs):
    g = torch.Generator().manual_seed(0)
    a = torch.rand(M, K, generator=g).sub(0.5).to(dtype)
    b = torch.rand(K, N, generator=g).sub(0.5).to(dtype)
    c = torch.empty(M, N, dtype=dtype)
    torch.matmul(a, b, out=c)
    trials = []
    for _ in range(5):
        reps, t0 = 0, time.perf_counter()
        while True:
            torch.matmul(a, b, out=c)
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
        out.append({'M': M, 'N': N, 'K': K, 'fp32': gflops(M, N, K, torch.float32, a.seconds),
                    'bf16': gflops(M, N, K, torch.bfloat16, a.seconds)})
    print(json.dumps({'threads': torch.get_num_threads(), 'torch': torch.__version__, 'sizes': out}))


if __name__ == '__main__':
    main()
