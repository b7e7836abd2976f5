#!/usr/bin/python3
"""Generates the InfoNCE golden cases in ../infonce/*.json with infonce_ref.py.

Run from anywhere:  /usr/bin/python3 loss/testdata/gen/gen_cases.py
(Debian python3-torch 1.13, float64). Each output file holds {"name", "input", "output"};
"input" uses the general format of infonce_ref.run_general, "output" is torch autograd's
loss and gradients. Before writing, the script checks
  - torch.autograd.gradcheck on every case (queries, positives, negatives, log scale),
  - that infonce_general reproduces the two legacy goldens of ../infonce/legacy/
    (computed by the original reference) to 1e-12.
Never edit the JSON by hand; change this script and re-run it.
"""
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import infonce_ref as ref  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "infonce")


def rand_batch(seed, B, D, negs_per_query=None, negative_of=None, spread=1.0, related=0.7):
    """Queries, positives correlated with their queries, and hard negatives
    correlated with their owner's positive (so the loss is not trivially large)."""
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(B, D, generator=g, dtype=torch.float64) * spread
    pos = related * q + torch.randn(B, D, generator=g, dtype=torch.float64) * spread
    if negative_of is None:
        negative_of = [i for i in range(B) for _ in range(negs_per_query or 0)]
    neg = torch.stack([0.6 * pos[o] + torch.randn(D, generator=g, dtype=torch.float64) * spread
                       for o in negative_of]) if negative_of else torch.zeros(0, D, dtype=torch.float64)
    return {"queries": q.tolist(), "positives": pos.tolist(), "negatives": neg.tolist(),
            "negative_of": list(negative_of)}


