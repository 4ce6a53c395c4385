"""Pick the device the PyTorch track runs on: CUDA when present, else the CPU."""

from __future__ import annotations

import contextlib
import os

import torch


def get_device(prefer: str | None = None) -> torch.device:
    """The device to train on.

    ``prefer`` (or the environment variable COURSE_DEVICE) forces one, e.g. "cpu" to
    compare; otherwise CUDA when a GPU is visible, else the CPU.
    """
    choice = prefer or os.environ.get("COURSE_DEVICE")
    if choice:
        return torch.device(choice)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def describe_device(device: torch.device | None = None) -> str:
    """A human-readable name: "NVIDIA H100 80GB HBM3 (cuda:0)" or "CPU (2 threads)"."""
    device = device or get_device()
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"{torch.cuda.get_device_name(index)} (cuda:{index})"
    return f"CPU ({torch.get_num_threads()} threads)"


@contextlib.contextmanager
def single_threaded(device: torch.device | str = "cpu"):
    """On the CPU, run torch on one thread inside the block (restored afterwards).

    The course's models are small: threads cost more to synchronise than they save, and
    on a busy machine (a class graded in parallel, a shared laptop) extra threads make
    training many times slower. On a GPU it changes nothing.
    """
    if torch.device(device).type != "cpu":
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
