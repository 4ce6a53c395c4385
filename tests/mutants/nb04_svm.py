"""Wrong answers a student might give in 04_svm."""

import numpy as np

from tests.mutants import Mutant

# ---- svm_loss_naive -------------------------------------------------------------------


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


# ---- svm_loss_vectorized --------------------------------------------------------------


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


NAIVE, VEC = "test_svm_loss_naive", "test_svm_loss_vectorized"
#: hyperparameters a student might pick without looking at the search (each must lose points)
ABSURD_CHOICES = {
    "learning rate far too small": (1e-6, 1e-4),
    "learning rate too small for 500 steps": (1e-3, 1e-4),
    "regularisation that wipes W out": (1.0, 10.0),
    "learning rate and reg swapped": (1e-4, 5.0),
    "divergent step with strong reg": (1e4, 0.1),
    "negative learning rate": (-5.0, 1e-4),
}
MUTANTS = [
    Mutant("naive: correct class summed", NAIVE, {"svm_loss_naive": naive_includes_correct_class}),
    Mutant("naive: kink counted as active", NAIVE, {"svm_loss_naive": naive_kink_active}),
    Mutant("naive: no dW[:, y_i] term", NAIVE, {"svm_loss_naive": naive_no_correct_class_gradient}),
    Mutant("naive: gradient not averaged", NAIVE, {"svm_loss_naive": naive_grad_not_averaged}),
    Mutant(
        "vec: correct class not zeroed",
        VEC,
        {"svm_loss_vectorized": vectorized_correct_class_not_zeroed},
    ),
    Mutant("vec: wrong sign at the label", VEC, {"svm_loss_vectorized": vectorized_wrong_sign}),
    Mutant("vec: reg gradient reg*W", VEC, {"svm_loss_vectorized": vectorized_reg_gradient_once}),
    Mutant("vec: no margin delta", VEC, {"svm_loss_vectorized": vectorized_no_delta}),
    *[
        Mutant(f"tuned: {name}", "test_tuned", {"best_learning_rate": lr, "best_reg": reg})
        for name, (lr, reg) in ABSURD_CHOICES.items()
    ],
]
