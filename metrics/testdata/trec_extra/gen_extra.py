#!/usr/bin/python3
"""Extra trec_eval goldens for polyret/metrics: measures and options that the
shared goldens (../trec) do not exercise: map_cut, ndcg without cut-off,
-l (relevance level), -M (max documents per topic), long rankings (nDCG
discounts of ranks above 1000) and many ties.

Writes x1.qrels/x1.run (60 topics, up to 400 documents, grades -1..4) and
x2.qrels/x2.run (3 topics with 1700-2100 documents). Stdlib only; seeded.
Usage: gen_extra.py --seed 7 (from this folder); then run_extra.sh.
"""
import argparse
import random


def gen(rng, name, ntopics, ndocs_range, njudged_range, quant):
    qrels, run = [], []
    for t in range(ntopics):
        topic = "t%d" % rng.randrange(1000) if t else "T0"
        topic = "%s_%d" % (topic, t)
        ndocs = rng.randint(*ndocs_range)
        pool = ["d%d" % i for i in rng.sample(range(10 * ndocs + 50), ndocs + 40)]
        retrieved = pool[:ndocs]
        judged = rng.sample(pool, min(len(pool), rng.randint(*njudged_range)))
        for d in judged:
            g = rng.choice([-1, 0, 0, 0, 1, 1, 2, 3, 4])
            qrels.append("%s 0 %s %d" % (topic, d, g))
        for i, d in enumerate(retrieved):
            s = rng.gauss(0, 1)
            if quant:
                s = round(s * quant) / quant  # many exact ties
            run.append("%s Q0 %s %d %r polyret-extra" % (topic, d, i + 1, s))
    rng.shuffle(qrels)
    rng.shuffle(run)
    with open(name + ".qrels", "w") as f:
        f.write("\n".join(qrels) + "\n")
    with open(name + ".run", "w") as f:
        f.write("\n".join(run) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    gen(rng, "x1", 60, (0, 400), (1, 80), 4)
    gen(rng, "x2", 3, (1700, 2100), (300, 600), 0)


if __name__ == "__main__":
    main()
