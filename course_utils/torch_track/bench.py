"""Throughput of the PyTorch track's models on this machine: images/s and tokens/s.

    python -m course_utils.torch_track.bench [--quick] [--json PATH] [--device cuda]
                                             [--threads N] [--synthetic]

For the CNNs (VGG-small, tiny ResNet; 3 x 32 x 32 images, CIFAR-10 when it is cached,
random pixels otherwise) and the character-level LSTM (random character ids), it times
training steps (forward, backward, Adam step) and inference (eval mode under
torch.inference_mode()), after warm-up iterations, with torch.cuda.synchronize() around
the timed loop on CUDA. On CUDA every model is measured twice: in float32, and in mixed
precision (float16 autocast, a GradScaler for training, channels_last for the CNNs), the
settings ``course_utils.torch_track.train.fit`` uses there. On the CPU only float32 is
measured ("AMP: CUDA only"). ``--quick`` is a smoke test (small batches, few
iterations, one CPU thread unless ``--threads`` says otherwise).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from course_utils.torch_track.device import describe_device, get_device
from course_utils.torch_track.models.char_rnn import CharRNN
from course_utils.torch_track.models.resnet_block import TinyResNet
from course_utils.torch_track.models.vgg_small import build_vgg_small


@dataclass(frozen=True)
class Config:
    """Sizes of one benchmark run (``quick`` shrinks the batches and iteration counts)."""

    batch_size: int = 128
    image_size: int = 32
    widths: tuple[int, ...] = (32, 64, 128)
    char_batch: int = 32
    seq_len: int = 64
    hidden_size: int = 256
    vocab_size: int = 96
    iters: int = 20
    warmup: int = 5


FULL = Config()
QUICK = Config(batch_size=8, char_batch=4, seq_len=32, hidden_size=128, iters=2, warmup=1)


def _cnn_models(config: Config) -> dict[str, Callable[[], nn.Module]]:
    return {
        "vgg_small": lambda: build_vgg_small(3, 10, config.widths, config.image_size),
        "tiny_resnet": lambda: TinyResNet(3, 10, config.widths),
    }


def _images(config: Config, data: str) -> tuple[torch.Tensor, torch.Tensor, str]:
    """A batch (B, 3, S, S) float32 and labels (B,): CIFAR-10 when cached, else random."""
    B, S = config.batch_size, config.image_size
    if data == "auto" and S == 32:
        try:
            from course_utils.data.cifar10 import load_cifar10

            X, y, _, _ = load_cifar10(dtype=np.uint8, download=False, progress=False)
            images = torch.as_tensor(X[:B].transpose(0, 3, 1, 2) / 255.0, dtype=torch.float32)
            return images, torch.as_tensor(y[:B]), "cifar10"
        except Exception:  # not cached (or unreadable): measure on random pixels instead
            pass
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(B, 3, S, S, generator=generator)
    return images, torch.randint(0, 10, (B,), generator=generator), "synthetic"


def _seconds_per_iter(step: Callable[[], None], config: Config, device: torch.device) -> float:
    for _ in range(config.warmup):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    for _ in range(config.iters):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return (time.perf_counter() - start) / config.iters


def _steps(model, x, y, loss_of, device, amp):
    """(train step, inference step) closures for ``model`` on (x, y), already on ``device``."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scaler = torch.amp.GradScaler(device.type, enabled=amp)

    def autocast():
        return torch.autocast(device.type, dtype=torch.float16, enabled=amp)

    def train_step():
        model.train()
        with autocast():
            loss = loss_of(model, x, y)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()

    def inference_step():
        model.eval()
        with torch.inference_mode(), autocast():
            model(x)

    return train_step, inference_step


def _cnn_loss(model, x, y):
    return nn.functional.cross_entropy(model(x).float(), y)


def _char_loss(model, x, y):
    logits, _ = model(x)  # (N, T, V)
    return nn.functional.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y.reshape(-1))


