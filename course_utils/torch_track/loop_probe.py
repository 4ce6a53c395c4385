"""A tiny network that records how a training or evaluation loop used it (09_cnn grading).

``make_loop_probe(seed, ...)`` returns ``(model, loader, optimizer, device)`` for a student's
``train_one_epoch`` or ``evaluate_model``; ``probe_signature(model)`` then returns what the
loop did as numpy arrays: the parameters and batch-norm running mean after it, and, over the
forward passes it made, the share in train mode and the share with autograd recording.
Everything is float64 on the CPU and deterministic given the seed.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class ProbeNet(nn.Module):
    """Linear(D, H) - BatchNorm1d(H) - ReLU - Linear(H, C), recording each forward call."""

    def __init__(self, dims: tuple[int, int, int], seed: int):
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        D, H, C = dims
        self.fc1 = nn.Linear(D, H).double()
        self.bn = nn.BatchNorm1d(H).double()
        self.fc2 = nn.Linear(H, C).double()
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(0.5 * torch.randn(p.shape, generator=gen, dtype=torch.float64))
        self.calls: list[tuple[bool, bool, int]] = []  # (training, grad enabled, batch size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((self.training, torch.is_grad_enabled(), int(x.shape[0])))
        return self.fc2(F.relu(self.bn(self.fc1(x))))


def make_loop_probe(
    seed: int,
    num_examples: int = 10,
    batch_size: int = 4,
    *,
    start_mode: str = "eval",
    lr: float = 0.1,
    dims: tuple[int, int, int] = (5, 6, 3),
):
    """(model, loader, optimizer, device) of a probe: a list of float64 batches (the last one
    smaller when batch_size does not divide num_examples), plain SGD, the CPU.

    start_mode ("train" or "eval") is the mode the model is left in, so that a loop that
    forgets to set its own mode runs in the wrong one.
    """
    rng = np.random.default_rng(seed)
    D, _, C = dims
    X = rng.normal(size=(num_examples, D))
    y = np.argmax(X @ rng.normal(size=(D, C)), axis=1)
    loader = [
        (torch.tensor(X[i : i + batch_size]), torch.tensor(y[i : i + batch_size]))
        for i in range(0, num_examples, batch_size)
    ]
    model = ProbeNet(dims, int(rng.integers(0, 2**31 - 1)))
    model.train(start_mode == "train")
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return model, loader, optimizer, "cpu"


def probe_signature(model: ProbeNet) -> dict[str, np.ndarray]:
    """What the loop did to the probe since the last signature (then forgets its calls)."""
    calls, model.calls = model.calls, []
    seen = sum(n for _, _, n in calls)
    with torch.no_grad():
        params = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    return {
        "params": params.numpy().astype(np.float64),
        "running_mean": model.bn.running_mean.detach().numpy().astype(np.float64),
        "train_mode": np.array(sum(n for t, _, n in calls if t) / max(seen, 1)),
        "autograd": np.array(sum(n for _, g, n in calls if g) / max(seen, 1)),
        "examples_seen": np.array(float(seen)),
    }
