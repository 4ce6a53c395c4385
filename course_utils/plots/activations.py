"""Activation functions and per-layer activation statistics (notebooks 05, 07, 08)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def plot_activation_curves(
    x: np.ndarray, curves: Mapping[str, tuple[np.ndarray, np.ndarray]], axes=None, ncols: int = 3
):
    """Each activation f and its derivative f' against x, one panel per activation.

    Inputs:
    - x: inputs, of shape (K,)
    - curves: dict name -> (f(x), f'(x)), each of shape (K,)
    - axes: a sequence of at least len(curves) axes; a new grid of ``ncols`` columns when None

    Returns the axes used.
    """
    if axes is None:
        nrows = -(-len(curves) // ncols)
        _, grid = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.2 * nrows), squeeze=False)
        axes = grid.ravel()
        for ax in axes[len(curves) :]:
            ax.set_visible(False)
    for ax, (name, (values, slopes)) in zip(axes, curves.items()):
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        ax.plot(x, values, label="f(x)")
        ax.plot(x, slopes, "--", label="f'(x)")
        ax.set_title(name)
        ax.set_xlabel("x")
        ax.set_ylabel("value")
        ax.legend(fontsize=8)
    return axes


def plot_layer_histograms(
    activations: Sequence[np.ndarray],
    axes=None,
    title: str = "",
    bins: int = 40,
    value_range: tuple[float, float] | None = None,
    layer_numbers: Sequence[int] | None = None,
):
    """One histogram per layer of the values in ``activations`` (a list of arrays).

    Inputs:
    - activations: list of L arrays of any shapes, layer 1 first
    - axes: L axes; a new row of L panels when None
    - title: row label, written on the first panel's y axis
    - bins: histogram bins; value_range: common (low, high) range (the data's when None)
    - layer_numbers: the layer number shown above each panel (1, 2, ... when None)

    Each panel's title gives the layer's mean and standard deviation. Returns the axes.
    """
    if axes is None:
        _, axes = plt.subplots(1, len(activations), figsize=(2.2 * len(activations), 2.2))
        axes = np.atleast_1d(axes)
    if layer_numbers is None:
        layer_numbers = range(1, len(activations) + 1)
    for ax, values, number in zip(axes, activations, layer_numbers):
        values = np.ravel(values)
        ax.hist(values, bins=bins, range=value_range, color="C0", histtype="stepfilled")
        ax.set_title(f"layer {number}\nmean {values.mean():.2f} std {values.std():.2g}", fontsize=8)
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
        ax.set_xlabel("activation", fontsize=7)
    if title:
        axes[0].set_ylabel(title, fontsize=9)
    return axes
