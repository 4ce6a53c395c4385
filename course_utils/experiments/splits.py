"""Train / validation / test splits and stratified k-fold (01_least_squares, section 8).

- :func:`train_val_test_split`: three disjoint index sets that cover 0 .. N-1;
- :func:`stratified_kfold`: k folds whose class proportions match the whole set's (each
  class is dealt round-robin across the folds, so each fold holds floor or ceil of
  n_c / k samples of class c, and the fold sizes differ by at most one);
- :func:`class_counts`: per fold, the number of samples of each class.
"""

from __future__ import annotations

import numpy as np


def train_val_test_split(n: int, val_fraction: float, test_fraction: float, seed: int = 0):
    """Shuffle 0 .. n-1 and cut it into training, validation and test indices.

    Inputs:
    - n: number of samples
    - val_fraction, test_fraction: shares of n (each rounded to the nearest integer count),
      with val_fraction + test_fraction < 1
    - seed: seed of the shuffle
    Returns a tuple of three int arrays (train, val, test), disjoint, together 0 .. n-1
    """
    if not (0 <= val_fraction and 0 <= test_fraction and val_fraction + test_fraction < 1):
        raise ValueError(
            f"need fractions >= 0 summing to < 1, got {val_fraction} and {test_fraction}"
        )
    n_val, n_test = round(n * val_fraction), round(n * test_fraction)
    if n - n_val - n_test < 1:
        raise ValueError(f"{n} samples leave no training sample")
    perm = np.random.default_rng(seed).permutation(n)
    return perm[n_val + n_test :], perm[:n_val], perm[n_val : n_val + n_test]


def stratified_kfold(y, k: int, seed: int = 0) -> list[np.ndarray]:
    """k folds of indices with the class proportions of y.

    The indices of each class are shuffled, the classes are laid end to end, and position
    i of that order goes to fold i mod k. So every class is spread as evenly as it can be
    (fold j holds floor or ceil of n_c / k samples of class c) and the fold sizes differ
    by at most one.

    Inputs:
    - y: class labels, of shape (N,) (any values that np.unique can sort)
    - k: number of folds, 2 <= k <= N
    - seed: seed of the shuffles (same seed, same folds)
    Returns:
    - folds: a list of k int arrays, disjoint, together 0 .. N-1, each sorted
    """
    y = np.asarray(y).reshape(-1)
    if not 2 <= k <= y.size:
        raise ValueError(f"need 2 <= k <= N = {y.size}, got k = {k}")
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(np.flatnonzero(y == c)) for c in np.unique(y)])
    return [np.sort(order[j::k]) for j in range(k)]


def class_counts(y, folds) -> np.ndarray:
    """How many samples of each class each fold holds.

    Inputs:
    - y: class labels, of shape (N,)
    - folds: a list of index arrays
    Returns:
    - counts: int array of shape (len(folds), number of classes), classes in np.unique order
    """
    y = np.asarray(y).reshape(-1)
    classes = np.unique(y)
    return np.array([[np.sum(y[fold] == c) for c in classes] for fold in folds])
