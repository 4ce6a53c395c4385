"""What 01_least_squares grades: polynomial features, the ridge fit, the squared loss and
its gradient, and k-fold cross-validation."""

from __future__ import annotations

import numpy as np

from autograder.spec import Check, alternatives, call, case
from course_utils.classifiers.least_squares import (
    fit,
    kfold_cross_validation,
    loss_and_gradient,
    polynomial_features,
)


def _features_cases(rng: np.random.Generator):
    n = int(rng.integers(8, 20))
    return [
        case("inputs in [-1, 1], degree 3", call("polynomial_features", rng.uniform(-1, 1, n), 3)),
        case(
            "degree 0: only the constant column", call("polynomial_features", rng.normal(size=5), 0)
        ),
        case("degree 1", call("polynomial_features", rng.normal(size=n), 1)),
        case("inputs of shape (N, 1)", call("polynomial_features", rng.normal(size=(n, 1)), 4)),
        case("a single input, high degree", call("polynomial_features", rng.uniform(-2, 2, 1), 9)),
        case("negative inputs, odd powers", call("polynomial_features", -rng.uniform(1, 2, 6), 5)),
    ]


def _regression(rng: np.random.Generator, N: int, D: int):
    X = rng.normal(size=(N, D))
    y = X @ rng.normal(size=D) + 0.3 * rng.normal(size=N)
    return X, y


def _fit_cases(rng: np.random.Generator):
    tall = _regression(rng, int(rng.integers(20, 40)), 4)
    ridge = _regression(rng, 15, 3)
    wide = _regression(rng, 4, 7)
    poly_x = rng.uniform(-1, 1, 25)
    poly = (polynomial_features(poly_x, 5), np.sin(3 * poly_x) + 0.1 * rng.normal(size=25))
    return [
        case("ordinary least squares (reg = 0)", call("fit", *tall)),
        case("reg left at its default", call("fit", *ridge)),
        case("ridge, small reg", call("fit", *ridge, reg=0.1)),
        case("ridge, large reg", call("fit", *ridge, 50.0)),
        case("more features than samples, ridge", call("fit", *wide, reg=1.0)),
        case("polynomial design matrix with ridge", call("fit", *poly, reg=0.01)),
        case("a single feature", call("fit", *_regression(rng, 10, 1), reg=2.0)),
    ]


def _loss_cases(rng: np.random.Generator):
    def args(N, D, scale=1.0):
        return rng.normal(size=D) * scale, rng.normal(size=(N, D)), rng.normal(size=N)

    X, y = _regression(rng, 12, 3)
    near_fit = fit(X, y) + 0.05 * rng.normal(size=3)
    return [
        case("a tall problem", call("loss_and_gradient", *args(int(rng.integers(20, 40)), 4))),
        case("a single sample", call("loss_and_gradient", *args(1, 3))),
        case("a single feature", call("loss_and_gradient", *args(9, 1))),
        case("far from the minimum", call("loss_and_gradient", *args(15, 5, scale=100.0))),
        case("more features than samples", call("loss_and_gradient", *args(3, 6))),
        case("close to the least-squares solution", call("loss_and_gradient", near_fit, X, y)),
    ]


def _kfold_cases(rng: np.random.Generator):
    def data(N):
        x = rng.uniform(-1, 1, N)
        return x, x**3 - x + 0.2 * rng.normal(size=N)

    seed = int(rng.integers(0, 1000))
    return [
        case(
            "5 folds, degree 2", call("kfold_cross_validation", *data(30), 2, 0.0, k=5, seed=seed)
        ),
        case(
            "folds of unequal sizes",
            call("kfold_cross_validation", *data(23), 3, 1e-3, k=4, seed=seed + 1),
        ),
        case("defaults for k and seed", call("kfold_cross_validation", *data(20), 1, 0.1)),
        case("leave-one-out", call("kfold_cross_validation", *data(8), 1, 0.5, k=8, seed=seed)),
        case("two folds, strong ridge", call("kfold_cross_validation", *data(16), 4, 10.0, 2, 3)),
        case(
            "inputs of shape (N, 1)",
            call(
                "kfold_cross_validation",
                rng.uniform(-1, 1, (18, 1)),
                rng.normal(size=18),
                2,
                0.01,
                k=3,
                seed=seed,
            ),
        ),
    ]


