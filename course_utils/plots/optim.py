"""Plots of optimisation paths on 2-D loss surfaces (notebook 06 and its race widget)."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from course_utils.experiments.optimizer_race import Surface, get_surface, path_values


def plot_surface_contours(surface: str | Surface, ax=None, resolution: int = 200, levels: int = 30):
    """Filled contours of a surface over its plotting window; returns the axes.

    Log-spaced levels (of f - min f) for surfaces with ``log_levels`` (steep valleys).
    """
    surface = get_surface(surface)
    ax = ax if ax is not None else plt.gca()
    xs = np.linspace(*surface.xlim, resolution)
    ys = np.linspace(*surface.ylim, resolution)
    X, Y = np.meshgrid(xs, ys)  # (resolution, resolution) each
    Z = surface.value(X, Y)
    if surface.log_levels:
        Z = Z - Z.min() + 1e-3
        bounds = np.geomspace(Z.min(), Z.max(), levels)
        ax.contourf(X, Y, Z, levels=bounds, cmap="Greys_r", norm="log", alpha=0.6)
        ax.contour(X, Y, Z, levels=bounds, colors="0.4", linewidths=0.4)
    else:
        ax.contourf(X, Y, Z, levels=levels, cmap="Greys_r", alpha=0.6)
        ax.contour(X, Y, Z, levels=levels, colors="0.4", linewidths=0.4)
    for mx, my in surface.minima:
        ax.plot(mx, my, marker="*", color="gold", markersize=16, markeredgecolor="k", zorder=5)
    ax.set_xlim(*surface.xlim)
    ax.set_ylim(*surface.ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return ax


def plot_race(
    surface: str | Surface,
    paths: Mapping[str, np.ndarray],
    ax=None,
    title: str | None = None,
    resolution: int = 200,
    steps: int | None = None,
) -> dict:
    """Each path of ``experiments.optimizer_race.race`` over the surface's contours.

    Inputs:
    - surface: a Surface or its name
    - paths: dict name -> path of shape (K + 1, 2)
    - ax: matplotlib axes (current axes when None)
    - title: axes title (the surface's title when None)
    - resolution: grid points per axis of the contour plot
    - steps: the number of steps of the race; a shorter path (the rule diverged) ends
      with a cross and is labelled "diverged"

    Returns dict name -> the Line2D of that path (the race widget updates their data).
    """
    surface = get_surface(surface)
    ax = ax if ax is not None else plt.gca()
    plot_surface_contours(surface, ax, resolution)
    start = next(iter(paths.values()))[0] if paths else surface.start
    ax.plot(*start, marker="o", color="k", markersize=7, zorder=6)
    lines = {}
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (name, path) in enumerate(paths.items()):
        color = colors[i % len(colors)]
        diverged = steps is not None and len(path) < steps + 1
        final = path_values(surface, path[-1:])[0]
        label = f"{name}: diverged" if diverged else f"{name}: f = {final:.2g}"
        (lines[name],) = ax.plot(
            path[:, 0], path[:, 1], ".-", color=color, lw=1.5, ms=3, label=label
        )
        if diverged:
            ax.plot(*path[-1], marker="x", color=color, markersize=10, mew=2.5)
    ax.set_title(title if title is not None else surface.title)
    ax.legend(loc="lower right", fontsize=8, framealpha=0.8)
    return lines


def plot_path_values(surface: str | Surface, paths: Mapping[str, np.ndarray], ax=None, title=None):
    """f along each path against the step, on a log scale of f - min f; returns the axes."""
    surface = get_surface(surface)
    ax = ax if ax is not None else plt.gca()
    lowest = min(float(surface.value(np.float64(mx), np.float64(my))) for mx, my in surface.minima)
    for name, path in paths.items():
        gap = path_values(surface, path) - lowest
        ax.semilogy(np.arange(len(gap)), np.maximum(gap, 1e-16), label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("f(w) - min f")
    ax.set_title(title if title is not None else f"{surface.name}: loss along the path")
    ax.legend(fontsize=8)
    return ax
