#!/usr/bin/python3
"""Back-to-back GEMM speed table: polyret's Native, OpenBLAS through purego
and PyTorch (torch_gemm.py), in interleaved rounds; prints a Markdown table
of median GFLOP/s per core (and the min–max range) for BENCHMARKS.md.

  cd internal/gemm && /usr/bin/python3 testdata/compare.py --rounds 3

Needs Go, apt python3-torch and libopenblas0-openmp.
"""
import argparse
import collections
import os
import re
import statistics
import subprocess
import sys

p = argparse.ArgumentParser()
p.add_argument("--rounds", type=int, default=3)
p.add_argument("--benchtime", default="0.5s")
p.add_argument("--bench", default="Sgemm")
p.add_argument("--openblas", default="/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0")
args = p.parse_args()

here = os.path.dirname(os.path.abspath(__file__))
pkg = os.path.dirname(here)
binary = os.path.join("/tmp", "gemm_compare.test")
subprocess.run(["go", "test", "-c", "-o", binary, "."], cwd=pkg, check=True)

results = collections.defaultdict(list)  # (product, column) -> [GFLOP/s per core]
go_line = re.compile(r"^Benchmark(\S+)/w=(\d)(-pool)?-\d+\s.*?\s([\d.]+) GFLOP/s/core")
torch_line = re.compile(r"^(\S+)/t=(\d)\t.*\t([\d.]+) GFLOP/s/core")


def go_bench(column_prefix, extra):
    out = subprocess.run([binary, "-test.run", "XXX", "-test.bench", args.bench,
                          "-test.benchtime", args.benchtime] + extra,
                         cwd=pkg, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = go_line.match(line)
        if m:
            name, w, pool, v = m.groups()
            col = f"{column_prefix} {w}t" + (" pool" if pool else "")
            results[(name, col)].append(float(v))


def torch_bench(threads):
    out = subprocess.run(["/usr/bin/python3", os.path.join(here, "torch_gemm.py"), "--threads", str(threads),
                          "--blas", "openblas-openmp", "--repeats", "3"],
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        m = torch_line.match(line)
        if m:
            name, t, v = m.groups()
            results[(name, f"torch {t}t")].append(float(v))


for r in range(args.rounds):
    print(f"round {r + 1}/{args.rounds}", file=sys.stderr)
    go_bench("Go", [])
    torch_bench(1)
    go_bench("OpenBLAS", ["-gemm.kernel=openblas", "-gemm.openblas=" + args.openblas])
    torch_bench(2)

columns = ["Go 1t", "Go 2t pool", "Go 2t", "OpenBLAS 1t", "OpenBLAS 2t", "torch 1t", "torch 2t"]
names = []
for name, _ in results:
    if name not in names:
        names.append(name)
print("| product | " + " | ".join(columns) + " |")
print("|---" * (len(columns) + 1) + "|")
for name in names:
    cells = []
    for col in columns:
        v = results.get((name, col))
        cells.append(f"{statistics.median(v):.0f} ({min(v):.0f}–{max(v):.0f})" if v else "")
    print(f"| {name} | " + " | ".join(cells) + " |")
