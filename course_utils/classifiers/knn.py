"""k-nearest-neighbour classifier with Euclidean (L2) or Manhattan (L1) distances, and
cross-validation of k and the metric.

The metric is a hyperparameter: ``p=2`` (the default, Euclidean) or ``p=1`` (Manhattan,
sum of absolute pixel differences), a keyword of ``compute_distances_no_loops``,
``predict`` and ``cross_validate_k``.

Shapes: num_train training samples and num_test test samples of D features each.
Labels are non-negative integers.
"""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded

#: the metrics: p = 1 (L1, Manhattan) and p = 2 (L2, Euclidean)
METRICS = (1, 2)
#: float64 entries of the (rows, num_train, D) temporary of one L1 chunk (2 MiB: small
#: chunks stay in cache, ~15x faster than 128 MiB ones on 1000 x 300 digits)
L1_CHUNK_ENTRIES = 2**18


def check_metric(p) -> int:
    """``p`` as an int if it is 1 or 2, else a ValueError that says so."""
    if isinstance(p, bool) or p not in METRICS:
        raise ValueError(f"invalid metric p={p!r}: use p=1 (L1) or p=2 (L2, Euclidean)")
    return int(p)


@graded("02_knn")
def l1_distances(X_train, X, chunk_entries: int = L1_CHUNK_ENTRIES):
    """Manhattan distances by broadcasting, a few test rows at a time.

    Inputs:
    - X_train: training samples, of shape (num_train, D)
    - X: test samples, of shape (num_test, D)
    - chunk_entries: the largest (rows, num_train, D) temporary, in entries
    Returns:
    - dists: float64 of shape (num_test, num_train); dists[i, j] = ||X[i] - X_train[j]||_1
    """
    X = np.asarray(X, dtype=np.float64)
    X_train = np.asarray(X_train, dtype=np.float64)
    rows = max(1, chunk_entries // max(1, X_train.shape[0] * X_train.shape[1]))
    dists = np.empty((X.shape[0], X_train.shape[0]))
    for start in range(0, X.shape[0], rows):
        block = X[start : start + rows, None, :] - X_train[None, :, :]  # (rows, num_train, D)
        dists[start : start + rows] = np.abs(block).sum(axis=2)
    return dists


class KNearestNeighbor:
    """kNN classifier: memorises the training set, votes among the k closest samples."""

    def __init__(self):
        self.X_train = None
        self.y_train = None

    def train(self, X, y):
        """Memorise the training data.

        Inputs:
        - X: training samples, of shape (num_train, D)
        - y: integer labels, of shape (num_train,); y[i] is the label of X[i]
        """
        self.X_train = np.asarray(X)
        self.y_train = np.asarray(y)

    def predict(self, X, k=1, num_loops=0, p=2):
        """Predict labels for test samples.

        Inputs:
        - X: test samples, of shape (num_test, D)
        - k: number of neighbours that vote
        - num_loops: 0, 1 or 2, which distance implementation to use (L2 only)
        - p: the metric, 2 (Euclidean) or 1 (Manhattan, computed without loops)
        Returns:
        - y_pred: predicted labels, of shape (num_test,)
        """
        if check_metric(p) == 1:
            if num_loops != 0:
                raise ValueError(f"the L1 distance (p=1) has no loops; got num_loops={num_loops!r}")
            return self.predict_labels(self.compute_distances_no_loops(X, p=1), k=k)
        compute = {
            0: self.compute_distances_no_loops,
            1: self.compute_distances_one_loop,
            2: self.compute_distances_two_loops,
        }
        if num_loops not in compute:
            raise ValueError(f"invalid value {num_loops!r} for num_loops (0, 1 or 2)")
        return self.predict_labels(compute[num_loops](X), k=k)

    @graded("02_knn")
    def compute_distances_two_loops(self, X):
        """Euclidean distances with a loop over test and a loop over training samples.

        Inputs:
        - X: test samples, of shape (num_test, D)
        Returns:
        - dists: of shape (num_test, num_train); dists[i, j] = ||X[i] - X_train[j]||_2
        """
        X = np.asarray(X, dtype=np.float64)
        X_train = np.asarray(self.X_train, dtype=np.float64)
        num_test, num_train = X.shape[0], X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            for j in range(num_train):
                diff = X[i] - X_train[j]  # (D,)
                dists[i, j] = np.sqrt(np.sum(diff * diff))
        return dists

    @graded("02_knn")
    def compute_distances_one_loop(self, X):
        """Euclidean distances with one loop over test samples (broadcast over training).

        Inputs:
        - X: test samples, of shape (num_test, D)
        Returns:
        - dists: of shape (num_test, num_train); dists[i, j] = ||X[i] - X_train[j]||_2
        """
        X = np.asarray(X, dtype=np.float64)
        X_train = np.asarray(self.X_train, dtype=np.float64)
        dists = np.zeros((X.shape[0], X_train.shape[0]))
        for i in range(X.shape[0]):
            diff = X_train - X[i]  # (num_train, D)
            dists[i] = np.sqrt(np.sum(diff * diff, axis=1))
        return dists

    @graded("02_knn")
    def compute_distances_no_loops(self, X, p=2):
        """Distances without Python loops over samples; Euclidean unless p=1.

        p=2: ||a - b||^2 = ||a||^2 - 2 a.b + ||b||^2, one float64 matrix product; the
        squared distances are clipped at 0 (rounding can make them slightly negative)
        before the square root. Works in place on the product to avoid temporaries of
        shape (num_test, num_train).
        p=1: the sum of absolute differences, broadcast over a few test rows at a time.

        Inputs:
        - X: test samples, of shape (num_test, D)
        - p: the metric, 2 (Euclidean, default) or 1 (Manhattan)
        Returns:
        - dists: of shape (num_test, num_train); dists[i, j] = ||X[i] - X_train[j]||_p
        """
        if check_metric(p) == 1:
            return l1_distances(self.X_train, X)
        X = np.asarray(X, dtype=np.float64)
        X_train = np.asarray(self.X_train, dtype=np.float64)
        test_sq = np.einsum("ij,ij->i", X, X)  # (num_test,)
        train_sq = np.einsum("ij,ij->i", X_train, X_train)  # (num_train,)
        dists = X @ X_train.T  # (num_test, num_train)
        dists *= -2.0
        dists += test_sq[:, None]
        dists += train_sq[None, :]
        np.maximum(dists, 0.0, out=dists)
        np.sqrt(dists, out=dists)
        return dists

    @graded("02_knn")
    def predict_labels(self, dists, k=1):
        """Majority vote among the k nearest training samples.

        Equal distances are ordered by training index (stable sort); a tie between labels
        in the vote goes to the smaller label (``np.bincount(...).argmax()``).

        Inputs:
        - dists: distances, of shape (num_test, num_train)
        - k: number of neighbours that vote, 1 <= k <= num_train
        Returns:
        - y_pred: predicted labels, of shape (num_test,), of the dtype of y_train
        """
        nearest = np.argsort(dists, axis=1, kind="stable")[:, :k]  # (num_test, k)
        closest_y = self.y_train[nearest]  # (num_test, k)
        y_pred = np.zeros(dists.shape[0], dtype=self.y_train.dtype)
        for i in range(dists.shape[0]):
            y_pred[i] = np.argmax(np.bincount(closest_y[i]))
        return y_pred


@graded("02_knn")
def cross_validate_k(X, y, k_choices, num_folds=5, seed=0, p=2):
    """Accuracy of kNN for each k on each of num_folds cross-validation folds, metric p.

    The samples are shuffled with ``np.random.default_rng(seed).permutation(N)`` and split
    into num_folds near-equal folds (``np.array_split``). For each fold, a classifier is
    trained on the other folds, distances to the held-out fold are computed once
    (no loops, with metric p) and every k in k_choices votes on them.

    Inputs:
    - X: samples, of shape (N, D); y: integer labels, of shape (N,)
    - k_choices: iterable of ints, the k values to try
    - num_folds: number of folds, >= 2
    - seed: seed of the fold assignment
    - p: the metric, 2 (Euclidean, default) or 1 (Manhattan)
    Returns:
    - k_to_accuracies: dict mapping each k to a list of num_folds float accuracies,
      in fold order
    """
    p = check_metric(p)
    X = np.asarray(X)
    y = np.asarray(y)
    folds = np.array_split(np.random.default_rng(seed).permutation(X.shape[0]), num_folds)
    k_to_accuracies = {k: [] for k in k_choices}
    for i in range(num_folds):
        train_idx = np.concatenate([folds[j] for j in range(num_folds) if j != i])
        classifier = KNearestNeighbor()
        classifier.train(X[train_idx], y[train_idx])
        dists = classifier.compute_distances_no_loops(X[folds[i]], p=p)
        for k in k_to_accuracies:
            y_pred = classifier.predict_labels(dists, k=k)
            k_to_accuracies[k].append(float(np.mean(y_pred == y[folds[i]])))
    return k_to_accuracies
