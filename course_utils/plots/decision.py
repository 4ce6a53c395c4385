"""Decision regions of a 2-D classifier (notebooks 05-08: spirals, XOR, blobs)."""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np


def decision_grid(X: np.ndarray, resolution: int = 200, padding: float = 0.25):
    """A regular grid that covers the points X (N, 2) with a margin.

    Returns (xx, yy, points): xx and yy of shape (resolution, resolution) and
    points = [xx.ravel(), yy.ravel()] stacked as columns, of shape (resolution**2, 2).
    """
    lows, highs = X.min(axis=0) - padding, X.max(axis=0) + padding
    xx, yy = np.meshgrid(
        np.linspace(lows[0], highs[0], resolution), np.linspace(lows[1], highs[1], resolution)
    )
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def predict_labels(predict: Callable[[np.ndarray], np.ndarray], points: np.ndarray) -> np.ndarray:
    """Labels of ``points`` (M, 2) from ``predict``, which returns labels (M,) or scores (M, C)."""
    out = np.asarray(predict(points))
    return out.argmax(axis=1) if out.ndim == 2 else out.astype(np.int64)


def plot_decision_regions(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    ax=None,
    title: str | None = None,
    resolution: int = 200,
    padding: float = 0.25,
    cmap: str = "tab10",
):
    """Colour the plane by the predicted class and scatter the data on top.

    Inputs:
    - predict: function of points (M, 2) returning labels (M,) or scores (M, C)
    - X: data of shape (N, 2); y: int labels of shape (N,) in [0, 10)
    - ax: matplotlib axes (current axes when None); title: axes title
    - resolution: grid points per axis; padding: margin around the data
    - cmap: qualitative colormap; class k gets colour k of it

    Returns the axes. The title says the accuracy on (X, y) when no title is given.
    """
    ax = ax if ax is not None else plt.gca()
    xx, yy, points = decision_grid(X, resolution, padding)
    regions = predict_labels(predict, points).reshape(xx.shape)
    colors = plt.get_cmap(cmap)
    levels = np.arange(-0.5, 10.5)  # one level per class, so class k keeps colour k
    ax.contourf(xx, yy, regions, levels=levels, cmap=colors, vmin=0, vmax=10, alpha=0.3)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=colors, vmin=0, vmax=10, s=14, edgecolors="k", lw=0.3)
    accuracy = float(np.mean(predict_labels(predict, X) == y))
    ax.set_title(title if title is not None else f"decision regions (accuracy {accuracy:.0%})")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    return ax
