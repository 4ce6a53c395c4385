"""Wrong answers a student might give in 01_least_squares."""

import numpy as np

from course_utils.classifiers.least_squares import fit, polynomial_features
from tests.mutants import Mutant


def vander_decreasing(x, degree):
    """np.vander's default column order: x^degree first, the constant last."""
    return np.vander(np.asarray(x, dtype=np.float64).reshape(-1), degree + 1)


def features_without_constant(x, degree):
    """Columns x, ..., x^degree: the column of ones is missing."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    return np.stack([x**p for p in range(1, degree + 1)], axis=1).reshape(len(x), degree)


def features_one_short(x, degree):
    """range(degree) instead of range(degree + 1): x^degree is missing."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    return np.stack([x**p for p in range(max(degree, 1))], axis=1)


def features_no_reshape(x, degree):
    """Right for (N,) inputs; broadcasts an (N, 1) input into a 3-D array."""
    x = np.asarray(x, dtype=np.float64)
    return x[..., None] ** np.arange(degree + 1)


def loss_without_half(theta, X, y):
    """Mean squared error without the 1/2 (the gradient is the one of the halved loss)."""
    residual = y - X @ theta
    return float(residual @ residual) / X.shape[0], -(X.T @ residual) / X.shape[0]


def gradient_sign_flipped(theta, X, y):
    """X^T (y - X theta) / N: the sign of the gradient is lost."""
    residual = y - X @ theta
    return float(residual @ residual) / (2 * X.shape[0]), (X.T @ residual) / X.shape[0]


def gradient_without_mean(theta, X, y):
    """The gradient of the summed loss: the 1/N is forgotten in the gradient."""
    residual = y - X @ theta
    return float(residual @ residual) / (2 * X.shape[0]), -(X.T @ residual)


def loss_mean_over_features(theta, X, y):
    """Divides by the number of features D instead of the number of samples N."""
    residual = y - X @ theta
    D = X.shape[1]
    return float(residual @ residual) / (2 * D), -(X.T @ residual) / D


def fit_ignores_reg(X, y, reg=0.0):
    """Ordinary least squares whatever reg is."""
    return np.linalg.solve(X.T @ X, X.T @ y)


def fit_intercept_not_regularized(X, y, reg=0.0):
    """Leaves the first coefficient out of the penalty (the docstring asks for all of them)."""
    penalty = reg * np.eye(X.shape[1])
    penalty[0, 0] = 0.0
    return np.linalg.lstsq(X.T @ X + penalty, X.T @ y, rcond=None)[0]


def fit_reg_times_n(X, y, reg=0.0):
    """Scales the penalty by N, as if the loss were the mean squared error plus reg ||theta||^2."""
    return np.linalg.solve(X.T @ X + reg * X.shape[0] * np.eye(X.shape[1]), X.T @ y)


def fit_half_reg(X, y, reg=0.0):
    """reg / 2 on the diagonal: the factor of the penalty's derivative is lost."""
    return np.linalg.solve(X.T @ X + 0.5 * reg * np.eye(X.shape[1]), X.T @ y)


def _kfold(x, y, degree, reg, k, folds, score):
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    errors = []
    for i in range(k):
        val = folds[i]
        train = np.concatenate([folds[j] for j in range(k) if j != i])
        theta = fit(polynomial_features(x[train], degree), y[train], reg)
        errors.append(score(x, y, train, val, theta, degree))
    return float(np.mean(errors))


def _val_mse(x, y, train, val, theta, degree):
    return np.mean((y[val] - polynomial_features(x[val], degree) @ theta) ** 2)


def kfold_no_shuffle(x, y, degree, reg, k=5, seed=0):
    """Contiguous folds in the input order: the seed is ignored."""
    N = np.asarray(x).reshape(-1).shape[0]
    return _kfold(x, y, degree, reg, k, np.array_split(np.arange(N), k), _val_mse)


def kfold_training_error(x, y, degree, reg, k=5, seed=0):
    """Scores each fold's model on its own training folds."""

    def train_mse(x, y, train, val, theta, degree):
        return np.mean((y[train] - polynomial_features(x[train], degree) @ theta) ** 2)

    N = np.asarray(x).reshape(-1).shape[0]
    folds = np.array_split(np.random.default_rng(seed).permutation(N), k)
    return _kfold(x, y, degree, reg, k, folds, train_mse)


def kfold_halved_error(x, y, degree, reg, k=5, seed=0):
    """Scores folds with the 1/2 of loss_and_gradient (half the asked mean squared error)."""
    N = np.asarray(x).reshape(-1).shape[0]
    folds = np.array_split(np.random.default_rng(seed).permutation(N), k)
    return 0.5 * _kfold(x, y, degree, reg, k, folds, _val_mse)


def kfold_pooled_error(x, y, degree, reg, k=5, seed=0):
    """Averages the squared errors of all held-out samples, not the k fold errors."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    folds = np.array_split(np.random.default_rng(seed).permutation(x.shape[0]), k)
    squared = []
    for i in range(k):
        train = np.concatenate([folds[j] for j in range(k) if j != i])
        theta = fit(polynomial_features(x[train], degree), y[train], reg)
        squared.append((y[folds[i]] - polynomial_features(x[folds[i]], degree) @ theta) ** 2)
    return float(np.mean(np.concatenate(squared)))


PF, LG, FIT, KF = (
    "test_polynomial_features",
    "test_loss_and_gradient",
    "test_fit",
    "test_kfold_cross_validation",
)
MUTANTS = [
    Mutant("decreasing powers (np.vander)", PF, {"polynomial_features": vander_decreasing}),
    Mutant("no constant column", PF, {"polynomial_features": features_without_constant}),
    Mutant("one power short", PF, {"polynomial_features": features_one_short}),
    Mutant("(N, 1) input not flattened", PF, {"polynomial_features": features_no_reshape}),
    Mutant("loss without the 1/2", LG, {"loss_and_gradient": loss_without_half}),
    Mutant("gradient sign flipped", LG, {"loss_and_gradient": gradient_sign_flipped}),
    Mutant("gradient without 1/N", LG, {"loss_and_gradient": gradient_without_mean}),
    Mutant("divides by D, not N", LG, {"loss_and_gradient": loss_mean_over_features}),
    Mutant("reg ignored", FIT, {"fit": fit_ignores_reg}),
    Mutant("intercept not regularized", FIT, {"fit": fit_intercept_not_regularized}),
    Mutant("reg scaled by N", FIT, {"fit": fit_reg_times_n}),
    Mutant("reg halved", FIT, {"fit": fit_half_reg}),
    Mutant("folds not shuffled", KF, {"kfold_cross_validation": kfold_no_shuffle}),
    Mutant("training error", KF, {"kfold_cross_validation": kfold_training_error}),
    Mutant("halved squared error", KF, {"kfold_cross_validation": kfold_halved_error}),
    Mutant("pooled, not per-fold, mean", KF, {"kfold_cross_validation": kfold_pooled_error}),
]
