"""Learning-rate widget: descent logic, the divergence rule, the widget driven headlessly."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.classifiers import least_squares as ls  # noqa: E402
from course_utils.widgets.learning_rate import (  # noqa: E402
    LearningRateWidget,
    compare_learning_rates,
    descent_summary,
    gradient_descent_trace,
    learning_rate_widget,
    loss_contour,
)

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py


@pytest.fixture
def problem(rng):
    """A two-parameter least-squares problem: (X, y, loss_and_grad)."""
    x = rng.uniform(0.2, 1.5, size=30)
    X = np.stack([np.ones_like(x), x], axis=1)  # (30, 2)
    y = 0.5 + 2.0 * x + 0.1 * rng.standard_normal(30)
    return X, y, lambda theta: ls.loss_and_gradient(theta, X, y)


def _run(loss_and_grad, num_steps=40):
    start = np.array([-1.0, -1.0])
    return lambda lr: gradient_descent_trace(loss_and_grad, start, lr, num_steps)


@pytest.mark.parametrize("lr", [1e-3, 0.1, 1.0])
def test_trace_matches_least_squares_gradient_descent(problem, lr):
    X, y, loss_and_grad = problem
    theta0 = np.array([0.3, -0.7])
    result = gradient_descent_trace(loss_and_grad, theta0, lr, 25)
    theta, losses, path = ls.gradient_descent(X, y, lr, 25, theta0=theta0)
    np.testing.assert_allclose(result["loss_history"], losses, rtol=1e-12)
    np.testing.assert_allclose(result["path"], path, rtol=1e-12)
    np.testing.assert_allclose(result["theta"], theta, rtol=1e-12)
    assert result["path"].shape == (26, 2)


def test_trace_stops_at_the_first_non_finite_loss():
    # loss = theta^2 / 2 reaches inf quickly at lr = 1e10: 1 -> -1e10 -> 1e20 ...
    result = gradient_descent_trace(lambda t: (0.5 * float(t @ t), t), np.ones(1), 1e10, 100)
    losses = result["loss_history"]
    assert 2 < losses.size < 101
    assert not np.isfinite(losses[-1]) and np.all(np.isfinite(losses[:-1]))
    assert result["path"].shape == (losses.size, 1)


def test_trace_with_zero_steps_is_the_start(problem):
    result = gradient_descent_trace(problem[2], np.array([1.0, 2.0]), 0.1, 0)
    assert result["loss_history"].shape == (1,)
    np.testing.assert_array_equal(result["theta"], [1.0, 2.0])


@pytest.mark.parametrize(
    "losses, finite_steps, diverged",
    [
        ([4.0, 2.0, 1.0, 0.5], 4, False),
        ([4.0, 3.0, 5.0, 3.5], 4, False),  # oscillates, never grows past 2x
        ([4.0, 9.0, 20.0, 50.0], 4, True),  # grows: diverged although finite
        ([4.0, 9.0, np.inf, np.nan], 2, True),
        ([np.nan], 0, True),
    ],
)
def test_descent_summary(losses, finite_steps, diverged):
    summary = descent_summary(np.array(losses))
    assert summary["finite_steps"] == finite_steps
    assert summary["diverged"] is diverged
    if finite_steps:
        assert summary["final_loss"] == losses[finite_steps - 1]
    else:
        assert np.isnan(summary["final_loss"])


def test_widget_reruns_and_redraws_on_slider_change(problem):
    contour = loss_contour(lambda t: problem[2](t)[0], (-2, 3), (-2, 4), num=20)
    w = learning_rate_widget(
        _run(problem[2]),
        lr_min=1e-3,
        lr_max=10.0,
        value=0.01,
        title="least squares",
        contour=contour,
    )
    assert isinstance(w, LearningRateWidget)
    assert w.widget.children[0] is w.slider
    assert w.slider.value == pytest.approx(0.01)
    before = w.last_result
    loss_y, path_x = w.loss_line.get_ydata().copy(), w.path_line.get_xdata().copy()
    image = w.image.value
    w.slider.value = 0.5
    after = w.last_result
    assert after is not before
    assert after["learning_rate"] == pytest.approx(0.5)
    assert after["loss_history"][-1] < before["loss_history"][-1]
    assert not np.array_equal(w.loss_line.get_ydata(), loss_y)
    assert not np.array_equal(w.path_line.get_xdata(), path_x)
    np.testing.assert_allclose(w.path_line.get_xdata(), after["path"][:, 0])
    assert w.image.value != image
    assert "diverged" not in w.loss_ax.get_title()
    assert w.loss_ax.get_yscale() == "log"


def test_widget_shows_divergence_gracefully(problem):
    w = LearningRateWidget(_run(problem[2], num_steps=200), lr_min=1e-3, lr_max=1e3, value=0.1)
    w.slider.value = 500.0  # far above 2 / largest Hessian eigenvalue
    result = w.last_result
    assert result["diverged"]
    assert "diverged" in w.loss_ax.get_title()
    assert "diverged" in w.status.value
    n = result["finite_steps"]
    assert n < result["loss_history"].size  # the losses overflowed to inf
    assert 2 <= len(w.loss_line.get_ydata()) <= n  # drawn up to the overflow
    assert np.all(np.isfinite(w.loss_line.get_ydata()))
    assert np.all(np.isfinite(w.path_line.get_xydata()))
    w.update(0.1)  # and it recovers
    assert not w.last_result["diverged"]
    assert "diverged" not in w.loss_ax.get_title()


def test_widget_without_path_and_nan_losses():
    def run(lr):
        losses = np.array([3.0, 2.0, 1.0, 0.5]) if lr < 1 else np.array([3.0, 7.0, np.nan, 1.0])
        return {"loss_history": losses}

    w = LearningRateWidget(run, value=0.1)
    assert w.path_ax is None
    assert list(w.loss_line.get_ydata()) == [3.0, 2.0, 1.0, 0.5]
    w.slider.value = 2.0
    assert list(w.loss_line.get_ydata()) == [3.0, 7.0]
    assert w.last_result["diverged"] and "diverged" in w.loss_ax.get_title()


def test_widget_rejects_a_bad_range():
    with pytest.raises(ValueError, match="lr_min"):
        LearningRateWidget(lambda lr: {"loss_history": np.ones(2)}, lr_min=1.0, lr_max=0.1)


def test_compare_learning_rates(problem):
    contour = loss_contour(
        lambda t: problem[2](t)[0], (-2, 3), (-2, 4), num=15, minimum=ls.fit(*problem[:2])
    )
    fig, results = compare_learning_rates(_run(problem[2]), (0.01, 1.0, 50.0), contour=contour)
    try:
        axes = np.array(fig.axes).reshape(2, 3)
        assert [r["diverged"] for r in results] == [False, False, True]
        assert "diverged" in axes[0, 2].get_title()
        assert "diverged" not in axes[0, 1].get_title()
        assert axes[1, 0].get_xlim() == (-2, 3)  # contour limits kept under a divergent path
        assert axes[1, 2].get_xlim() == (-2, 3)
        assert results[1]["final_loss"] < results[0]["final_loss"]
    finally:
        plt.close(fig)
