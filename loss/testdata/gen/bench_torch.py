#!/usr/bin/python3
"""PyTorch timing anchor for loss.BenchmarkInfoNCE: forward + backward of the same
InfoNCE (cosine, τ=0.05, in-batch positives and hard negatives, mean) at the same
shapes (B queries, B positives, B·negs hard negatives, width d), float32 on CPU,
gradients for all three inputs.

  /usr/bin/python3 loss/testdata/gen/bench_torch.py [--threads N] [--dtype float32|float64]

Prints one JSON line: torch version, threads, dtype, shapes and the median and minimum
wall-clock and process-CPU milliseconds per step over --repeat rounds of --iters steps
(after --warmup steps). CPU time (all threads) varies less on a shared machine.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--negs", type=int, default=1)
    ap.add_argument("--dim", type=int, default=768)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--iters", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)
    g = torch.Generator().manual_seed(1)
    B, d = args.batch, args.dim
    q = torch.randn(B, d, generator=g, dtype=dtype, requires_grad=True)
    p = torch.randn(B, d, generator=g, dtype=dtype, requires_grad=True)
    n = torch.randn(B * args.negs, d, generator=g, dtype=dtype, requires_grad=True)
    target = torch.arange(B)

    def step():
        q.grad = p.grad = n.grad = None
        qn = F.normalize(q, dim=-1)
        cn = F.normalize(torch.cat([p, n]), dim=-1)
        loss = F.cross_entropy(qn @ cn.t() / 0.05, target)
        loss.backward()
        return loss

    for _ in range(args.warmup):
        step()
    rounds, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(args.iters):
            step()
        rounds.append((time.perf_counter() - t0) / args.iters * 1e3)
        cpu.append((time.process_time() - c0) / args.iters * 1e3)
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "dtype": args.dtype,
                      "B": B, "negs": args.negs, "d": d,
                      "ms_median": round(statistics.median(rounds), 4),
                      "ms_min": round(min(rounds), 4),
                      "cpu_ms_median": round(statistics.median(cpu), 4),
                      "cpu_ms_min": round(min(cpu), 4)}))


if __name__ == "__main__":
    main()
