"""Training curves: loss and accuracy histories side by side (Solver runs, notebooks 05-08)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from course_utils.experiments.warmup import moving_average  # one implementation: 00's reference


def smooth(values: Sequence[float], window: int) -> np.ndarray:
    """Moving average over ``window`` entries (shape (K - window + 1,)); window 1 copies."""
    values = np.asarray(values, dtype=np.float64)
    if window <= 1 or len(values) < window:
        return values.copy()
    return moving_average(values, window)


def plot_histories(
    histories: Mapping[str, Sequence[float]],
    ax=None,
    title: str = "training loss",
    xlabel: str = "iteration",
    ylabel: str = "loss",
    window: int = 1,
    logy: bool = False,
):
    """One line per run: histories maps a run's name to its values; returns the axes.

    With window > 1 each curve is a moving average (drawn from entry window - 1 on).
    """
    ax = ax if ax is not None else plt.gca()
    for name, values in histories.items():
        curve = smooth(values, window)
        steps = np.arange(len(curve)) + (len(values) - len(curve))
        ax.plot(steps, curve, label=name)
    if logy:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if histories:
        ax.legend(fontsize=8)
    return ax


def plot_solver_histories(solvers: Mapping, axes=None, window: int = 10, title: str = ""):
    """Loss, training accuracy and validation accuracy of several Solver runs, side by side.

    Inputs:
    - solvers: dict name -> a trained course_utils.solver.Solver (or any object with
      loss_history, train_acc_history and val_acc_history)
    - axes: three matplotlib axes; a new figure of 1 x 3 panels when None
    - window: moving-average window of the loss curves
    - title: prefix of the panel titles

    Returns the three axes.
    """
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(15, 4))
    prefix = f"{title}: " if title else ""
    plot_histories(
        {k: s.loss_history for k, s in solvers.items()},
        axes[0],
        f"{prefix}training loss",
        window=window,
    )
    for ax, key, name in (
        (axes[1], "train_acc_history", "training accuracy"),
        (axes[2], "val_acc_history", "validation accuracy"),
    ):
        runs = {k: getattr(s, key) for k, s in solvers.items()}
        plot_histories(runs, ax, f"{prefix}{name}", xlabel="epoch", ylabel="accuracy")
    return axes
