"""``get_dataset``: one call that gives a notebook its splits, preprocessed.

Splits. Each data set has a fixed test pool and a training pool that never meet:
- "digits" (1797 images, 8x8x1): a fixed permutation (seed ``TEST_POOL_SEED``,
  whatever ``seed`` is) puts 297 images in the test pool and 1500 in the training pool;
- "cifar10" (32x32x3): the official 10000 test images and 50000 training images.
The validation and training sets are drawn from a permutation of the training pool
under ``seed`` (validation first, then training), so they are disjoint and
reproducible. The test set is the first ``num_test`` images of the test pool,
independent of ``seed``.

Preprocessing, in order: pixels as float64 in [0, 1]; the mean image of the
training split subtracted from every split (if ``subtract_mean``); multiplied
by ``scale``; arranged in ``layout``.
"""

from __future__ import annotations

import os

import numpy as np

from course_utils.data.cifar10 import CIFAR10_CLASSES, load_cifar10
from course_utils.data.digits import DIGITS_CLASSES, load_digits

DATASETS: tuple[str, ...] = ("digits", "cifar10")
LAYOUTS: tuple[str, ...] = ("flat", "nchw", "nhwc")
TEST_POOL_SEED = 20240917  # fixes the digits test pool for every `seed`
DIGITS_NUM_TEST_POOL = 297
DEFAULT_NUM_VAL = {"digits": 200, "cifar10": 1000}


def _load_pools(name, root, download_options):
    """(X_pool, y_pool, X_test_pool, y_test_pool, classes); images (n, H, W, C)."""
    if name == "digits":
        X, y = load_digits()
        X = X[..., None]  # (1797, 8, 8, 1)
        order = np.random.default_rng(TEST_POOL_SEED).permutation(X.shape[0])
        test, train = order[:DIGITS_NUM_TEST_POOL], order[DIGITS_NUM_TEST_POOL:]
        # Indices are reported into load_digits() order, so keep them with the pools.
        return (X, y, train), (X, y, test), DIGITS_CLASSES
    if name == "cifar10":
        X_train, y_train, X_test, y_test = load_cifar10(root, dtype=np.uint8, **download_options)
        train_pool = (X_train, y_train, np.arange(X_train.shape[0]))
        test_pool = (X_test, y_test, np.arange(X_test.shape[0]))
        return train_pool, test_pool, CIFAR10_CLASSES
    raise ValueError(f"unknown data set {name!r}; choose one of {DATASETS}")


def _take(pool, positions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Images as float64 in [0, 1], labels and source indices of pool[positions]."""
    X, y, index = pool
    idx = index[positions]
    images = X[idx]
    images = images / 255.0 if images.dtype == np.uint8 else images.astype(np.float64, copy=False)
    return images, y[idx], idx


def _to_layout(X: np.ndarray, layout: str) -> np.ndarray:
    """(n, H, W, C) -> flat (n, H*W*C) in HWC order, (n, C, H, W) or (n, H, W, C)."""
    if layout == "flat":
        return np.ascontiguousarray(X.reshape(X.shape[0], int(np.prod(X.shape[1:]))))
    if layout == "nchw":
        return np.ascontiguousarray(X.transpose(0, 3, 1, 2))
    return np.ascontiguousarray(X)


def _check_count(what: str, value: int | None, available: int) -> None:
    if value is not None and not 0 <= value <= available:
        raise ValueError(f"{what}={value} is out of range: only {available} images are left")


def get_dataset(
    name: str = "digits",
    num_train: int | None = None,
    num_val: int | None = None,
    num_test: int | None = None,
    layout: str = "flat",
    subtract_mean: bool = True,
    scale: float = 1.0,
    seed: int = 0,
    root: str | os.PathLike[str] | None = None,
    **download_options,
) -> dict:
    """Load a data set as train / validation / test splits, ready for a classifier.

    Inputs:
    - name: "digits" (offline) or "cifar10" (downloaded once and cached).
    - num_train: training images (default: all of the pool not used for validation:
      1300 digits, 49000 CIFAR-10).
    - num_val: validation images (default 200 digits, 1000 CIFAR-10).
    - num_test: test images (default the whole test pool: 297 digits, 10000 CIFAR-10).
    - layout: "flat" -> X of shape (N, D) with D = H*W*C flattened in (H, W, C) order;
      "nchw" -> (N, C, H, W); "nhwc" -> (N, H, W, C). Digits have H = W = 8, C = 1;
      CIFAR-10 has H = W = 32, C = 3.
    - subtract_mean: subtract the mean image of the training split from all splits.
    - scale: factor applied to the pixels (in [0, 1]) after the mean subtraction;
      255.0 gives the 0..255 range of the original CS231n notebooks.
    - seed: seeds the train/validation split (not the test split).
    - root, download_options: passed to ``load_cifar10`` (cache folder, url, md5, ...).

    Returns a dict with:
    - X_train, X_val, X_test: float64 images in ``layout``
    - y_train, y_val, y_test: int64 labels of shapes (num_train,), (num_val,), (num_test,)
    - classes: tuple of class names (label k is classes[k])
    - image_shape: shape of one image before flattening: (H, W, C) for "flat" and
      "nhwc", (C, H, W) for "nchw"
    - mean_image: the training mean that was subtracted, times ``scale``, in the
      layout of one example (zeros if subtract_mean is False), so
      ``X + mean_image`` gives back ``scale`` times the pixels
    - idx_train, idx_val, idx_test: int64 indices of the images in their source
      (for digits into ``load_digits()``; for CIFAR-10 into ``load_cifar10()``'s
      training set for train/val and its test set for test)
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose one of {LAYOUTS}")
    train_pool, test_pool, classes = _load_pools(name, root, download_options)
    pool_size, test_size = train_pool[2].shape[0], test_pool[2].shape[0]
    num_val = DEFAULT_NUM_VAL[name] if num_val is None else num_val
    _check_count("num_val", num_val, pool_size)
    _check_count("num_train", num_train, pool_size - num_val)
    _check_count("num_test", num_test, test_size)
    num_train = pool_size - num_val if num_train is None else num_train
    num_test = test_size if num_test is None else num_test

    order = np.random.default_rng(seed).permutation(pool_size)
    X_val, y_val, idx_val = _take(train_pool, order[:num_val])
    X_train, y_train, idx_train = _take(train_pool, order[num_val : num_val + num_train])
    X_test, y_test, idx_test = _take(test_pool, np.arange(num_test))

    splits = [X_train, X_val, X_test]  # each (n, H, W, C) float64
    mean_image = np.zeros(X_train.shape[1:])
    if subtract_mean and num_train > 0:
        mean_image = X_train.mean(axis=0)  # (H, W, C), training split only
        for X in splits:
            X -= mean_image
    for X in splits:
        X *= scale
    X_train, X_val, X_test = (_to_layout(X, layout) for X in splits)
    image_shape = mean_image.shape if layout != "nchw" else mean_image.transpose(2, 0, 1).shape
    return {
        "X_train": X_train,
        "y_train": y_train,
        "X_val": X_val,
        "y_val": y_val,
        "X_test": X_test,
        "y_test": y_test,
        "classes": tuple(classes),
        "image_shape": tuple(image_shape),
        "mean_image": _to_layout(scale * mean_image[None], layout)[0],
        "idx_train": idx_train.astype(np.int64),
        "idx_val": idx_val.astype(np.int64),
        "idx_test": idx_test.astype(np.int64),
    }
