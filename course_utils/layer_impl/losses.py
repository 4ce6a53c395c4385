"""Classification losses on scores: softmax cross-entropy and multiclass hinge (SVM)."""

from __future__ import annotations

import numpy as np

from course_utils.assignments import reveals


@reveals("03_softmax")
def softmax_loss(x, y, temperature=1.0):
    """Mean cross-entropy of softmax(x / temperature), and its gradient.

    Stable for any finite scores: the row maximum is subtracted before dividing by the
    temperature, so the largest exponent is exp(0) = 1.

    Inputs:
    - x: scores, of shape (N, C).
    - y: integer labels, of shape (N,), with 0 <= y[i] < C.
    - temperature: positive number; scores are divided by it.

    Returns a tuple of:
    - loss: float, -mean_i log softmax(x[i] / temperature)[y[i]].
    - dx: gradient of the loss with respect to x, of shape (N, C).
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature!r}")
    N = x.shape[0]
    rows = np.arange(N)
    with np.errstate(over="ignore"):  # x - max (or its quotient) may round to -inf: exp -> 0
        shifted = (x - x.max(axis=1, keepdims=True)) / temperature  # (N, C), max 0
    log_norm = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))  # (N, 1), in [0, log C]
    log_probs = shifted - log_norm  # (N, C)
    loss = float(-np.mean(log_probs[rows, y]))
    dx = np.exp(log_probs)  # softmax probabilities
    dx[rows, y] -= 1
    dx /= N * temperature
    return loss, dx


@reveals("04_svm")
def svm_loss(x, y, delta=1.0):
    """Mean multiclass hinge loss, sum_{j != y_i} max(0, x_ij - x_iy_i + delta), and its gradient.

    Inputs:
    - x: scores, of shape (N, C).
    - y: integer labels, of shape (N,), with 0 <= y[i] < C.
    - delta: margin.

    Returns a tuple of:
    - loss: float, the hinge loss averaged over N.
    - dx: gradient of the loss with respect to x, of shape (N, C).
    """
    N = x.shape[0]
    rows = np.arange(N)
    correct = x[rows, y][:, None]  # (N, 1)
    margins = np.maximum(0, x - correct + delta)  # (N, C)
    margins[rows, y] = 0
    loss = float(np.sum(margins) / N)
    active = (margins > 0).astype(x.dtype)  # (N, C)
    active[rows, y] = -active.sum(axis=1)
    dx = active / N
    return loss, dx
