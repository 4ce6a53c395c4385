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
from autograder.spec import Check, Ref, alternatives, call, case
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


# The known mistakes: what a student's wrong output most likely comes from
# (tests/mutants grades each one as a mutant too).


def _quiet(func):
    """Run a wrong loss with numpy's overflow / log(0) warnings silenced (huge-score cases)."""

    def wrapped(*args, **kwargs):
        with np.errstate(all="ignore"):
            return func(*args, **kwargs)

    wrapped.__doc__ = func.__doc__
    return wrapped


@_quiet
def naive_no_shift(W, X, y, reg):
    """No max subtraction: exp overflows on huge scores (inf / inf = nan)."""
    N, C = X.shape[0], W.shape[1]
    loss, dW = 0.0, np.zeros_like(W)
    with np.errstate(all="ignore"):
        for i in range(N):
            exp_scores = np.exp(X[i] @ W)
            probs = exp_scores / np.sum(exp_scores)
            loss += -np.log(probs[y[i]])
            for j in range(C):
                dW[:, j] += (probs[j] - (j == y[i])) * X[i]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W


@_quiet
def naive_grad_not_averaged(W, X, y, reg):
    """Averages the loss over N but not the gradient."""
    N, C = X.shape[0], W.shape[1]
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(N):
        scores = X[i] @ W
        scores = scores - np.max(scores)
        probs = np.exp(scores) / np.sum(np.exp(scores))
        loss += -np.log(probs[y[i]])
        for j in range(C):
            dW[:, j] += (probs[j] - (j == y[i])) * X[i]
    return loss / N + reg * np.sum(W * W), dW + 2 * reg * W


@_quiet
def naive_reg_gradient_once(W, X, y, reg):
    """Gradient of reg * sum(W^2) written as reg * W instead of 2 * reg * W."""
    N, C = X.shape[0], W.shape[1]
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(N):
        scores = X[i] @ W
        scores = scores - np.max(scores)
        probs = np.exp(scores) / np.sum(np.exp(scores))
        loss += -np.log(probs[y[i]])
        for j in range(C):
            dW[:, j] += (probs[j] - (j == y[i])) * X[i]
    return loss / N + reg * np.sum(W * W), dW / N + reg * W


@_quiet
def naive_forgets_correct_class(W, X, y, reg):
    """dL/ds_j = p_j for every class: the -1 at the correct class is missing."""
    N, C = X.shape[0], W.shape[1]
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(N):
        scores = X[i] @ W
        scores = scores - np.max(scores)
        probs = np.exp(scores) / np.sum(np.exp(scores))
        loss += -np.log(probs[y[i]])
        for j in range(C):
            dW[:, j] += probs[j] * X[i]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W


@_quiet
def naive_shift_only_in_exp(W, X, y, reg):
    """Shifts the scores inside the log-sum-exp but not the correct-class score."""
    N, C = X.shape[0], W.shape[1]
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(N):
        scores = X[i] @ W
        shifted = scores - np.max(scores)
        probs = np.exp(shifted) / np.sum(np.exp(shifted))
        loss += np.log(np.sum(np.exp(shifted))) - scores[y[i]]
        for j in range(C):
            dW[:, j] += (probs[j] - (j == y[i])) * X[i]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W


@_quiet
def vectorized_columns_normalised(W, X, y, reg):
    """Normalises the exponentials over the batch (axis 0) instead of the classes."""
    N = X.shape[0]
    scores = X @ W
    scores = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores) / np.sum(np.exp(scores), axis=0, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), y])) + reg * np.sum(W * W)
    probs[np.arange(N), y] -= 1
    return loss, X.T @ probs / N + 2 * reg * W


@_quiet
def vectorized_no_shift(W, X, y, reg):
    """No max subtraction: nan on huge scores."""
    N = X.shape[0]
    with np.errstate(all="ignore"):
        exp_scores = np.exp(X @ W)
        probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
        loss = -np.mean(np.log(probs[np.arange(N), y])) + reg * np.sum(W * W)
    probs[np.arange(N), y] -= 1
    return loss, X.T @ probs / N + 2 * reg * W


@_quiet
def vectorized_sum_not_mean(W, X, y, reg):
    """Sums the data loss and gradient over the batch instead of averaging."""
    N = X.shape[0]
    scores = X @ W
    scores = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
    loss = -np.sum(np.log(probs[np.arange(N), y])) + reg * np.sum(W * W)
    probs[np.arange(N), y] -= 1
    return loss, X.T @ probs + 2 * reg * W


@_quiet
def vectorized_wrong_fancy_index(W, X, y, reg):
    """probs[:, y] -= 1 subtracts 1 in every row, at every column that is some label."""
    N = X.shape[0]
    scores = X @ W
    scores = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), y])) + reg * np.sum(W * W)
    probs[:, y] -= 1
    return loss, X.T @ probs / N + 2 * reg * W


@_quiet
def vectorized_transposed_gradient(W, X, y, reg):
    """dW as probs^T X: the transpose of the gradient, shape (C, D)."""
    N = X.shape[0]
    scores = X @ W
    scores = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), y])) + reg * np.sum(W * W)
    probs[np.arange(N), y] -= 1
    return loss, probs.T @ X / N + 2 * reg * W.T


