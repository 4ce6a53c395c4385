"""Polar change of basis for two rings (01): linear fails in (x1, x2), succeeds in (r, phi)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.experiments.polar import polar_features, ring_accuracies, two_rings  # noqa: E402
from course_utils.plots.least_squares import plot_polar_change  # noqa: E402

pytestmark = pytest.mark.numerics


def test_two_rings_shapes_and_radii():
    X, y = two_rings(101, radii=(1.0, 3.0), noise=0.1, seed=4)
    assert X.shape == (101, 2) and y.shape == (101,)
    assert np.sum(y == 0) == 50 and np.sum(y == 1) == 51
    r = np.hypot(X[:, 0], X[:, 1])
    assert abs(r[y == 0].mean() - 1.0) < 0.1 and abs(r[y == 1].mean() - 3.0) < 0.1


def test_polar_features_round_trip():
    X = np.array([[1.0, 0.0], [0.0, 2.0], [-3.0, -4.0]])
    P = polar_features(X)
    np.testing.assert_allclose(P[:, 0], [1.0, 2.0, 5.0])
    np.testing.assert_allclose(
        P[:, 0, None] * np.stack([np.cos(P[:, 1]), np.sin(P[:, 1])], 1), X, atol=1e-12
    )
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        polar_features(np.ones((3, 3)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linear_fails_in_cartesian_and_succeeds_in_polar(seed):
    acc = ring_accuracies(seed)
    assert acc["cartesian"] < 0.7  # no line separates concentric rings: near chance
    assert acc["polar"] > 0.95  # a threshold on r does


def test_polar_figure():
    acc = ring_accuracies(0)
    X, y = two_rings(200, seed=0)
    fig = plot_polar_change(X, y, acc["theta_cartesian"], acc["theta_polar"], acc)
    try:
        assert len(fig.axes) == 3
        assert f"{acc['polar']:.0%}" in fig.axes[1].get_title()
    finally:
        plt.close(fig)
