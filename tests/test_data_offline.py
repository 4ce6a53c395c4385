"""The offline data sets of course_utils.data: digits, text, synthetic sets, get_dataset."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.data import (
    DIGITS_CLASSES,
    CharVocab,
    blobs,
    get_dataset,
    load_digits,
    load_text,
    rent_ground_truth,
    rent_polynomial_coefficients,
    rent_vs_area,
    spirals,
    text_batches,
    xor,
)
from course_utils.data.text import STDLIB_MODULES


@pytest.fixture(scope="module")
def digits():
    return load_digits()


@pytest.fixture(scope="module")
def corpus():
    return load_text()


# --- digits ---------------------------------------------------------------


def test_digits_shapes_dtypes_and_range(digits):
    X, y = digits
    assert X.shape == (1797, 8, 8) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(y).tolist()) == set(range(10)) and len(DIGITS_CLASSES) == 10
    X2, y2 = load_digits()
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


# --- text -----------------------------------------------------------------


def test_stdlib_corpus_is_deterministic_and_complete(corpus):
    assert corpus == load_text("python_stdlib")
    assert corpus.startswith(f"# ===== {STDLIB_MODULES[0]}.py =====\n")
    positions = [corpus.index(f"# ===== {name}.py =====\n") for name in STDLIB_MODULES]
    assert positions == sorted(positions)  # the fixed order
    assert len(corpus) > 300_000
    assert load_text(max_chars=1000) == corpus[:1000]
    with pytest.raises(ValueError, match="unknown corpus"):
        load_text("no_such_corpus")


def test_char_vocab_round_trip(corpus):
    vocab = CharVocab.from_text(corpus)
    assert vocab.size == len(vocab) == len(set(corpus))
    assert list(vocab.chars) == sorted(set(corpus))
    ids = vocab.encode(corpus[:5000])
    assert ids.dtype == np.int64 and ids.shape == (5000,)
    assert ids.min() >= 0 and ids.max() < vocab.size
    assert vocab.decode(ids) == corpus[:5000]
    assert vocab.decode(ids.tolist()) == corpus[:5000]
    small = CharVocab("hello")
    np.testing.assert_array_equal(small.encode("hole"), [1, 3, 2, 0])  # e h l o
    with pytest.raises(ValueError, match="not in the vocabulary"):
        small.encode("help")
    with pytest.raises(ValueError):
        small.decode([0, 4])
    with pytest.raises(ValueError):
        small.decode(np.zeros((2, 2), dtype=np.int64))


def test_text_batches_are_next_character_windows():
    ids = np.arange(12)  # id = position, so every window can be read off directly
    x, y = text_batches(ids, batch_size=500, seq_len=5, rng=np.random.default_rng(0))
    assert x.shape == y.shape == (500, 5) and x.dtype == y.dtype == np.int64
    np.testing.assert_array_equal(x, x[:, :1] + np.arange(5))  # contiguous windows
    np.testing.assert_array_equal(y, x + 1)  # targets are the next characters
    assert set(x[:, 0].tolist()) == set(range(12 - 5))  # every start 0..L-T-1 occurs
    again, _ = text_batches(ids, 500, 5, rng=np.random.default_rng(0))
    other, _ = text_batches(ids, 500, 5, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(x, again)
    assert not np.array_equal(x, other)
    with pytest.raises(ValueError):
        text_batches(np.arange(5), 2, 5, rng=0)


def test_text_batches_on_encoded_corpus(corpus):
    vocab = CharVocab.from_text(corpus)
    ids = vocab.encode(corpus[:20000])
    x, y = text_batches(ids, batch_size=4, seq_len=25, rng=7)
    for row_x, row_y in zip(x, y):
        text_x, text_y = vocab.decode(row_x), vocab.decode(row_y)
        assert text_x in corpus[:20000] and text_x[1:] == text_y[:-1]


# --- synthetic sets -------------------------------------------------------

CLASSIFICATION_SETS = {
    "spirals": (lambda seed: spirals(50, 3, 0.2, seed=seed), 150),
    "xor": (lambda seed: xor(120, seed=seed), 120),
    "blobs": (lambda seed: blobs(40, 4, 0.5, seed=seed), 160),
}


@pytest.mark.parametrize("name", CLASSIFICATION_SETS)
def test_classification_sets_shapes_dtypes_and_seeds(name):
    make, n = CLASSIFICATION_SETS[name]
    X, y = make(0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    X_again, y_again = make(0)
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(y, y_again)
    assert not np.array_equal(X, make(1)[0])
    assert np.all(np.isfinite(X))


def test_spirals_classes_and_radius():
    X, y = spirals(n_per_class=30, num_classes=4, noise=0.0, seed=0)
    np.testing.assert_array_equal(np.bincount(y), [30] * 4)
    np.testing.assert_allclose(np.linalg.norm(X[:30], axis=1), np.linspace(0, 1, 30))


def test_xor_labels_follow_the_quadrant():
    X, y = xor(n=400, noise=0.05, seed=3)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))
    assert 0.3 < y.mean() < 0.7


def test_blobs_centres():
    X, y = blobs(n_per_class=500, centers=3, std=0.1, seed=0)
    angles = 2 * np.pi * np.arange(3) / 3
    expected = 2 * np.column_stack([np.cos(angles), np.sin(angles)])
    means = np.stack([X[y == k].mean(axis=0) for k in range(3)])
    np.testing.assert_allclose(means, expected, atol=0.02)
    custom = np.array([[0.0, 0.0], [5.0, 5.0]])
    X2, y2 = blobs(10, custom, 0.0, seed=0)
    np.testing.assert_array_equal(X2, custom[y2])
    with pytest.raises(ValueError):
        blobs(10, np.zeros((3, 3)))


def test_rent_vs_area_ground_truth_and_polynomial_variants():
    area, rent = rent_vs_area(n=50, seed=0)
    assert area.shape == rent.shape == (50,) and area.dtype == rent.dtype == np.float64
    assert 20 <= area.min() and area.max() <= 150
    np.testing.assert_array_equal(rent_vs_area(50, seed=0)[1], rent)
    assert not np.array_equal(rent_vs_area(50, seed=1)[0], area)
    clean_area, clean_rent = rent_vs_area(n=30, seed=2, noise=0.0)
    np.testing.assert_allclose(clean_rent, 150 + 60 * clean_area**0.8)
    residual = rent - rent_ground_truth(area)
    assert 50 < residual.std() < 300  # the documented noise level (150)
    for degree in (1, 2, 3):
        coef = rent_polynomial_coefficients(degree)
        assert coef.shape == (degree + 1,)
        a, r = rent_vs_area(n=20, seed=4, degree=degree, noise=0.0)
        np.testing.assert_allclose(r, np.vander(a, degree + 1, increasing=True) @ coef, rtol=1e-9)
    grid = np.linspace(20, 150, 7)
    assert np.all(np.diff(rent_ground_truth(grid), 2) < 0)  # concave: not a line
    np.testing.assert_allclose(np.diff(rent_ground_truth(grid, degree=1), 2), 0, atol=1e-9)


# --- get_dataset ----------------------------------------------------------


def test_get_dataset_digits_default_splits_are_disjoint(digits):
    data = get_dataset()
    sizes = [data[f"X_{s}"].shape[0] for s in ("train", "val", "test")]
    assert sizes == [1300, 200, 297]
    idx = [set(data[f"idx_{s}"].tolist()) for s in ("train", "val", "test")]
    assert idx[0].isdisjoint(idx[1]) and idx[0].isdisjoint(idx[2]) and idx[1].isdisjoint(idx[2])
    assert len(idx[0] | idx[1] | idx[2]) == 1797
    X, y = digits
    for split in ("train", "val", "test"):
        rows = data[f"idx_{split}"]
        np.testing.assert_array_equal(data[f"y_{split}"], y[rows])
        raw = X[rows].reshape(len(rows), -1)
        np.testing.assert_allclose(data[f"X_{split}"] + data["mean_image"], raw, atol=1e-12)
        assert data[f"X_{split}"].dtype == np.float64 and data[f"y_{split}"].dtype == np.int64
    assert data["classes"] == DIGITS_CLASSES and data["image_shape"] == (8, 8, 1)


def test_get_dataset_mean_uses_the_training_split_only(digits):
    X, _ = digits
    data = get_dataset("digits", num_train=300, num_val=50, num_test=40, seed=3)
    train_mean = X[data["idx_train"]].reshape(300, -1).mean(axis=0)
    np.testing.assert_allclose(data["mean_image"], train_mean, atol=1e-12)
    np.testing.assert_allclose(data["X_train"].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(
        data["X_val"], X[data["idx_val"]].reshape(50, -1) - train_mean, atol=1e-12
    )
    all_mean = X.reshape(1797, -1).mean(axis=0)
    assert not np.allclose(data["mean_image"], all_mean, atol=1e-3)
    plain = get_dataset(
        "digits", num_train=300, num_val=50, num_test=40, seed=3, subtract_mean=False, scale=255.0
    )
    np.testing.assert_allclose(plain["X_test"], 255 * X[plain["idx_test"]].reshape(40, -1))
    np.testing.assert_array_equal(plain["mean_image"], np.zeros(64))


def test_get_dataset_seeds_and_subsampling():
    a, b, c = (get_dataset(num_train=100, num_val=50, seed=s) for s in (0, 0, 1))
    np.testing.assert_array_equal(a["X_train"], b["X_train"])
    np.testing.assert_array_equal(a["idx_val"], b["idx_val"])
    assert not np.array_equal(a["idx_train"], c["idx_train"])
    np.testing.assert_array_equal(a["idx_test"], c["idx_test"])  # test split ignores the seed
    full = get_dataset(num_val=50, seed=0)
    assert set(a["idx_train"].tolist()) <= set(full["idx_train"].tolist())
    assert set(full["idx_test"].tolist()).isdisjoint(
        a["idx_train"].tolist() + c["idx_val"].tolist()
    )


@pytest.mark.parametrize(
    "layout, shape, image_shape",
    [("flat", (64,), (8, 8, 1)), ("nchw", (1, 8, 8), (1, 8, 8)), ("nhwc", (8, 8, 1), (8, 8, 1))],
)
def test_get_dataset_layouts(layout, shape, image_shape, digits):
    data = get_dataset(num_train=20, num_val=10, num_test=5, layout=layout, subtract_mean=False)
    for split, n in (("train", 20), ("val", 10), ("test", 5)):
        assert data[f"X_{split}"].shape == (n, *shape)
        assert data[f"X_{split}"].flags["C_CONTIGUOUS"]
    assert data["image_shape"] == image_shape and data["mean_image"].shape == shape
    images = data["X_train"].reshape(20, *image_shape)
    if layout == "nchw":
        images = images.transpose(0, 2, 3, 1)
    np.testing.assert_array_equal(images[..., 0], digits[0][data["idx_train"]])


def test_get_dataset_rejects_bad_arguments():
    with pytest.raises(ValueError, match="num_val"):
        get_dataset(num_val=5000)
    with pytest.raises(ValueError, match="num_train"):
        get_dataset(num_val=200, num_train=1301)
    with pytest.raises(ValueError, match="num_test"):
        get_dataset(num_test=298)
    with pytest.raises(ValueError, match="layout"):
        get_dataset(layout="nhcw")
    with pytest.raises(ValueError, match="unknown data set"):
        get_dataset("mnist")


def test_get_dataset_with_an_empty_validation_split():
    from course_utils.data import get_dataset

    data = get_dataset("digits", num_val=0, num_train=100, num_test=50)
    assert data["X_val"].shape == (0, 64) and data["y_val"].shape == (0,)
    assert data["X_train"].shape == (100, 64)
