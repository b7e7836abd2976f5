#!/usr/bin/env python3
"""Tokens per second of Google SentencePiece on the XQuAD-R golden texts.

The reference for BenchmarkUnigram* in bench_test.go: the same 264
XQuAD-R questions and sentences (the xquad-r/* records of
unigram-xlmr.jsonl), the same models, ids only. It reports wall-clock and
process-CPU throughput, per call (sp.encode(text), which includes the
Python call overhead) and batched (sp.encode(texts, num_threads=1), one
C++ call per round, single-threaded).

Run from this folder with Debian's interpreter (python3-sentencepiece):
    /usr/bin/python3 bench_sentencepiece.py [seconds]
"""
import gzip
import json
import sys
import time

import sentencepiece as spm


def load(path):
    data = open(path, "rb").read()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    return spm.SentencePieceProcessor(model_proto=data)


def texts():
    out = []
    with open("unigram-xlmr.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["id"].startswith("xquad-r/"):
                out.append(r["text"])
    return out


def measure(fn, seconds):
    fn()  # warm up
    rounds, w0, c0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - w0 < seconds:
        fn()
        rounds += 1
    return rounds, time.perf_counter() - w0, time.process_time() - c0


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    ts = texts()
    print("sentencepiece %s, %d texts, %d bytes" % (spm.__version__, len(ts), sum(len(t.encode()) for t in ts)))
    for name, path in (("xlmr", "xlmr-base-rebuilt.model.gz"), ("laser100k", "laser_100k.model.gz")):
        sp = load(path)
        tokens = sum(len(sp.encode(t)) for t in ts)
        for mode, fn in (("per-call", lambda: [sp.encode(t) for t in ts]),
                         ("batch", lambda: sp.encode(ts, num_threads=1))):
            rounds, wall, cpu = measure(fn, seconds)
            print("%-10s %-8s %d tokens/round  %10.0f tokens/s  %10.0f tokens/cpu-s"
                  % (name, mode, tokens, tokens * rounds / wall, tokens * rounds / cpu))


if __name__ == "__main__":
    main()
