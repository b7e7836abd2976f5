#!/usr/bin/python3
"""glibc's log2 of integers, the nDCG discounts trec_eval uses.

Writes glibc_log2.txt.gz: "n hex(log2(n))" for every n in [2, 2001] and for
every n in [2002, 200001] where Go's math.Log2 (listed by
`go run go_log2.go`, whose output is piped in) disagrees with glibc.
Python's math.log2 calls the C library's log2 (glibc 2.36, Debian 12).
Usage: go run go_log2.go | /usr/bin/python3 gen_log2.py
"""
import gzip
import math
import sys

go = {}
for line in sys.stdin:
    n, h = line.split()
    go[int(n)] = float.fromhex(h)
with gzip.GzipFile("glibc_log2.txt.gz", "wb", mtime=0) as f:
    for n in range(2, 200002):
        v = math.log2(n)
        if n <= 2001 or go[n] != v:
            f.write(("%d %s\n" % (n, v.hex())).encode())
