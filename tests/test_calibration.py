"""experiments.calibration: reliability bins, ECE and temperature scaling (03_softmax)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.experiments.calibration import (
    calibration_report,
    expected_calibration_error,
    fit_temperature,
    nll_at_temperature,
    reliability_bins,
)
from course_utils.experiments.temperature import softmax_with_temperature
from course_utils.plots.linear import plot_reliability_diagram


def _calibrated_sample(rng, N, C, scale=2.0):
    """Scores and labels drawn from the softmax of those scores: calibrated by construction."""
    scores = rng.normal(scale=scale, size=(N, C))
    probs = softmax_with_temperature(scores)
    u = rng.uniform(size=(N, 1))
    y = np.minimum(np.sum(np.cumsum(probs, axis=1) < u, axis=1), C - 1)  # y ~ probs, row-wise
    return scores, y


def test_ece_of_a_hand_computed_example():
    # confidences 0.9, 0.9 (bin 9), 0.6, 0.55 (bin 6): bin 9 all right, bin 6 one of two right
    probs = np.array([[0.9, 0.1], [0.1, 0.9], [0.6, 0.4], [0.45, 0.55]])
    y = np.array([0, 1, 0, 0])
    bins = reliability_bins(probs, y, num_bins=10)
    assert bins["count"].tolist() == [0, 0, 0, 0, 0, 2, 0, 0, 2, 0]
    np.testing.assert_allclose(bins["confidence"][[5, 8]], [0.575, 0.9])
    np.testing.assert_allclose(bins["accuracy"][[5, 8]], [0.5, 1.0])
    assert np.isnan(bins["accuracy"][0])
    # (2/4) |0.5 - 0.575| + (2/4) |1 - 0.9| = 0.0375 + 0.05
    assert expected_calibration_error(probs, y, num_bins=10) == pytest.approx(0.0875, abs=1e-12)


def test_a_confidence_on_an_edge_falls_in_the_lower_bin():
    probs = np.array([[0.5, 0.5], [1.0, 0.0]])
    bins = reliability_bins(probs, np.array([0, 0]), num_bins=2)
    assert bins["count"].tolist() == [1, 1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_calibrated_classifier_has_an_ece_near_zero(seed):
    rng = np.random.default_rng(seed)
    scores, y = _calibrated_sample(rng, 10000, 4)
    ece = expected_calibration_error(softmax_with_temperature(scores), y)
    assert ece < 0.02
    # the same scores made sharper are over-confident, measurably
    over = expected_calibration_error(softmax_with_temperature(scores, 0.3), y)
    assert over > 0.1 and over > 5 * ece


@pytest.mark.parametrize("true_T", [0.4, 1.0, 3.0])
def test_fit_temperature_recovers_the_temperature_that_made_the_labels(true_T):
    rng = np.random.default_rng(3)
    logits, y = _calibrated_sample(rng, 5000, 5)
    T = fit_temperature(logits * true_T, y)  # scores that need dividing by true_T
    assert T == pytest.approx(true_T, rel=0.15)


@pytest.mark.parametrize("seed", range(5))
def test_fitting_the_temperature_never_raises_the_nll(seed):
    rng = np.random.default_rng(seed)
    scores = rng.normal(scale=rng.uniform(0.1, 10), size=(60, 3))
    y = rng.integers(0, 3, size=60)
    T = fit_temperature(scores, y)
    nll_fit = nll_at_temperature(scores, y, T)
    assert nll_fit <= nll_at_temperature(scores, y, 1.0) + 1e-12
    for other in np.geomspace(0.01, 100, 17):
        assert nll_fit <= nll_at_temperature(scores, y, other) + 1e-9


def test_nll_matches_the_softmax_loss_at_w_over_t():
    from course_utils.classifiers.linear import softmax_loss_vectorized

    rng = np.random.default_rng(0)
    W, X, y = rng.normal(size=(4, 3)), rng.normal(size=(9, 4)), rng.integers(0, 3, size=9)
    expected = softmax_loss_vectorized(W / 2.5, X, y, 0.0)[0]
    assert nll_at_temperature(X @ W, y, 2.5) == pytest.approx(expected, rel=1e-12)


def test_temperature_keeps_the_accuracy_and_the_report_agrees():
    rng = np.random.default_rng(4)
    scores, y = _calibrated_sample(rng, 500, 4, scale=1.0)
    hot, cold = calibration_report(scores, y, 1.0), calibration_report(scores, y, 0.2)
    assert hot["accuracy"] == cold["accuracy"]
    assert cold["ece"] > hot["ece"]
    assert cold["bins"]["count"].sum() == 500


@pytest.mark.parametrize(
    ("probs", "y", "match"),
    [
        (np.ones((3, 2)), np.zeros(3, dtype=int), "sum to 1"),
        (np.full((3, 2), 0.5), np.zeros(4, dtype=int), "shape"),
        (np.full((3, 2), 0.5), np.array([0, 1, 2]), "labels"),
        (np.full((3, 2), 0.5), np.array([0.0, 1.0, 1.0]), "labels"),
        (np.zeros((0, 2)), np.zeros(0, dtype=int), "no examples"),
    ],
)
def test_bad_input_gets_a_clear_error(probs, y, match):
    with pytest.raises(ValueError, match=match):
        expected_calibration_error(probs, y)


def test_bad_temperatures_and_bins_are_refused():
    probs, y = np.full((2, 2), 0.5), np.array([0, 1])
    with pytest.raises(ValueError, match="num_bins"):
        reliability_bins(probs, y, num_bins=0)
    with pytest.raises(ValueError, match="temperature"):
        nll_at_temperature(np.zeros((2, 2)), y, 0.0)
    with pytest.raises(ValueError, match="t_min"):
        fit_temperature(np.zeros((2, 2)), y, t_min=2.0, t_max=1.0)


def test_reliability_diagram_draws_one_bar_per_filled_bin():
    rng = np.random.default_rng(5)
    scores, y = _calibrated_sample(rng, 300, 3)
    report = calibration_report(scores, y, 1.0, num_bins=8)
    fig, ax = plt.subplots()
    plot_reliability_diagram(ax, report["bins"], title="t", ece=report["ece"])
    assert len(ax.patches) == int(np.sum(report["bins"]["count"] > 0))
    assert any("ECE" in text.get_text() for text in ax.get_legend().get_texts())
    plt.close(fig)
