"""Wrong answers a student might give in 03_softmax."""

import numpy as np

from autograder.checks.nb03_softmax import ReferenceSquaredErrorClassifier
from tests.mutants import Mutant


def _quiet(func):
    """Run a wrong loss with numpy's overflow / log(0) warnings silenced (huge-score cases)."""

    def wrapped(*args, **kwargs):
        with np.errstate(all="ignore"):
            return func(*args, **kwargs)

    wrapped.__doc__ = func.__doc__
    return wrapped


# ---- softmax_loss_naive ---------------------------------------------------------------


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


# ---- softmax_loss_vectorized ---------------------------------------------------------


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


# ---- LinearClassifier.train and predict ----------------------------------------------


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


NAIVE, VEC = "test_softmax_loss_naive", "test_softmax_loss_vectorized"
TRAIN, PREDICT = "test_train", "test_predict"
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
    Mutant("naive: no max shift", NAIVE, {"softmax_loss_naive": naive_no_shift}),
    Mutant("naive: gradient not averaged", NAIVE, {"softmax_loss_naive": naive_grad_not_averaged}),
    Mutant("naive: reg gradient reg*W", NAIVE, {"softmax_loss_naive": naive_reg_gradient_once}),
    Mutant("naive: no -1 at the label", NAIVE, {"softmax_loss_naive": naive_forgets_correct_class}),
    Mutant("naive: half-shifted scores", NAIVE, {"softmax_loss_naive": naive_shift_only_in_exp}),
    Mutant(
        "vec: normalised over axis 0",
        VEC,
        {"softmax_loss_vectorized": vectorized_columns_normalised},
    ),
    Mutant("vec: no max shift", VEC, {"softmax_loss_vectorized": vectorized_no_shift}),
    Mutant("vec: sum instead of mean", VEC, {"softmax_loss_vectorized": vectorized_sum_not_mean}),
    Mutant("vec: probs[:, y] -= 1", VEC, {"softmax_loss_vectorized": vectorized_wrong_fancy_index}),
    Mutant("vec: transposed dW", VEC, {"softmax_loss_vectorized": vectorized_transposed_gradient}),
    Mutant("train: without replacement", TRAIN, {"SquaredErrorClassifier": WithoutReplacement}),
    Mutant("train: gradient ascent", TRAIN, {"SquaredErrorClassifier": GradientAscent}),
    Mutant("train: loss after the step", TRAIN, {"SquaredErrorClassifier": LossAfterStep}),
    Mutant("train: full batch", TRAIN, {"SquaredErrorClassifier": FullBatch}),
    Mutant("train: reg dropped", TRAIN, {"SquaredErrorClassifier": NoRegularisation}),
    Mutant("predict: wrong axis", PREDICT, {"LinearClassifier": PredictWrongAxis}),
    Mutant("predict: argmin", PREDICT, {"LinearClassifier": PredictArgmin}),
    Mutant("predict: scores", PREDICT, {"LinearClassifier": PredictScores}),
    *[
        Mutant(f"tuned: {name}", "test_tuned", {"best_learning_rate": lr, "best_reg": reg})
        for name, (lr, reg) in ABSURD_CHOICES.items()
    ],
]