CASES = [
    # name, seed, B, D, batch kwargs, options
    ("paper_eq1", 1, 5, 8, dict(negs_per_query=1),
     dict(similarity="cosine", temperature=1.0, in_batch="hard_negatives", reduction="sum")),
    ("default_zero_config", 2, 6, 8, dict(negs_per_query=1),
     dict(similarity="cosine", temperature=0.05, in_batch="all", reduction="mean")),
    ("dot_positives_sum_2neg", 3, 4, 6, dict(negs_per_query=2),
     dict(similarity="dot", temperature=0.1, in_batch="positives", reduction="sum")),
    ("none_variable_negs", 4, 5, 7, dict(negative_of=[0, 0, 2, 3, 3, 3]),
     dict(similarity="cosine", temperature=0.05, in_batch="none", reduction="mean")),
    ("none_no_negs_dot", 5, 3, 5, dict(negs_per_query=0),
     dict(similarity="dot", temperature=0.5, in_batch="none", reduction="sum")),
    ("mask_all_mean", 6, 6, 8, dict(negs_per_query=1),
     dict(similarity="cosine", temperature=0.05, in_batch="all", reduction="mean",
          groups=["a", "b", "a", "c", "b", "d"])),
    ("mask_positives_sum_dot", 7, 5, 6, dict(negative_of=[1, 3]),
     dict(similarity="dot", temperature=0.2, in_batch="positives", reduction="sum",
          groups=["x", "x", "x", "y", "z"])),
    ("mask_hard_negatives_mode", 8, 4, 6, dict(negs_per_query=1),
     dict(similarity="cosine", temperature=0.05, in_batch="hard_negatives", reduction="sum",
          groups=["g1", "g1", "g2", "g2"])),
    ("symmetric_mask_all", 9, 6, 8, dict(negs_per_query=1),
     dict(similarity="cosine", temperature=0.05, in_batch="all", reduction="mean",
          symmetric=True, groups=["a", "b", "a", "c", "c", "d"])),
    ("symmetric_positives_dot_sum", 10, 5, 6, dict(negs_per_query=0),
     dict(similarity="dot", temperature=0.3, in_batch="positives", reduction="sum", symmetric=True)),
    ("learnable_tau", 11, 5, 8, dict(negs_per_query=1),
     dict(similarity="cosine", temperature=0.07, learnable=True, in_batch="all", reduction="mean")),
    ("learnable_clamped_low", 12, 4, 6, dict(negs_per_query=1),
     dict(similarity="cosine", temperature=0.005, learnable=True, in_batch="all", reduction="mean")),
    ("learnable_clamped_high", 13, 4, 6, dict(negs_per_query=1),
     dict(similarity="cosine", temperature=2.0, learnable=True, in_batch="all", reduction="mean")),
    ("learnable_symmetric_mask_sum_bounds", 14, 6, 8, dict(negs_per_query=2),
     dict(similarity="dot", temperature=0.3, learnable=True, min_temperature=0.05,
          max_temperature=0.5, in_batch="all", reduction="sum", symmetric=True,
          groups=["p", "q", "p", "r", "s", "q"])),
    ("tau_0.01_large_logits_dot", 15, 4, 8, dict(negs_per_query=1, spread=10.0),
     dict(similarity="dot", temperature=0.01, in_batch="all", reduction="mean")),
    ("tau_0.01_cosine_sum", 16, 6, 8, dict(negs_per_query=1),
     dict(similarity="cosine", temperature=0.01, in_batch="all", reduction="sum")),
    ("single_query", 17, 1, 5, dict(negs_per_query=2),
     dict(similarity="cosine", temperature=0.05, in_batch="all", reduction="mean")),
    ("bigger_mixed", 18, 16, 32, dict(negs_per_query=2),
     dict(similarity="cosine", temperature=0.02, in_batch="all", reduction="mean",
          groups=[str(i // 3) for i in range(16)])),
    ("d_not_multiple_of_8", 19, 7, 13, dict(negs_per_query=1),
     dict(similarity="dot", temperature=0.05, in_batch="all", reduction="mean")),
]


def gradcheck(inp):
    B = len(inp["queries"])
    D = len(inp["queries"][0])
    q = torch.tensor(inp["queries"], dtype=torch.float64, requires_grad=True)
    pos = torch.tensor(inp["positives"], dtype=torch.float64, requires_grad=True)
    neg = torch.tensor(inp["negatives"], dtype=torch.float64).reshape(-1, D).requires_grad_(True)
    t = inp.get("temperature", 0.05)
    ls = torch.tensor(math.log(1 / t), dtype=torch.float64, requires_grad=True)
    learnable = inp.get("learnable", False)

    def f(a, b, c, s):
        return ref.infonce_general(
            a, b, c, inp["negative_of"], inp.get("groups"), temperature=t,
            similarity=inp.get("similarity", "cosine"), in_batch=inp.get("in_batch", "all"),
            symmetric=inp.get("symmetric", False), reduction=inp.get("reduction", "mean"),
            log_scale=s if learnable else None,
            min_temperature=inp.get("min_temperature", 0.01),
            max_temperature=inp.get("max_temperature", 1.0))[0]
    return torch.autograd.gradcheck(f, (q, pos, neg, ls), atol=1e-6, rtol=1e-5)


def check_legacy():
    """infonce_general on the legacy inputs must equal the legacy outputs."""
    worst = 0.0
    leg = os.path.join(OUT, "legacy")
    for name, negs in (("inbatch_4x8", 0), ("hardneg_3q6p_norm", 3)):
        inp = json.load(open(os.path.join(leg, name + ".in.json")))
        want = json.load(open(os.path.join(leg, name + ".out.json")))
        B = len(inp["queries"])
        P = inp["passages"]
        g = {"queries": inp["queries"], "positives": P[:B], "negatives": P[B:],
             "negative_of": list(range(len(P) - B)),
             "similarity": "cosine" if inp.get("normalize") else "dot",
             "temperature": inp["temperature"], "in_batch": "all", "reduction": "mean"}
        got = ref.run_general(g)
        gp = got["grad_positives"] + got["grad_negatives"]
        diffs = [abs(got["loss"] - want["loss"])]
        for a, b in zip(sum(got["grad_queries"], []), sum(want["grad_queries"], [])):
            diffs.append(abs(a - b))
        for a, b in zip(sum(gp, []), sum(want["grad_passages"], [])):
            diffs.append(abs(a - b))
        worst = max(worst, max(diffs))
    if worst > 1e-12:
        raise SystemExit(f"legacy goldens not reproduced: max abs diff {worst}")
    return worst


def main():
    leg = check_legacy()
    print(f"legacy goldens reproduced, max abs diff {leg:.3g}")
    for name, seed, B, D, bkw, opts in CASES:
        inp = rand_batch(seed, B, D, **bkw)
        inp.update(opts)
        if not gradcheck(inp):
            raise SystemExit(f"{name}: gradcheck failed")
        out = ref.run_general(inp)
        path = os.path.join(OUT, name + ".json")
        with open(path, "w") as fh:
            json.dump({"name": name, "input": inp, "output": out}, fh, indent=1)
            fh.write("\n")
        print(f"{name}: loss {out['loss']:.12g}" +
              (f", dL/dlog_scale {out['grad_log_scale']:.6g}" if "grad_log_scale" in out else ""))


if __name__ == "__main__":
    main()
