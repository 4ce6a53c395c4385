"""Experiments around training linear classifiers (03_softmax, 04_svm).

- :func:`sgd_loss_curve`: train a fresh classifier for a few hundred SGD steps at one
  learning rate and return its loss curve (the ``run`` of the learning-rate widget);
- :func:`squared_error_loss`: a simple loss (not graded anywhere) on which the grader
  tests a student's training loop independently of the student's softmax loss;
- :func:`append_bias`: the bias trick, a column of ones.

``sgd_loss_curve`` takes the classifier as ``model_factory`` (a class or callable returning
an object with ``train`` and ``predict``), so a notebook passes the student's own class.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def append_bias(X):
    """The bias trick: X with a column of ones appended, so that x W includes a bias row.

    Inputs:
    - X: of shape (N, D)
    Returns:
    - X1: of shape (N, D + 1), X1[:, :D] = X and X1[:, D] = 1
    """
    return np.hstack([X, np.ones((X.shape[0], 1), dtype=X.dtype)])


def squared_error_loss(W, X, y, reg):
    """Squared error of the scores against one-hot labels, and its gradient.

    loss = 1/(2N) sum_i ||x_i W - e_{y_i}||^2 + reg * sum(W * W)

    Inputs:
    - W: weights, of shape (D, C); X: samples, of shape (N, D); y: labels, of shape (N,)
    - reg: float, L2 regularisation strength
    Returns a tuple of:
    - loss: float
    - dW: of shape (D, C), X^T (X W - Y) / N + 2 reg W with Y the (N, C) one-hot labels
    """
    N = X.shape[0]
    residual = X @ W  # (N, C)
    residual[np.arange(N), y] -= 1.0
    loss = 0.5 * np.sum(residual**2) / N + reg * np.sum(W * W)
    dW = X.T @ residual / N + 2 * reg * W  # (D, C)
    return float(loss), dW


def default_softmax():
    """The course's softmax classifier (its ``train`` is a task of 03_softmax)."""
    from course_utils.classifiers.linear import Softmax

    return Softmax()


def sgd_loss_curve(
    learning_rate: float,
    X,
    y,
    *,
    model_factory: Callable = default_softmax,
    num_iters: int = 300,
    batch_size: int = 100,
    reg: float = 1e-4,
    seed: int = 0,
) -> dict:
    """Train a fresh classifier by minibatch SGD at ``learning_rate``; return its loss curve.

    Inputs:
    - learning_rate: SGD step size
    - X: training samples, of shape (N, D); y: labels, of shape (N,)
    - model_factory: callable returning an untrained classifier whose
      ``train(X, y, learning_rate, reg, num_iters, batch_size, verbose, seed)`` returns
      the loss history (default: the course's softmax classifier)
    - num_iters, batch_size, reg: passed to ``train``
    - seed: seeds the initialisation and the minibatches (same seed, same batches)
    Returns a dict with:
    - "loss_history": float64 array of shape (num_iters,), the minibatch losses
    - "train_accuracy": float, accuracy on (X, y) after training (nan if W is not finite)
    - "W": the trained weights, of shape (D, C)
    """
    model = model_factory()
    with np.errstate(over="ignore", invalid="ignore"):
        history = model.train(
            X,
            y,
            learning_rate=learning_rate,
            reg=reg,
            num_iters=num_iters,
            batch_size=batch_size,
            verbose=False,
            seed=seed,
        )
        finite = bool(np.all(np.isfinite(model.W)))
        accuracy = float(np.mean(model.predict(X) == y)) if finite else float("nan")
    return {
        "loss_history": np.asarray(history, dtype=np.float64),
        "train_accuracy": accuracy,
        "W": model.W,
    }
