"""Pictures of 02_knn: decision regions for a few k, and images at equal L2 distance."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from course_utils.experiments.knn import knn_regions
from course_utils.plots.decision import decision_grid


def draw_knn_regions(ax, X, y, k, p=2, classifier=None, resolution: int = 120):
    """Colour the plane by the kNN label for one k and scatter the training points on top.

    Inputs:
    - ax: matplotlib axes; X: training points (N, 2); y: int labels (N,) in [0, 10)
    - k, p: neighbours and metric; classifier: as in ``knn_regions``
    - resolution: grid points per axis
    Returns the training accuracy (a float; 1.0 for k = 1 unless points coincide).
    """
    xx, yy, points = decision_grid(X, resolution)
    regions = knn_regions(X, y, points, k, p=p, classifier=classifier).reshape(xx.shape)
    ax.clear()
    ax.contourf(
        xx, yy, regions, levels=np.arange(-0.5, 10.5), cmap="tab10", vmin=0, vmax=10, alpha=0.3
    )
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="tab10", vmin=0, vmax=10, s=12, edgecolors="k", lw=0.3)
    train_accuracy = float(np.mean(knn_regions(X, y, X, k, p=p, classifier=classifier) == y))
    ax.set_title(f"k = {k}, L{p}: training accuracy {train_accuracy:.0%}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return train_accuracy


def plot_knn_regions(X, y, ks=(1, 5, 25), p=2, classifier=None, resolution: int = 120):
    """The static figure beside the k slider: one panel of decision regions per k.

    Returns (fig, train_accuracies) with one training accuracy per k.
    """
    fig, axes = plt.subplots(1, len(ks), figsize=(4.2 * len(ks), 4), layout="constrained")
    axes = np.atleast_1d(axes)
    accuracies = [
        draw_knn_regions(ax, X, y, k, p=p, classifier=classifier, resolution=resolution)
        for ax, k in zip(axes, ks)
    ]
    fig.suptitle("kNN decision regions: small k follows every point, large k smooths")
    return fig, accuracies


def plot_equal_distance_variants(x, variants, distances, image_shape):
    """The original image and its changed versions, each titled with its L2 distance.

    Inputs:
    - x: the original, flattened (D,); variants: dict name -> flattened image (D,)
    - distances: dict name -> L2 distance to x; image_shape: (H, W, C), C = 1 (grey) or 3
    Returns the pyplot Figure. Grey panels share one scale, so a tint stays visible.
    """
    images = {"original": x, **variants}
    top = max(float(np.max(v)) for v in images.values())
    fig, axes = plt.subplots(1, len(images), figsize=(2.4 * len(images), 2.8), layout="constrained")
    for ax, (name, image) in zip(axes, images.items()):
        image = image.reshape(image_shape)
        if image_shape[-1] == 1:
            ax.imshow(image[..., 0], cmap="gray_r", vmin=0.0, vmax=top)
        else:  # colour: values beyond [0, 1] are clipped for display only
            ax.imshow(np.clip(image, 0.0, 1.0))
        label = "" if name == "original" else f"\nL2 distance {distances[name]:.2f}"
        ax.set_title(name + label, fontsize=10)
        ax.axis("off")
    return fig
