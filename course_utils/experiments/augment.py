"""Simple data augmentation for small images: flips and integer shifts (08_dropout).

Images are arrays of shape (N, H, W) or (N, H, W, C) (the "nhwc" layout of
course_utils.data.get_dataset); axis 1 is the row (vertical), axis 2 the column
(horizontal). Every random function takes an explicit np.random.Generator.
"""

from __future__ import annotations

import numpy as np


def _check_images(X):
    if X.ndim not in (3, 4):
        raise ValueError(f"images must be (N, H, W) or (N, H, W, C), got shape {X.shape}")


def flip_horizontal(X):
    """Mirror every image left to right.

    Inputs:
    - X: images, of shape (N, H, W) or (N, H, W, C).
    Returns an array of the shape of X with out[:, :, j] = X[:, :, W - 1 - j].
    """
    _check_images(X)
    return X[:, :, ::-1].copy()


def shift(X, dy, dx, fill=0.0):
    """Translate every image by (dy, dx) whole pixels; pixels that enter are ``fill``.

    Inputs:
    - X: images, of shape (N, H, W) or (N, H, W, C).
    - dy: int, rows to move down (negative: up); dx: int, columns to move right
      (negative: left).
    - fill: value of the pixels shifted in (0 is the background of the digits).
    Returns an array of the shape of X: out[:, i, j] = X[:, i - dy, j - dx] where that
    index is inside the image, fill elsewhere.
    """
    _check_images(X)
    H, W = X.shape[1], X.shape[2]
    out = np.full_like(X, fill)
    if abs(dy) >= H or abs(dx) >= W:
        return out
    src_rows = slice(max(0, -dy), H - max(0, dy))  # rows of X that stay inside
    dst_rows = slice(max(0, dy), H - max(0, -dy))
    src_cols = slice(max(0, -dx), W - max(0, dx))
    dst_cols = slice(max(0, dx), W - max(0, -dx))
    out[:, dst_rows, dst_cols] = X[:, src_rows, src_cols]
    return out


def random_shifts(X, max_shift, rng, fill=0.0):
    """Shift each image by its own random (dy, dx), each uniform in [-max_shift, max_shift].

    Inputs:
    - X: images, of shape (N, H, W) or (N, H, W, C).
    - max_shift: int >= 0, the largest shift in pixels along each axis.
    - rng: np.random.Generator.
    - fill: value of the pixels shifted in.
    Returns an array of the shape of X.
    """
    _check_images(X)
    offsets = rng.integers(-max_shift, max_shift + 1, size=(X.shape[0], 2))  # (N, 2)
    out = np.empty_like(X)
    for dy, dx in {tuple(o) for o in offsets.tolist()}:  # one call per distinct shift
        chosen = np.flatnonzero((offsets[:, 0] == dy) & (offsets[:, 1] == dx))
        out[chosen] = shift(X[chosen], dy, dx, fill)
    return out


def random_flips(X, rng, prob=0.5):
    """Mirror each image left to right with probability ``prob``.

    Inputs:
    - X: images, of shape (N, H, W) or (N, H, W, C).
    - rng: np.random.Generator; prob: float in [0, 1].
    Returns an array of the shape of X.
    """
    _check_images(X)
    flipped = rng.random(X.shape[0]) < prob  # (N,) bool
    out = X.copy()
    out[flipped] = X[flipped][:, :, ::-1]
    return out


def augment_dataset(X, y, rng, copies=2, max_shift=1, flip_prob=0.0, fill=0.0):
    """The original images followed by ``copies`` randomly transformed copies of each.

    Each copy is randomly flipped (probability flip_prob) then randomly shifted (up to
    max_shift pixels along each axis).

    Inputs:
    - X: images, of shape (N, H, W) or (N, H, W, C); y: labels, of shape (N,).
    - rng: np.random.Generator.
    - copies: int >= 0, transformed copies per image.
    - max_shift, flip_prob, fill: as in random_shifts and random_flips.
    Returns a tuple of:
    - X_aug: images, of shape ((copies + 1) * N, H, W[, C]); the first N are X.
    - y_aug: labels, of shape ((copies + 1) * N,).
    """
    _check_images(X)
    parts = [X]
    for _ in range(copies):
        copy = random_flips(X, rng, flip_prob) if flip_prob > 0 else X
        parts.append(random_shifts(copy, max_shift, rng, fill))
    return np.concatenate(parts, axis=0), np.tile(y, copies + 1)