# The known mistakes: what a student's wrong output most likely comes from
# (tests/mutants grades each one as a mutant too).


def vander_decreasing(x, degree):
    """np.vander's default column order: x^degree first, the constant last."""
    return np.vander(np.asarray(x, dtype=np.float64).reshape(-1), degree + 1)


def features_without_constant(x, degree):
    """Columns x, ..., x^degree: the column of ones is missing."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    return np.stack([x**p for p in range(1, degree + 1)], axis=1).reshape(len(x), degree)


def features_one_short(x, degree):
    """range(degree) instead of range(degree + 1): x^degree is missing."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    return np.stack([x**p for p in range(max(degree, 1))], axis=1)


def features_no_reshape(x, degree):
    """Right for (N,) inputs; broadcasts an (N, 1) input into a 3-D array."""
    x = np.asarray(x, dtype=np.float64)
    return x[..., None] ** np.arange(degree + 1)


def loss_without_half(theta, X, y):
    """Mean squared error without the 1/2 (the gradient is the one of the halved loss)."""
    residual = y - X @ theta
    return float(residual @ residual) / X.shape[0], -(X.T @ residual) / X.shape[0]


def gradient_sign_flipped(theta, X, y):
    """X^T (y - X theta) / N: the sign of the gradient is lost."""
    residual = y - X @ theta
    return float(residual @ residual) / (2 * X.shape[0]), (X.T @ residual) / X.shape[0]


def gradient_without_mean(theta, X, y):
    """The gradient of the summed loss: the 1/N is forgotten in the gradient."""
    residual = y - X @ theta
    return float(residual @ residual) / (2 * X.shape[0]), -(X.T @ residual)


def loss_mean_over_features(theta, X, y):
    """Divides by the number of features D instead of the number of samples N."""
    residual = y - X @ theta
    D = X.shape[1]
    return float(residual @ residual) / (2 * D), -(X.T @ residual) / D


def fit_ignores_reg(X, y, reg=0.0):
    """Ordinary least squares whatever reg is."""
    return np.linalg.solve(X.T @ X, X.T @ y)


def fit_intercept_not_regularized(X, y, reg=0.0):
    """Leaves the first coefficient out of the penalty (the docstring asks for all of them)."""
    penalty = reg * np.eye(X.shape[1])
    penalty[0, 0] = 0.0
    return np.linalg.lstsq(X.T @ X + penalty, X.T @ y, rcond=None)[0]


def fit_reg_times_n(X, y, reg=0.0):
    """Scales the penalty by N, as if the loss were the mean squared error plus reg ||theta||^2."""
    return np.linalg.solve(X.T @ X + reg * X.shape[0] * np.eye(X.shape[1]), X.T @ y)


def fit_half_reg(X, y, reg=0.0):
    """reg / 2 on the diagonal: the factor of the penalty's derivative is lost."""
    return np.linalg.solve(X.T @ X + 0.5 * reg * np.eye(X.shape[1]), X.T @ y)


def _kfold(x, y, degree, reg, k, folds, score):
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    errors = []
    for i in range(k):
        val = folds[i]
        train = np.concatenate([folds[j] for j in range(k) if j != i])
        theta = fit(polynomial_features(x[train], degree), y[train], reg)
        errors.append(score(x, y, train, val, theta, degree))
    return float(np.mean(errors))


def _val_mse(x, y, train, val, theta, degree):
    return np.mean((y[val] - polynomial_features(x[val], degree) @ theta) ** 2)


def kfold_no_shuffle(x, y, degree, reg, k=5, seed=0):
    """Contiguous folds in the input order: the seed is ignored."""
    N = np.asarray(x).reshape(-1).shape[0]
    return _kfold(x, y, degree, reg, k, np.array_split(np.arange(N), k), _val_mse)


def kfold_training_error(x, y, degree, reg, k=5, seed=0):
    """Scores each fold's model on its own training folds."""

    def train_mse(x, y, train, val, theta, degree):
        return np.mean((y[train] - polynomial_features(x[train], degree) @ theta) ** 2)

    N = np.asarray(x).reshape(-1).shape[0]
    folds = np.array_split(np.random.default_rng(seed).permutation(N), k)
    return _kfold(x, y, degree, reg, k, folds, train_mse)