def _measure(name, build, batch, loss_of, unit, device, precisions, config):
    """Rows for one model: train and inference, in each precision.

    batch is (x, y); throughput counts x.shape[0] images ("images/s") or x.numel()
    characters ("tokens/s") per step.
    """
    x, y = batch
    per_batch = x.shape[0] if unit == "images/s" else x.numel()
    rows = []
    for precision in precisions:
        amp = precision == "amp"
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            model = build().to(device)
        xd, yd = x.to(device), y.to(device)
        if amp and xd.dim() == 4:
            model = model.to(memory_format=torch.channels_last)
            xd = xd.to(memory_format=torch.channels_last)
        train_step, inference_step = _steps(model, xd, yd, loss_of, device, amp)
        for mode, step in (("train", train_step), ("inference", inference_step)):
            seconds = _seconds_per_iter(step, config, device)
            rows.append(
                {
                    "model": name,
                    "mode": mode,
                    "precision": "amp-fp16" if amp else "fp32",
                    "batch_size": int(x.shape[0]),
                    "throughput": per_batch / seconds,
                    "unit": unit,
                    "seconds_per_iter": seconds,
                }
            )
    return rows


def run_benchmarks(
    quick: bool = False,
    device: str | torch.device | None = None,
    config: Config | None = None,
    data: str = "auto",
    models: tuple[str, ...] = ("vgg_small", "tiny_resnet", "char_rnn"),
) -> dict:
    """Measure every model of ``models``; return a dict (see :func:`format_table`).

    Inputs:
    - quick: small batches and few iterations (QUICK) instead of FULL.
    - device: default ``get_device()``.
    - config: sizes, overriding quick.
    - data: "auto" (CIFAR-10 images when cached) or "synthetic".
    - models: names among "vgg_small", "tiny_resnet", "char_rnn".
    Returns a dict with device, torch, quick, data, config, notes and rows; each row has
    model, mode ("train" or "inference"), precision ("fp32" or "amp-fp16"), batch_size,
    throughput, unit ("images/s" or "tokens/s") and seconds_per_iter.
    """
    device = torch.device(device) if device is not None else get_device()
    config = config or (QUICK if quick else FULL)
    precisions = ("fp32", "amp") if device.type == "cuda" else ("fp32",)
    notes = [] if device.type == "cuda" else ["AMP: CUDA only (float32 measured on the CPU)"]
    rows: list[dict] = []
    x, y, source = _images(config, data)
    for name, build in _cnn_models(config).items():
        if name in models:
            rows += _measure(name, build, (x, y), _cnn_loss, "images/s", device, precisions, config)
    if "char_rnn" in models:
        generator = torch.Generator().manual_seed(0)
        shape = (config.char_batch, config.seq_len)
        ids = torch.randint(0, config.vocab_size, shape, generator=generator)  # (N, T)
        targets = torch.randint(0, config.vocab_size, shape, generator=generator)

        def build():
            return CharRNN(config.vocab_size, hidden_size=config.hidden_size, cell="lstm")

        rows += _measure(
            "char_rnn", build, (ids, targets), _char_loss, "tokens/s", device, precisions, config
        )
        notes.append("char_rnn: random character ids (throughput does not depend on the text)")
    return {
        "device": describe_device(device),
        "torch": torch.__version__,
        "quick": quick,
        "data": f"{source} images {x.shape[1]}x{x.shape[2]}x{x.shape[3]}",
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(config).items()},
        "notes": notes,
        "rows": rows,
    }


def format_table(result: dict) -> str:
    """The rows of :func:`run_benchmarks` as an aligned text table, with a header and notes."""
    lines = [
        f"device: {result['device']}, torch {result['torch']}, inputs: {result['data']}",
        f"{'model':<13}{'mode':<11}{'precision':<10}{'batch':>6}{'throughput':>14}  unit",
    ]
    for row in result["rows"]:
        lines.append(
            f"{row['model']:<13}{row['mode']:<11}{row['precision']:<10}{row['batch_size']:>6}"
            f"{row['throughput']:>14,.1f}  {row['unit']}"
        )
    lines += result["notes"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a smoke test: small batches, few iterations"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--device", help="cpu, cuda, cuda:1 (default: CUDA when present)")
    parser.add_argument("--synthetic", action="store_true", help="random images, even if cached")
    parser.add_argument(
        "--threads", type=int, help="CPU threads for PyTorch (default: 1 with --quick, else all)"
    )
    args = parser.parse_args(argv)
    threads = args.threads or (1 if args.quick else None)
    if threads:  # a quick run on a shared CPU: one thread is stable, several wait on each other
        torch.set_num_threads(threads)
    result = run_benchmarks(
        quick=args.quick, device=args.device, data="synthetic" if args.synthetic else "auto"
    )
    print(format_table(result), file=sys.stdout)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
