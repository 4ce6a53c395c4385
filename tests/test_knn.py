"""kNN: distances against scipy, the vote's tie rule, predictions against sklearn, CV."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.datasets import load_digits
from sklearn.neighbors import KNeighborsClassifier

from course_utils.assignments import GRADED
from course_utils.classifiers.knn import KNearestNeighbor, cross_validate_k, l1_distances

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    X, y = data.data.astype(np.float64), data.target
    perm = np.random.default_rng(0).permutation(len(y))
    return X[perm], y[perm]


def _classifier(X, y):
    knn = KNearestNeighbor()
    knn.train(X, y)
    return knn


@pytest.mark.parametrize("num_train, num_test, D", [(1, 1, 1), (13, 7, 5), (40, 25, 64)])
def test_three_distances_match_cdist(rng, num_train, num_test, D):
    X_train = rng.standard_normal((num_train, D))
    X_test = rng.standard_normal((num_test, D))
    knn = _classifier(X_train, np.zeros(num_train, dtype=int))
    expected = cdist(X_test, X_train)
    for method in (
        knn.compute_distances_two_loops,
        knn.compute_distances_one_loop,
        knn.compute_distances_no_loops,
    ):
        dists = method(X_test)
        assert dists.shape == (num_test, num_train)
        assert dists.dtype == np.float64
        np.testing.assert_allclose(dists, expected, rtol=1e-7, atol=1e-6)


def test_no_loops_is_exact_on_identical_points_and_uint8(rng):
    """Rounding must not give nan (negative squares) or overflow on uint8 images."""
    X = rng.integers(0, 256, (20, 3072), dtype=np.uint8)
    knn = _classifier(X, np.zeros(20, dtype=int))
    dists = knn.compute_distances_no_loops(X)
    assert np.all(np.isfinite(dists))
    assert np.max(np.abs(np.diag(dists))) < 1e-3
    np.testing.assert_allclose(dists, cdist(X.astype(float), X.astype(float)), atol=1e-3)


def test_predict_labels_tie_goes_to_smaller_label():
    knn = _classifier(np.zeros((4, 1)), np.array([3, 1, 1, 3]))
    # Neighbours in order: labels 3, 1, 1, 3.
    dists = np.array([[0.0, 1.0, 2.0, 3.0]])
    assert knn.predict_labels(dists, k=1)[0] == 3
    assert knn.predict_labels(dists, k=2)[0] == 1  # one vote each: smaller label wins
    assert knn.predict_labels(dists, k=3)[0] == 1  # majority
    assert knn.predict_labels(dists, k=4)[0] == 1  # two votes each: smaller label
    knn.train(np.zeros((4, 1)), np.array([7, 2, 7, 2]))
    assert knn.predict_labels(np.array([[0.0, 0.5, 1.0, 1.5]]), k=4)[0] == 2


def test_predict_labels_shape_and_dtype(rng):
    y = rng.integers(0, 5, 30)
    knn = _classifier(rng.standard_normal((30, 3)), y)
    pred = knn.predict_labels(rng.random((8, 30)), k=5)
    assert pred.shape == (8,)
    assert pred.dtype == y.dtype
    assert set(pred) <= set(y)


def test_predict_all_loop_variants_agree(rng):
    X_train, y_train = rng.standard_normal((30, 4)), rng.integers(0, 3, 30)
    X_test = rng.standard_normal((10, 4))
    knn = _classifier(X_train, y_train)
    preds = [knn.predict(X_test, k=3, num_loops=n) for n in (0, 1, 2)]
    np.testing.assert_array_equal(preds[0], preds[1])
    np.testing.assert_array_equal(preds[0], preds[2])
    with pytest.raises(ValueError):
        knn.predict(X_test, num_loops=3)


def test_predict_matches_sklearn_on_digits(digits):
    X, y = digits
    X_train, y_train, X_test = X[:1200], y[:1200], X[1200:]
    pred = _classifier(X_train, y_train).predict(X_test, k=1)
    sk = KNeighborsClassifier(n_neighbors=1, algorithm="brute").fit(X_train, y_train)
    np.testing.assert_array_equal(pred, sk.predict(X_test))
    assert np.mean(pred == y[1200:]) > 0.95


@pytest.mark.parametrize("chunk_entries", [1, 50, 2**24])
def test_l1_distances_match_cdist_in_any_chunking(rng, chunk_entries):
    X_train, X_test = rng.standard_normal((17, 6)), rng.standard_normal((9, 6))
    knn = _classifier(X_train, np.zeros(17, dtype=int))
    expected = cdist(X_test, X_train, metric="cityblock")
    np.testing.assert_allclose(l1_distances(X_train, X_test, chunk_entries), expected, rtol=1e-12)
    np.testing.assert_allclose(knn.compute_distances_no_loops(X_test, p=1), expected, rtol=1e-12)


def test_predict_l1_matches_sklearn_manhattan(digits):
    X, y = digits
    X_train, y_train, X_test = X[:800], y[:800], X[800:1100]
    pred = _classifier(X_train, y_train).predict(X_test, k=3, p=1)
    sk = KNeighborsClassifier(n_neighbors=3, algorithm="brute", p=1).fit(X_train, y_train)
    np.testing.assert_array_equal(pred, sk.predict(X_test))


@pytest.mark.parametrize("p", [0, 3, 1.5, "l1", True, None])
def test_an_unknown_metric_is_refused(digits, p):
    knn = _classifier(digits[0][:10], digits[1][:10])
    with pytest.raises(ValueError, match="p=1 .L1. or p=2"):
        knn.predict(digits[0][:3], p=p)
    with pytest.raises(ValueError, match="p=1 .L1. or p=2"):
        cross_validate_k(digits[0][:20], digits[1][:20], [1], num_folds=2, p=p)


def test_l1_has_no_loop_variants(digits):
    with pytest.raises(ValueError, match="num_loops"):
        _classifier(digits[0][:10], digits[1][:10]).predict(digits[0][:2], p=1, num_loops=2)


def test_cross_validate_k_metric_changes_the_distances(digits):
    X, y = digits[0][:200], digits[1][:200]
    l1 = cross_validate_k(X, y, [1, 5], num_folds=4, seed=0, p=1)
    assert l1 == cross_validate_k(X, y, [1, 5], num_folds=4, seed=0, p=1)
    assert l1 != cross_validate_k(X, y, [1, 5], num_folds=4, seed=0, p=2)
    assert np.mean(l1[1]) > 0.85


def test_cross_validate_k_shape_and_determinism(digits):
    X, y = digits[0][:300], digits[1][:300]
    k_choices = [1, 3, 8]
    result = cross_validate_k(X, y, k_choices, num_folds=4, seed=0)
    assert list(result) == k_choices
    for accs in result.values():
        assert len(accs) == 4
        assert all(isinstance(a, float) and 0.0 <= a <= 1.0 for a in accs)
    assert np.mean(result[1]) > 0.85
    assert result == cross_validate_k(X, y, k_choices, num_folds=4, seed=0)
    assert result != cross_validate_k(X, y, k_choices, num_folds=4, seed=1)


def test_cross_validate_k_matches_manual_folds(digits):
    X, y = digits[0][:100], digits[1][:100]
    folds = np.array_split(np.random.default_rng(5).permutation(100), 5)
    expected = []
    for i, val in enumerate(folds):
        train = np.concatenate([f for j, f in enumerate(folds) if j != i])
        sk = KNeighborsClassifier(n_neighbors=1, algorithm="brute").fit(X[train], y[train])
        expected.append(np.mean(sk.predict(X[val]) == y[val]))
    got = cross_validate_k(X, y, [1], num_folds=5, seed=5)[1]
    np.testing.assert_allclose(got, expected)


def test_graded_tags():
    prefix = "course_utils.classifiers.knn."
    for name in (
        "KNearestNeighbor.compute_distances_two_loops",
        "KNearestNeighbor.compute_distances_one_loop",
        "KNearestNeighbor.compute_distances_no_loops",
        "KNearestNeighbor.predict_labels",
        "cross_validate_k",
        "l1_distances",
    ):
        assert GRADED[prefix + name] == "02_knn"
    assert prefix + "KNearestNeighbor.predict" not in GRADED
