"""Pictures of 07_batchnorm: validation curves of normalized networks per batch size."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt


def plot_batch_size_curves(
    curves: Mapping[str, Mapping[int, Sequence[float]]], ylabel="validation accuracy", axes=None
):
    """One panel per normalization, one line per batch size: a history against the epoch.

    Inputs:
    - curves: dict normalization name -> dict batch size -> history (one value per epoch,
      the value before training first), e.g. ``{"batchnorm": {2: [...], 128: [...]}}``.
    - ylabel: what the histories hold; axes: a sequence of len(curves) axes, or None to
      make a new figure.
    Returns the axes.
    """
    if axes is None:
        _, axes = plt.subplots(1, len(curves), figsize=(5.2 * len(curves), 3.6), sharey=True)
        axes = [axes] if len(curves) == 1 else list(axes)
    for ax, (name, by_size) in zip(axes, curves.items()):
        for batch_size, history in sorted(by_size.items()):
            ax.plot(range(len(history)), history, "o-", ms=3, label=f"batch {batch_size}")
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=8)
    return axes
