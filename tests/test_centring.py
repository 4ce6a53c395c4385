"""Centring before descent (01): the two problems, their conditioning, the toggle widget."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.classifiers import least_squares as ls  # noqa: E402
from course_utils.experiments.centring import (  # noqa: E402
    CENTRED,
    RAW,
    STANDARDISED,
    centring_variants,
    feature_shift_scale,
    hessian_spectrum,
    line_design,
    same_line_start,
)
from course_utils.plots.least_squares import compare_centring  # noqa: E402
from course_utils.widgets.learning_rate import LearningRateWidget  # noqa: E402

pytestmark = pytest.mark.numerics


def _flats(seed):
    """Areas / 100 m^2 (all positive, as in 01) and rents: (u, y)."""
    rng = np.random.default_rng(seed)
    u = rng.uniform(0.2, 1.5, size=20)
    return u, 0.3 + 1.2 * u + 0.15 * rng.standard_normal(20)


def _variants(seed):
    u, y = _flats(seed)
    return centring_variants(
        ls.loss_and_gradient, u, y, np.array([2.5, -0.5]), 50, contour_points=15
    )


@pytest.fixture(params=[0, 1, 2])
def flats(request):
    return _flats(request.param)


@pytest.fixture(params=[0, 1, 2])
def variants(request):
    return _variants(request.param)


def test_line_design_centres_and_scales_the_second_column():
    u = np.array([1.0, 2.0, 6.0])
    np.testing.assert_array_equal(line_design(u), [[1, 1], [1, 2], [1, 6]])
    np.testing.assert_allclose(line_design(u, centre=True), [[1, -2], [1, -1], [1, 3]])
    standardised = line_design(u, centre=True, scale=True)[:, 1]
    assert abs(standardised.mean()) < 1e-12 and standardised.std() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="shape"):
        line_design(np.ones((3, 1)))


def test_centring_makes_the_hessian_diagonal_and_better_conditioned(flats):
    u, _ = flats
    raw = hessian_spectrum(line_design(u))
    centred = hessian_spectrum(line_design(u, centre=True))
    standardised = hessian_spectrum(line_design(u, centre=True, scale=True))
    assert raw["condition"] > 2 * centred["condition"] > 2 * standardised["condition"]
    # diagonal Hessian diag(1, var(u)): its eigenvalues are those two numbers
    np.testing.assert_allclose(sorted(centred["eigenvalues"]), sorted([1.0, u.var()]), rtol=1e-10)
    np.testing.assert_allclose(standardised["eigenvalues"], [1.0, 1.0], rtol=1e-10)
    assert centred["lr_diverge"] > raw["lr_diverge"]


@pytest.mark.parametrize("centre, scale", [(False, False), (True, False), (True, True)])
def test_same_line_start_is_the_same_line(flats, centre, scale):
    u, _ = flats
    theta = np.array([0.7, -1.3])
    new = same_line_start(theta, *feature_shift_scale(u, centre=centre, scale=scale))
    np.testing.assert_allclose(
        line_design(u, centre=centre, scale=scale) @ new, line_design(u) @ theta
    )


def test_all_variants_start_and_end_at_the_same_line(variants):
    raw = variants[RAW]
    for other in (variants[CENTRED], variants[STANDARDISED]):
        np.testing.assert_allclose(raw["X"] @ raw["minimum"], other["X"] @ other["minimum"])
        np.testing.assert_allclose(raw["X"] @ raw["start"], other["X"] @ other["start"])


def test_centred_descent_converges_faster_at_its_best_rate(variants):
    """Each at its own best rate 2/(mu_min + mu_max): centred ends much closer to its minimum."""
    gaps = {}
    for label, v in variants.items():
        result = v["run"](v["spectrum"]["lr_best"])
        gaps[label] = np.linalg.norm(result["theta"] - v["minimum"])
    assert gaps[CENTRED] < 0.1 * gaps[RAW]
    assert gaps[STANDARDISED] < 1e-8  # a round bowl: one step of lr 1 lands on the minimum


def test_toggle_changes_the_plotted_path_and_the_note():
    variants = _variants(0)  # one problem: each redraw renders a PNG
    notes = {k: f"condition number {v['spectrum']['condition']:.0f}" for k, v in variants.items()}
    w = LearningRateWidget(
        None,
        lr_min=1e-3,
        lr_max=3.0,
        value=0.5,
        variants={k: {**v, "note": notes[k]} for k, v in variants.items()},
    )
    assert w.toggle is not None and w.widget.children[0] is w.toggle
    assert w.last_result["variant"] == RAW and notes[RAW] in w.status.value
    raw_path, raw_image = w.path_line.get_xydata().copy(), w.image.value
    w.toggle.value = CENTRED  # as a click does
    assert w.last_result["variant"] == CENTRED and notes[CENTRED] in w.status.value
    np.testing.assert_allclose(w.path_line.get_xydata(), w.last_result["path"])
    assert not np.allclose(w.path_line.get_xydata()[1:], raw_path[1:])
    assert w.image.value != raw_image
    assert CENTRED in w.figure.texts[0].get_text()  # the title names the variant
    w.slider.value = 1.0  # the slider reruns the current variant
    assert w.last_result["variant"] == CENTRED
    assert w.show_variant(RAW)["variant"] == RAW and w.toggle.value == RAW
    np.testing.assert_allclose(w.path_line.get_xydata(), variants[RAW]["run"](1.0)["path"])


def test_widget_rejects_unknown_or_incomplete_variants():
    with pytest.raises(ValueError, match="no 'run'"):
        LearningRateWidget(None, variants={"a": {"contour": None}})
    with pytest.raises(ValueError, match="run function or variants"):
        LearningRateWidget(None)
    w = LearningRateWidget(None, variants={"a": {"run": lambda lr: {"loss_history": np.ones(3)}}})
    with pytest.raises(ValueError, match="unknown variant"):
        w.show_variant("b")


def test_compare_centring_draws_both_paths(variants):
    fig, results = compare_centring(variants, 0.5)
    try:
        assert len(fig.axes) == 4
        assert set(results) == {RAW, CENTRED, STANDARDISED}
        assert "condition number" in fig.axes[0].get_title()
        assert len(fig.axes[3].get_lines()) == 3
        assert results[CENTRED]["final_loss"] < results[RAW]["final_loss"]
    finally:
        plt.close(fig)
