"""The k slider over kNN decision regions, driven headlessly, and its static twins."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib
import numpy as np
import pytest

from course_utils.data.synthetic import blobs
from course_utils.experiments.knn import equal_distance_variants
from course_utils.widgets.knn import KnnRegionsWidget, knn_regions_widget

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from course_utils.plots.knn import plot_equal_distance_variants, plot_knn_regions  # noqa: E402


@pytest.fixture(scope="module")
def toy():
    return blobs(n_per_class=25, centers=3, std=0.9, seed=0)


@pytest.fixture
def ui(toy):
    return knn_regions_widget(*toy, k=1, k_max=40, resolution=40)


def test_widget_parts(ui):
    assert isinstance(ui.widget, widgets.VBox)
    assert isinstance(ui.slider, widgets.IntSlider)
    assert (ui.slider.min, ui.slider.max, ui.slider.value) == (1, 40, 1)
    assert ui.metric.value == 2
    assert ui.last_result == {"k": 1, "p": 2, "train_accuracy": 1.0}
    assert ui.image.value[:4] == b"\x89PNG"


def test_slider_and_metric_redraw(ui):
    before = ui.image.value
    ui.slider.value = 25
    assert ui.last_result["k"] == 25
    assert ui.last_result["train_accuracy"] < 1.0  # overlapping blobs: k = 25 smooths
    assert ui.image.value != before
    assert "k = 25, L2" in ui.ax.get_title()
    ui.metric.value = 1
    assert ui.last_result["p"] == 1 and "L1" in ui.ax.get_title()


def test_k_max_is_capped_by_the_data(toy):
    ui = KnnRegionsWidget(toy[0][:10], toy[1][:10], k=50, k_max=100, resolution=20)
    assert ui.slider.max == 10 and ui.slider.value == 10


def test_widget_refuses_points_not_in_the_plane(toy):
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        KnnRegionsWidget(np.zeros((5, 3)), np.zeros(5, dtype=int))


def test_static_regions_figure(toy):
    fig, accuracies = plot_knn_regions(*toy, ks=(1, 5, 25), resolution=40)
    assert len(fig.axes) == 3 and accuracies[0] == 1.0
    assert [ax.get_title().split(",")[0] for ax in fig.axes] == ["k = 1", "k = 5", "k = 25"]
    plt.close(fig)


def test_equal_distance_figure_titles_show_the_distances():
    x = np.random.default_rng(0).uniform(size=64)
    variants, distances = equal_distance_variants(x, (8, 8, 1))
    fig = plot_equal_distance_variants(x, variants, distances, (8, 8, 1))
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "original" and len(titles) == 4
    for title, d in zip(titles[1:], distances.values()):
        assert f"{d:.2f}" in title
    plt.close(fig)
