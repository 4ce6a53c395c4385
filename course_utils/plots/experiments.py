"""Plots of experiments with several models: hyperparameter sweeps, train/validation gaps
and image grids (07_batchnorm, 08_dropout).

Training curves of Solver runs are in course_utils.plots.training. Every function here
draws a title and labelled axes and returns what it drew on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def plot_sweep(ax, values, curves: Mapping[str, Sequence[float]], xlabel, ylabel, title, logx=True):
    """One line per model variant across the settings of a hyperparameter sweep.

    Inputs:
    - ax: matplotlib axes to draw on.
    - values: the swept values, of length K (the x axis).
    - curves: dict label -> K results (the y axis).
    - xlabel, ylabel, title: text; logx: logarithmic x axis.
    Returns ax.
    """
    for label, ys in curves.items():
        ax.plot(values, ys, "o-", label=label)
    if logx:
        ax.set_xscale("log")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return ax


def plot_accuracy_bars(ax, results: Mapping[str, tuple[float, float]], title):
    """Training and validation accuracy of several models as paired bars, the gap above.

    Inputs:
    - ax: matplotlib axes to draw on.
    - results: dict label -> (training accuracy, validation accuracy).
    - title: the axes' title.
    Returns ax.
    """
    labels = list(results)
    train = np.array([results[k][0] for k in labels])
    val = np.array([results[k][1] for k in labels])
    x = np.arange(len(labels))
    ax.bar(x - 0.2, train, width=0.4, label="train")
    ax.bar(x + 0.2, val, width=0.4, label="validation")
    for xi, t, v in zip(x, train, val):
        ax.text(xi, max(t, v) + 0.02, f"gap {t - v:.2f}", ha="center", fontsize=8)
    ax.set_xticks(x, labels, rotation=15)
    ax.set_ylim(0, 1.15)
    ax.set_title(title)
    ax.set_xlabel("model")
    ax.set_ylabel("accuracy")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def show_image_grid(rows: Mapping[str, np.ndarray], title, cmap="gray_r"):
    """A grid of small images: one row per label, one column per image.

    Inputs:
    - rows: dict label -> images of shape (K, H, W) or (K, H, W, C) (C = 1 or 3,
      values in [0, 1]); every row has the same K.
    - title: the figure's title; cmap: colour map of grey images.
    Returns (fig, axes), axes of shape (len(rows), K).
    """
    labels = list(rows)
    K = len(rows[labels[0]])
    fig, axes = plt.subplots(len(labels), K, figsize=(1.1 * K, 1.2 * len(labels)), squeeze=False)
    for r, label in enumerate(labels):
        for k, image in enumerate(rows[label]):
            image = image[..., 0] if image.ndim == 3 and image.shape[-1] == 1 else image
            axes[r, k].imshow(np.clip(image, 0, 1), cmap=cmap if image.ndim == 2 else None)
            axes[r, k].set_xticks([])
            axes[r, k].set_yticks([])
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center")
    fig.suptitle(title)
    return fig, axes
