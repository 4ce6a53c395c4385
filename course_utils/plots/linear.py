"""Plots of linear classifiers (03_softmax, 04_svm): templates, grid searches, 2-D regions,
reliability diagrams."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np


def weights_as_images(W, image_shape):
    """The columns of W (one template per class) as images rescaled to [0, 1].

    Inputs:
    - W: of shape (D, C) or (D + 1, C) with a bias row last, D = prod(image_shape)
    - image_shape: (H, W_, channels) of one flattened example ("flat" layout of get_dataset)
    Returns:
    - templates: of shape (C, H, W_, channels), each rescaled to [0, 1] on its own
    """
    D = int(np.prod(image_shape))
    if W.shape[0] not in (D, D + 1):
        raise ValueError(f"W has {W.shape[0]} rows; expected {D} or {D + 1} (with a bias row)")
    templates = W[:D].T.reshape((W.shape[1], *image_shape))  # (C, H, W_, channels)
    low = templates.min(axis=(1, 2, 3), keepdims=True)
    high = templates.max(axis=(1, 2, 3), keepdims=True)
    return (templates - low) / np.maximum(high - low, 1e-12)


def plot_templates(W, image_shape, class_names: Sequence[str], title: str = ""):
    """Draw each class's weight column as an image (bright = a large positive weight).

    Inputs:
    - W: of shape (D, C) or (D + 1, C) with a bias row last
    - image_shape: (H, W_, channels) of one example; class_names: C names
    - title: the figure's title
    Returns the pyplot Figure.
    """
    templates = weights_as_images(W, image_shape)  # (C, H, W_, channels)
    C = templates.shape[0]
    fig, axes = plt.subplots(1, C, figsize=(1.3 * C, 1.9), layout="constrained")
    for c, ax in enumerate(np.atleast_1d(axes)):
        image = templates[c, ..., 0] if templates.shape[-1] == 1 else templates[c]
        ax.imshow(image, cmap="gray" if templates.shape[-1] == 1 else None)
        ax.set_title(str(class_names[c]), fontsize=9)
        ax.axis("off")
    if title:
        fig.suptitle(title)
    return fig


def plot_grid_search(val_accuracy, learning_rates, regs, title: str = "validation accuracy"):
    """Heat map of a learning rate x reg grid, each cell annotated with its value.

    Inputs:
    - val_accuracy: array of shape (L, R) (nan where a run diverged)
    - learning_rates: L values (rows); regs: R values (columns)
    Returns the pyplot Figure.
    """
    fig, ax = plt.subplots(figsize=(1.3 * len(regs) + 2.5, 0.8 * len(learning_rates) + 1.5))
    image = ax.imshow(val_accuracy, cmap="viridis", vmin=0.0, vmax=1.0)
    for (i, j), value in np.ndenumerate(val_accuracy):
        text = "diverged" if np.isnan(value) else f"{value:.3f}"
        ax.text(j, i, text, ha="center", va="center", color="w" if value < 0.6 else "k")
    ax.set_xticks(range(len(regs)), [f"{r:.0e}" for r in regs])
    ax.set_yticks(range(len(learning_rates)), [f"{lr:.0e}" for lr in learning_rates])
    ax.set_xlabel("regularisation strength reg")
    ax.set_ylabel("learning rate")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="accuracy")
    return fig


def plot_decision_regions(
    ax,
    predict: Callable,
    X,
    y,
    *,
    title: str = "",
    highlight=None,
    highlight_label: str = "",
    resolution: int = 200,
):
    """Colour the plane by predicted class and scatter the points on top.

    Inputs:
    - ax: a matplotlib Axes
    - predict: callable mapping points of shape (M, 2) to labels of shape (M,)
    - X: points, of shape (N, 2); y: labels, of shape (N,)
    - highlight: optional boolean mask of shape (N,); those points get a black ring
      (e.g. the points inside the SVM margin)
    - highlight_label: legend entry of the ringed points
    - resolution: grid points per axis
    Returns the Axes.
    """
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    gx, gy = np.meshgrid(xs, ys)
    labels = predict(np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    num_classes = int(max(np.max(y), np.max(labels))) + 1
    levels = np.arange(num_classes + 1) - 0.5
    ax.contourf(gx, gy, labels, levels=levels, cmap="tab10", vmin=-0.5, vmax=9.5, alpha=0.25)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="tab10", vmin=-0.5, vmax=9.5, s=14, edgecolors="none")
    if highlight is not None and np.any(highlight):
        ax.scatter(
            X[highlight, 0],
            X[highlight, 1],
            s=40,
            facecolors="none",
            edgecolors="k",
            linewidths=0.8,
            label=highlight_label or None,
        )
        if highlight_label:
            ax.legend(loc="lower right", fontsize=8)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    return ax


def plot_two_class_margins(ax, W, X, y, *, title: str = "", highlight=None, resolution: int = 200):
    """Two classes: the regions, the boundary s_1 - s_0 = 0 and the lines s_1 - s_0 = -1, +1.

    Inputs:
    - ax: a matplotlib Axes
    - W: weights of shape (3, 2) acting on points with the bias trick, [x_1, x_2, 1] W
    - X: points, of shape (N, 2); y: labels in {0, 1}, of shape (N,)
    - highlight: optional boolean mask of shape (N,); those points get a black ring
    - resolution: grid points per axis
    Returns the Axes.
    """
    w = W[:, 1] - W[:, 0]  # (3,): s_1 - s_0 = x . w[:2] + w[2]
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    gx, gy = np.meshgrid(xs, ys)
    difference = gx * w[0] + gy * w[1] + w[2]  # (resolution, resolution)
    ax.contourf(gx, gy, difference > 0, levels=[-0.5, 0.5, 1.5], colors=["C0", "C1"], alpha=0.15)
    lines = ax.contour(
        gx, gy, difference, levels=[-1.0, 0.0, 1.0], colors="k", linestyles=["--", "-", "--"]
    )
    ax.clabel(lines, fmt={-1.0: "-1", 0.0: "0", 1.0: "+1"}, fontsize=8)
    ax.scatter(X[:, 0], X[:, 1], c=np.where(y == 1, "C1", "C0"), s=14)
    if highlight is not None and np.any(highlight):
        ax.scatter(
            X[highlight, 0], X[highlight, 1], s=44, facecolors="none", edgecolors="k", lw=0.8
        )
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    return ax


def plot_reliability_diagram(ax, bins: dict, *, title: str = "", ece: float | None = None):
    """A reliability diagram: each confidence bin's accuracy against its mean confidence.

    Inputs:
    - ax: the matplotlib Axes to draw on
    - bins: the dict of ``course_utils.experiments.calibration.reliability_bins``
    - title: the Axes' title; ece: shown in the legend when given
    Returns the Axes. Bars reach each bin's accuracy; the diagonal is perfect calibration;
    a bar below it is over-confident, above it under-confident. Empty bins have no bar.
    """
    edges, count = bins["edges"], bins["count"]
    filled = count > 0
    centres = (edges[:-1] + edges[1:]) / 2
    width = np.diff(edges)
    label = "accuracy" if ece is None else f"accuracy (ECE {ece:.3f})"
    ax.bar(
        centres[filled], bins["accuracy"][filled], width=width[filled], edgecolor="k", label=label
    )
    ax.plot(
        bins["confidence"][filled],
        bins["confidence"][filled],
        "o",
        color="C3",
        ms=4,
        label="mean confidence",
    )
    ax.plot([0, 1], [0, 1], "--", color="0.4", label="perfect calibration")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence (largest probability)")
    ax.set_ylabel("fraction correct")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    return ax
