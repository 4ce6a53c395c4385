"""Least squares: closed form against numpy and sklearn, features, gradient, k-fold, GD."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from course_utils.assignments import GRADED
from course_utils.classifiers import least_squares as ls
from course_utils.gradcheck import eval_numerical_gradient, rel_error


def _regression_data(rng, N=40, D=4):
    X = rng.standard_normal((N, D))
    theta = rng.standard_normal(D)
    y = X @ theta + 0.1 * rng.standard_normal(N)
    return X, y


@pytest.mark.parametrize("N, D", [(10, 1), (40, 4), (100, 7)])
def test_fit_matches_lstsq(rng, N, D):
    X, y = _regression_data(rng, N, D)
    expected = np.linalg.lstsq(X, y, rcond=None)[0]
    assert rel_error(ls.fit(X, y), expected) < 1e-8


@pytest.mark.parametrize("reg", [0.0, 0.1, 3.0, 100.0])
def test_fit_matches_sklearn_ridge(rng, reg):
    X, y = _regression_data(rng)
    ridge = Ridge(alpha=reg, fit_intercept=False, solver="cholesky").fit(X, y)
    theta = ls.fit(X, y, reg=reg)
    assert theta.shape == (4,)
    np.testing.assert_allclose(theta, ridge.coef_, rtol=1e-8, atol=1e-10)


def test_ridge_shrinks_coefficients(rng):
    X, y = _regression_data(rng)
    norms = [np.linalg.norm(ls.fit(X, y, reg=r)) for r in (0.0, 1.0, 10.0, 100.0)]
    assert all(a > b for a, b in zip(norms, norms[1:]))


def test_fit_uses_solve_not_inv(monkeypatch, rng):
    X, y = _regression_data(rng)

    def forbidden(*args, **kwargs):
        raise AssertionError("np.linalg.inv must not be used")

    monkeypatch.setattr(np.linalg, "inv", forbidden)
    assert ls.fit(X, y, reg=0.5).shape == (4,)


@pytest.mark.parametrize("shape", [(5,), (5, 1)])
def test_polynomial_features(shape):
    x = np.array([-2.0, -0.5, 0.0, 1.0, 3.0]).reshape(shape)
    X = ls.polynomial_features(x, 3)
    expected = np.vander(x.reshape(-1), 4, increasing=True)
    assert X.shape == (5, 4)
    assert X.dtype == np.float64
    np.testing.assert_allclose(X, expected)
    np.testing.assert_array_equal(ls.polynomial_features(x, 0), np.ones((5, 1)))


def test_polynomial_features_integer_input_and_bad_shape():
    X = ls.polynomial_features(np.arange(4), 2)
    np.testing.assert_array_equal(X[:, 2], [0.0, 1.0, 4.0, 9.0])
    with pytest.raises(ValueError):
        ls.polynomial_features(np.ones((3, 2)), 2)


def test_polynomial_fit_recovers_cubic(rng):
    x = rng.uniform(-1, 1, 50)
    coef = np.array([0.5, -1.0, 2.0, 0.7])
    y = ls.polynomial_features(x, 3) @ coef
    np.testing.assert_allclose(ls.fit(ls.polynomial_features(x, 3), y), coef, atol=1e-9)


@pytest.mark.parametrize("N, D", [(7, 2), (30, 5)])
def test_loss_and_gradient(rng, N, D):
    X, y = _regression_data(rng, N, D)
    theta = rng.standard_normal(D)
    loss, grad = ls.loss_and_gradient(theta, X, y)
    assert loss == pytest.approx(np.sum((y - X @ theta) ** 2) / (2 * N), rel=1e-12)
    assert grad.shape == (D,)
    num = eval_numerical_gradient(lambda t: ls.loss_and_gradient(t, X, y)[0], theta, False)
    assert rel_error(grad, num) < 1e-7


def test_loss_gradient_vanishes_at_least_squares_solution(rng):
    X, y = _regression_data(rng)
    _, grad = ls.loss_and_gradient(ls.fit(X, y), X, y)
    assert np.max(np.abs(grad)) < 1e-12


def test_predict(rng):
    X, y = _regression_data(rng)
    theta = ls.fit(X, y)
    np.testing.assert_allclose(ls.predict(theta, X), X @ theta)


def test_kfold_deterministic_and_seed_dependent(rng):
    x = rng.uniform(-1, 1, 37)
    y = np.sin(3 * x) + 0.1 * rng.standard_normal(37)
    a = ls.kfold_cross_validation(x, y, degree=3, reg=1e-3, k=5, seed=0)
    b = ls.kfold_cross_validation(x, y, degree=3, reg=1e-3, k=5, seed=0)
    c = ls.kfold_cross_validation(x, y, degree=3, reg=1e-3, k=5, seed=1)
    assert isinstance(a, float)
    assert a == b
    assert a != c


def test_kfold_matches_manual_folds(rng):
    x = rng.uniform(-1, 1, 20)
    y = x**2 + 0.05 * rng.standard_normal(20)
    folds = np.array_split(np.random.default_rng(3).permutation(20), 4)
    errors = []
    for i, val in enumerate(folds):
        train = np.concatenate([f for j, f in enumerate(folds) if j != i])
        X_train = np.vander(x[train], 3, increasing=True)
        ridge = Ridge(alpha=0.5, fit_intercept=False, solver="cholesky").fit(X_train, y[train])
        pred = ridge.predict(np.vander(x[val], 3, increasing=True))
        errors.append(np.mean((y[val] - pred) ** 2))
    got = ls.kfold_cross_validation(x, y, degree=2, reg=0.5, k=4, seed=3)
    assert got == pytest.approx(np.mean(errors), rel=1e-9)


def test_kfold_prefers_the_true_degree(rng):
    x = rng.uniform(-1, 1, 60)
    y = 1 - 2 * x + 3 * x**2 + 0.1 * rng.standard_normal(60)
    errors = {d: ls.kfold_cross_validation(x, y, d, reg=0.0) for d in (0, 1, 2)}
    assert errors[2] < errors[1] < errors[0]


def test_gradient_descent_converges(rng):
    X, y = _regression_data(rng)
    theta, losses, path = ls.gradient_descent(X, y, learning_rate=0.5, num_steps=200)
    assert losses.shape == (201,) and path.shape == (201, 4)
    np.testing.assert_array_equal(path[0], np.zeros(4))
    np.testing.assert_array_equal(path[-1], theta)
    assert losses[-1] == pytest.approx(ls.loss_and_gradient(theta, X, y)[0])
    assert np.all(np.diff(losses) <= 1e-15)
    np.testing.assert_allclose(theta, ls.fit(X, y), atol=1e-6)


def test_gradient_descent_steps_and_divergence(rng):
    X, y = _regression_data(rng, N=20, D=2)
    theta0 = np.array([1.0, -1.0])
    theta, losses, path = ls.gradient_descent(X, y, 0.1, 1, theta0=theta0)
    _, grad = ls.loss_and_gradient(theta0, X, y)
    np.testing.assert_allclose(theta, theta0 - 0.1 * grad)
    np.testing.assert_array_equal(theta0, [1.0, -1.0])  # not modified
    # Too large a step diverges, silently (warnings are errors under -W error).
    _, losses, _ = ls.gradient_descent(X, y, 50.0, 30)
    assert losses[-1] > 1e6 * losses[0] or not np.isfinite(losses[-1])


def test_graded_tags():
    for name in ("polynomial_features", "fit", "loss_and_gradient", "kfold_cross_validation"):
        assert GRADED[f"course_utils.classifiers.least_squares.{name}"] == "01_least_squares"
    assert "course_utils.classifiers.least_squares.gradient_descent" not in GRADED


def test_gradient_descent_takes_the_loss_function_it_is_given():
    """In a student bundle loss_and_gradient is a stub: the student's own must be usable."""
    from course_utils.classifiers.least_squares import gradient_descent, loss_and_gradient

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    calls = []

    def counted(theta, X, y):
        calls.append(1)
        return loss_and_gradient(theta, X, y)

    theta, history, _ = gradient_descent(X, y, 0.1, 5, loss_fn=counted)
    reference, ref_history, _ = gradient_descent(X, y, 0.1, 5)
    assert len(calls) >= 5
    np.testing.assert_allclose(theta, reference)
    np.testing.assert_allclose(history, ref_history)
