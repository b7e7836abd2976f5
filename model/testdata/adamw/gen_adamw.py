#!/usr/bin/python3
"""Golden for model.AdamW on spago parameters: torch.optim.AdamW steps.

Run: /usr/bin/python3 gen_adamw.py > adamw_golden.json   (torch 1.13)

Two parameters, a 1x1 "logit_scale" (a learnable temperature, theta =
log(1/0.05)) and a 3x4 "w" (12 elements, so Go's 8-wide vector kernel and
its scalar tail both run), get fixed gradient sequences and 6 AdamW steps
(lr 0.05, betas (0.9, 0.999), eps 1e-8, weight_decay 0.1) under
LambdaLR with transformers' linear warm-up/decay lambda (warmup 2, total 6),
which is model.LinearSchedule(2, 6). At step 3 "w" has no gradient
(grad None: PyTorch skips it, its step count does not advance). The values
after every step are recorded, computed once in float32 and once in
float64.

Run: /usr/bin/python3 gen_adamw.py groups > adamw_groups_golden.json

Weight-decay exemption (model.AdamWConfig.NoDecay with model.DecayExempt):
a module with BERT-style parameter names (an embedding table, a LayerNorm,
a Linear layer, a learnable temperature "logit_scale") trained by
torch.optim.AdamW with two parameter groups, weight decay 0.1 and 0. The
decayed names are those transformers' Trainer decays
(Trainer.get_decay_parameter_names: every parameter outside nn.LayerNorm
modules whose lower-cased name matches none of "bias", "layernorm",
"rmsnorm", "(^|\.)norm($|\.)", "_norm($|\.)"; reimplemented below since
transformers is not installed), less "logit_scale", which CLIP exempts.
lr 0.05, betas (0.9, 0.999), eps 1e-8, constant rate, 4 steps of seeded
random gradients, float32; the values after every step are recorded.
"""
import re
import json
import math
import sys

import torch

STEPS = 6


def lam(step, warmup=2, total=6):
    if step < warmup:
        return step / max(1, warmup)
    return max(0.0, (total - step) / max(1, total - warmup))


def grads():
    g = torch.Generator().manual_seed(7)
    scale = [0.8, -0.3, 1.5, 0.02, -2.0, 0.4]
    w = [torch.randn(3, 4, generator=g, dtype=torch.float64) for _ in range(STEPS)]
    return scale, w


def run(dtype):
    scale_g, w_g = grads()
    theta = torch.tensor([[math.log(1 / 0.05)]], dtype=dtype, requires_grad=True)
    g = torch.Generator().manual_seed(3)
    w = torch.randn(3, 4, generator=g, dtype=torch.float64).to(dtype).requires_grad_(True)
    opt = torch.optim.AdamW([theta, w], lr=0.05, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lam)
    out = {"w_init": w.detach().double().tolist(), "theta_init": theta.item(), "steps": []}
    for s in range(STEPS):
        opt.zero_grad(set_to_none=True)
        theta.grad = torch.tensor([[scale_g[s]]], dtype=dtype)
        if s != 3:
            w.grad = w_g[s].to(dtype)
        opt.step()
        sched.step()
        out["steps"].append({"theta": theta.item(), "w": w.detach().double().tolist()})
    return out


TRAINER_PATTERNS = [re.compile(p) for p in
                    (r"bias", r"layernorm", r"rmsnorm", r"(?:^|\.)norm(?:$|\.)", r"_norm(?:$|\.)")]


def trainer_decayed(module, prefix=""):
    """Names of the parameters transformers' Trainer decays."""
    out = []
    for name, p in module.named_parameters(prefix=prefix, recurse=False):
        if not isinstance(module, torch.nn.LayerNorm) and not any(r.search(name.lower()) for r in TRAINER_PATTERNS):
            out.append(name)
    for cname, child in module.named_children():
        out += trainer_decayed(child, prefix + "." + cname if prefix else cname)
    return out


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embeddings = torch.nn.Module()
        self.embeddings.word_embeddings = torch.nn.Embedding(5, 12)
        self.embeddings.LayerNorm = torch.nn.LayerNorm(12)
        self.dense = torch.nn.Linear(12, 5)
        self.logit_scale = torch.nn.Parameter(torch.tensor([[math.log(1 / 0.05)]]))


def groups():
    torch.manual_seed(11)
    m = Tiny()
    with torch.no_grad():  # LayerNorm starts at 1 and 0: make decay visible
        m.embeddings.LayerNorm.weight.add_(0.1 * torch.randn(12))
        m.embeddings.LayerNorm.bias.add_(0.1 * torch.randn(12))
    named = dict(m.named_parameters())
    decayed = [n for n in trainer_decayed(m) if n != "logit_scale"]
    out = {
        "torch": torch.__version__,
        "lr": 0.05, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.1,
        "decayed": decayed,
        "init": {n: p.detach().flatten().tolist() for n, p in named.items()},
        "shapes": {n: list(p.shape) for n, p in named.items()},
        "grads": [], "steps": [],
    }
    opt = torch.optim.AdamW([
        {"params": [named[n] for n in named if n in decayed], "weight_decay": 0.1},
        {"params": [named[n] for n in named if n not in decayed], "weight_decay": 0.0},
    ], lr=0.05, betas=(0.9, 0.999), eps=1e-8)
    g = torch.Generator().manual_seed(5)
    for _ in range(4):
        opt.zero_grad(set_to_none=True)
        step = {}
        for n, p in named.items():
            p.grad = torch.randn(p.shape, generator=g, dtype=torch.float64).to(torch.float32)
            step[n] = p.grad.flatten().tolist()
        out["grads"].append(step)
        opt.step()
        out["steps"].append({n: p.detach().flatten().tolist() for n, p in named.items()})
    return out


if __name__ == "__main__" and sys.argv[1:] == ["groups"]:
    print(json.dumps(groups(), indent=1))
elif __name__ == "__main__":
    scale_g, w_g = grads()
    print(json.dumps({
        "torch": torch.__version__,
        "lr": 0.05, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.1,
        "schedule": {"warmup": 2, "total": 6},
        "w_without_grad_at_step": 3,
        "grads": {"theta": scale_g, "w": [x.tolist() for x in w_g]},
        "float32": run(torch.float32),
        "float64": run(torch.float64),
    }, indent=1))
