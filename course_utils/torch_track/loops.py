"""The two halves of a training loop, written by students in 09_cnn_pytorch.

``fit`` and ``evaluate`` of :mod:`course_utils.torch_track.train` add a device policy, mixed
precision and progress bars; these two are the loop itself, on any device::

    for epoch in range(epochs):
        train_loss = train_one_epoch(model, train_loader, optimizer, device)
        val_loss, val_acc = evaluate_model(model, val_loader, device)
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.assignments import graded


@graded("09_cnn")
def train_one_epoch(model: nn.Module, loader, optimizer: torch.optim.Optimizer, device) -> float:
    """One pass over ``loader``: for each batch, zero the gradients, compute the mean
    cross-entropy of the scores, backpropagate and take one optimizer step.

    Inputs:
    - model: maps x of shape (B, ...) to scores (B, num_classes); put in train mode first.
    - loader: yields (x, y) batches, y of shape (B,) integer labels; the last batch may be
      smaller.
    - optimizer: built on the model's parameters.
    - device: where the batches go (``x.to(device)``), where the model already is.
    Returns the mean loss over the epoch's **examples** (each batch's loss weighted by its
    size), as a Python float.
    """
    model.train()
    total, count = 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)  # the mean over the batch
        loss.backward()
        optimizer.step()
        total += loss.item() * y.shape[0]
        count += y.shape[0]
    return total / count


@graded("09_cnn")
def evaluate_model(model: nn.Module, loader, device) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``model`` over ``loader``, in eval mode and under
    ``torch.no_grad()`` (no graph is recorded, batch norm uses its running statistics).

    Inputs: as :func:`train_one_epoch` (no optimizer).
    Returns (mean loss over the examples, fraction of examples whose highest score is the
    label), both Python floats.
    """
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            scores = model(x)  # (B, num_classes)
            total += F.cross_entropy(scores, y, reduction="sum").item()
            correct += int((scores.argmax(dim=1) == y).sum())
            count += y.shape[0]
    return total / count, correct / count
