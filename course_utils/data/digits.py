"""The handwritten digits bundled with scikit-learn: real images, always offline.

1797 grayscale images of 8x8 pixels, digits 0-9 written by 43 people (the test
part of the UCI "Optical Recognition of Handwritten Digits" data set). The file
ships inside scikit-learn, so nothing is downloaded.
"""

from __future__ import annotations

import numpy as np

DIGITS_CLASSES: tuple[str, ...] = tuple(str(d) for d in range(10))
DIGITS_MAX_PIXEL = 16.0  # the raw pixels are counts 0..16 (of a 4x4 block of a 32x32 bitmap)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """Load all 1797 digit images in scikit-learn's fixed order.

    Returns a tuple of:
    - X: images, float64 array of shape (1797, 8, 8) with values in [0, 1]
      (the raw pixel counts 0..16 divided by 16); row 0 of an image is its top.
    - y: labels, int64 array of shape (1797,) with values 0..9 (the digit shown).
    """
    from sklearn.datasets import load_digits as sklearn_load_digits  # slow import

    bunch = sklearn_load_digits()
    X = np.asarray(bunch.images, dtype=np.float64) / DIGITS_MAX_PIXEL  # (1797, 8, 8)
    y = np.asarray(bunch.target, dtype=np.int64)  # (1797,)
    return X, y