def _sgd(model, X, y, learning_rate, reg, num_iters, batch_size, seed, step, sample, after):
    """Shared body of the wrong training loops (the reference's order of random draws)."""
    rng = np.random.default_rng(seed)
    num_train, dim = X.shape
    if model.W is None:
        model.W = 0.001 * rng.standard_normal((dim, int(np.max(y)) + 1))
    history = []
    for _ in range(num_iters):
        batch = sample(rng, num_train, batch_size)
        loss, dW = model.loss(X[batch], y[batch], reg)
        model.W = step(model.W, learning_rate, dW)
        if after:
            loss = model.loss(X[batch], y[batch], reg)[0]
        history.append(loss)
    return history


def _with_replacement(rng, n, b):
    return rng.choice(n, b)


def _descend(W, lr, dW):
    return W - lr * dW


def _training_mutant(name, **overrides):
    options = {"step": _descend, "sample": _with_replacement, "after": False, "reg_scale": 1.0}
    options.update(overrides)
    reg_scale = options.pop("reg_scale")

    def train(
        self,
        X,
        y,
        learning_rate=1e-3,
        reg=1e-5,
        num_iters=100,
        batch_size=200,
        verbose=False,
        seed=None,
    ):
        return _sgd(
            self, X, y, learning_rate, reg * reg_scale, num_iters, batch_size, seed, **options
        )

    return type(name, (ReferenceSquaredErrorClassifier,), {"train": train})


WithoutReplacement = _training_mutant(
    "WithoutReplacement", sample=lambda rng, n, b: rng.choice(n, min(n, b), replace=False)
)


GradientAscent = _training_mutant("GradientAscent", step=lambda W, lr, dW: W + lr * dW)


LossAfterStep = _training_mutant("LossAfterStep", after=True)


FullBatch = _training_mutant("FullBatch", sample=lambda rng, n, b: np.arange(n))


NoRegularisation = _training_mutant("NoRegularisation", reg_scale=0.0)


class PredictWrongAxis(ReferenceSquaredErrorClassifier):
    """argmax over the samples (axis 0): one label per class."""

    def predict(self, X):
        return np.argmax(X @ self.W, axis=0)


class PredictArgmin(ReferenceSquaredErrorClassifier):
    """The class of the lowest score."""

    def predict(self, X):
        return np.argmin(X @ self.W, axis=1)


class PredictScores(ReferenceSquaredErrorClassifier):
    """Returns the scores instead of the labels."""

    def predict(self, X):
        return X @ self.W


#: per graded function, (what the mistake is, an implementation that makes it)
MISTAKES = {
    "softmax_loss_naive": [
        (
            "no max shift: exp overflows on large scores (subtract each row's maximum)",
            naive_no_shift,
        ),
        ("the loss is averaged over N but the gradient is not", naive_grad_not_averaged),
        ("the gradient of reg Σ W² is 2 reg W, not reg W", naive_reg_gradient_once),
        ("the -1 at the correct class is missing in dL/ds", naive_forgets_correct_class),
        (
            "the scores shifted inside the log-sum-exp but not at the correct class",
            naive_shift_only_in_exp,
        ),
    ],
    "softmax_loss_vectorized": [
        (
            "normalised over the batch (axis 0): normalise over the classes",
            vectorized_columns_normalised,
        ),
        (
            "no max shift: exp overflows on large scores (subtract each row's maximum)",
            vectorized_no_shift,
        ),
        (
            "summed over the batch: average the loss and its gradient over N",
            vectorized_sum_not_mean,
        ),
        (
            "probs[:, y] -= 1 hits every row: use probs[np.arange(N), y]",
            vectorized_wrong_fancy_index,
        ),
        ("dW transposed: dW = X^T (P - Y), of W's shape (D, C)", vectorized_transposed_gradient),
    ],
    "SquaredErrorClassifier": [
        ("the minibatch drawn without replacement: draw with replacement", WithoutReplacement),
        ("a step up the gradient: W -= learning_rate * dW", GradientAscent),
        ("the loss recorded after the step: record it before", LossAfterStep),
        ("the whole training set at every step: draw a minibatch of batch_size", FullBatch),
        ("reg is not passed to the loss", NoRegularisation),
    ],
    "LinearClassifier": [
        ("argmax over the samples (axis 0): take it over the classes", PredictWrongAxis),
        ("the class of the lowest score: predict the highest", PredictArgmin),
        ("the scores returned, not the labels", PredictScores),
    ],
}


CHECKS = [
    Check(
        grade_id="test_softmax_loss_naive",
        function="softmax_loss_naive",
        alternatives=alternatives("softmax_loss_naive", MISTAKES),
        reference={"softmax_loss_naive": softmax_loss_naive},
        cases=_loss_cases("softmax_loss_naive"),
        tol=1e-7,
        names=LOSS_NAMES,
    ),
    Check(
        grade_id="test_softmax_loss_vectorized",
        function="softmax_loss_vectorized",
        alternatives=alternatives("softmax_loss_vectorized", MISTAKES),
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
        alternatives=alternatives("SquaredErrorClassifier", MISTAKES),
    ),
    Check(
        grade_id="test_predict",
        function="LinearClassifier.predict",
        reference={"LinearClassifier": ReferenceSquaredErrorClassifier},
        cases=_predict_cases,
        tol=0.0,
        names={"s1.out": "the predicted labels"},
        alternatives=alternatives("LinearClassifier", MISTAKES),
    ),
    *tuning_checks("softmax", REFERENCE_CHOICE, TUNING_THRESHOLDS),
]
