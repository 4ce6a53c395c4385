"""The experiments of 02_knn: decision regions against k, images at equal L2 distance, and
pixel kNN on shifted test digits.

- :func:`knn_regions` labels a grid of the plane with kNN (the k slider's logic);
- :func:`shift_images`, :func:`tint_image`, :func:`box_image` and
  :func:`equal_distance_variants` build the notes' demonstration that a shifted, a brightened
  and a partly boxed image can sit at about the same L2 distance from the original;
- :func:`shifted_digits_accuracy` trains pixel kNN on unchanged digits and tests it on the
  test digits and on the same digits shifted by a pixel or two.
"""

from __future__ import annotations

import numpy as np

from course_utils.classifiers.knn import KNearestNeighbor, check_metric


def _check_k(k, num_train: int) -> int:
    if isinstance(k, bool) or int(k) != k or not 1 <= int(k) <= num_train:
        raise ValueError(f"k must be an integer in [1, {num_train}] (training samples), got {k!r}")
    return int(k)


def knn_regions(X_train, y_train, points, k, p=2, classifier=None):
    """kNN labels of ``points``: the decision regions for one k.

    Inputs:
    - X_train: training points, of shape (num_train, 2); y_train: int labels (num_train,)
    - points: grid points to label, of shape (M, 2)
    - k: neighbours that vote, 1 <= k <= num_train; p: metric, 2 (L2) or 1 (L1)
    - classifier: an object with ``train(X, y)`` and ``predict(X, k=..., p=...)``
      (a new course_utils KNearestNeighbor when None), e.g. the notebook's own class
    Returns:
    - labels: int64 of shape (M,)
    """
    X_train, y_train = np.asarray(X_train, dtype=np.float64), np.asarray(y_train)
    k, p = _check_k(k, X_train.shape[0]), check_metric(p)
    model = KNearestNeighbor() if classifier is None else classifier
    model.train(X_train, y_train)
    return np.asarray(model.predict(np.asarray(points, dtype=np.float64), k=k, p=p), np.int64)


def shift_images(X, image_shape, dx: int, dy: int):
    """Shift images by (dx, dy) pixels (right and down when positive), filling with zeros.

    Inputs:
    - X: flattened images, of shape (N, H*W*C), or one image of shape (H*W*C,)
    - image_shape: (H, W, C) of one image; dx, dy: integer shifts, |dx| < W, |dy| < H
    Returns: the shifted images, float64, of the shape of X.
    """
    X = np.asarray(X, dtype=np.float64)
    H, W = int(image_shape[0]), int(image_shape[1])
    if int(dx) != dx or int(dy) != dy or abs(dx) >= W or abs(dy) >= H:
        raise ValueError(f"shifts must be integers below the image size {(H, W)}, got {dx, dy}")
    images = X.reshape((-1, *image_shape))  # (N, H, W, C)
    out = np.zeros_like(images)
    rows_src = slice(max(0, -dy), H - max(0, dy))
    rows_dst = slice(max(0, dy), H - max(0, -dy))
    cols_src = slice(max(0, -dx), W - max(0, dx))
    cols_dst = slice(max(0, dx), W - max(0, -dx))
    out[:, rows_dst, cols_dst] = images[:, rows_src, cols_src]
    return out.reshape(X.shape)


def tint_image(x, amount: float):
    """The image with ``amount`` added to every pixel (brighter when positive)."""
    return np.asarray(x, dtype=np.float64) + float(amount)


def box_image(x, image_shape, top: int, left: int, size: int, value: float):
    """The image with a size x size square at (top, left) set to ``value`` (an occluding box)."""
    image = np.array(x, dtype=np.float64).reshape(image_shape)
    image[top : top + size, left : left + size] = value
    return image.reshape(np.shape(x))


def _tint_for(x, target: float) -> float:
    """The constant c whose tint sits at L2 distance ``target``: ||c 1|| = |c| sqrt(D)."""
    return target / np.sqrt(np.size(x))


def _box_for(x, image_shape, size: int, target: float):
    """The box position and grey value (in [0, 1]) whose distance to x is nearest ``target``."""
    best = None
    values = np.linspace(0.0, 1.0, 101)
    for top in range(image_shape[0] - size + 1):
        for left in range(image_shape[1] - size + 1):
            for value in values:
                gap = abs(
                    np.linalg.norm(box_image(x, image_shape, top, left, size, value) - x) - target
                )
                if best is None or gap < best[0]:
                    best = (gap, top, left, float(value))
    return best[1:]


def equal_distance_variants(x, image_shape, shift=(1, 0), box_size: int = 4):
    """The notes' demonstration: three changed images at about one L2 distance from ``x``.

    The shifted image sets the distance d; the tint adds d / sqrt(D) to every pixel (exactly
    d away); the box of ``box_size`` pixels is placed and greyed to come nearest d.

    Inputs:
    - x: one flattened image, of shape (D,); image_shape: its (H, W, C)
    - shift: (dx, dy) pixels of the shifted version; box_size: side of the box
    Returns:
    - variants: dict name -> flattened image (D,), names "shifted", "brightened", "boxed"
    - distances: dict name -> L2 distance to x (float)
    """
    x = np.asarray(x, dtype=np.float64)
    shifted = shift_images(x, image_shape, *shift)
    target = float(np.linalg.norm(shifted - x))
    top, left, value = _box_for(x, image_shape, box_size, target)
    variants = {
        "shifted": shifted,
        "brightened": tint_image(x, _tint_for(x, target)),
        "boxed": box_image(x, image_shape, top, left, box_size, value),
    }
    return variants, {name: float(np.linalg.norm(v - x)) for name, v in variants.items()}


def random_shifts(num: int, max_shift: int, rng: np.random.Generator):
    """``num`` integer shifts (dx, dy), each in [-max_shift, max_shift]^2 and not (0, 0)."""
    choices = [
        (dx, dy)
        for dx in range(-max_shift, max_shift + 1)
        for dy in range(-max_shift, max_shift + 1)
        if (dx, dy) != (0, 0)
    ]
    return [choices[i] for i in rng.integers(0, len(choices), size=num)]


def shifted_digits_accuracy(
    X_train, y_train, X_test, y_test, image_shape, k=1, p=2, max_shift=2, seed=0, classifier=None
):
    """Pixel kNN on the test images as they are and shifted by 1 to ``max_shift`` pixels.

    The training set is unchanged; each test image gets its own random shift (dx, dy) with
    |dx|, |dy| <= max_shift, not both 0, drawn from ``np.random.default_rng(seed)``.

    Inputs:
    - X_train, y_train, X_test, y_test: flattened images (N, D) and int labels (N,)
    - image_shape: (H, W, C); k, p: the classifier's k and metric
    - classifier: an object with ``train`` and ``predict(X, k=..., p=...)`` (default: a
      course_utils KNearestNeighbor)
    Returns: dict with "accuracy" (unshifted test), "shifted_accuracy", and
    "X_shifted" (the shifted test images, (num_test, D)).
    """
    shifts = random_shifts(len(X_test), int(max_shift), np.random.default_rng(seed))
    X_shifted = np.stack([shift_images(x, image_shape, *s) for x, s in zip(X_test, shifts)])
    model = KNearestNeighbor() if classifier is None else classifier
    model.train(X_train, y_train)
    return {
        "accuracy": float(np.mean(model.predict(X_test, k=k, p=p) == y_test)),
        "shifted_accuracy": float(np.mean(model.predict(X_shifted, k=k, p=p) == y_test)),
        "X_shifted": X_shifted,
    }
