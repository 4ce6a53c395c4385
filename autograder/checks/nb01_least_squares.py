"""What 01_least_squares grades: polynomial features, the ridge fit, the squared loss and
its gradient, and k-fold cross-validation."""

from __future__ import annotations

import numpy as np

from autograder.spec import Check, call, case
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


CHECKS = [
    Check(
        grade_id="test_polynomial_features",
        function="polynomial_features",
        reference={"polynomial_features": polynomial_features},
        cases=_features_cases,
        tol=1e-10,
        names={"s0.out": "the design matrix"},
    ),
    Check(
        grade_id="test_loss_and_gradient",
        function="loss_and_gradient",
        reference={"loss_and_gradient": loss_and_gradient},
        cases=_loss_cases,
        tol=1e-8,
        names={"s0.out.0": "the loss", "s0.out.1": "the gradient"},
    ),
    Check(
        grade_id="test_fit",
        function="fit",
        reference={"fit": fit},
        cases=_fit_cases,
        tol=1e-6,
        names={"s0.out": "theta"},
    ),
    Check(
        grade_id="test_kfold_cross_validation",
        function="kfold_cross_validation",
        reference={"kfold_cross_validation": kfold_cross_validation},
        cases=_kfold_cases,
        tol=1e-6,
        names={"s0.out": "the cross-validation error"},
    ),
]
