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
"""
import json
import math

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


if __name__ == "__main__":
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
