"""Wrong answers a student might give in 02_knn (the notebook's function signatures)."""

from collections import Counter

import numpy as np

from course_utils.classifiers.knn import KNearestNeighbor
from tests.mutants import Mutant


def two_loops_squared(X_train, X):
    """Forgets the square root: squared distances."""
    dists = np.zeros((X.shape[0], X_train.shape[0]))
    for i in range(X.shape[0]):
        for j in range(X_train.shape[0]):
            dists[i, j] = np.sum((X[i] - X_train[j]) ** 2)
    return dists


def two_loops_transposed(X_train, X):
    """Indexes the output as (num_train, num_test)."""
    dists = np.zeros((X_train.shape[0], X.shape[0]))
    for j in range(X_train.shape[0]):
        for i in range(X.shape[0]):
            dists[j, i] = np.sqrt(np.sum((X[i] - X_train[j]) ** 2))
    return dists


def two_loops_manhattan(X_train, X):
    """The L1 distance instead of the Euclidean one."""
    dists = np.zeros((X.shape[0], X_train.shape[0]))
    for i in range(X.shape[0]):
        for j in range(X_train.shape[0]):
            dists[i, j] = np.sum(np.abs(X[i] - X_train[j]))
    return dists


def one_loop_no_axis(X_train, X):
    """np.sum without axis=1: one number for the whole row."""
    dists = np.zeros((X.shape[0], X_train.shape[0]))
    for i in range(X.shape[0]):
        dists[i] = np.sqrt(np.sum((X_train - X[i]) ** 2))
    return dists


def one_loop_squared(X_train, X):
    """Forgets the square root."""
    dists = np.zeros((X.shape[0], X_train.shape[0]))
    for i in range(X.shape[0]):
        dists[i] = np.sum((X_train - X[i]) ** 2, axis=1)
    return dists


def one_loop_max_norm(X_train, X):
    """np.linalg.norm with ord=np.inf: the largest coordinate difference."""
    dists = np.zeros((X.shape[0], X_train.shape[0]))
    for i in range(X.shape[0]):
        dists[i] = np.linalg.norm(X_train - X[i], ord=np.inf, axis=1)
    return dists


def _no_loops(X_train, X, cross_factor=-2.0, wrong_axes=False, root=True):
    test_sq = np.sum(X**2, axis=1)
    train_sq = np.sum(X_train**2, axis=1)
    if wrong_axes:  # right only when num_test == num_train... and then wrong values
        squared = test_sq[None, :] + cross_factor * X @ X_train.T + train_sq[:, None]
    else:
        squared = test_sq[:, None] + cross_factor * X @ X_train.T + train_sq[None, :]
    squared = np.maximum(squared, 0.0)
    return np.sqrt(squared) if root else squared


def no_loops_without_two(X_train, X):
    """||a||^2 - a.b + ||b||^2: the factor 2 of the cross term is missing."""
    return _no_loops(X_train, X, cross_factor=-1.0)


def no_loops_plus_sign(X_train, X):
    """||a||^2 + 2 a.b + ||b||^2: the sign of the cross term is wrong."""
    return _no_loops(X_train, X, cross_factor=2.0)


def no_loops_swapped_norms(X_train, X):
    """The test norms broadcast along the training axis and vice versa."""
    return _no_loops(X_train, X, wrong_axes=True)


def no_loops_squared(X_train, X):
    """Forgets the square root."""
    return _no_loops(X_train, X, root=False)


def l1_euclidean(X_train, X):
    """The L2 distance where L1 is asked."""
    return np.sqrt(np.sum((X[:, None, :] - X_train[None, :, :]) ** 2, axis=2))


def l1_no_abs(X_train, X):
    """Forgets the absolute value: signed differences cancel."""
    return np.sum(X[:, None, :] - X_train[None, :, :], axis=2)


def l1_mean(X_train, X):
    """The mean absolute difference instead of the sum."""
    return np.mean(np.abs(X[:, None, :] - X_train[None, :, :]), axis=2)


def l1_transposed(X_train, X):
    """Broadcasts the other way round: (num_train, num_test)."""
    return np.sum(np.abs(X_train[:, None, :] - X[None, :, :]), axis=2)


def _vote(dists, y_train, k, order, pick):
    nearest = order(dists)[:, :k]
    return np.array([pick(y_train[row]) for row in nearest], dtype=y_train.dtype)


def _stable(dists):
    return np.argsort(dists, axis=1, kind="stable")


def labels_ties_to_largest(dists, y_train, k=1):
    """Ties between labels go to the largest label."""

    def pick(labels):
        counts = np.bincount(labels)
        return len(counts) - 1 - np.argmax(counts[::-1])

    return _vote(dists, y_train, k, _stable, pick)


def labels_ties_to_nearest(dists, y_train, k=1):
    """Counter.most_common: a tie goes to the label met first (the nearest), not the smallest."""
    return _vote(dists, y_train, k, _stable, lambda labels: Counter(labels).most_common(1)[0][0])


def labels_farthest(dists, y_train, k=1):
    """Sorts the distances in decreasing order: the k farthest samples vote."""
    return _vote(dists, y_train, k, lambda d: _stable(-d), lambda lab: np.argmax(np.bincount(lab)))


def labels_one_more_neighbour(dists, y_train, k=1):
    """Off by one: k + 1 neighbours vote."""
    return _vote(dists, y_train, k + 1, _stable, lambda lab: np.argmax(np.bincount(lab)))


