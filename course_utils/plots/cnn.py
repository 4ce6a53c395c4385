"""Pictures for the convolution notebooks: a grid of learned filters."""

from __future__ import annotations

import math

import numpy as np


def filter_grid(w: np.ndarray, padding: int = 1, columns: int | None = None) -> np.ndarray:
    """Tile filters into one image, each rescaled to [0, 1] on its own.

    Inputs:
    - w: filters, of shape (F, C, HH, WW) with C = 1 (grey) or C = 3 (RGB).
    - padding: pixels of background between filters: NaN for grey filters (drawn in a
      colour of their own by :func:`show_filters`), 1.0 (white) for RGB ones.
    - columns: filters per row (default ceil(sqrt(F))).
    Returns an image of shape (R * (HH + padding) - padding, K * (WW + padding) - padding)
    for C = 1, with a trailing axis of 3 for C = 3, where K = columns, R = ceil(F / K).
    """
    (F, C), (HH, WW) = w.shape[:2], w.shape[2:]
    if C not in (1, 3):
        raise ValueError(f"filters need 1 or 3 channels to be shown, got {C}")
    columns = columns or math.ceil(math.sqrt(F))
    rows = math.ceil(F / columns)
    height, width = rows * (HH + padding) - padding, columns * (WW + padding) - padding
    grid = np.full((height, width, C), np.nan if C == 1 else 1.0)
    for index in range(F):
        img = w[index].transpose(1, 2, 0).astype(np.float64)  # (HH, WW, C)
        low, high = img.min(), img.max()
        img = (img - low) / (high - low) if high > low else np.full_like(img, 0.5)
        r, c = divmod(index, columns)
        top, left = r * (HH + padding), c * (WW + padding)
        grid[top : top + HH, left : left + WW] = img
    return grid[..., 0] if C == 1 else grid


def show_filters(w: np.ndarray, title: str, ax=None):
    """Draw :func:`filter_grid` of ``w`` (F, C, HH, WW) on ``ax`` (a new figure if None)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    grid = filter_grid(w)
    cmap = plt.get_cmap("gray").with_extremes(bad="#9ecae1")  # gaps between filters: light blue
    ax.imshow(grid, cmap=cmap if grid.ndim == 2 else None, interpolation="nearest")
    ax.set_title(title)
    ax.set_xlabel("filters, left to right")
    ax.set_ylabel("filters, top to bottom")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax
