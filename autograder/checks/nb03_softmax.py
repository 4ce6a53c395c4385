"""What 03_softmax grades: the softmax loss (naive and vectorized), SGD training, prediction,
and the outcome task: hyperparameters that reach a validation accuracy target
(``linear_outcome``: the grader trains its reference softmax with them on its own split).

The training loop and ``predict`` are graded on the notebook's ``SquaredErrorClassifier``
and ``LinearClassifier`` (a locked cell defines the first as a subclass of the student's
class with ``course_utils.experiments.linear_training.squared_error_loss``), so a mistake in the
student's softmax loss does not cost the training points a second time.
"""

from __future__ import annotations

import numpy as np

from autograder.checks.linear_outcome import tuning_checks
from autograder.spec import Check, Ref, call, case
from course_utils.classifiers.linear import (
    LinearClassifier,
    softmax_loss_naive,
    softmax_loss_vectorized,
)
from course_utils.experiments.linear_training import squared_error_loss


class ReferenceSquaredErrorClassifier(LinearClassifier):
    """The reference LinearClassifier (its train and predict) on the squared-error loss."""

    def __init__(self, W=None):
        super().__init__()
        self.W = W

    def loss(self, X_batch, y_batch, reg):
        return squared_error_loss(self.W, X_batch, y_batch, reg)


def _problem(rng, N, D, C, weight_scale=0.1):
    W = weight_scale * rng.normal(size=(D, C))  # (D, C)
    X = rng.normal(size=(N, D))  # (N, D)
    y = rng.integers(0, C, size=N)  # (N,)
    return W, X, y


def _loss_cases(name):
    def cases(rng: np.random.Generator):
        reg = float(rng.uniform(0.01, 0.5))
        W_tied, X_tied, y_tied = _problem(rng, 6, 4, 5)
        return [
            case("a small batch", call(name, *_problem(rng, 12, 7, 4), reg)),
            case("a batch of one", call(name, *_problem(rng, 1, 5, 3), reg)),
            case("two classes", call(name, *_problem(rng, 9, 4, 2), reg)),
            case("no regularisation", call(name, *_problem(rng, 10, 6, 5), 0.0)),
            case("many classes, strong regularisation", call(name, *_problem(rng, 8, 3, 15), 2.0)),
            case("huge scores", call(name, *_problem(rng, 7, 5, 4, weight_scale=800.0), reg)),
            case(
                "all scores equal (W = 0)", call(name, np.zeros_like(W_tied), X_tied, y_tied, reg)
            ),
        ]

    return cases


def _data(rng, N, D, C):
    X = rng.normal(size=(N, D))  # (N, D)
    y = rng.integers(0, C, size=N)  # (N,)
    y[rng.integers(N)] = C - 1  # so that max(y) + 1 = C
    return X, y


def _training(label, X, y, W=None, **train_kwargs):
    make = call("SquaredErrorClassifier", bind="m", record=False)
    if W is not None:
        make = call("SquaredErrorClassifier", W, bind="m", record=False)
    return case(
        label,
        make,
        call("m.train", X, y, bind="history", record=False, **train_kwargs),
        call("np.asarray", Ref("history")),
        call("m.W.copy"),
    )


def _train_cases(rng: np.random.Generator):
    def seed():
        return int(rng.integers(0, 2**31))

    X, y = _data(rng, 40, 6, 4)
    X2, y2 = _data(rng, 25, 5, 3)
    W2 = 0.1 * rng.normal(size=(5, 3))
    X3, y3 = _data(rng, 6, 3, 5)
    X4, y4 = _data(rng, 30, 8, 2)
    common = {"verbose": False}
    return [
        _training(
            "W initialised by train",
            X,
            y,
            learning_rate=0.05,
            reg=1e-3,
            num_iters=30,
            batch_size=8,
            seed=seed(),
            **common,
        ),
        _training(
            "training continues from the current W",
            X2,
            y2,
            W=W2,
            learning_rate=0.1,
            reg=0.01,
            num_iters=20,
            batch_size=5,
            seed=seed(),
            **common,
        ),
        _training(
            "batches larger than the data set",
            X3,
            y3,
            learning_rate=0.02,
            reg=0.0,
            num_iters=10,
            batch_size=16,
            seed=seed(),
            **common,
        ),
        _training(
            "a single step, strong regularisation",
            X4,
            y4,
            learning_rate=0.3,
            reg=0.5,
            num_iters=1,
            batch_size=10,
            seed=seed(),
            **common,
        ),
    ]


def _predict_case(rng, label, N, D, C):
    W = rng.normal(size=(D, C))
    X = rng.normal(size=(N, D))
    return case(label, call("LinearClassifier", W, bind="m", record=False), call("m.predict", X))


def _predict_cases(rng: np.random.Generator):
    return [
        _predict_case(rng, "a batch of samples", 20, 6, 4),
        _predict_case(rng, "a batch of one", 1, 5, 3),
        _predict_case(rng, "two classes", 15, 4, 2),
        _predict_case(rng, "many classes, many features", 12, 40, 12),
    ]


LOSS_NAMES = {"s0.out.0": "the loss", "s0.out.1": "dW"}
#: the solution's search on digits picks learning rate 5, reg 1e-4 (97 % on the grader's split)
REFERENCE_CHOICE = (5.0, 1e-4)
#: one point at 90 % validation accuracy on the grader's split, one more at 94 % (the target)
TUNING_THRESHOLDS = (0.90, 0.94)

CHECKS = [
    Check(
        grade_id="test_softmax_loss_naive",
        function="softmax_loss_naive",
        reference={"softmax_loss_naive": softmax_loss_naive},
        cases=_loss_cases("softmax_loss_naive"),
        tol=1e-7,
        names=LOSS_NAMES,
    ),
    Check(
        grade_id="test_softmax_loss_vectorized",
        function="softmax_loss_vectorized",
        reference={"softmax_loss_vectorized": softmax_loss_vectorized},
        cases=_loss_cases("softmax_loss_vectorized"),
        tol=1e-7,
        names=LOSS_NAMES,
    ),
    Check(
        grade_id="test_train",
        function="LinearClassifier.train",
        reference={"SquaredErrorClassifier": ReferenceSquaredErrorClassifier, "np": np},
        cases=_train_cases,
        tol=1e-8,
        names={"s2.out": "the loss history", "s3.out": "W after training"},
    ),
    Check(
        grade_id="test_predict",
        function="LinearClassifier.predict",
        reference={"LinearClassifier": ReferenceSquaredErrorClassifier},
        cases=_predict_cases,
        tol=0.0,
        names={"s1.out": "the predicted labels"},
    ),
    *tuning_checks("softmax", REFERENCE_CHOICE, TUNING_THRESHOLDS),
]
