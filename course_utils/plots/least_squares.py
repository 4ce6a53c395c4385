"""Plots of 01_least_squares: centring before descent, class proportions per fold, the
polar change of basis."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from course_utils.plots.linear import plot_decision_regions
from course_utils.widgets.learning_rate import descent_summary


def compare_centring(variants: dict, learning_rate: float, *, title: str = ""):
    """Descent at one learning rate on each variant: paths on contours, and the losses.

    Inputs:
    - variants: {label: variant} as returned by
      :func:`course_utils.experiments.centring.centring_variants`
    - learning_rate: the rate of every run
    - title: the figure's title
    Returns (fig, results): a pyplot Figure with one path panel per variant and a loss
    panel, and {label: the run's result dict with "diverged" and "final_loss" added}
    """
    fig, axes = plt.subplots(
        1, len(variants) + 1, figsize=(4.2 * (len(variants) + 1), 3.8), layout="constrained"
    )
    results = {}
    for j, (label, variant) in enumerate(variants.items()):
        result = dict(variant["run"](learning_rate))
        result.update(descent_summary(result["loss_history"]))
        results[label] = result
        ax = axes[j]
        variant["contour"](ax)
        ax.set_aspect("equal", adjustable="box")  # a round bowl looks round
        ax.set_autoscale_on(False)
        ax.plot(result["path"][:, 0], result["path"][:, 1], "o-", color="C3", ms=3, lw=1)
        ax.set_title(f"{label}: condition number {variant['spectrum']['condition']:.0f}")
        ax.set_xlabel(r"$\theta_0$")
        ax.set_ylabel(r"$\theta_1$")
        losses = result["loss_history"][: result["finite_steps"]]
        axes[-1].semilogy(np.arange(losses.size), losses, label=label)
    axes[-1].set_title(f"loss, lr = {learning_rate:g}")
    axes[-1].set_xlabel("iteration")
    axes[-1].set_ylabel("loss")
    axes[-1].legend()
    if title:
        fig.suptitle(title)
    return fig, results


def plot_fold_proportions(ax, counts, *, class_names: Sequence[str], title: str = ""):
    """Stacked bars: the share of each class in each fold, and the whole set's as a line.

    Inputs:
    - ax: a matplotlib Axes
    - counts: of shape (k, C), samples of class c in fold j (splits.class_counts)
    - class_names: C names; title: the panel's title
    Returns the Axes.
    """
    counts = np.asarray(counts, dtype=np.float64)
    shares = counts / counts.sum(axis=1, keepdims=True)  # (k, C)
    bottom = np.zeros(counts.shape[0])
    folds = np.arange(1, counts.shape[0] + 1)
    for c, name in enumerate(class_names):
        ax.bar(folds, shares[:, c], bottom=bottom, color=f"C{c}", alpha=0.7, label=name)
        bottom += shares[:, c]
    whole = counts.sum(axis=0)[0] / counts.sum()
    ax.axhline(whole, color="k", ls="--", lw=1, label=f"whole set ({whole:.0%} {class_names[0]})")
    ax.set_xticks(folds)
    ax.set_xlabel("fold")
    ax.set_ylabel("share of the fold")
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    return ax


def plot_polar_change(X, y, theta_cartesian, theta_polar, accuracies: dict):
    """Two rings seen by a linear model in (x1, x2), in (r, phi), and back in (x1, x2).

    Inputs:
    - X: points, of shape (N, 2); y: 0/1 labels, of shape (N,)
    - theta_cartesian, theta_polar: (3,) least-squares classifiers on [1, x1, x2] and
      [1, r, phi] (polar.least_squares_classifier)
    - accuracies: {"cartesian": float, "polar": float}, shown in the titles
    Returns the pyplot Figure.
    """
    from course_utils.experiments.polar import polar_features, with_constant

    def predict_cartesian(points):
        return (with_constant(points) @ theta_cartesian > 0).astype(int)

    def predict_polar(points):
        return (with_constant(polar_features(points)) @ theta_polar > 0).astype(int)

    def predict_in_polar_plane(points):
        return (with_constant(points) @ theta_polar > 0).astype(int)

    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), layout="constrained")
    plot_decision_regions(
        axes[0],
        predict_cartesian,
        X,
        y,
        title=f"linear in (x1, x2): test accuracy {accuracies['cartesian']:.0%}",
    )
    plot_decision_regions(
        axes[1],
        predict_in_polar_plane,
        polar_features(X),
        y,
        title=f"linear in (r, φ): test accuracy {accuracies['polar']:.0%}",
    )
    axes[1].set_xlabel("r")
    axes[1].set_ylabel("φ (radians)")
    plot_decision_regions(
        axes[2], predict_polar, X, y, title="the (r, φ) model drawn back in (x1, x2)"
    )
    for ax in (axes[0], axes[2]):
        ax.set_aspect("equal")
    return fig
