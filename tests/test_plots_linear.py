"""course_utils.plots.linear: templates as images, grid-search heat maps, 2-D decision regions."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from course_utils.plots.linear import (
    plot_decision_regions,
    plot_grid_search,
    plot_templates,
    weights_as_images,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.mark.parametrize(("image_shape", "bias"), [((8, 8, 1), True), ((4, 4, 3), False)])
def test_weights_as_images(rng, image_shape, bias):
    D = int(np.prod(image_shape))
    W = rng.normal(size=(D + bias, 5))
    templates = weights_as_images(W, image_shape)
    assert templates.shape == (5, *image_shape)
    assert np.allclose(templates.min(axis=(1, 2, 3)), 0.0)
    assert np.allclose(templates.max(axis=(1, 2, 3)), 1.0)
    # the column of class 2 is the image of class 2, in the (H, W, C) flattening order
    order = np.argsort(W[:D, 2])
    assert np.all(np.diff(templates[2].reshape(-1)[order]) >= 0)


def test_weights_of_the_wrong_size_are_refused(rng):
    with pytest.raises(ValueError, match="rows"):
        weights_as_images(rng.normal(size=(10, 3)), (2, 2, 1))


def test_plot_templates_and_grid_search(rng):
    fig = plot_templates(rng.normal(size=(65, 4)), (8, 8, 1), ["a", "b", "c", "d"], title="t")
    assert [ax.get_title() for ax in fig.axes] == ["a", "b", "c", "d"]
    plt.close(fig)
    accuracy = np.array([[0.5, np.nan], [0.9, 0.7]])
    fig = plot_grid_search(accuracy, [1e-2, 1.0], [1e-4, 1e-1])
    ax = fig.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert "diverged" in [t.get_text() for t in ax.texts]
    plt.close(fig)


def test_plot_decision_regions_colours_by_prediction():
    X = np.array([[-1.0, 0.0], [1.0, 0.0], [1.5, 0.5]])
    y = np.array([0, 1, 1])
    calls = []

    def predict(points):
        calls.append(points.shape)
        return (points[:, 0] > 0).astype(np.int64)

    fig, ax = plt.subplots()
    plot_decision_regions(
        ax,
        predict,
        X,
        y,
        title="regions",
        highlight=np.array([True, False, False]),
        highlight_label="inside the margin",
        resolution=30,
    )
    assert calls == [(900, 2)]
    assert ax.get_title() == "regions" and ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_legend() is not None
    plt.close(fig)
