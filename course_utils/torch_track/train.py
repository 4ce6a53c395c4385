"""One training loop for every model of the PyTorch track, on the CPU or a CUDA GPU.

Example::

    data = get_dataset("digits", layout="nchw")
    train_loader = make_loaders(data["X_train"], data["y_train"], batch_size=64, seed=0)
    val_loader = make_loaders(data["X_val"], data["y_val"], 256, seed=0, shuffle=False)
    history = fit(model, train_loader, epochs=5, val_loader=val_loader)
    loss, acc = evaluate(model, val_loader)

On CUDA, ``fit`` turns on mixed precision (``torch.autocast`` in float16 with a
``torch.amp.GradScaler``) and the channels_last memory format by default; on the CPU
both stay off (``amp=True`` there means bfloat16 autocast, without a scaler). Progress
bars and logs go to stdout, never to stderr.
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    SequentialSampler,
    TensorDataset,
)

from course_utils.torch_track.device import describe_device, get_device

with warnings.catch_warnings():
    # tqdm.auto warns at import when it finds Jupyter without ipywidgets; stay silent.
    warnings.simplefilter("ignore")
    from tqdm.auto import tqdm


@dataclass
class History:
    """What :func:`fit` measured, one entry per epoch (val_* are NaN without a val_loader)."""

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    device: str = ""
    amp: bool = False
    channels_last: bool = False

    @property
    def total_seconds(self) -> float:
        return float(sum(self.seconds))


def make_loaders(
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int = 64,
    seed: int = 0,
    *,
    shuffle: bool = True,
    drop_last: bool = False,
) -> DataLoader:
    """A DataLoader over numpy arrays (one loader; call once per split).

    Batches are cut by indexing the whole tensors with a list of indices (no per-example
    collation), which keeps the loader fast enough for a GPU on CIFAR-10.

    Inputs:
    - X: inputs, e.g. images of shape (N, C, H, W) from get_dataset(..., layout="nchw");
      stored as float32.
    - y: integer labels of shape (N,); stored as int64.
    - batch_size: examples per batch.
    - seed: seeds the shuffling (a torch.Generator of the loader's own).
    - shuffle: draw a new order every epoch (False for evaluation: the original order).
    - drop_last: skip the last, smaller batch.
    Returns a DataLoader yielding (x, y) batches of shapes (B, ...) and (B,).
    """
    dataset = TensorDataset(
        torch.as_tensor(np.asarray(X), dtype=torch.float32),
        torch.as_tensor(np.asarray(y), dtype=torch.int64),
    )
    if shuffle:
        order = RandomSampler(dataset, generator=torch.Generator().manual_seed(int(seed)))
    else:
        order = SequentialSampler(dataset)
    batches = BatchSampler(order, batch_size=batch_size, drop_last=drop_last)
    # batch_size=None: each item of `batches` is a list of indices, and dataset[list]
    # returns the whole batch at once
    return DataLoader(
        dataset, sampler=batches, batch_size=None, pin_memory=torch.cuda.is_available()
    )


def _settings(device, amp, channels_last) -> tuple[torch.device, bool, bool]:
    """The device, and amp / channels_last with None resolved to "on when CUDA"."""
    device = torch.device(device) if device is not None else get_device()
    on_cuda = device.type == "cuda"
    amp = on_cuda if amp is None else bool(amp)
    channels_last = on_cuda if channels_last is None else bool(channels_last)
    return device, amp, channels_last


def _autocast(device: torch.device, amp: bool):
    dtype = torch.float16 if device.type == "cuda" else torch.bfloat16
    return torch.autocast(device_type=device.type, dtype=dtype, enabled=amp)


def _to_device(x: torch.Tensor, device: torch.device, channels_last: bool) -> torch.Tensor:
    if channels_last and x.dim() == 4:
        return x.to(device, memory_format=torch.channels_last, non_blocking=True)
    return x.to(device, non_blocking=True)


def _model_device(model: nn.Module) -> torch.device:
    for tensor in model.parameters():
        return tensor.device
    return get_device()


def evaluate(
    model: nn.Module,
    loader: DataLoader,
    device=None,
    loss_fn: Callable | None = None,
    amp: bool | None = None,
    channels_last: bool | None = None,
) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` over ``loader``, in eval mode under torch.no_grad().

    Inputs:
    - model: maps a batch (B, ...) to scores (B, num_classes).
    - loader: yields (x, y) batches, y of shape (B,) integer labels.
    - device: where to run (default: where the model's parameters are).
    - loss_fn: loss of (scores, y), averaged over the batch (default cross-entropy).
    - amp, channels_last: as in :func:`fit` (default: on when CUDA).
    Returns (loss, accuracy) as floats; the model is left in eval mode.
    """
    device, amp, channels_last = _settings(device or _model_device(model), amp, channels_last)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            x, y = _to_device(x, device, channels_last), y.to(device, non_blocking=True)
            with _autocast(device, amp):
                scores = model(x)  # (B, num_classes)
                loss = loss_fn(scores.float(), y)
            total_loss += float(loss) * y.shape[0]
            correct += int((scores.argmax(dim=1) == y).sum())
            count += y.shape[0]
    return total_loss / max(count, 1), correct / max(count, 1)


def fit(
    model: nn.Module,
    train_loader: DataLoader,
    *,
    epochs: int,
    optimizer: torch.optim.Optimizer | None = None,
    lr: float = 1e-3,
    loss_fn: Callable | None = None,
    val_loader: DataLoader | None = None,
    device=None,
    amp: bool | None = None,
    channels_last: bool | None = None,
    progress: bool = True,
    log_every: int = 1,
) -> History:
    """Train ``model`` in place for ``epochs`` epochs; return the per-epoch :class:`History`.

    Inputs:
    - model: maps a batch (B, ...) to scores (B, num_classes); moved to ``device``.
    - train_loader: yields (x, y) training batches (see :func:`make_loaders`).
    - epochs: passes over train_loader.
    - optimizer: built on the model's parameters (default Adam with learning rate ``lr``).
    - loss_fn: loss of (scores, y), averaged over the batch (default cross-entropy).
    - val_loader: evaluated after every epoch (:func:`evaluate`) when given.
    - device: default ``get_device()`` (CUDA when present, else CPU; COURSE_DEVICE overrides).
    - amp: mixed precision; None means on when the device is CUDA (float16 autocast with a
      GradScaler); True on the CPU means bfloat16 autocast.
    - channels_last: NHWC memory format for the model and 4-D inputs; None means on with CUDA.
    - progress: a progress bar per epoch (tqdm, to stdout).
    - log_every: print one line every this many epochs (0: never).
    Returns a History: train_loss, train_acc (running, over the epoch's batches), val_loss,
    val_acc, seconds per epoch, the device's description, and whether amp / channels_last
    were on.
    """
    device, amp, channels_last = _settings(device, amp, channels_last)
    model.to(device)
    if channels_last:
        model.to(memory_format=torch.channels_last)
    optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    scaler = torch.amp.GradScaler(device.type, enabled=amp and device.type == "cuda")
    history = History(device=describe_device(device), amp=amp, channels_last=channels_last)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        bar = None
        if progress:
            desc = f"epoch {epoch}/{epochs}"
            bar = tqdm(total=len(train_loader), desc=desc, file=sys.stdout, leave=False)
        loss, acc = _train_epoch(
            model, train_loader, optimizer, loss_fn, scaler, (device, amp, channels_last), bar
        )
        val_loss, val_acc = float("nan"), float("nan")
        if val_loader is not None:
            val_loss, val_acc = evaluate(model, val_loader, device, loss_fn, amp, channels_last)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        history.seconds.append(time.perf_counter() - start)
        for name, value in zip(
            ("train_loss", "train_acc", "val_loss", "val_acc"), (loss, acc, val_loss, val_acc)
        ):
            getattr(history, name).append(value)
        if log_every and (epoch % log_every == 0 or epoch == epochs):
            print(
                f"epoch {epoch}/{epochs}: loss {loss:.4f}, train acc {acc:.3f}, "
                f"val acc {val_acc:.3f} ({history.seconds[-1]:.1f} s)",
                file=sys.stdout,
            )
    return history


def _train_epoch(model, loader, optimizer, loss_fn, scaler, settings, bar):
    """One pass over ``loader``; returns (mean loss, accuracy) over its examples.

    settings is (device, amp, channels_last); bar is a tqdm bar or None.
    """
    device, amp, channels_last = settings
    model.train()
    total_loss = torch.zeros((), device=device)
    correct = torch.zeros((), dtype=torch.int64, device=device)
    count = 0
    for x, y in loader:
        x, y = _to_device(x, device, channels_last), y.to(device, non_blocking=True)
        with _autocast(device, amp):
            scores = model(x)  # (B, num_classes)
            loss = loss_fn(scores.float(), y)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        # accumulate on the device: no synchronisation with the host per batch
        total_loss += loss.detach() * y.shape[0]
        correct += (scores.detach().argmax(dim=1) == y).sum()
        count += y.shape[0]
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return float(total_loss) / max(count, 1), int(correct) / max(count, 1)
