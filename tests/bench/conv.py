"""Convolution and max pooling: course_utils.fast_layers against the naive layers and torch.

Each contender runs one forward and one backward pass (the unit of a training step).
torch.nn.functional runs on the CPU with the thread count our layer uses: numpy's BLAS
threads for the convolution (a matrix product), one thread for max pooling (elementwise
numpy never threads; torch with BLAS's threads is timed beside it as context). Dtypes:
float64 (the kit's; the targets apply to it) and float32 (context). The naive layers take tens of
seconds at full size, so they are timed on a smaller batch and scaled by the batch ratio
(their cost is a Python loop over the samples, linear in the batch size).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F

from course_utils.fast_layers import (
    conv_backward_fast,
    conv_forward_fast,
    max_pool_backward_fast,
    max_pool_forward_fast,
)
from course_utils.layers import (
    conv_backward_naive,
    conv_forward_naive,
    max_pool_backward_naive,
    max_pool_forward_naive,
)
from tests.bench.common import (
    Budget,
    Section,
    Table,
    fmt_ratio,
    fmt_time,
    median,
    numpy_blas,
    summary,
    time_side_by_side,
    torch_threads,
)

TARGET_VS_TORCH = 2.0  # fast / torch float64, at most
TARGET_VS_NAIVE = 100.0  # naive / fast, at least


@dataclass(frozen=True)
class Sizes:
    x: tuple[int, int, int, int]  # conv input (N, C, H, W)
    w: tuple[int, int, int, int]  # conv filters (F, C, HH, WW)
    pool_x: tuple[int, int, int, int]  # pooling input (N, C, H, W)
    naive_batch: int  # samples the naive layers are timed on
    reps: int
    naive_reps: int


FULL = Sizes((64, 3, 32, 32), (32, 3, 3, 3), (64, 32, 32, 32), 4, reps=7, naive_reps=3)
QUICK = Sizes((8, 3, 16, 16), (8, 3, 3, 3), (8, 8, 16, 16), 1, reps=3, naive_reps=1)
CONV_PARAM = {"stride": 1, "pad": 1}
POOL_PARAM = {"pool_height": 2, "pool_width": 2, "stride": 2}


def run(quick: bool = False) -> Section:
    sizes = QUICK if quick else FULL
    threads = int(numpy_blas().get("num_threads") or 1)
    rng = np.random.default_rng(0)
    section = Section("conv", "Convolution and max pooling")
    section.notes += [
        f"Forward + backward, float64 numpy; torch.nn.functional on the CPU with the thread "
        f"count of our layer: {threads} for the convolution (numpy's BLAS threads, from "
        "threadpoolctl), 1 for max pooling (elementwise numpy runs on one thread; torch on "
        f"{threads} threads is timed beside it as context); median of {sizes.reps} "
        "interleaved repetitions after two warm-up runs.",
        f"Naive layers: timed on a batch of {sizes.naive_batch} ({sizes.naive_reps} "
        f"repetitions) and multiplied by N / {sizes.naive_batch}; the naive/fast target "
        "compares that scaled time with the fast layer at full batch.",
        "Targets apply to torch float64 (the kit's dtype); float32 is context.",
    ]
    with torch_threads(threads):
        conv = _conv_case(sizes, rng)
    with torch_threads(1):
        pool = _pool_case(sizes, rng, context_threads=threads)
    section.data = {"sizes": asdict(sizes), "torch_threads": threads, "conv": conv, "pool": pool}
    for label, found in (("conv", conv), ("max pool", pool)):
        section.tables.append(_table(found))
        section.budgets += [
            Budget(
                f"{label} fast / torch float64",
                found["ratios"]["fast_over_torch64"],
                TARGET_VS_TORCH,
            ),
            Budget(
                f"{label} naive / fast",
                found["ratios"]["naive_over_fast"],
                TARGET_VS_NAIVE,
                kind="min",
            ),
        ]
        ratios = found["ratios"]
        section.notes.append(
            f"{found['title']}: fast / torch float64 {fmt_ratio(ratios['fast_over_torch64'])}, "
            f"fast / torch float32 {fmt_ratio(ratios['fast_over_torch32'])}, naive / fast "
            f"{fmt_ratio(ratios['naive_over_fast'])}; largest relative difference of the "
            f"gradients, fast vs torch float64: {found['max_rel_diff_vs_torch']:.1e}."
        )
    return section


def _conv_case(sizes: Sizes, rng: np.random.Generator) -> dict:
    x = rng.standard_normal(sizes.x)  # (N, C, H, W)
    w = rng.standard_normal(sizes.w)  # (F, C, HH, WW)
    b = rng.standard_normal(sizes.w[0])  # (F,)
    out, _ = conv_forward_fast(x, w, b, CONV_PARAM)
    dout = rng.standard_normal(out.shape)  # (N, F, H', W')

    def fast():
        out, cache = conv_forward_fast(x, w, b, CONV_PARAM)
        return conv_backward_fast(dout, cache)

    def naive(batch):
        xs, ds = x[:batch], dout[:batch]
        return lambda: conv_backward_naive(ds, conv_forward_naive(xs, w, b, CONV_PARAM)[1])

    def torch_step(dtype):
        xt, wt, bt = (torch.tensor(a, dtype=dtype, requires_grad=True) for a in (x, w, b))
        dt = torch.tensor(dout, dtype=dtype)

        def step():
            out = F.conv2d(xt, wt, bt, stride=CONV_PARAM["stride"], padding=CONV_PARAM["pad"])
            return torch.autograd.grad(out, (xt, wt, bt), dt)

        return step

    title = (
        f"Convolution, x {sizes.x}, w {sizes.w}, "
        f"stride {CONV_PARAM['stride']}, pad {CONV_PARAM['pad']}"
    )
    return _measure(title, sizes.x[0], sizes, fast, naive, torch_step)


def _pool_case(sizes: Sizes, rng: np.random.Generator, context_threads: int) -> dict:
    x = rng.standard_normal(sizes.pool_x)  # (N, C, H, W)
    out, _ = max_pool_forward_fast(x, POOL_PARAM)
    dout = rng.standard_normal(out.shape)  # (N, C, H', W')
    kernel, stride = (POOL_PARAM["pool_height"], POOL_PARAM["pool_width"]), POOL_PARAM["stride"]

    def fast():
        out, cache = max_pool_forward_fast(x, POOL_PARAM)
        return (max_pool_backward_fast(dout, cache),)

    def naive(batch):
        xs, ds = x[:batch], dout[:batch]
        return lambda: max_pool_backward_naive(ds, max_pool_forward_naive(xs, POOL_PARAM)[1])

    def torch_step(dtype):
        xt = torch.tensor(x, dtype=dtype, requires_grad=True)
        dt = torch.tensor(dout, dtype=dtype)

        def step():
            out = F.max_pool2d(xt, kernel, stride=stride)
            return torch.autograd.grad(out, (xt,), dt)

        return step

    def threaded(step):
        def run_threaded():
            with torch_threads(context_threads):
                return step()

        return run_threaded

    title = f"Max pooling {kernel[0]}x{kernel[1]} stride {stride}, x {sizes.pool_x}"
    extra = {f"torch float64, {context_threads} threads": threaded(torch_step(torch.float64))}
    return _measure(title, sizes.pool_x[0], sizes, fast, naive, torch_step, extra)


def _measure(
    title: str, batch: int, sizes: Sizes, fast, naive, torch_step: Callable, extra=None
) -> dict:
    """Time fast, torch float64/float32 side by side, then the naive layer on a small batch."""
    steps = {
        "fast (numpy)": fast,
        "torch float64": torch_step(torch.float64),
        "torch float32": torch_step(torch.float32),
        **(extra or {}),
    }
    times = time_side_by_side(steps, reps=sizes.reps, warmup=2)  # torch: lazy set-up
    scale = batch / sizes.naive_batch
    naive_times = time_side_by_side({"naive": naive(sizes.naive_batch)}, sizes.naive_reps, 0)
    fast_s = median(times["fast (numpy)"])
    naive_s = median(naive_times["naive"]) * scale
    grads_fast = fast()
    grads_torch = steps["torch float64"]()
    rel = max(
        float(np.max(np.abs(g - t.numpy())) / max(1e-12, float(np.max(np.abs(g)))))
        for g, t in zip(grads_fast, grads_torch)
    )
    return {
        "title": title,
        "times": {name: summary(runs) for name, runs in times.items()},
        "naive": {
            "batch": sizes.naive_batch,
            "scale": scale,
            "measured_s": median(naive_times["naive"]),
            **summary(naive_times["naive"], scale),
        },
        "ratios": {
            "fast_over_torch64": fast_s / median(times["torch float64"]),
            "fast_over_torch32": fast_s / median(times["torch float32"]),
            "naive_over_fast": naive_s / fast_s,
        },
        "max_rel_diff_vs_torch": rel,
    }


def _table(found: dict) -> Table:
    fast_s = found["times"]["fast (numpy)"]["median_s"]
    rows = []
    for name, info in found["times"].items():
        rows.append([name, fmt_time(info["median_s"]), fmt_ratio(info["median_s"] / fast_s), ""])
    naive = found["naive"]
    how = (
        f"measured on a batch of {naive['batch']} ({fmt_time(naive['measured_s'])}), "
        f"x {naive['scale']:g}"
    )
    ratio = fmt_ratio(naive["median_s"] / fast_s)
    rows.append(["naive (loops)", fmt_time(naive["median_s"]), ratio, how])
    return Table(
        f"{found['title']} (forward + backward)",
        ["implementation", "median time", "time / fast", "how"],
        rows,
    )
