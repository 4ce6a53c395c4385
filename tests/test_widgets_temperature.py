"""The temperature widget, driven headlessly: move the slider, the result and the figure follow."""

from __future__ import annotations

import math

import ipywidgets as widgets
import matplotlib
import numpy as np
import pytest

from course_utils.experiments.temperature import entropy, softmax_with_temperature
from course_utils.widgets.temperature import (
    TemperatureWidget,
    plot_temperature_sweep,
    temperature_widget,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py

SCORES = np.array([2.0, -1.0, 0.5, 3.0, 0.0])
NAMES = ["a", "b", "c", "d", "e"]


@pytest.fixture
def ui():
    return TemperatureWidget(SCORES, class_names=NAMES, title="one example")


def _heights(ui):
    return np.array([bar.get_height() for bar in ui.bars])


def test_widget_parts(ui):
    assert isinstance(ui.widget, widgets.VBox)
    assert isinstance(ui.slider, widgets.FloatLogSlider)
    assert ui.slider.description in ("T", "temperature")
    assert ui.slider in ui.widget.children and ui.image in ui.widget.children
    assert ui.slider.value == pytest.approx(1.0)
    assert ui.image.value[:4] == b"\x89PNG"


def test_initial_result_is_the_softmax_at_T_1(ui):
    result = ui.last_result
    assert result["temperature"] == pytest.approx(1.0)
    np.testing.assert_allclose(result["probabilities"], softmax_with_temperature(SCORES, 1.0))
    assert result["entropy"] == pytest.approx(entropy(result["probabilities"]))
    assert result["max_entropy"] == pytest.approx(math.log(5))
    np.testing.assert_allclose(_heights(ui), result["probabilities"])


def test_moving_the_slider_updates_result_figure_and_text(ui):
    before = dict(ui.last_result)
    title_before, image_before = ui.ax.get_title(), ui.image.value
    ui.slider.value = 0.05
    after = ui.last_result
    assert after["temperature"] == pytest.approx(0.05, rel=0.02)
    assert after["entropy"] < before["entropy"]
    np.testing.assert_allclose(
        after["probabilities"], softmax_with_temperature(SCORES, ui.slider.value)
    )
    assert after["probabilities"][3] > 0.99  # the argmax, class "d"
    np.testing.assert_allclose(_heights(ui), after["probabilities"])
    assert ui.ax.get_title() != title_before
    assert f"{after['entropy']:.3f}" in ui.ax.get_title()
    assert "entropy" in ui.ax.get_title() and "entropy" in ui.status.value
    assert ui.image.value != image_before


def test_high_temperature_is_nearly_uniform(ui):
    ui.slider.value = 100.0
    result = ui.last_result
    assert result["entropy"] == pytest.approx(math.log(5), rel=1e-3)
    np.testing.assert_allclose(result["probabilities"], 0.2, atol=0.01)


def test_update_returns_the_new_result(ui):
    result = ui.update(2.0)
    assert result is ui.last_result and result["temperature"] == 2.0


def test_factory_and_argument_checks():
    ui = temperature_widget([0.0, 1.0], value=1e6, T_min=0.1, T_max=10.0)
    assert ui.slider.value == pytest.approx(10.0)  # clipped into the range
    assert ui.class_names == ["0", "1"]
    with pytest.raises(ValueError, match="class names"):
        TemperatureWidget(SCORES, class_names=["x", "y"])
    with pytest.raises(ValueError, match="T_min"):
        TemperatureWidget(SCORES, T_min=1.0, T_max=0.5)
    with pytest.raises(ValueError, match="two classes"):
        TemperatureWidget([1.0])


def test_static_sweep_plot():
    temperatures = (0.1, 1.0, 10.0)
    fig, probs, entropies = plot_temperature_sweep(
        SCORES, temperatures, class_names=NAMES, title="sweep"
    )
    try:
        assert probs.shape == (3, 5) and entropies.shape == (3,)
        assert np.all(np.diff(entropies) > 0)
        bar_ax, h_ax = fig.axes
        for ax in (bar_ax, h_ax):
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
        assert len(bar_ax.patches) == 15  # 3 temperatures x 5 classes
        assert h_ax.get_xscale() == "log"
    finally:
        plt.close(fig)
