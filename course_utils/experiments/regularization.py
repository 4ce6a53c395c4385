"""L2 and L1 regularization, weight decay, label smoothing and ensembles (08_dropout).

The convention is the one of ``course_utils.classifiers.fc_net``: the penalty is
``0.5 * reg * sum(W * W)`` over the weight matrices only (the parameters whose name
starts with ``"W"``); biases and the gamma/beta of normalization layers are not
regularized.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from course_utils.assignments import graded


@graded("08_dropout")
def l2_regularized_loss(data_loss, data_grads, params, reg):
    """Add the L2 penalty 0.5 * reg * sum(W * W) of every weight matrix to a loss and its gradients.

    Inputs:
    - data_loss: float, the data loss (e.g. the mean softmax loss of a minibatch).
    - data_grads: dict name -> gradient of the data loss with respect to params[name],
      of the shape of params[name]; not modified.
    - params: dict name -> array; the weights are the entries whose name starts with "W"
      (W1 of shape (D, H), W2 of shape (H, C), ...), the others (b1, gamma1, ...) are
      not regularized.
    - reg: float >= 0, the regularization strength.

    Returns a tuple of:
    - loss: float, data_loss + 0.5 * reg * sum over the weights W of sum(W * W).
    - grads: a new dict with the keys of data_grads; grads["W<i>"] = data_grads["W<i>"] +
      reg * params["W<i>"] for every weight, the other gradients copied unchanged.
    """
    loss = float(data_loss)
    grads = {}
    for name, dparam in data_grads.items():
        if name.startswith("W"):
            W = params[name]
            loss += 0.5 * reg * float(np.sum(W * W))
            grads[name] = dparam + reg * W
        else:
            grads[name] = dparam.copy()
    return loss, grads


@graded("08_dropout")
def l1_regularized_loss(data_loss, data_grads, params, reg):
    """Add the L1 penalty reg * sum(|W|) of every weight matrix to a loss and its gradients.

    Inputs:
    - data_loss: float, the data loss.
    - data_grads: dict name -> gradient of the data loss with respect to params[name],
      of the shape of params[name]; not modified.
    - params: dict name -> array; the weights are the entries whose name starts with "W";
      the others (b1, gamma1, ...) are not regularized.
    - reg: float >= 0, the regularization strength.

    Returns a tuple of:
    - loss: float, data_loss + reg * sum over the weights W of sum(|W|).
    - grads: a new dict with the keys of data_grads: the (sub)gradient of the regularized
      loss with respect to each weight (the subgradient of |w| is 0 where a weight is
      exactly 0), the other gradients copied unchanged.
    """
    loss = float(data_loss)
    grads = {}
    for name, dparam in data_grads.items():
        if name.startswith("W"):
            W = params[name]
            loss += reg * float(np.sum(np.abs(W)))
            grads[name] = dparam + reg * np.sign(W)
        else:
            grads[name] = dparam.copy()
    return loss, grads


@graded("08_dropout")
def smoothed_softmax_loss(x, y, smoothing):
    """Softmax cross-entropy against smoothed labels, and its gradient.

    The target of example i is q_i = (1 - smoothing) * onehot(y_i) + smoothing / C: the true
    class gets 1 - smoothing + smoothing / C, every other class smoothing / C (the convention
    of torch.nn.functional.cross_entropy(..., label_smoothing=smoothing)).

    Inputs:
    - x: scores, of shape (N, C); any finite values (numerically stable).
    - y: int labels, of shape (N,), in [0, C).
    - smoothing: float in [0, 1]; 0 gives the ordinary softmax loss.

    Returns a tuple of:
    - loss: float, the mean over the N examples of -sum_c q_ic * log softmax(x_i)_c.
    - dx: gradient of the loss with respect to x, of shape (N, C).
    """
    N, C = x.shape
    shifted = x - x.max(axis=1, keepdims=True)  # (N, C), max 0 per row
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (N, C)
    q = np.full((N, C), smoothing / C)
    q[np.arange(N), y] += 1.0 - smoothing
    loss = float(-np.sum(q * log_probs) / N)
    dx = (np.exp(log_probs) - q) / N
    return loss, dx


def with_weight_decay(rule: Callable, weight_decay: float) -> Callable:
    """An update rule that also shrinks the weights: decoupled weight decay.

    After ``rule``'s own step, next_w -= learning_rate * weight_decay * w, for arrays of
    two or more dimensions only (weight matrices and conv filters; biases, gamma and beta
    are left alone, as in the L2 convention). With plain SGD this is exactly L2
    regularization with reg = weight_decay; with Adam it is AdamW, which differs from
    Adam on an L2-regularized loss.

    Inputs:
    - rule: an update rule ``rule(w, dw, config) -> (next_w, config)`` of course_utils.optim.
    - weight_decay: float >= 0.
    Returns a rule with the same signature (the learning rate is read from the config
    that ``rule`` returns, default 1e-2 as in course_utils.optim.sgd).
    """

    def rule_with_decay(w, dw, config=None):
        next_w, config = rule(w, dw, config)
        if w.ndim >= 2:
            next_w = next_w - config.get("learning_rate", 1e-2) * weight_decay * w
        return next_w, config

    rule_with_decay.__name__ = f"{getattr(rule, '__name__', 'rule')}_with_weight_decay"
    return rule_with_decay


def softmax_probabilities(scores):
    """Row-wise softmax, numerically stable.

    Inputs:
    - scores: array of shape (N, C).
    Returns probs, of shape (N, C), each row summing to 1.
    """
    shifted = scores - scores.max(axis=1, keepdims=True)  # (N, C), max 0 per row
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def ensemble_probabilities(models, X, batch_size=500):
    """Average of the softmax probabilities of several models (an ensemble's prediction).

    Inputs:
    - models: sequence of models with ``loss(X)`` returning scores of shape (N, C).
    - X: data, of shape (N, ...).
    - batch_size: examples per call of ``loss``.
    Returns probs, of shape (N, C): the mean over the models of softmax(scores).
    """
    if not models:
        raise ValueError("an ensemble needs at least one model")
    total = None
    for model in models:
        parts = [model.loss(X[i : i + batch_size]) for i in range(0, X.shape[0], batch_size)]
        probs = softmax_probabilities(np.concatenate(parts, axis=0).astype(np.float64))
        total = probs if total is None else total + probs
    return total / len(models)


def accuracy(probs_or_scores, y) -> float:
    """Fraction of rows whose largest entry is at the true label.

    Inputs:
    - probs_or_scores: array of shape (N, C); y: int labels of shape (N,).
    """
    return float(np.mean(np.argmax(probs_or_scores, axis=1) == y))


def weight_norms(params: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Frobenius norm of every weight matrix (names starting with "W"), for plots."""
    return {k: float(np.linalg.norm(v)) for k, v in params.items() if k.startswith("W")}
