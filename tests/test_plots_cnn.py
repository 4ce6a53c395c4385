"""The filter grid drawn by the convolution notebook (course_utils.plots.cnn)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.plots.cnn import filter_grid, show_filters  # noqa: E402


def test_grey_filters_are_tiled_rescaled_and_separated(rng):
    w = rng.normal(size=(5, 1, 3, 4))
    grid = filter_grid(w, padding=1)
    # ceil(sqrt(5)) = 3 columns, 2 rows
    assert grid.shape == (2 * 4 - 1, 3 * 5 - 1)
    first = grid[0:3, 0:4]
    assert first.min() == pytest.approx(0.0) and first.max() == pytest.approx(1.0)
    expected = (w[0, 0] - w[0, 0].min()) / np.ptp(w[0, 0])
    np.testing.assert_allclose(first, expected)
    assert np.isnan(grid[3]).all() and np.isnan(grid[:, 4]).all()  # the gaps
    assert np.isnan(grid[4:7, 10:14]).all()  # the sixth slot is empty


def test_rgb_filters_keep_their_channels_and_constant_filters_are_grey(rng):
    w = rng.normal(size=(4, 3, 2, 2))
    w[1] = 0.7
    grid = filter_grid(w, padding=2, columns=4)
    assert grid.shape == (2, 4 * 4 - 2, 3)
    np.testing.assert_allclose(grid[:, 4:6], 0.5)
    assert np.all(grid[:, 2:4] == 1.0)  # white gaps between RGB filters


def test_filter_grid_rejects_two_channels(rng):
    with pytest.raises(ValueError):
        filter_grid(rng.normal(size=(3, 2, 3, 3)))


def test_show_filters_draws_with_title_and_labels(rng):
    fig, ax = plt.subplots()
    show_filters(rng.normal(size=(6, 1, 5, 5)), "learned filters", ax=ax)
    assert ax.get_title() == "learned filters"
    assert ax.get_xlabel() and ax.get_ylabel()
    assert ax.images[0].get_array().shape == (2 * 6 - 1, 3 * 6 - 1)
    plt.close(fig)
