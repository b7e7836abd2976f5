#!/usr/bin/python3
"""glibc's log and exp on gm_map's domain, for TestLnExpMatchGlibc.

gm_map (trec_eval) sums log(max(AP, 1e-5)) over topics and takes exp of the
mean. Writes lnexp.txt.gz, lines "log hex(x) hex(log(x))" and
"exp hex(x) hex(exp(x))": log of 5,000 values uniform in [1e-5, 1] and of
every fraction i/j with 1 <= i <= j <= 120 (average precisions are sums of
such ratios), exp of 5,000 values uniform in [log(1e-5), 0]. Python's math
module calls the C library (glibc 2.36, Debian 12). Seeded: the output is
the same on every run.
Usage: /usr/bin/python3 gen_lnexp.py
"""
import gzip
import math
import random

rng = random.Random(20261126)
logs = [rng.uniform(1e-5, 1) for _ in range(5000)]
logs += sorted({i / j for j in range(1, 121) for i in range(1, j + 1)})
exps = [rng.uniform(math.log(1e-5), 0) for _ in range(5000)]
with gzip.GzipFile("lnexp.txt.gz", "wb", mtime=0) as f:
    for x in logs:
        f.write(("log %s %s\n" % (x.hex(), math.log(x).hex())).encode())
    for x in exps:
        f.write(("exp %s %s\n" % (x.hex(), math.exp(x).hex())).encode())
