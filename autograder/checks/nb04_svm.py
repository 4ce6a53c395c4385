"""What 04_svm grades: the multiclass hinge loss and its subgradient, naive and vectorized, and
the outcome task: hyperparameters that reach a validation accuracy target (``linear_outcome``:
the grader trains its reference linear SVM with them on its own split)."""

from __future__ import annotations

import numpy as np

from autograder.checks.linear_outcome import tuning_checks
from autograder.spec import Check, alternatives, call, case
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


# The known mistakes: what a student's wrong output most likely comes from
# (tests/mutants grades each one as a mutant too).


def _naive(W, X, y, reg, *, skip_correct=True, kink_active=False, correct_term=True):
    """A loop version with switches for the usual mistakes."""
    N, C = X.shape[0], W.shape[1]
    loss, dW = 0.0, np.zeros_like(W)
    for i in range(N):
        scores = X[i] @ W
        for j in range(C):
            if skip_correct and j == y[i]:
                continue
            margin = scores[j] - scores[y[i]] + 1.0
            if margin > 0 or (kink_active and margin == 0):
                loss += margin
                dW[:, j] += X[i]
                if correct_term:
                    dW[:, y[i]] -= X[i]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W


def naive_includes_correct_class(W, X, y, reg):
    """Sums over every class, the correct one too: each sample adds delta = 1."""
    return _naive(W, X, y, reg, skip_correct=False)


def naive_kink_active(W, X, y, reg):
    """margin >= 0: counts the kink (margin exactly 0) as active."""
    return _naive(W, X, y, reg, kink_active=True)


def naive_no_correct_class_gradient(W, X, y, reg):
    """Forgets that s_{y_i} appears in every active margin (dW[:, y_i] -= x_i)."""
    return _naive(W, X, y, reg, correct_term=False)


def naive_grad_not_averaged(W, X, y, reg):
    """Averages the loss over N but not the gradient."""
    N = X.shape[0]
    loss, dW = _naive(W, X, y, reg)
    return loss, (dW - 2 * reg * W) * N + 2 * reg * W


def naive_loss_not_averaged(W, X, y, reg):
    """Averages the gradient over N but sums the loss."""
    N = X.shape[0]
    loss, dW = _naive(W, X, y, reg)
    return (loss - reg * np.sum(W * W)) * N + reg * np.sum(W * W), dW


def vectorized_no_reg_gradient(W, X, y, reg):
    """The penalty in the loss, but not its gradient."""
    loss, dW = vectorized_reg_gradient_once(W, X, y, reg)
    return loss, dW - reg * W


def vectorized_correct_class_not_zeroed(W, X, y, reg):
    """Keeps the correct class's margin (always 1) in the loss and in the counts."""
    N = X.shape[0]
    rows = np.arange(N)
    scores = X @ W
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + 1.0)
    loss = np.sum(margins) / N + reg * np.sum(W * W)
    dscores = (margins > 0).astype(np.float64)
    dscores[rows, y] = -np.sum(dscores, axis=1)
    return loss, X.T @ dscores / N + 2 * reg * W


def vectorized_wrong_sign(W, X, y, reg):
    """The correct-class column gets +count instead of -count."""
    N = X.shape[0]
    rows = np.arange(N)
    scores = X @ W
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + 1.0)
    margins[rows, y] = 0.0
    loss = np.sum(margins) / N + reg * np.sum(W * W)
    dscores = (margins > 0).astype(np.float64)
    dscores[rows, y] = np.sum(dscores, axis=1)
    return loss, X.T @ dscores / N + 2 * reg * W


def vectorized_reg_gradient_once(W, X, y, reg):
    """Gradient of reg * sum(W^2) written as reg * W."""
    N = X.shape[0]
    rows = np.arange(N)
    scores = X @ W
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + 1.0)
    margins[rows, y] = 0.0
    loss = np.sum(margins) / N + reg * np.sum(W * W)
    dscores = (margins > 0).astype(np.float64)
    dscores[rows, y] = -np.sum(dscores, axis=1)
    return loss, X.T @ dscores / N + reg * W


def vectorized_no_delta(W, X, y, reg):
    """Forgets the margin delta = 1: max(0, s_j - s_y)."""
    N = X.shape[0]
    rows = np.arange(N)
    scores = X @ W
    margins = np.maximum(0.0, scores - scores[rows, y][:, None])
    loss = np.sum(margins) / N + reg * np.sum(W * W)
    dscores = (margins > 0).astype(np.float64)
    dscores[rows, y] = -np.sum(dscores, axis=1)
    return loss, X.T @ dscores / N + 2 * reg * W


#: per graded function, (what the mistake is, an implementation that makes it)
MISTAKES = {
    "svm_loss_naive": [
        ("the correct class is counted in the sum: skip j = y_i", naive_includes_correct_class),
        ("a margin of exactly 0 counted as active: use margin > 0", naive_kink_active),
        (
            "the dW[:, y_i] -= x_i term of each active margin is missing",
            naive_no_correct_class_gradient,
        ),
        ("the loss is averaged over N but the gradient is not", naive_grad_not_averaged),
        ("the gradient is averaged over N but the loss is not", naive_loss_not_averaged),
    ],
    "svm_loss_vectorized": [
        ("the penalty is in the loss but not in the gradient", vectorized_no_reg_gradient),
        (
            "the correct class's margin (always 1) is kept: zero it",
            vectorized_correct_class_not_zeroed,
        ),
        ("the correct-class column gets +count: it gets -count", vectorized_wrong_sign),
        ("the gradient of reg Σ W² is 2 reg W, not reg W", vectorized_reg_gradient_once),
        ("the margin delta = 1 is missing: max(0, s_j - s_y + 1)", vectorized_no_delta),
    ],
}


CHECKS = [
    Check(
        grade_id="test_svm_loss_naive",
        function="svm_loss_naive",
        alternatives=alternatives("svm_loss_naive", MISTAKES),
        reference={"svm_loss_naive": svm_loss_naive},
        cases=_cases("svm_loss_naive"),
        tol=1e-7,
        names=LOSS_NAMES,
    ),
    Check(
        grade_id="test_svm_loss_vectorized",
        function="svm_loss_vectorized",
        alternatives=alternatives("svm_loss_vectorized", MISTAKES),
        reference={"svm_loss_vectorized": svm_loss_vectorized},
        cases=_cases("svm_loss_vectorized"),
        tol=1e-7,
        names=LOSS_NAMES,
    ),
    *tuning_checks("svm", REFERENCE_CHOICE, TUNING_THRESHOLDS),
]