def _cv(X, y, k_choices, num_folds, seed, p=2, folds=None, train_on_all=False, score=None):
    N = X.shape[0]
    if folds is None:
        folds = np.array_split(np.random.default_rng(seed).permutation(N), num_folds)
    accuracies = {k: [] for k in k_choices}
    for i in range(num_folds):
        train = np.concatenate([folds[j] for j in range(num_folds) if j != i or train_on_all])
        model = KNearestNeighbor()
        model.train(X[train], y[train])
        dists = model.compute_distances_no_loops(X[folds[i]], p=p)
        for k in k_choices:
            y_pred = model.predict_labels(dists, k=k)
            correct = y_pred == y[folds[i]]
            accuracies[k].append(float(score(correct) if score else np.mean(correct)))
    return accuracies


def cv_no_shuffle(X, y, k_choices, num_folds=5, seed=0, p=2):
    """Contiguous folds in the data's order: the seed is ignored."""
    folds = np.array_split(np.arange(len(y)), num_folds)
    return _cv(X, y, k_choices, num_folds, seed, p, folds=folds)


def cv_train_on_all(X, y, k_choices, num_folds=5, seed=0, p=2):
    """The held-out fold stays in the training set (k = 1 then scores 100%)."""
    return _cv(X, y, k_choices, num_folds, seed, p, train_on_all=True)


def cv_counts(X, y, k_choices, num_folds=5, seed=0, p=2):
    """Number of correct predictions instead of the accuracy."""
    return _cv(X, y, k_choices, num_folds, seed, p, score=np.sum)


def cv_error_rate(X, y, k_choices, num_folds=5, seed=0, p=2):
    """The error rate 1 - accuracy."""
    return _cv(X, y, k_choices, num_folds, seed, p, score=lambda c: 1.0 - np.mean(c))


def cv_ignores_metric(X, y, k_choices, num_folds=5, seed=0, p=2):
    """Always the L2 distance, whatever p asks."""
    return _cv(X, y, k_choices, num_folds, seed)


REACH, TARGET = "test_choice_within_reach", "test_choice_target"
T2, T1, T0, L1, PL, CV = (
    "test_compute_distances_two_loops",
    "test_compute_distances_one_loop",
    "test_compute_distances_no_loops",
    "test_compute_distances_l1",
    "test_predict_labels",
    "test_cross_validate_k",
)
MUTANTS = [
    Mutant("two loops: no square root", T2, {"compute_distances_two_loops": two_loops_squared}),
    Mutant("two loops: transposed", T2, {"compute_distances_two_loops": two_loops_transposed}),
    Mutant("two loops: L1 distance", T2, {"compute_distances_two_loops": two_loops_manhattan}),
    Mutant("one loop: sum without axis", T1, {"compute_distances_one_loop": one_loop_no_axis}),
    Mutant("one loop: no square root", T1, {"compute_distances_one_loop": one_loop_squared}),
    Mutant("one loop: max norm", T1, {"compute_distances_one_loop": one_loop_max_norm}),
    Mutant("no loops: factor 2 missing", T0, {"compute_distances_no_loops": no_loops_without_two}),
    Mutant("no loops: plus sign", T0, {"compute_distances_no_loops": no_loops_plus_sign}),
    Mutant("no loops: norms swapped", T0, {"compute_distances_no_loops": no_loops_swapped_norms}),
    Mutant("no loops: no square root", T0, {"compute_distances_no_loops": no_loops_squared}),
    Mutant("L1: the L2 distance", L1, {"compute_distances_l1": l1_euclidean}),
    Mutant("L1: no absolute value", L1, {"compute_distances_l1": l1_no_abs}),
    Mutant("L1: mean, not sum", L1, {"compute_distances_l1": l1_mean}),
    Mutant("L1: transposed", L1, {"compute_distances_l1": l1_transposed}),
    Mutant("ties to the largest label", PL, {"predict_labels": labels_ties_to_largest}),
    Mutant("ties to the nearest's label", PL, {"predict_labels": labels_ties_to_nearest}),
    Mutant("farthest neighbours vote", PL, {"predict_labels": labels_farthest}),
    Mutant("k + 1 neighbours", PL, {"predict_labels": labels_one_more_neighbour}),
    Mutant("folds not shuffled", CV, {"cross_validate_k": cv_no_shuffle}),
    Mutant("held-out fold trained on", CV, {"cross_validate_k": cv_train_on_all}),
    Mutant("counts, not accuracies", CV, {"cross_validate_k": cv_counts}),
    Mutant("error rate", CV, {"cross_validate_k": cv_error_rate}),
    Mutant("metric ignored", CV, {"cross_validate_k": cv_ignores_metric}),
]
MUTANTS += [
    Mutant("k = 100: far too smooth", REACH, {"best_k": 100, "best_p": 2}),
    Mutant("k = 50 with L1", REACH, {"best_k": 50, "best_p": 1}),
    Mutant("k = 0", REACH, {"best_k": 0, "best_p": 2}),
    Mutant("p = 3", REACH, {"best_k": 3, "best_p": 3}),
    Mutant("k = 50: too smooth", TARGET, {"best_k": 50, "best_p": 2}),
    Mutant("k = 30: not the CV optimum", TARGET, {"best_k": 30, "best_p": 1}),
    Mutant("k = 2.5", TARGET, {"best_k": 2.5, "best_p": 2}),
    Mutant("k larger than the training set", TARGET, {"best_k": 5000, "best_p": 2}),
    Mutant("k and p as strings", TARGET, {"best_k": "5", "best_p": "2"}),
]
