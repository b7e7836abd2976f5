#!/usr/bin/python3
"""InfoNCE reference: loss and gradients by torch autograd, for cross-checking.

Copied from ../shared/testdata/loss/infonce_ref.py (polyret) and extended with
infonce_general/run_general: every polyret loss option (hard negatives with owners,
in-batch modes, false-negative mask by group, sum/mean, learnable clamped
temperature, symmetric). gen_cases.py drives it; the legacy CLI below is unchanged.

Input JSON (file path argument, or "-" for stdin):
  {
    "queries":     [[...D floats...], ...],      # Q x D   (alias: "q")
    "passages":    [[...D floats...], ...],      # P x D   (alias: "p"); P >= Q allowed
                                                 #   (extra rows = hard negatives)
    "temperature": 0.05,                          # logits = sim / temperature
    "labels":      [0, 1, ...],                  # optional, length Q, index of the positive
                                                 #   passage per query; default i -> i
    "normalize":   false,                        # optional: L2-normalize rows of both inputs
                                                 #   inside the graph (grads then w.r.t. raw inputs)
    "symmetric":   false                         # optional: loss = (CE(q->p) + CE(p->q)) / 2,
                                                 #   needs P == Q and default labels
  }
Command-line flags override the optional fields.

Loss (default, mean reduction over queries):
  S = sim(Q, P) / t, sim = dot product (cosine if normalize)
  L = -(1/Q) * sum_i log softmax(S_i)[labels_i]
Closed form (normalize=false, symmetric=false):
  G = (softmax(S) - onehot(labels)) / Q
  dL/dQ = G @ P / t,  dL/dP = G^T @ Q / t

Output JSON on stdout: loss, grad_queries (Q x D), grad_passages (P x D),
logits, probs, and the settings used. Computation is float64 unless --dtype float32.

Self-test:  infonce_ref.py --selftest        (random data; autograd vs closed form
                                              vs torch.autograd.gradcheck)
Random input: infonce_ref.py --random Q P D [--seed N] > in.json
"""
import argparse
import json
import math
import sys

import torch
import torch.nn.functional as F


def infonce(q, p, temperature, labels=None, normalize=False, symmetric=False):
    if normalize:
        q = F.normalize(q, p=2, dim=-1)
        p = F.normalize(p, p=2, dim=-1)
    logits = q @ p.t() / temperature
    if labels is None:
        labels = torch.arange(q.shape[0])
    loss = F.cross_entropy(logits, labels)
    if symmetric:
        if p.shape[0] != q.shape[0]:
            raise ValueError("symmetric loss needs as many passages as queries")
        loss = 0.5 * (loss + F.cross_entropy(logits.t(), labels))
    return loss, logits


def infonce_general(q, pos, neg, negative_of, groups, temperature=0.05,
                    similarity="cosine", in_batch="all", symmetric=False,
                    reduction="mean", log_scale=None, min_temperature=0.01,
                    max_temperature=1.0):
    """The polyret loss options, written independently of the Go code.

    q: B x D queries, pos: B x D positives, neg: M x D hard negatives (M may be 0),
    negative_of: length M, the query index that owns each hard negative,
    groups: length B group ids or None (no false-negative mask).
    Candidates of query i are the columns of [pos; neg]:
      own positive i                       always
      other positive j != i                if in_batch in (all, positives) and
                                           groups[j] != groups[i]
      own hard negatives (negative_of = i) always
      other hard negatives                 if in_batch in (all, hard_negatives)
    Hard negatives are never masked by group.
    Scale: 1/temperature, or exp(clamp(log_scale, -log(max_t), -log(min_t))) when
    log_scale (a tensor with requires_grad) is given (CLIP style).
    Row loss: logsumexp over the allowed candidates minus the positive's logit
    (masked entries are -inf before log_softmax, so they get zero gradient).
    symmetric: also each positive j against the queries i for which it is a
    candidate (needs in_batch all or positives); loss = (forward + backward) / 2.
    reduction: mean divides each direction's sum by B; sum does not.
    """
    B = q.shape[0]
    M = neg.shape[0]
    if similarity == "cosine":
        qn = F.normalize(q, p=2, dim=-1)
        pn = F.normalize(pos, p=2, dim=-1)
        nn_ = F.normalize(neg, p=2, dim=-1) if M > 0 else neg
    elif similarity == "dot":
        qn, pn, nn_ = q, pos, neg
    else:
        raise ValueError(similarity)
    cand = torch.cat([pn, nn_], dim=0)
    sim = qn @ cand.t()
    if log_scale is not None:
        scale = torch.clamp(log_scale, -math.log(max_temperature), -math.log(min_temperature)).exp()
    else:
        scale = 1.0 / temperature
    logits = sim * scale
    allowed = torch.zeros(B, B + M, dtype=torch.bool)
    for i in range(B):
        for j in range(B):
            if j == i:
                allowed[i, j] = True
            elif in_batch in ("all", "positives"):
                allowed[i, j] = groups is None or groups[j] != groups[i]
        for m in range(M):
            o = negative_of[m]
            allowed[i, B + m] = (o == i) or in_batch in ("all", "hard_negatives")
    target = torch.arange(B)
    masked = logits.masked_fill(~allowed, float("-inf"))
    rows = -torch.log_softmax(masked, dim=-1)[torch.arange(B), target]
    loss = rows.sum()
    if reduction == "mean":
        loss = loss / B
    if symmetric:
        if in_batch not in ("all", "positives"):
            raise ValueError("symmetric needs in-batch positives")
        back = logits[:, :B].t().masked_fill(~allowed[:, :B].t(), float("-inf"))
        rows_b = -torch.log_softmax(back, dim=-1)[torch.arange(B), target]
        loss_b = rows_b.sum()
        if reduction == "mean":
            loss_b = loss_b / B
        loss = 0.5 * (loss + loss_b)
    return loss, logits, allowed


