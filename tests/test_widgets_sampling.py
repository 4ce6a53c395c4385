"""The temperature sampling widget, driven headlessly, and its static twin."""

from __future__ import annotations

import html

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.data import CharVocab  # noqa: E402
from course_utils.experiments.temperature import softmax_with_temperature  # noqa: E402
from course_utils.widgets.sampling import (  # noqa: E402
    SamplingWidget,
    compare_temperatures,
    hard_wrap,
    sampling_widget,
)

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py

VOCAB = CharVocab("ab \ncdefg")


def bigram_model(seed=0):
    scores = 2.0 * np.random.default_rng(seed).normal(size=(VOCAB.size, VOCAB.size))

    def step_fn(char_id, state):
        return scores[char_id], state + 1

    return step_fn, scores


def _heights(w):
    return np.array([bar.get_height() for bar in w.bars])


def test_slider_change_regenerates_text_and_redraws():
    step_fn, scores = bigram_model()
    w = SamplingWidget(step_fn, 0, VOCAB, "ab", length=120, seed=3, value=1.0, top_k=5)
    first = dict(w.last_result)
    heights, image = _heights(w), w.image.value
    assert len(first["text"]) == 120 and first["temperature"] == pytest.approx(1.0)
    w.slider.value = 0.1
    second = w.last_result
    assert second["temperature"] == pytest.approx(w.slider.value)
    assert second["text"] != first["text"]
    assert second["entropy"] < first["entropy"]
    assert second["distinct_4grams"] < first["distinct_4grams"]
    expected = softmax_with_temperature(scores[VOCAB.encode("b")[0]], w.slider.value)
    np.testing.assert_allclose(second["probabilities"], expected)
    assert not np.allclose(_heights(w), heights)
    assert w.image.value != image
    assert html.escape(second["text"]) in w.text.value


def test_same_temperature_same_text():
    step_fn, _ = bigram_model()
    a = sampling_widget(step_fn, 0, VOCAB, "a", length=50, seed=1)
    b = SamplingWidget(step_fn, 0, VOCAB, "a", length=50, seed=1)
    assert a.last_result["text"] == b.last_result["text"]
    assert a.widget.children == (a.slider, a.status, a.image, a.text)


def test_invalid_range():
    step_fn, _ = bigram_model()
    with pytest.raises(ValueError):
        SamplingWidget(step_fn, 0, VOCAB, "a", T_min=2.0, T_max=1.0)


def test_compare_temperatures_static_plot():
    step_fn, _ = bigram_model()
    fig, samples = compare_temperatures(step_fn, 0, VOCAB, "ab", (0.2, 1.0, 3.0), length=80)
    try:
        assert list(samples) == [0.2, 1.0, 3.0]
        assert all(len(t) == 80 for t in samples.values())
        assert len(fig.axes) == 4  # the distributions, then one text panel per temperature
        assert all(ax.get_title() for ax in fig.axes)
        assert fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel()
    finally:
        plt.close(fig)


def test_hard_wrap_keeps_spaces():
    assert hard_wrap("abcdef\n  gh", 4, 10) == "abcd\nef\n  gh"
    assert hard_wrap("a\n\nb", 4, 2) == "a\n"
