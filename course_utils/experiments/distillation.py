"""Knowledge distillation for a linear softmax student (03_softmax).

A trained *teacher* turns each image into soft targets q = softmax(s_teacher / T): besides
the right class they say which wrong classes look alike (a 3 is more like an 8 than a 1).
A *student* trained on those targets, rather than on one-hot labels, learns that similarity
too, which helps most when labelled examples are few.

The distillation loss of a student with weights W on samples X is the cross-entropy of the
student's softmax at the same temperature against the targets, times T^2 (so that the
gradient's size does not shrink as 1 / T), plus the L2 penalty of 03:

    L = T^2 / N * sum_i sum_j -q_ij log softmax(x_i W / T)_j + reg * sum(W^2)
    dL/dW = T / N * X^T (P_T - Q) + 2 reg W

With T = 1 and one-hot targets it is exactly 03's softmax loss.

Shapes: W (D, C), X (N, D), targets Q (N, C) with rows summing to 1.
"""

from __future__ import annotations

import numpy as np

from course_utils.experiments.temperature import softmax_with_temperature


def soft_targets(teacher_scores, temperature: float):
    """The teacher's probabilities at ``temperature``: softmax(scores / T), shape (N, C)."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    return softmax_with_temperature(teacher_scores, temperature)


def one_hot(y, num_classes: int):
    """Hard targets: the (N, C) one-hot matrix of integer labels y (N,)."""
    y = np.asarray(y)
    if y.ndim != 1 or np.any((y < 0) | (y >= num_classes)):
        raise ValueError(f"y must be a vector of labels in 0 … {num_classes - 1}")
    targets = np.zeros((len(y), num_classes))
    targets[np.arange(len(y)), y] = 1.0
    return targets


def distillation_loss(W, X, targets, reg: float, temperature: float = 1.0):
    """Cross-entropy of softmax(X W / T) against soft targets, times T^2, plus reg * sum(W^2).

    Inputs:
    - W: weights, of shape (D, C); X: samples, of shape (N, D)
    - targets: array of shape (N, C), each row a probability distribution
    - reg: L2 strength; temperature: T > 0
    Returns a tuple of:
    - loss: float
    - dW: gradient of the loss with respect to W, of shape (D, C)
    """
    targets = np.asarray(targets, dtype=np.float64)
    N, C = X.shape[0], W.shape[1]
    if targets.shape != (N, C):
        raise ValueError(f"targets must have shape {(N, C)}, got {targets.shape}")
    if not np.allclose(targets.sum(axis=1), 1.0, atol=1e-6) or np.any(targets < 0):
        raise ValueError("every row of targets must be >= 0 and sum to 1")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    z = X @ W / temperature  # (N, C)
    z = z - z.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))  # (N, C)
    loss = temperature**2 * -np.sum(targets * log_probs) / N + reg * np.sum(W * W)
    dscores = temperature * (np.exp(log_probs) - targets) / N  # dL/d(XW), (N, C)
    return float(loss), X.T @ dscores + 2 * reg * W


def train_student(
    X,
    targets,
    temperature: float = 1.0,
    learning_rate: float = 0.5,
    reg: float = 1e-3,
    num_iters: int = 300,
):
    """Full-batch gradient descent on the distillation loss, from W = 0.

    Inputs:
    - X: the student's (few) training samples, shape (N, D)
    - targets: hard (one-hot) or soft targets for them, shape (N, C)
    - temperature, learning_rate, reg, num_iters: as named
    Returns:
    - W: the student's weights, shape (D, C)
    """
    W = np.zeros((X.shape[1], np.shape(targets)[1]))
    for _ in range(num_iters):
        _, dW = distillation_loss(W, X, targets, reg, temperature)
        W -= learning_rate * dW
    return W


def distillation_demo(
    teacher_W,
    X_pool,
    y_pool,
    X_val,
    y_val,
    per_class: int = 3,
    temperature: float = 4.0,
    seeds=(0, 1, 2, 3, 4),
    **train_kwargs,
) -> dict:
    """Validation accuracy of students trained on ``per_class`` labelled images per class.

    For each seed, pick ``per_class`` images of every class from the pool and train one
    student on their one-hot labels and one on the teacher's soft targets at
    ``temperature`` (same images, same training).

    Inputs:
    - teacher_W: the teacher's weights, shape (D, C)
    - X_pool, y_pool: the images the few labelled examples are drawn from
    - X_val, y_val: where the students are evaluated
    - per_class, temperature, seeds, train_kwargs (for train_student): as named
    Returns a dict of arrays of shape (len(seeds),): "hard", "soft" (validation accuracies)
    and the float "teacher" (the teacher's validation accuracy)
    """
    num_classes = teacher_W.shape[1]
    hard, soft = [], []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        few = np.concatenate(
            [
                rng.choice(np.flatnonzero(y_pool == c), per_class, replace=False)
                for c in range(num_classes)
            ]
        )
        X_few = X_pool[few]
        for targets, T, out in (
            (one_hot(y_pool[few], num_classes), 1.0, hard),
            (soft_targets(X_few @ teacher_W, temperature), temperature, soft),
        ):
            W = train_student(X_few, targets, temperature=T, **train_kwargs)
            out.append(np.mean((X_val @ W).argmax(axis=1) == y_val))
    teacher = float(np.mean((X_val @ teacher_W).argmax(axis=1) == y_val))
    return {"hard": np.array(hard), "soft": np.array(soft), "teacher": teacher}