def run_general(d, dtype=torch.float64):
    """Runs infonce_general on a general input dict (see gen_cases.py)."""
    q = torch.tensor(d["queries"], dtype=dtype, requires_grad=True)
    pos = torch.tensor(d["positives"], dtype=dtype, requires_grad=True)
    D = q.shape[1]
    neg_list = d.get("negatives") or []
    neg = torch.tensor(neg_list, dtype=dtype).reshape(len(neg_list), D).requires_grad_(True)
    negative_of = d.get("negative_of") or []
    t = float(d.get("temperature", 0.05))
    learnable = bool(d.get("learnable", False))
    min_t = float(d.get("min_temperature", 0.01))
    max_t = float(d.get("max_temperature", 1.0))
    log_scale = None
    if learnable:
        log_scale = torch.tensor(math.log(1.0 / t), dtype=dtype, requires_grad=True)
    loss, logits, allowed = infonce_general(
        q, pos, neg, negative_of, d.get("groups"), temperature=t,
        similarity=d.get("similarity", "cosine"), in_batch=d.get("in_batch", "all"),
        symmetric=bool(d.get("symmetric", False)), reduction=d.get("reduction", "mean"),
        log_scale=log_scale, min_temperature=min_t, max_temperature=max_t)
    loss.backward()
    out = {
        "loss": loss.item(),
        "grad_queries": q.grad.tolist(),
        "grad_positives": pos.grad.tolist(),
        "grad_negatives": neg.grad.tolist(),
        "logits": logits.detach().tolist(),
        "allowed": allowed.int().tolist(),
        "torch": torch.__version__,
        "dtype": str(dtype),
    }
    if learnable:
        out["log_scale"] = log_scale.item()
        out["grad_log_scale"] = log_scale.grad.item()
    return out


def load_input(path):
    fh = sys.stdin if path == "-" else open(path)
    with fh:
        d = json.load(fh)
    q = d.get("queries", d.get("q"))
    p = d.get("passages", d.get("p"))
    if q is None or p is None:
        raise SystemExit("input needs 'queries' and 'passages'")
    return d, q, p


