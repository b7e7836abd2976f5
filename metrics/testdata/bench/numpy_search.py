#!/usr/bin/python3
"""numpy reference timing for metrics.SearchHits (BENCHMARKS.md, metrics).

Exact top-k by dot product, the way it is usually written with numpy:
scores = Q @ C.T (float32, OpenBLAS sgemm on all cores), then
np.argpartition(-scores, k) per row and a sort of the k selected, so the
output matches SearchHits (top k, best first). Same sizes as
BenchmarkSearchXQuADR: 13,090 queries x 13,014 candidates, d = 768, k = 100,
standard normal float32 data. Prints each phase's time for each repeat and
the best total; CPU is the process's user+system time over the three phases.

Usage: /usr/bin/python3 numpy_search.py [--n 13090 --m 13014 --d 768 --k 100 --repeat 3]
"""
import argparse
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=13090)
    ap.add_argument("--m", type=int, default=13014)
    ap.add_argument("--d", type=int, default=768)
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    rng = np.random.default_rng(1)
    q = rng.standard_normal((a.n, a.d), dtype=np.float32)
    c = rng.standard_normal((a.m, a.d), dtype=np.float32)
    best = float("inf")
    for r in range(a.repeat):
        c0 = time.process_time()
        t0 = time.perf_counter()
        s = q @ c.T
        t1 = time.perf_counter()
        idx = np.argpartition(-s, a.k, axis=1)[:, : a.k]
        t2 = time.perf_counter()
        top = np.take_along_axis(s, idx, axis=1)
        order = np.argsort(-top, axis=1, kind="stable")
        idx = np.take_along_axis(idx, order, axis=1)
        t3 = time.perf_counter()
        cpu = time.process_time() - c0
        total = t3 - t0
        best = min(best, total)
        print(f"repeat {r}: matmul {t1 - t0:.3f} s, argpartition {t2 - t1:.3f} s, sort top-k {t3 - t2:.3f} s, total {total:.3f} s, CPU {cpu:.3f} s"
              f" ({2 * a.n * a.m * a.d / (t1 - t0) / 1e9:.1f} GFLOP/s in matmul)")
        del s, idx, top, order
    print(f"best total {best:.3f} s (numpy {np.__version__})")


if __name__ == "__main__":
    main()
