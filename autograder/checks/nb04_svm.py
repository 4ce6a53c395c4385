"""What 04_svm grades: the multiclass hinge loss and its subgradient, naive and vectorized, and
the outcome task: hyperparameters that reach a validation accuracy target (``linear_outcome``:
the grader trains its reference linear SVM with them on its own split)."""

from __future__ import annotations

import numpy as np

from autograder.checks.linear_outcome import tuning_checks
from autograder.spec import Check, call, case
from course_utils.classifiers.linear import svm_loss_naive, svm_loss_vectorized


def _problem(rng, N, D, C, weight_scale=0.1):
    W = weight_scale * rng.normal(size=(D, C))  # (D, C)
    X = rng.normal(size=(N, D))  # (N, D)
    y = rng.integers(0, C, size=N)  # (N,)
    return W, X, y


def _at_the_kink(rng):
    """Integer scores: many margins s_j - s_y + 1 are exactly 0 (counted as inactive)."""
    W = rng.integers(-1, 2, size=(3, 4)).astype(np.float64)  # (3, 4)
    X = rng.integers(-1, 2, size=(14, 3)).astype(np.float64)  # (14, 3)
    y = rng.integers(0, 4, size=14)
    return W, X, y


def _all_margins_met(rng):
    """Large weights and labels = argmax of the scores: most data losses are 0."""
    W, X, _ = _problem(rng, 10, 5, 3, weight_scale=50.0)
    return W, X, np.argmax(X @ W, axis=1)


def _cases(name):
    def cases(rng: np.random.Generator):
        reg = float(rng.uniform(0.01, 0.5))
        return [
            case("a small batch", call(name, *_problem(rng, 12, 7, 4), reg)),
            case("a batch of one", call(name, *_problem(rng, 1, 5, 3), reg)),
            case("two classes", call(name, *_problem(rng, 9, 4, 2), reg)),
            case("no regularisation", call(name, *_problem(rng, 10, 6, 5), 0.0)),
            case("many classes, strong regularisation", call(name, *_problem(rng, 8, 3, 15), 2.0)),
            case("large scores", call(name, *_problem(rng, 7, 5, 4, weight_scale=500.0), reg)),
            case("margins exactly at the kink", call(name, *_at_the_kink(rng), reg)),
            case("most margins already met", call(name, *_all_margins_met(rng), reg)),
        ]

    return cases


LOSS_NAMES = {"s0.out.0": "the loss", "s0.out.1": "dW"}
#: the solution's search on digits picks learning rate 5, reg 1e-4 (96 % on the grader's split)
REFERENCE_CHOICE = (5.0, 1e-4)
#: one point at 90 % validation accuracy on the grader's split, one more at 94 % (the target)
TUNING_THRESHOLDS = (0.90, 0.94)

CHECKS = [
    Check(
        grade_id="test_svm_loss_naive",
        function="svm_loss_naive",
        reference={"svm_loss_naive": svm_loss_naive},
        cases=_cases("svm_loss_naive"),
        tol=1e-7,
        names=LOSS_NAMES,
    ),
    Check(
        grade_id="test_svm_loss_vectorized",
        function="svm_loss_vectorized",
        reference={"svm_loss_vectorized": svm_loss_vectorized},
        cases=_cases("svm_loss_vectorized"),
        tol=1e-7,
        names=LOSS_NAMES,
    ),
    *tuning_checks("svm", REFERENCE_CHOICE, TUNING_THRESHOLDS),
]