def run(d, q_list, p_list, args):
    dtype = torch.float64 if args.dtype == "float64" else torch.float32
    q = torch.tensor(q_list, dtype=dtype, requires_grad=True)
    p = torch.tensor(p_list, dtype=dtype, requires_grad=True)
    if q.dim() != 2 or p.dim() != 2 or q.shape[1] != p.shape[1]:
        raise SystemExit(f"bad shapes: queries {tuple(q.shape)}, passages {tuple(p.shape)}")
    t = float(args.temperature if args.temperature is not None else d.get("temperature", 0.05))
    labels = d.get("labels")
    labels_t = torch.tensor(labels, dtype=torch.long) if labels is not None else None
    if labels_t is None and p.shape[0] < q.shape[0]:
        raise SystemExit("default labels i->i need at least as many passages as queries")
    normalize = args.normalize if args.normalize is not None else bool(d.get("normalize", False))
    symmetric = args.symmetric if args.symmetric is not None else bool(d.get("symmetric", False))
    loss, logits = infonce(q, p, t, labels_t, normalize, symmetric)
    loss.backward()
    out = {
        "loss": loss.item(),
        "grad_queries": q.grad.tolist(),
        "grad_passages": p.grad.tolist(),
        "logits": logits.detach().tolist(),
        "probs": torch.softmax(logits.detach(), dim=-1).tolist(),
        "settings": {
            "temperature": t,
            "labels": labels if labels is not None else list(range(q.shape[0])),
            "normalize": normalize,
            "symmetric": symmetric,
            "reduction": "mean",
            "dtype": args.dtype,
            "torch": torch.__version__,
            "shape_queries": list(q.shape),
            "shape_passages": list(p.shape),
        },
    }
    return out


def random_input(nq, np_, dim, seed, temperature=0.05):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(nq, dim, generator=g, dtype=torch.float64)
    p = torch.randn(np_, dim, generator=g, dtype=torch.float64)
    return {"queries": q.tolist(), "passages": p.tolist(), "temperature": temperature}


def selftest():
    torch.manual_seed(0)
    ok = True
    report = []
    for (nq, np_, dim, t, norm, sym, lab) in [
        (4, 4, 8, 0.05, False, False, None),
        (4, 4, 8, 0.05, True, False, None),
        (3, 6, 5, 0.1, True, False, [2, 0, 5]),
        (5, 5, 7, 0.05, True, True, None),
        (8, 8, 16, 1.0, False, False, None),
    ]:
        q = torch.randn(nq, dim, dtype=torch.float64, requires_grad=True)
        p = torch.randn(np_, dim, dtype=torch.float64, requires_grad=True)
        labels = torch.tensor(lab) if lab is not None else None
        loss, logits = infonce(q, p, t, labels, norm, sym)
        loss.backward()
        entry = {"Q": nq, "P": np_, "D": dim, "t": t, "normalize": norm, "symmetric": sym,
                 "labels": lab, "loss": loss.item()}
        if not norm and not sym:
            y = labels if labels is not None else torch.arange(nq)
            G = (torch.softmax(logits.detach(), -1) - F.one_hot(y, np_).to(torch.float64)) / nq
            gq, gp = G @ p.detach() / t, G.t() @ q.detach() / t
            ref_loss = -torch.log_softmax(logits.detach(), -1)[torch.arange(nq), y].mean()
            err = max((gq - q.grad).abs().max().item(), (gp - p.grad).abs().max().item(),
                      abs(ref_loss.item() - loss.item()))
            entry["closed_form_max_abs_err"] = err
            ok &= err < 1e-12
        gc = torch.autograd.gradcheck(
            lambda a, b: infonce(a, b, t, labels, norm, sym)[0],
            (q.detach().clone().requires_grad_(), p.detach().clone().requires_grad_()))
        entry["gradcheck"] = bool(gc)
        ok &= bool(gc)
        report.append(entry)
    print(json.dumps({"selftest_ok": bool(ok), "cases": report}, indent=2))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input", nargs="?", help="JSON input file, or - for stdin")
    ap.add_argument("--temperature", type=float)
    ap.add_argument("--normalize", dest="normalize", action="store_true", default=None)
    ap.add_argument("--no-normalize", dest="normalize", action="store_false")
    ap.add_argument("--symmetric", dest="symmetric", action="store_true", default=None)
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    ap.add_argument("--indent", type=int, default=None)
    ap.add_argument("--selftest", action="store_true")
    ap.add_argument("--random", nargs=3, type=int, metavar=("Q", "P", "D"),
                    help="print a random input JSON instead of computing")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.selftest:
        return selftest()
    if args.random:
        print(json.dumps(random_input(*args.random, seed=args.seed,
                                      temperature=args.temperature or 0.05)))
        return 0
    if not args.input:
        ap.error("need an input file (or --selftest / --random)")
    d, q, p = load_input(args.input)
    print(json.dumps(run(d, q, p, args), indent=args.indent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
