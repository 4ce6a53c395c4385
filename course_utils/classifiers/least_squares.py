"""Least squares: polynomial features, the ridge closed form, gradient descent and k-fold CV.

Shapes: N samples, D features (D = degree + 1 for polynomial features). ``theta`` has shape
(D,) for a target ``y`` of shape (N,).
"""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded


@graded("01_least_squares")
def polynomial_features(x, degree):
    """Map scalar inputs to the columns 1, x, x^2, ..., x^degree.

    Inputs:
    - x: inputs, of shape (N,) or (N, 1)
    - degree: int >= 0, the highest power
    Returns:
    - X: float64 design matrix, of shape (N, degree + 1), with X[i, p] = x[i] ** p
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise ValueError(f"x must have shape (N,) or (N, 1), got {x.shape}")
    if degree < 0:
        raise ValueError(f"degree must be >= 0, got {degree}")
    X = np.empty((x.shape[0], degree + 1))
    X[:, 0] = 1.0
    for p in range(1, degree + 1):
        X[:, p] = X[:, p - 1] * x
    return X


@graded("01_least_squares")
def fit(X, y, reg=0.0):
    """Ridge regression in closed form: theta = (X^T X + reg I)^-1 X^T y.

    Solved with ``np.linalg.solve`` (never an explicit inverse). Every coefficient,
    the intercept column included, is regularised (as sklearn's Ridge with
    ``fit_intercept=False``). With reg = 0 this is ordinary least squares and needs
    X^T X to be invertible (N >= D, independent columns).

    Inputs:
    - X: design matrix, of shape (N, D)
    - y: targets, of shape (N,)
    - reg: float >= 0, the ridge strength
    Returns:
    - theta: coefficients, of shape (D,)
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    D = X.shape[1]
    A = X.T @ X + reg * np.eye(D)  # (D, D)
    return np.linalg.solve(A, X.T @ y)


def predict(theta, X):
    """Predictions X theta.

    Inputs:
    - theta: coefficients, of shape (D,)
    - X: design matrix, of shape (N, D)
    Returns:
    - y_hat: predictions, of shape (N,)
    """
    return np.asarray(X, dtype=np.float64) @ theta


@graded("01_least_squares")
def loss_and_gradient(theta, X, y):
    """Mean squared error loss and its gradient.

    loss = 1/(2N) ||y - X theta||^2 and grad = -X^T (y - X theta) / N.

    Inputs:
    - theta: coefficients, of shape (D,)
    - X: design matrix, of shape (N, D)
    - y: targets, of shape (N,)
    Returns a tuple of:
    - loss: float
    - grad: gradient of the loss with respect to theta, of shape (D,)
    """
    N = X.shape[0]
    residual = y - X @ theta  # (N,)
    loss = float(residual @ residual) / (2 * N)
    grad = -(X.T @ residual) / N  # (D,)
    return loss, grad


@graded("01_least_squares")
def kfold_cross_validation(x, y, degree, reg, k=5, seed=0):
    """Mean validation error of ridge polynomial regression over k folds.

    The samples are shuffled with ``np.random.default_rng(seed).permutation(N)`` and
    split into k folds of near-equal size (``np.array_split``). For each fold, the model
    is fitted on the other k - 1 folds (``polynomial_features`` then ``fit``) and scored
    on the held-out fold by its mean squared error mean((y_val - X_val theta)^2)
    (no factor 1/2 here, unlike ``loss_and_gradient``).

    Inputs:
    - x: inputs, of shape (N,) or (N, 1)
    - y: targets, of shape (N,)
    - degree: polynomial degree; reg: ridge strength
    - k: number of folds, 2 <= k <= N
    - seed: seed of the fold assignment (same seed, same folds)
    Returns:
    - mse: float, the validation mean squared error averaged over the k folds
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    N = x.shape[0]
    if not 2 <= k <= N:
        raise ValueError(f"k must be between 2 and N={N}, got {k}")
    folds = np.array_split(np.random.default_rng(seed).permutation(N), k)
    errors = []
    for i in range(k):
        val_idx = folds[i]
        train_idx = np.concatenate([folds[j] for j in range(k) if j != i])
        theta = fit(polynomial_features(x[train_idx], degree), y[train_idx], reg)
        residual = y[val_idx] - polynomial_features(x[val_idx], degree) @ theta
        errors.append(np.mean(residual**2))
    return float(np.mean(errors))


def gradient_descent(X, y, learning_rate, num_steps, theta0=None, loss_fn=None):
    """Full-batch gradient descent on the loss of ``loss_and_gradient``.

    theta <- theta - learning_rate * grad, num_steps times. A learning rate that is too
    large makes the iterates diverge: the loss then grows to inf and later entries may
    be inf or nan (no warning is raised).

    Inputs:
    - X: design matrix, of shape (N, D); y: targets, of shape (N,)
    - learning_rate: float step size; num_steps: int >= 0
    - theta0: start, of shape (D,) (zeros when None)
    - loss_fn: (theta, X, y) -> (loss, grad); default loss_and_gradient (pass your own
      in a student bundle, where the reference body is left out)
    Returns a tuple of:
    - theta: final coefficients, of shape (D,)
    - loss_history: loss at every iterate, of shape (num_steps + 1,)
    - path: every iterate, start included, of shape (num_steps + 1, D);
      loss_history[t] is the loss at path[t]
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    D = X.shape[1]
    theta = np.zeros(D) if theta0 is None else np.array(theta0, dtype=np.float64)
    path = np.empty((num_steps + 1, D))
    loss_history = np.empty(num_steps + 1)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(num_steps + 1):
            loss, grad = (loss_fn or loss_and_gradient)(theta, X, y)
            path[t] = theta
            loss_history[t] = loss
            theta = theta - learning_rate * grad
    return path[-1].copy(), loss_history, path
