#!/usr/bin/python3
"""PyTorch float32 matmul speed on the shapes of internal/gemm's benchmarks (the implementation behind model/gemm).

Prints one line per product, named like the Go benchmarks, with the median
GFLOP/s over --repeats timed runs (each run long enough to be timed), so the
two can be compared back to back:

  /usr/bin/python3 torch_gemm.py --threads 1 --blas openblas-openmp
  go test ./internal/gemm -run XXX -bench Sgemm -count 5

--blas picks one of Debian's multiarch BLAS builds for torch through
LD_LIBRARY_PATH (a re-exec, as in ../../../../shared/bench/torch_bench.py).
Needs apt python3-torch (and libopenblas0-openmp for that choice).
"""
import argparse
import os
import statistics
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--blas", default="system", choices=["system", "openblas-openmp", "openblas-pthread"])
p.add_argument("--repeats", type=int, default=7)
p.add_argument("--numpy", action="store_true", help="time numpy.matmul instead of torch")
args = p.parse_args()

if args.blas != "system" and os.environ.get("TORCH_GEMM_BLAS") != args.blas:
    libdir = "/usr/lib/x86_64-linux-gnu"
    d = os.path.join(libdir, args.blas)
    if not os.path.exists(os.path.join(d, "libblas.so.3")):
        sys.exit(f"--blas {args.blas}: {d}/libblas.so.3 not found")
    old = os.environ.get("LD_LIBRARY_PATH")
    os.environ["LD_LIBRARY_PATH"] = ":".join([d] + ([old] if old else []))
    os.environ["TORCH_GEMM_BLAS"] = args.blas
    os.execv(sys.executable, [sys.executable] + sys.argv)

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402

if not args.numpy:
    import torch  # noqa: E402
    torch.set_num_threads(args.threads)


def product(ta, tb, m, n, k):
    """Returns a function computing op(A)·op(B) with stored A, B as in Go."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if tb else (k, n), dtype=np.float32)
    if args.numpy:
        oa, ob = (a.T if ta else a), (b.T if tb else b)
        return lambda: np.matmul(oa, ob)
    a, b = torch.from_numpy(a), torch.from_numpy(b)
    oa, ob = (a.t() if ta else a), (b.t() if tb else b)
    out = torch.empty((m, n), dtype=torch.float32)
    return lambda: torch.matmul(oa, ob, out=out)


def measure(f, flops):
    f()
    reps, t = 1, 0.0
    while True:  # find a repetition count that runs ≥ 50 ms
        t0 = time.perf_counter()
        for _ in range(reps):
            f()
        t = time.perf_counter() - t0
        if t >= 0.05:
            break
        reps *= 2
    rates = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        for _ in range(reps):
            f()
        rates.append(flops * reps / (time.perf_counter() - t0) / 1e9)
    return statistics.median(rates)


def linear(name, m, n, k):
    yield f"{name}/fwd-NT", (False, True, m, n, k)
    yield f"{name}/dX-NN", (False, False, m, k, n)
    yield f"{name}/dW-TN", (True, False, n, k, m)


def attention(name, l, dh):
    yield f"{name}/QKt-NT", (False, True, l, l, dh)
    yield f"{name}/PV-NN", (False, False, l, dh, l)
    yield f"{name}/dV-TN", (True, False, l, dh, l)
    yield f"{name}/dP-NT", (False, True, l, l, dh)


cases = [
    *linear("SgemmTiny", 512, 64, 64),
    *linear("SgemmSmall", 1024, 384, 384),
    *linear("SgemmSmallUp", 1024, 1536, 384),
    *linear("SgemmSmallDown", 1024, 384, 1536),
    *linear("SgemmBase", 2048, 768, 768),
    *linear("SgemmBaseUp", 2048, 3072, 768),
    *linear("SgemmBaseDown", 2048, 768, 3072),
    *attention("SgemmAttentionSmall", 64, 32),
    *attention("SgemmAttentionBase", 128, 64),
]
lib = "numpy" if args.numpy else f"torch {torch.__version__}"
print(f"# {lib}, blas={args.blas}, threads={args.threads}, median of {args.repeats}")
for name, (ta, tb, m, n, k) in cases:
    g = measure(product(ta, tb, m, n, k), 2.0 * m * n * k)
    print(f"{name}/t={args.threads}\t{g:.1f} GFLOP/s\t{g / args.threads:.1f} GFLOP/s/core")
