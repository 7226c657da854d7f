#!/usr/bin/env python3
"""Where PyTorch's time goes in two of the workloads of bench.py: torch.profiler over unet_train
steps and one gpt_decode_nocache batch, at the documented shapes (docs/benchmarks.md), printing
the most expensive ops by self CPU time. The counterpart of `./tessera bench --profile DIR`.

Usage: OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 benchmarks/pytorch/profile.py [--threads N] [--steps N]
Not part of CI.
"""
import argparse
import os
import sys

import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the same models as the timed comparison)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: one per core)")
    ap.add_argument("--steps", type=int, default=3, help="profiled U-Net training steps (after 3 warm-up)")
    ap.add_argument("--rows", type=int, default=15, help="ops listed per workload")
    args = ap.parse_args()
    torch.set_num_threads(args.threads or os.cpu_count())
    torch.manual_seed(0)

    unet = dict(**{"in": 1}, channels=[32, 64, 128], blocks=2, embed=32, groups=8, heads=4)
    model = bench.UNet(unet)
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    x, noise = torch.randn(32, 1, 32, 32), torch.randn(32, 1, 32, 32)
    t = torch.randint(0, 1000, (32,)).float()
    step = bench.adam_step(model, opt, lambda: F.mse_loss(model(x.clone(), t), noise))
    for _ in range(3):
        step()
    with profile(activities=[ProfilerActivity.CPU]) as p:
        for _ in range(args.steps):
            step()
    print(f"=== unet_train ({args.steps} steps, {torch.get_num_threads()} threads)")
    print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.rows))

    g = dict(dim=256, layers=4, heads=8, mlp=4, prefix=16, codes=49, vocab=512, text=64, batch=16)
    gpt = bench.Gpt(g).eval()
    text = torch.randn(g["batch"], g["text"])
    with torch.no_grad():
        gpt.sample(text, False, torch.Generator().manual_seed(5))
        with profile(activities=[ProfilerActivity.CPU]) as p:
            gpt.sample(text, False, torch.Generator().manual_seed(5))
    print("=== gpt_decode_nocache (one batch)")
    print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.rows))


if __name__ == "__main__":
    main()
