"""experiments.augment: flips and shifts of small images (torch as the oracle)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.experiments.augment import (
    augment_dataset,
    flip_horizontal,
    random_flips,
    random_shifts,
    shift,
)


def images(rng, shape=(5, 6, 7)):
    return rng.random(shape)


@pytest.mark.parametrize("shape", [(3, 4, 5), (2, 8, 8, 1), (2, 5, 4, 3)])
def test_flip_matches_torch_and_is_an_involution(rng, shape):
    X = images(rng, shape)
    flipped = flip_horizontal(X)
    np.testing.assert_array_equal(flipped, torch.flip(torch.tensor(X), dims=[2]).numpy())
    np.testing.assert_array_equal(flip_horizontal(flipped), X)
    assert not np.shares_memory(flipped, X)


@pytest.mark.parametrize("dy,dx", [(0, 0), (1, 0), (0, -2), (-1, 3), (2, 2), (6, 0), (0, -7)])
def test_shift_matches_padded_crop(rng, dy, dx):
    X = images(rng, (3, 6, 7))
    H, W = 6, 7
    padded = np.pad(X, ((0, 0), (H, H), (W, W)), constant_values=-1.0)
    expected = padded[:, H - dy : 2 * H - dy, W - dx : 2 * W - dx]
    np.testing.assert_array_equal(shift(X, dy, dx, fill=-1.0), expected)


def test_shift_keeps_channels_and_matches_torch_roll_inside(rng):
    X = images(rng, (2, 5, 5, 3))
    out = shift(X, 1, -1)
    rolled = torch.roll(torch.tensor(X), shifts=(1, -1), dims=(1, 2)).numpy()
    np.testing.assert_array_equal(out[:, 1:, :-1], rolled[:, 1:, :-1])
    assert np.all(out[:, 0] == 0) and np.all(out[:, :, -1] == 0)


def test_random_shifts_moves_each_image_by_at_most_max_shift(rng):
    X = np.zeros((40, 9, 9))
    X[:, 4, 4] = 1.0  # one bright pixel in the centre
    out = random_shifts(X, 2, np.random.default_rng(0))
    rows, cols = np.nonzero(out.sum(axis=0) > 0)
    assert out.shape == X.shape and np.all(out.sum(axis=(1, 2)) == 1.0)
    assert rows.min() >= 2 and rows.max() <= 6 and cols.min() >= 2 and cols.max() <= 6
    assert len({tuple(np.argwhere(o)[0]) for o in out}) > 5  # the shifts differ
    again = random_shifts(X, 2, np.random.default_rng(0))
    np.testing.assert_array_equal(out, again)
    np.testing.assert_array_equal(random_shifts(X, 0, rng), X)


def test_random_flips_probability(rng):
    X = images(rng, (400, 3, 4))
    out = random_flips(X, np.random.default_rng(1), prob=0.5)
    flipped = np.array([np.array_equal(o, x[:, ::-1]) for o, x in zip(out, X)])
    kept = np.array([np.array_equal(o, x) for o, x in zip(out, X)])
    assert np.all(flipped | kept) and 150 < flipped.sum() < 250
    np.testing.assert_array_equal(random_flips(X, rng, prob=0.0), X)
    np.testing.assert_array_equal(random_flips(X, rng, prob=1.0), flip_horizontal(X))


def test_augment_dataset_shapes_and_labels(rng):
    X, y = images(rng, (6, 8, 8, 1)), np.arange(6)
    X_aug, y_aug = augment_dataset(X, y, np.random.default_rng(2), copies=3, max_shift=1)
    assert X_aug.shape == (24, 8, 8, 1) and y_aug.shape == (24,)
    np.testing.assert_array_equal(X_aug[:6], X)
    np.testing.assert_array_equal(y_aug, np.tile(y, 4))
    assert not np.array_equal(X_aug[6:12], X)  # the copies were moved
    X_none, y_none = augment_dataset(X, y, rng, copies=0)
    np.testing.assert_array_equal(X_none, X)


def test_bad_shapes_are_refused(rng):
    with pytest.raises(ValueError, match="images"):
        flip_horizontal(rng.random((4, 64)))
