"""Linear classifiers: softmax and multiclass SVM losses, and minibatch SGD training.

Shapes: N samples of D features, C classes. W has shape (D, C), X (N, D), y (N,) with
0 <= y[i] < C. Every loss returns ``(loss, dW)`` where loss is the data loss averaged
over N plus ``reg * np.sum(W * W)`` and dW (shape (D, C)) includes ``2 * reg * W``.
"""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded


@graded("03_softmax")
def softmax_loss_naive(W, X, y, reg):
    """Softmax (cross-entropy) loss with explicit loops over samples and classes.

    Scores of each sample are shifted by their maximum before exponentiating
    (numerical stability; the loss does not change).

    Inputs:
    - W: weights, of shape (D, C)
    - X: samples, of shape (N, D)
    - y: labels, of shape (N,)
    - reg: float, L2 regularisation strength
    Returns a tuple of:
    - loss: float
    - dW: gradient of the loss with respect to W, of shape (D, C)
    """
    N, C = X.shape[0], W.shape[1]
    loss = 0.0
    dW = np.zeros_like(W, dtype=np.float64)
    for i in range(N):
        scores = X[i] @ W  # (C,)
        scores = scores - np.max(scores)
        exp_scores = np.exp(scores)
        sum_exp = np.sum(exp_scores)
        loss += np.log(sum_exp) - scores[y[i]]
        for j in range(C):
            prob = exp_scores[j] / sum_exp
            dW[:, j] += (prob - (j == y[i])) * X[i]
    loss = loss / N + reg * np.sum(W * W)
    dW = dW / N + 2 * reg * W
    return float(loss), dW


@graded("03_softmax")
def softmax_loss_vectorized(W, X, y, reg):
    """Softmax (cross-entropy) loss without explicit loops; same inputs and outputs as
    :func:`softmax_loss_naive`.

    Inputs:
    - W: weights, of shape (D, C); X: samples, of shape (N, D); y: labels, of shape (N,)
    - reg: float, L2 regularisation strength
    Returns a tuple of:
    - loss: float
    - dW: of shape (D, C)
    """
    N = X.shape[0]
    scores = X @ W  # (N, C)
    scores = scores - np.max(scores, axis=1, keepdims=True)
    log_sum_exp = np.log(np.sum(np.exp(scores), axis=1))  # (N,)
    rows = np.arange(N)
    loss = np.mean(log_sum_exp - scores[rows, y]) + reg * np.sum(W * W)
    dscores = np.exp(scores - log_sum_exp[:, None])  # probabilities, (N, C)
    dscores[rows, y] -= 1
    dW = X.T @ dscores / N + 2 * reg * W
    return float(loss), dW


@graded("04_svm")
def svm_loss_naive(W, X, y, reg):
    """Multiclass SVM (hinge) loss with explicit loops, margin delta = 1.

    For sample i: sum over j != y[i] of max(0, s_j - s_{y[i]} + 1), with s = X[i] W.

    Inputs:
    - W: weights, of shape (D, C); X: samples, of shape (N, D); y: labels, of shape (N,)
    - reg: float, L2 regularisation strength
    Returns a tuple of:
    - loss: float
    - dW: of shape (D, C); a (sub)gradient, the margin = 0 kink counts as inactive
    """
    N, C = X.shape[0], W.shape[1]
    loss = 0.0
    dW = np.zeros_like(W, dtype=np.float64)
    for i in range(N):
        scores = X[i] @ W  # (C,)
        correct_score = scores[y[i]]
        for j in range(C):
            if j == y[i]:
                continue
            margin = scores[j] - correct_score + 1.0
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss = loss / N + reg * np.sum(W * W)
    dW = dW / N + 2 * reg * W
    return float(loss), dW


@graded("04_svm")
def svm_loss_vectorized(W, X, y, reg):
    """Multiclass SVM loss without explicit loops; same inputs and outputs as
    :func:`svm_loss_naive`.

    Inputs:
    - W: weights, of shape (D, C); X: samples, of shape (N, D); y: labels, of shape (N,)
    - reg: float, L2 regularisation strength
    Returns a tuple of:
    - loss: float
    - dW: of shape (D, C)
    """
    N = X.shape[0]
    rows = np.arange(N)
    scores = X @ W  # (N, C)
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + 1.0)  # (N, C)
    margins[rows, y] = 0.0
    loss = np.sum(margins) / N + reg * np.sum(W * W)
    dscores = (margins > 0).astype(np.float64)  # (N, C)
    dscores[rows, y] = -np.sum(dscores, axis=1)
    dW = X.T @ dscores / N + 2 * reg * W
    return float(loss), dW


class LinearClassifier:
    """A linear classifier (scores X W) trained by minibatch SGD; subclasses give the loss."""

    def __init__(self):
        self.W = None

    @graded("03_softmax")
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
        """Train by minibatch stochastic gradient descent.

        W is initialised (when still None) to 0.001 * standard normal, of shape (D, C) with
        C = max(y) + 1. Each iteration samples batch_size indices with replacement,
        ``rng.choice(N, batch_size)``, from ``rng = np.random.default_rng(seed)``.

        Inputs:
        - X: training samples, of shape (N, D); y: labels, of shape (N,)
        - learning_rate: SGD step size; reg: L2 regularisation strength
        - num_iters: number of SGD steps; batch_size: samples per step
        - verbose: print the loss every 100 iterations
        - seed: seed (or np.random.Generator) of the initialisation and the sampling
        Returns:
        - loss_history: list of num_iters floats, the minibatch loss at each step
        """
        rng = np.random.default_rng(seed)
        num_train, dim = X.shape
        num_classes = int(np.max(y)) + 1
        if self.W is None:
            self.W = 0.001 * rng.standard_normal((dim, num_classes))
        loss_history = []
        for it in range(num_iters):
            batch = rng.choice(num_train, batch_size)  # (batch_size,)
            loss, dW = self.loss(X[batch], y[batch], reg)
            loss_history.append(loss)
            self.W -= learning_rate * dW
            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {loss:f}")
        return loss_history

    @graded("03_softmax")
    def predict(self, X):
        """Predict the class of highest score.

        Inputs:
        - X: samples, of shape (N, D)
        Returns:
        - y_pred: predicted labels, of shape (N,)
        """
        return np.argmax(X @ self.W, axis=1)

    def loss(self, X_batch, y_batch, reg):
        """Loss and gradient on a minibatch; implemented by the subclasses.

        Inputs:
        - X_batch: of shape (B, D); y_batch: of shape (B,); reg: float
        Returns a tuple of:
        - loss: float
        - dW: of shape (D, C)
        """
        raise NotImplementedError("a subclass of LinearClassifier must define loss()")


class LinearSVM(LinearClassifier):
    """Linear classifier with the multiclass SVM loss."""

    def loss(self, X_batch, y_batch, reg):
        return svm_loss_vectorized(self.W, X_batch, y_batch, reg)


class Softmax(LinearClassifier):
    """Linear classifier with the softmax (cross-entropy) loss."""

    def loss(self, X_batch, y_batch, reg):
        return softmax_loss_vectorized(self.W, X_batch, y_batch, reg)
