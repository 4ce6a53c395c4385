"""02_knn's experiments: decision regions, shifted images, equal-distance variants, and the
collapse of pixel kNN on shifted test digits (the lesson the notebook states)."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.classifiers.knn import KNearestNeighbor
from course_utils.data import get_dataset
from course_utils.data.synthetic import spirals
from course_utils.experiments.knn import (
    box_image,
    equal_distance_variants,
    knn_regions,
    random_shifts,
    shift_images,
    shifted_digits_accuracy,
)

SHAPE = (8, 8, 1)


@pytest.fixture(scope="module")
def toy():
    return spirals(n_per_class=30, num_classes=3, noise=0.2, seed=0)


def test_k1_regions_reproduce_the_training_labels(toy):
    X, y = toy
    distinct = np.linalg.norm(X, axis=1) > 0  # every arm starts at the origin
    np.testing.assert_array_equal(
        knn_regions(X[distinct], y[distinct], X[distinct], k=1), y[distinct]
    )


def test_k_equal_to_n_gives_one_label_everywhere(toy):
    X, y = toy
    points = np.random.default_rng(1).uniform(-1, 1, size=(50, 2))
    labels = knn_regions(X, y, points, k=len(X), p=1)
    assert np.all(labels == np.bincount(y).argmax())


def test_regions_use_the_given_classifier(toy):
    class Constant(KNearestNeighbor):
        def predict(self, X, k=1, num_loops=0, p=2):
            return np.full(len(X), 7)

    assert set(knn_regions(*toy, toy[0][:5], k=3, classifier=Constant())) == {7}


@pytest.mark.parametrize("k", [0, len(spirals(30, 3)[0]) + 1, 2.5, True])
def test_regions_refuse_a_bad_k(toy, k):
    with pytest.raises(ValueError, match="k must be an integer"):
        knn_regions(*toy, toy[0][:3], k=k)


def test_shift_moves_pixels_and_fills_with_zeros():
    x = np.arange(1.0, 65.0)
    image = shift_images(x, SHAPE, dx=1, dy=2).reshape(8, 8)
    original = x.reshape(8, 8)
    np.testing.assert_array_equal(image[2:, 1:], original[:-2, :-1])
    assert np.all(image[:2] == 0) and np.all(image[:, 0] == 0)
    back = shift_images(shift_images(x, SHAPE, -2, 1), SHAPE, 2, -1).reshape(8, 8)
    np.testing.assert_array_equal(back[:-1, 2:], original[:-1, 2:])


def test_shift_keeps_a_batch_shape_and_refuses_big_shifts():
    X = np.random.default_rng(0).uniform(size=(5, 64))
    assert shift_images(X, SHAPE, 0, 0).shape == (5, 64)
    np.testing.assert_array_equal(shift_images(X, SHAPE, 0, 0), X)
    with pytest.raises(ValueError, match="shifts must be integers"):
        shift_images(X, SHAPE, 8, 0)


def test_random_shifts_are_small_and_never_zero():
    shifts = random_shifts(500, 2, np.random.default_rng(0))
    assert (0, 0) not in shifts
    assert all(max(abs(dx), abs(dy)) <= 2 for dx, dy in shifts)
    assert len(set(shifts)) == 24


@pytest.fixture(scope="module")
def digits():
    return get_dataset("digits", num_train=1000, num_test=200, subtract_mean=False, seed=0)


@pytest.mark.parametrize("index", range(6))
def test_variants_sit_at_about_one_l2_distance(digits, index):
    x = digits["X_test"][index]
    variants, distances = equal_distance_variants(x, SHAPE)
    assert set(variants) == {"shifted", "brightened", "boxed"}
    values = np.array(list(distances.values()))
    assert values.min() > 1.0  # visibly changed images...
    assert values.max() / values.min() < 1.03  # ...all about as far from the original
    changed = variants["boxed"].reshape(8, 8) != x.reshape(8, 8)
    rows, cols = np.nonzero(changed)
    assert rows.max() - rows.min() < 4 and cols.max() - cols.min() < 4  # one 4x4 box
    offset = variants["brightened"] - x
    np.testing.assert_allclose(offset, offset[0])


def test_box_image_sets_one_square():
    boxed = box_image(np.zeros(64), SHAPE, top=1, left=2, size=3, value=0.5).reshape(8, 8)
    assert boxed.sum() == pytest.approx(4.5) and boxed[1:4, 2:5].min() == 0.5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pixel_knn_collapses_on_shifted_test_digits(seed):
    """The notebook's claim: unchanged training set, test digits shifted by 1-2 pixels.

    Measured (seeds 0-2, k = 1, L2): ~0.98 unshifted, ~0.25 with shifts up to 2 pixels and
    ~0.5 with shifts of 1 pixel; asserted with wide margins."""
    data = get_dataset("digits", num_train=1000, num_test=200, subtract_mean=False, seed=seed)
    args = (data["X_train"], data["y_train"], data["X_test"], data["y_test"], SHAPE)
    two = shifted_digits_accuracy(*args, k=1, max_shift=2, seed=seed)
    one = shifted_digits_accuracy(*args, k=1, max_shift=1, seed=seed)
    assert two["accuracy"] > 0.93
    assert two["shifted_accuracy"] < two["accuracy"] - 0.45
    assert one["shifted_accuracy"] < one["accuracy"] - 0.25
    assert two["shifted_accuracy"] > 0.1  # still above chance: the collapse is not a bug
