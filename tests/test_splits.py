"""Train / validation / test split and stratified k-fold (01, section 8)."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.experiments.splits import class_counts, stratified_kfold, train_val_test_split


@pytest.mark.parametrize("n, val, test", [(60, 0.2, 0.2), (7, 0.3, 0.1), (101, 0.15, 0.25)])
def test_three_way_split_is_a_partition_of_the_asked_sizes(n, val, test):
    train_idx, val_idx, test_idx = train_val_test_split(n, val, test, seed=3)
    assert len(val_idx) == round(n * val) and len(test_idx) == round(n * test)
    everything = np.concatenate([train_idx, val_idx, test_idx])
    np.testing.assert_array_equal(np.sort(everything), np.arange(n))
    again = train_val_test_split(n, val, test, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(again, (train_idx, val_idx, test_idx)))


def test_three_way_split_rejects_bad_fractions():
    with pytest.raises(ValueError, match="fractions"):
        train_val_test_split(10, 0.6, 0.5)
    with pytest.raises(ValueError, match="no training sample"):
        train_val_test_split(2, 0.3, 0.3)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [2, 3, 5, 7])
def test_stratified_folds_keep_the_class_proportions(seed, k):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3 * k, 200))
    y = rng.choice(4, size=n, p=[0.6, 0.25, 0.1, 0.05])
    folds = stratified_kfold(y, k, seed=seed)
    assert len(folds) == k
    np.testing.assert_array_equal(np.sort(np.concatenate(folds)), np.arange(n))
    sizes = np.array([len(f) for f in folds])
    assert sizes.max() - sizes.min() <= 1
    counts = class_counts(y, folds)  # (k, classes)
    whole = class_counts(y, [np.arange(n)])[0]
    # each fold holds within one sample of the whole set's count of the class divided by k
    assert np.all(np.abs(counts - whole / k) < 1)


def test_plain_folds_can_miss_the_proportions_that_stratified_keeps():
    """The reason to stratify: with a 10 % class, random folds drift, stratified ones do not."""
    y = np.array([1] * 6 + [0] * 54)
    worst_plain, worst_strat = 0.0, 0.0
    for seed in range(20):
        plain = np.array_split(np.random.default_rng(seed).permutation(60), 4)
        worst_plain = max(worst_plain, np.abs(class_counts(y, plain)[:, 1] - 1.5).max())
        strat = class_counts(y, stratified_kfold(y, 4, seed=seed))[:, 1]
        worst_strat = max(worst_strat, np.abs(strat - 1.5).max())
    assert worst_strat <= 0.5 < worst_plain


def test_stratified_kfold_rejects_bad_k():
    with pytest.raises(ValueError, match="2 <= k"):
        stratified_kfold(np.zeros(3), 4)