def kfold_halved_error(x, y, degree, reg, k=5, seed=0):
    """Scores folds with the 1/2 of loss_and_gradient (half the asked mean squared error)."""
    N = np.asarray(x).reshape(-1).shape[0]
    folds = np.array_split(np.random.default_rng(seed).permutation(N), k)
    return 0.5 * _kfold(x, y, degree, reg, k, folds, _val_mse)


def kfold_pooled_error(x, y, degree, reg, k=5, seed=0):
    """Averages the squared errors of all held-out samples, not the k fold errors."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    folds = np.array_split(np.random.default_rng(seed).permutation(x.shape[0]), k)
    squared = []
    for i in range(k):
        train = np.concatenate([folds[j] for j in range(k) if j != i])
        theta = fit(polynomial_features(x[train], degree), y[train], reg)
        squared.append((y[folds[i]] - polynomial_features(x[folds[i]], degree) @ theta) ** 2)
    return float(np.mean(np.concatenate(squared)))


#: per graded function, (what the mistake is, an implementation that makes it)
MISTAKES = {
    "polynomial_features": [
        (
            "the powers in decreasing order (np.vander's default): the constant comes first",
            vander_decreasing,
        ),
        ("the column of ones (x^0) is missing", features_without_constant),
        ("x^degree is missing: the powers run from 0 to degree", features_one_short),
        ("an (N, 1) input is not flattened first", features_no_reshape),
    ],
    "loss_and_gradient": [
        ("the loss without its 1/2", loss_without_half),
        ("the sign of the gradient is flipped: it is X^T (X theta - y) / N", gradient_sign_flipped),
        ("the gradient without the 1/N of the mean", gradient_without_mean),
        (
            "divides by the number of features D: the mean is over the N samples",
            loss_mean_over_features,
        ),
    ],
    "fit": [
        ("reg is ignored: add reg to the diagonal of X^T X", fit_ignores_reg),
        (
            "the first coefficient is left out of the penalty: every coefficient is in it",
            fit_intercept_not_regularized,
        ),
        ("the penalty scaled by N: fit's reg is on the summed loss", fit_reg_times_n),
        ("reg / 2 on the diagonal: the derivative of reg ||theta||² is 2 reg theta", fit_half_reg),
    ],
    "kfold_cross_validation": [
        ("the folds are not shuffled with the seed", kfold_no_shuffle),
        (
            "each fold scored on its training data: score it on the held-out fold",
            kfold_training_error,
        ),
        ("the fold error halved: report the plain mean squared error", kfold_halved_error),
        ("the squared errors pooled over all folds: average the k fold errors", kfold_pooled_error),
    ],
}


CHECKS = [
    Check(
        grade_id="test_polynomial_features",
        function="polynomial_features",
        alternatives=alternatives("polynomial_features", MISTAKES),
        reference={"polynomial_features": polynomial_features},
        cases=_features_cases,
        tol=1e-10,
        names={"s0.out": "the design matrix"},
    ),
    Check(
        grade_id="test_loss_and_gradient",
        function="loss_and_gradient",
        alternatives=alternatives("loss_and_gradient", MISTAKES),
        reference={"loss_and_gradient": loss_and_gradient},
        cases=_loss_cases,
        tol=1e-8,
        names={"s0.out.0": "the loss", "s0.out.1": "the gradient"},
    ),
    Check(
        grade_id="test_fit",
        function="fit",
        alternatives=alternatives("fit", MISTAKES),
        reference={"fit": fit},
        cases=_fit_cases,
        tol=1e-6,
        names={"s0.out": "theta"},
    ),
    Check(
        grade_id="test_kfold_cross_validation",
        function="kfold_cross_validation",
        alternatives=alternatives("kfold_cross_validation", MISTAKES),
        reference={"kfold_cross_validation": kfold_cross_validation},
        cases=_kfold_cases,
        tol=1e-6,
        names={"s0.out": "the cross-validation error"},
    ),
]
