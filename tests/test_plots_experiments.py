"""Tests of course_utils.plots.experiments (headless, Agg backend)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from course_utils.plots.experiments import (  # noqa: E402
    plot_accuracy_bars,
    plot_sweep,
    show_image_grid,
)


def test_sweep_draws_one_labelled_line_per_variant():
    fig, ax = plt.subplots()
    try:
        curves = {"plain": [0.1, 0.5, 0.2], "batchnorm": [0.6, 0.7, 0.7]}
        plot_sweep(ax, [1e-3, 1e-2, 1e-1], curves, "weight scale", "accuracy", "Sweep")
        assert ax.get_xscale() == "log" and ax.get_title() == "Sweep"
        assert ax.get_xlabel() == "weight scale" and ax.get_ylabel() == "accuracy"
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == ["plain", "batchnorm"]
        np.testing.assert_allclose(lines[0].get_ydata(), [0.1, 0.5, 0.2])
    finally:
        plt.close(fig)


def test_bars_show_the_gap():
    fig, ax = plt.subplots()
    try:
        plot_accuracy_bars(ax, {"base": (1.0, 0.7), "drop": (0.9, 0.8)}, "Gap")
        assert len(ax.patches) == 4 and ax.get_ylabel() == "accuracy"
        heights = sorted(p.get_height() for p in ax.patches)
        np.testing.assert_allclose(heights, [0.7, 0.8, 0.9, 1.0])
        assert [t.get_text() for t in ax.texts] == ["gap 0.30", "gap 0.10"]
    finally:
        plt.close(fig)


def test_image_grid_shapes_and_labels(rng):
    rows = {"original": rng.random((4, 8, 8, 1)), "shifted": rng.random((4, 8, 8))}
    fig, axes = show_image_grid(rows, "Digits")
    try:
        assert axes.shape == (2, 4) and fig._suptitle.get_text() == "Digits"
        assert axes[1, 0].get_ylabel() == "shifted"
        np.testing.assert_allclose(
            axes[0, 1].get_images()[0].get_array(), rows["original"][1, ..., 0]
        )
    finally:
        plt.close(fig)
