#!/usr/bin/python3
"""The workloads of `./tessera bench` in PyTorch, at the same fixed shapes and with the same
analytic FLOP counts (docs/benchmarks.md defines them), printing the same result table so that
benchmarks/compare can put the two side by side.

Run with Debian's torch (`/usr/bin/python3`, package python3-torch, system OpenBLAS from
libopenblas0-openmp). On CPUs OpenBLAS 0.3.21 does not know, set OPENBLAS_CORETYPE=SkylakeX
(benchmarks/compare does) or matmuls run several times slower.
"""
import argparse
import math
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- measuring

def reset_peak():
    """Resets VmHWM to the current resident size (Linux 4.0+); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def status_kib(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


class MemoryWindow:
    """Peak resident memory over a workload: VmHWM after a reset at its start, and the resident size then."""

    def __init__(self):
        reset_peak()
        self.start = status_kib("VmRSS:")

    def peak(self):
        return status_kib("VmHWM:")

    def growth(self):
        peak = self.peak()
        return -1 if peak < 0 or self.start < 0 else max(0, peak - self.start)


def timed(work, warmup, iterations):
    for _ in range(warmup):
        work()
    ms = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        work()
        ms.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ms)


# ---------------------------------------------------------------- analytic FLOPs (as the Java code counts them)

def conv_flops(oh, ow, k, cin, cout):
    return 2 * oh * ow * k * k * cin * cout


def vqvae_forward_flops(s=28, c=1, h=128, rc=32, layers=2, k=512, d=64):
    g = s // 4
    res = conv_flops(g, g, 3, h, rc) + conv_flops(g, g, 1, rc, h)
    enc = conv_flops(s // 2, s // 2, 4, c, h // 2) + conv_flops(g, g, 4, h // 2, h) + conv_flops(g, g, 3, h, h) \
        + layers * res + conv_flops(g, g, 1, h, d)
    dec = conv_flops(g, g, 3, d, h) + layers * res + conv_flops(g, g, 4, h // 2, h) + conv_flops(s // 2, s // 2, 4, c, h // 2)
    return enc + dec + 2 * 2 * g * g * k * d


def mha_flops(t, dim):
    return 4 * 2 * t * dim * dim + 2 * 2 * t * t * dim


def unet_block_flops(h, w, cin, cout):
    return conv_flops(h, w, 3, cin, cout) + conv_flops(h, w, 3, cout, cout) + (0 if cin == cout else conv_flops(h, w, 1, cin, cout))


def unet_forward_flops(cfg, size):
    """UNet.flops of the Java api, for the plain skip layout (as many blocks up as down)."""
    e = cfg["embed"] * 4
    f = 2 * cfg["embed"] * e + 2 * e * e
    s = size
    f += conv_flops(s, s, 3, cfg["in"], cfg["channels"][0])
    skips = []
    ch = cfg["channels"][0]
    levels = len(cfg["channels"])
    for level, width in enumerate(cfg["channels"]):
        for _ in range(cfg["blocks"]):
            f += unet_block_flops(s, s, ch, width) + 2 * e * width
            ch = width
            skips.append(ch)
        if level < levels - 1:
            f += conv_flops(s // 2, s // 2, 3, ch, ch)
            s //= 2
    f += 2 * (unet_block_flops(s, s, ch, ch) + 2 * e * ch) + mha_flops(s * s, ch)
    for level in range(levels - 1, -1, -1):
        width = cfg["channels"][level]
        for _ in range(cfg["blocks"]):
            sc = skips.pop()
            f += unet_block_flops(s, s, ch + sc, width) + 2 * e * width
            ch = width
        if level > 0:
            s *= 2
            f += conv_flops(s, s, 3, ch, ch)
    return f + conv_flops(s, s, 3, ch, cfg["in"])


def gpt_forward_flops(g):
    """CodeTransformer.flops: one teacher-forced pass over the whole sequence."""
    t = g["prefix"] + g["codes"] - 1
    block = mha_flops(t, g["dim"]) + 2 * 2 * t * g["dim"] * g["dim"] * g["mlp"]
    return 2 * g["text"] * g["prefix"] * g["dim"] + g["layers"] * block + 2 * g["codes"] * g["dim"] * g["vocab"]


def gpt_cached_flops(g):
    """GptDecodeWork.cachedFlops: prefill, then one position per code over the keys so far."""
    d = g["dim"]
    per_position = 8 * d * d + 4 * g["mlp"] * d * d
    head = 2 * d * g["vocab"]
    f = 2 * g["text"] * g["prefix"] * d + head
    for p in range(g["prefix"]):
        f += g["layers"] * (per_position + 4 * (p + 1) * d)
    for j in range(1, g["codes"]):
        position = g["prefix"] + j - 1
        f += g["layers"] * (per_position + 4 * (position + 1) * d) + head
    return f


# ---------------------------------------------------------------- VQ-VAE (plugins/vqvae)

class Residual(nn.Module):
    def __init__(self, ch, hidden):
        super().__init__()
        self.conv3 = nn.Conv2d(ch, hidden, 3, padding=1)
        self.conv1 = nn.Conv2d(hidden, ch, 1)

    def forward(self, x):
        return x + self.conv1(F.relu(self.conv3(F.relu(x))))


class VqVae(nn.Module):
    def __init__(self, c=1, h=128, rc=32, layers=2, k=512, d=64, decay=0.99):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(c, h // 2, 4, 2, 1), nn.ReLU(), nn.Conv2d(h // 2, h, 4, 2, 1), nn.ReLU(), nn.Conv2d(h, h, 3, padding=1),
                                 *[Residual(h, rc) for _ in range(layers)], nn.ReLU(), nn.Conv2d(h, d, 1))
        self.dec = nn.Sequential(nn.Conv2d(d, h, 3, padding=1), *[Residual(h, rc) for _ in range(layers)], nn.ReLU(),
                                 nn.ConvTranspose2d(h, h // 2, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(h // 2, c, 4, 2, 1))
        self.k, self.d, self.decay = k, d, decay
        codebook = torch.randn(k, d)
        self.register_buffer("codebook", codebook)
        self.register_buffer("cluster_size", torch.ones(k))
        self.register_buffer("ema_sum", codebook.clone())
        self.register_buffer("usage", torch.zeros(k))

    def forward(self, x):
        z = self.enc(x - 0.5)                                  # [N, D, G, G]
        flat = z.permute(0, 2, 3, 1).reshape(-1, self.d)      # [M, D]
        distances = flat.pow(2).sum(1, keepdim=True) - 2 * flat @ self.codebook.t() + self.codebook.pow(2).sum(1)
        codes = distances.argmin(1)
        zq = self.codebook[codes].view(z.shape[0], z.shape[2], z.shape[3], self.d).permute(0, 3, 1, 2)
        commitment = F.mse_loss(z, zq.detach())
        out = self.dec(z + (zq - z).detach()) + 0.5
        one_hot = F.one_hot(codes, self.k).float()
        counts = one_hot.sum(0)
        avg = one_hot.mean(0)
        perplexity = torch.exp(-(avg * torch.log(avg + 1e-10)).sum())
        with torch.no_grad():  # EMA codebook (van den Oord et al. 2017, appendix A.1)
            self.usage.mul_(0.99).add_(counts, alpha=0.01)
            self.cluster_size.mul_(self.decay).add_(counts, alpha=1 - self.decay)
            self.ema_sum.mul_(self.decay).add_(one_hot.t() @ flat, alpha=1 - self.decay)
            n = self.cluster_size.sum()
            smoothed = (self.cluster_size + 1e-5) / (n + self.k * 1e-5) * n
            self.codebook.copy_(self.ema_sum / smoothed.unsqueeze(1))
        mse = F.mse_loss(out, x)
        return mse / 0.125 + 0.25 * commitment, perplexity


# ---------------------------------------------------------------- U-Net (dev.tessera.api.layers.UNet, plain skips)

def sinusoidal(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / (half - 1))
    args = t[:, None] * freqs[None]
    return torch.cat([torch.sin(args), torch.cos(args)], 1)


class UNetBlock(nn.Module):
    def __init__(self, cin, cout, emb, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(min(groups, cin), cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time = nn.Linear(emb, cout)
        self.norm2 = nn.GroupNorm(min(groups, cout), cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = None if cin == cout else nn.Conv2d(cin, cout, 1)

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time(F.silu(emb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.skip is None else self.skip(x)) + h


class SelfAttention2d(nn.Module):
    def __init__(self, ch, heads, groups):
        super().__init__()
        self.norm = nn.GroupNorm(min(groups, ch), ch)
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(ch, ch) for _ in range(4))

    def forward(self, x):
        n, c, h, w = x.shape
        seq = self.norm(x).flatten(2).transpose(1, 2)          # [N, HW, C]
        split = lambda t: t.view(n, h * w, self.heads, c // self.heads).transpose(1, 2)
        q, k, v = split(self.q(seq)), split(self.k(seq)), split(self.v(seq))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(c // self.heads), -1) @ v
        out = self.o(a.transpose(1, 2).reshape(n, h * w, c))
        return x + out.transpose(1, 2).reshape(n, c, h, w)


class UNet(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ch0, e, g = cfg["channels"][0], cfg["embed"] * 4, cfg["groups"]
        self.cfg = cfg
        self.t1, self.t2 = nn.Linear(cfg["embed"], e), nn.Linear(e, e)
        self.conv_in = nn.Conv2d(cfg["in"], ch0, 3, padding=1)
        self.down, self.downsample = nn.ModuleList(), nn.ModuleList()
        ch, skips = ch0, []
        for level, width in enumerate(cfg["channels"]):
            blocks = nn.ModuleList()
            for _ in range(cfg["blocks"]):
                blocks.append(UNetBlock(ch, width, e, g))
                ch = width
                skips.append(ch)
            self.down.append(blocks)
            self.downsample.append(nn.Conv2d(ch, ch, 3, 2, 1) if level < len(cfg["channels"]) - 1 else nn.Identity())
        self.mid1, self.mid_attn, self.mid2 = UNetBlock(ch, ch, e, g), SelfAttention2d(ch, cfg["heads"], g), UNetBlock(ch, ch, e, g)
        self.up, self.upsample = nn.ModuleList(), nn.ModuleList()
        for level in range(len(cfg["channels"]) - 1, -1, -1):
            width = cfg["channels"][level]
            blocks = nn.ModuleList()
            for _ in range(cfg["blocks"]):
                blocks.append(UNetBlock(ch + skips.pop(), width, e, g))
                ch = width
            self.up.append(blocks)
            self.upsample.append(nn.Conv2d(ch, ch, 3, padding=1) if level > 0 else nn.Identity())
        self.norm_out = nn.GroupNorm(min(g, ch), ch)
        self.conv_out = nn.Conv2d(ch, cfg["in"], 3, padding=1)

    def forward(self, x, t):
        emb = self.t2(F.silu(self.t1(sinusoidal(t, self.cfg["embed"]))))
        h = self.conv_in(x)
        skips = []
        for blocks, down in zip(self.down, self.downsample):
            for b in blocks:
                h = b(h, emb)
                skips.append(h)
            h = down(h)
        h = self.mid2(self.mid_attn(self.mid1(h, emb)), emb)
        for i, (blocks, up) in enumerate(zip(self.up, self.upsample)):
            for b in blocks:
                h = b(torch.cat([h, skips.pop()], 1), emb)
            if i < len(self.up) - 1:
                h = up(F.interpolate(h, scale_factor=2, mode="nearest"))
        return self.conv_out(F.silu(self.norm_out(h)))


def ddim_alphas(steps, train_steps=1000):
    betas = torch.linspace(1e-4, 0.02, train_steps, dtype=torch.float64)
    alpha_bar = torch.cumprod(1 - betas, 0)
    timesteps = list(range(0, train_steps, train_steps // steps))[::-1]
    return alpha_bar, timesteps


# ---------------------------------------------------------------- GPT prior (plugins/gpt CodeTransformer)

class Block(nn.Module):
    def __init__(self, d, heads, mlp):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d, eps=1e-5), nn.LayerNorm(d, eps=1e-5)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.fc1, self.fc2 = nn.Linear(d, d * mlp), nn.Linear(d * mlp, d)
        self.heads = heads

    def split(self, t):
        b, n, d = t.shape
        return t.view(b, n, self.heads, d // self.heads).transpose(1, 2)

    def attend(self, x, keys, values, mask):
        q = self.split(self.q(x))
        s = q @ keys.transpose(-1, -2) / math.sqrt(q.shape[-1])
        if mask is not None:
            s = s + mask
        a = torch.softmax(s, -1) @ values
        b, h, n, dh = a.shape
        return self.o(a.transpose(1, 2).reshape(b, n, h * dh))

    def mlp(self, h):
        return self.fc2(F.gelu(self.fc1(self.ln2(h))))

    def forward(self, x, mask):
        n = self.ln1(x)
        h = x + self.attend(n, self.split(self.k(n)), self.split(self.v(n)), mask)
        return h + self.mlp(h)

    def forward_cached(self, x, cache_k, cache_v, start):
        """x [B, c, D] at positions start..start+c-1; keys and values go into the caches [B, H, T, Dh]."""
        n = self.ln1(x)
        c = x.shape[1]
        cache_k[:, :, start:start + c] = self.split(self.k(n))
        cache_v[:, :, start:start + c] = self.split(self.v(n))
        mask = None
        if c > 1:
            mask = torch.full((c, c), float("-inf")).triu(1)
        h = x + self.attend(n, cache_k[:, :, :start + c], cache_v[:, :, :start + c], mask)
        return h + self.mlp(h)


class Gpt(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.g = g
        d = g["dim"]
        self.prefix = nn.Linear(g["text"], g["prefix"] * d)
        self.tokens = nn.Embedding(g["vocab"], d)
        self.positions = nn.Parameter(torch.randn(g["prefix"] + g["codes"] - 1, d) * 0.02)
        self.blocks = nn.ModuleList(Block(d, g["heads"], g["mlp"]) for _ in range(g["layers"]))
        self.ln_f = nn.LayerNorm(d, eps=1e-5)
        self.head = nn.Linear(d, g["vocab"])
        t = g["prefix"] + g["codes"] - 1
        self.register_buffer("mask", torch.full((t, t), float("-inf")).triu(1))

    def prefix_vectors(self, text):
        return self.prefix(text).view(text.shape[0], self.g["prefix"], self.g["dim"])

    def logits_all(self, text, previous):
        """Teacher-forced logits [B, N, K] over the whole sequence (the no-cache pass)."""
        x = torch.cat([self.prefix_vectors(text), self.tokens(previous)], 1) + self.positions
        for b in self.blocks:
            x = b(x, self.mask)
        return self.head(self.ln_f(x)[:, self.g["prefix"] - 1:])

    def sample(self, text, cache, generator):
        g = self.g
        batch, p, n = text.shape[0], g["prefix"], g["codes"]
        codes = torch.zeros(batch, n, dtype=torch.long)
        if cache:
            heads, dh, t = g["heads"], g["dim"] // g["heads"], p + n - 1
            ks = [torch.zeros(batch, heads, t, dh) for _ in self.blocks]
            vs = [torch.zeros(batch, heads, t, dh) for _ in self.blocks]
            x = self.prefix_vectors(text) + self.positions[:p]
            start = 0
            for j in range(n):
                for b, k, v in zip(self.blocks, ks, vs):
                    x = b.forward_cached(x, k, v, start)
                logits = self.head(self.ln_f(x[:, -1]))
                codes[:, j] = torch.multinomial(torch.softmax(logits, -1), 1, generator=generator)[:, 0]
                start += x.shape[1]
                x = self.tokens(codes[:, j:j + 1]) + self.positions[start:start + 1]
        else:
            previous = torch.zeros(batch, n - 1, dtype=torch.long)
            for j in range(n):
                logits = self.logits_all(text, previous)[:, j]
                codes[:, j] = torch.multinomial(torch.softmax(logits, -1), 1, generator=generator)[:, 0]
                if j < n - 1:
                    previous[:, j] = codes[:, j]
        return codes


# ---------------------------------------------------------------- workloads

def adam_step(model, opt, loss_of):
    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_of()
        loss.backward()
        opt.step()
        return loss.item()  # fetched every step, as Tessera fetches the loss
    return step


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workloads", default="vqvae_train,unet_train,unet_sample,gpt_decode",
                    help="comma-separated: vqvae_train, unet_train, unet_sample, gpt_decode, conv_layers "
                         "(default: the first four)")
    ap.add_argument("--iterations", type=int, default=20, help="timed steps per step workload (median)")
    ap.add_argument("--sample-iterations", type=int, default=10, help="timed whole sampling runs (median)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed steps first (at most 2 for sampling runs)")
    ap.add_argument("--matmul-size", type=int, default=2048)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: one per core)")
    ap.add_argument("--tiny", action="store_true", help="tiny shapes (smoke test, not the documented workloads)")
    ap.add_argument("--channels-last", action="store_true", help="U-Net in channels_last memory format")
    args = ap.parse_args()
    torch.set_num_threads(args.threads or os.cpu_count())
    torch.manual_seed(0)
    workloads = args.workloads.split(",")
    unknown = set(workloads) - {"vqvae_train", "unet_train", "unet_sample", "gpt_decode", "conv_layers"}
    if unknown:
        sys.exit(f"unknown workload(s): {', '.join(sorted(unknown))}")
    if args.tiny:
        unet = dict(**{"in": 1}, channels=[4, 8], blocks=1, embed=8, groups=2, heads=2)
        size, train_batch, sample_batch, ddim_steps, vq_batch = 8, 2, 2, 3, 4
        gpt = dict(dim=16, layers=1, heads=2, mlp=4, prefix=2, codes=49, vocab=512, text=64, batch=2)
    else:
        unet = dict(**{"in": 1}, channels=[32, 64, 128], blocks=2, embed=32, groups=8, heads=4)
        size, train_batch, sample_batch, ddim_steps, vq_batch = 32, 32, 16, 50, 32
        gpt = dict(dim=256, layers=4, heads=8, mlp=4, prefix=16, codes=49, vocab=512, text=64, batch=16)
    sample_warmup = min(2, args.warmup)
    print(f"pytorch bench: torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} cores, "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, mkldnn={torch.backends.mkldnn.is_available()}, "
          f"python {platform.python_version()}; median of {args.iterations} steps after {args.warmup} warm-up, "
          f"of {args.sample_iterations} sampling runs after {sample_warmup}")
    print(f"peak memory: VmHWM of the process after a reset before each workload (resident before: {status_kib('VmRSS:') / 1024:.0f} MiB)",
          flush=True)
    results = []  # (workload, ms, flops, peak KiB, growth KiB)

    def measure_matmul():
        n = args.matmul_size
        a, b = torch.rand(n, n), torch.rand(n, n)
        out = torch.empty(n, n)
        memory = MemoryWindow()
        ms = timed(lambda: torch.mm(a, b, out=out), args.warmup, args.iterations)
        return ms, memory.peak(), memory.growth()

    mm_start, mm_peak, mm_growth = measure_matmul()
    mm_flops = 2.0 * args.matmul_size ** 3
    print(f"matmul {args.matmul_size}x{args.matmul_size} float32 (start): {mm_start:8.2f} ms  {mm_flops / mm_start / 1e6:7.1f} GFLOP/s",
          flush=True)

    if "vqvae_train" in workloads:
        memory = MemoryWindow()
        model = VqVae()
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
        source = torch.rand(vq_batch, 1, 28, 28)
        # a fresh batch tensor each step, as Tessera copies each batch from Java into a new tensor
        step = adam_step(model, opt, lambda: model(source.clone())[0])
        ms = timed(step, args.warmup, args.iterations)
        results.append(("vqvae_train", ms, 3.0 * vqvae_forward_flops() * vq_batch, memory.peak(), memory.growth()))
        print(f"  ... vqvae_train done: {ms:.2f} ms", flush=True)

    def unet_model():
        m = UNet(unet)
        return m.to(memory_format=torch.channels_last) if args.channels_last else m

    def image(batch):
        x = torch.randn(batch, 1, size, size)
        return x.to(memory_format=torch.channels_last) if args.channels_last else x

    if "unet_train" in workloads:
        memory = MemoryWindow()
        model = unet_model()
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
        x, noise = image(train_batch), image(train_batch)
        t = torch.randint(0, 1000, (train_batch,)).float()
        step = adam_step(model, opt, lambda: F.mse_loss(model(x.clone(), t), noise))
        ms = timed(step, args.warmup, args.iterations)
        results.append(("unet_train", ms, 3.0 * unet_forward_flops(unet, size) * train_batch, memory.peak(), memory.growth()))
        print(f"  ... unet_train done: {ms:.2f} ms", flush=True)

    if "unet_sample" in workloads:
        memory = MemoryWindow()
        model = unet_model().eval()
        alpha_bar, timesteps = ddim_alphas(ddim_steps)

        def sample():
            with torch.no_grad():
                generator = torch.Generator().manual_seed(9)
                x = torch.randn(sample_batch, 1, size, size, generator=generator)
                for i, t in enumerate(timesteps):
                    eps = model(x, torch.full((sample_batch,), float(t)))
                    a, a_prev = alpha_bar[t].item(), (alpha_bar[timesteps[i + 1]].item() if i + 1 < len(timesteps) else 1.0)
                    x0 = (x - math.sqrt(1 - a) * eps) / math.sqrt(a)
                    x = math.sqrt(a_prev) * x0 + math.sqrt(1 - a_prev) * eps  # DDIM, eta 0
            return x

        ms = timed(sample, sample_warmup, args.sample_iterations)
        results.append(("unet_sample", ms, float(ddim_steps) * unet_forward_flops(unet, size) * sample_batch, memory.peak(),
                        memory.growth()))
        print(f"  ... unet_sample done: {ms:.2f} ms per run, {ms / sample_batch:.2f} ms per image", flush=True)

    if "gpt_decode" in workloads:
        for cache in (True, False):
            memory = MemoryWindow()
            model = Gpt(gpt).eval()
            text = torch.randn(gpt["batch"], gpt["text"])

            def decode():
                with torch.no_grad():
                    return model.sample(text, cache, torch.Generator().manual_seed(5))

            ms = timed(decode, sample_warmup, args.sample_iterations)
            flops = gpt_cached_flops(gpt) if cache else gpt["codes"] * gpt_forward_flops(gpt)
            name = "gpt_decode_cache" if cache else "gpt_decode_nocache"
            results.append((name, ms, float(flops) * gpt["batch"], memory.peak(), memory.growth()))
            print(f"  ... {name} done: {ms:.2f} ms per batch of {gpt['batch']}", flush=True)

    if "conv_layers" in workloads:
        # The U-Net's 3x3 convolutions alone (Tessera's conv_layers): forward plus input and filter
        # gradients of a mean-square loss, no bias, a fresh input tensor each step.
        level_size = size
        for c in unet["channels"]:
            memory = MemoryWindow()
            source = torch.randn(train_batch, c, level_size, level_size)
            if args.channels_last:
                source = source.to(memory_format=torch.channels_last)
            w = (torch.randn(c, c, 3, 3) * 0.05).requires_grad_()

            def conv_step():
                x = source.clone().requires_grad_()
                y = F.conv2d(x, w, padding=1)
                return torch.autograd.grad((y * y).mean(), [x, w])

            ms = timed(conv_step, args.warmup, args.iterations)
            name = f"conv_{level_size}x{level_size}x{c}"
            results.append((name, ms, 3.0 * 2 * level_size * level_size * 9 * c * c * train_batch, memory.peak(), memory.growth()))
            print(f"  ... {name} done: {ms:.2f} ms", flush=True)
            level_size //= 2

    mm_end, mm_peak2, mm_growth2 = measure_matmul()
    print(f"matmul {args.matmul_size}x{args.matmul_size} float32 (end):   {mm_end:8.2f} ms  {mm_flops / mm_end / 1e6:7.1f} GFLOP/s")
    best = min(mm_start, mm_end)
    ceiling = mm_flops / best / 1e6
    print(f"ceiling: {ceiling:.1f} GFLOP/s (the better of the two matmul runs)")
    results.insert(0, ("matmul", best, mm_flops, max(mm_peak, mm_peak2), max(mm_growth, mm_growth2)))
    cached = {r[0]: r[1] for r in results}
    if "gpt_decode_cache" in cached:
        print(f"gpt_decode: the cache is {cached['gpt_decode_nocache'] / cached['gpt_decode_cache']:.1f}x faster")
    print()
    mib = lambda kib: f"{kib / 1024:.0f}" if kib >= 0 else "-"
    print(f"{'workload':<20} {'ms/iter':>12} {'GFLOP/s':>10} {'/ceiling':>9} {'peak_MiB':>9} {'grow_MiB':>9} {'outside':>9}")
    for name, ms, flops, peak, growth in results:
        rate = flops / ms / 1e6
        print(f"{name:<20} {ms:12.3f} {rate:10.1f} {rate / ceiling:9.3f} {mib(peak):>9} {mib(growth):>9} {'-':>9}")
    print("(peak: VmHWM during the workload, including what was resident before it; grow: peak minus resident at its start)")


if __name__ == "__main__":
    main()
