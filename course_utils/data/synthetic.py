"""Small synthetic data sets for the first notebooks, all seeded and instantaneous.

Every function takes a ``seed`` (an int, or an ``np.random.Generator`` to draw
from) and returns float64 inputs and, for classification, int64 labels.
"""

from __future__ import annotations

import numpy as np

RENT_AREA_RANGE = (20.0, 150.0)  # floor area in square metres
RENT_NOISE = 150.0  # standard deviation of the noise on the rent, euros per month


def _generator(seed: int | np.random.Generator) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _rent_power_law(area: np.ndarray) -> np.ndarray:
    return 150.0 + 60.0 * area**0.8


def _rent_polynomial(degree: int) -> np.polynomial.Polynomial:
    """Least-squares fit of degree ``degree`` to the power law on a fine grid of the range."""
    grid = np.linspace(*RENT_AREA_RANGE, 1001)
    return np.polynomial.Polynomial.fit(grid, _rent_power_law(grid), degree)


def rent_polynomial_coefficients(degree: int) -> np.ndarray:
    """Coefficients c of the degree-``degree`` variant of the rent curve.

    Returns c, float64 of shape (degree + 1,), such that the noiseless rent is
    ``sum_k c[k] * area**k`` (the column order of ``polynomial_features``, so a
    fitted theta can be compared with c). Well conditioned only for small degrees.
    """
    return _rent_polynomial(degree).convert().coef


def rent_ground_truth(area: np.ndarray, degree: int | None = None) -> np.ndarray:
    """Noiseless monthly rent (euros) for floor areas ``area`` (m^2), any shape.

    - degree None: the nonlinear truth ``rent = 150 + 60 * area**0.8`` (bigger flats
      cost less per square metre);
    - degree d: the polynomial of degree d closest to it (least squares on the
      range ``RENT_AREA_RANGE``), for exercises where the model class is exact.
    """
    area = np.asarray(area, dtype=np.float64)
    if degree is None:
        return _rent_power_law(area)
    return _rent_polynomial(degree)(area)


def rent_vs_area(
    n: int = 50,
    seed: int | np.random.Generator = 0,
    degree: int | None = None,
    noise: float = RENT_NOISE,
) -> tuple[np.ndarray, np.ndarray]:
    """The regression example: monthly rent of a flat against its floor area.

    Inputs:
    - n: number of flats
    - seed: int seed or np.random.Generator
    - degree: None for the nonlinear ground truth, or d for its polynomial variant
      of degree d (see ``rent_ground_truth``)
    - noise: standard deviation of the Gaussian noise added to the rent (euros)

    Returns a tuple of:
    - area: float64 of shape (n,), uniform on ``RENT_AREA_RANGE`` (m^2), unsorted
    - rent: float64 of shape (n,), ``rent_ground_truth(area, degree) + noise * N(0, 1)``
    """
    rng = _generator(seed)
    area = rng.uniform(*RENT_AREA_RANGE, size=n)  # (n,)
    rent = rent_ground_truth(area, degree) + noise * rng.standard_normal(n)  # (n,)
    return area, rent


def spirals(
    n_per_class: int = 100,
    num_classes: int = 3,
    noise: float = 0.2,
    seed: int | np.random.Generator = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n toy data set).

    Arm j has radii linspace(0, 1, n_per_class) and angles
    linspace(4j, 4(j+1), n_per_class) + noise * N(0, 1); a point is (r sin t, r cos t).

    Returns X, float64 of shape (N, 2), and y, int64 of shape (N,), with
    N = n_per_class * num_classes, ordered class by class.
    """
    rng = _generator(seed)
    X = np.empty((n_per_class * num_classes, 2))
    radius = np.linspace(0.0, 1.0, n_per_class)  # (n_per_class,)
    for j in range(num_classes):
        angle = np.linspace(4 * j, 4 * (j + 1), n_per_class)
        angle = angle + noise * rng.standard_normal(n_per_class)
        rows = slice(j * n_per_class, (j + 1) * n_per_class)
        X[rows] = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    y = np.repeat(np.arange(num_classes, dtype=np.int64), n_per_class)
    return X, y


def xor(
    n: int = 200, noise: float = 0.25, seed: int | np.random.Generator = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: four Gaussian clusters at the corners (+-1, +-1).

    Each point picks a corner uniformly at random and adds noise * N(0, I).
    Label 1 where the corner's coordinates have different signs, else 0, so no
    line separates the classes.

    Returns X, float64 of shape (n, 2), and y, int64 of shape (n,).
    """
    rng = _generator(seed)
    corners = rng.choice([-1.0, 1.0], size=(n, 2))  # (n, 2)
    X = corners + noise * rng.standard_normal((n, 2))
    y = (corners[:, 0] != corners[:, 1]).astype(np.int64)
    return X, y


def blobs(
    n_per_class: int = 100,
    centers: int | np.ndarray = 3,
    std: float = 0.5,
    seed: int | np.random.Generator = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs, one per class.

    Inputs:
    - n_per_class: points per class
    - centers: an int K (K centres evenly spaced on the circle of radius 2, the
      first at (2, 0)) or an array of shape (K, 2)
    - std: standard deviation of every blob
    - seed: int seed or np.random.Generator

    Returns X, float64 of shape (K * n_per_class, 2), and y, int64 of shape
    (K * n_per_class,), ordered class by class.
    """
    rng = _generator(seed)
    if np.ndim(centers) == 0:
        angles = 2 * np.pi * np.arange(int(centers)) / int(centers)
        centers = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    centers = np.asarray(centers, dtype=np.float64)  # (K, 2)
    if centers.ndim != 2 or centers.shape[1] != 2:
        raise ValueError(f"centers must be an int or of shape (K, 2), got {centers.shape}")
    y = np.repeat(np.arange(centers.shape[0], dtype=np.int64), n_per_class)  # (N,)
    X = centers[y] + std * rng.standard_normal((y.shape[0], 2))  # (N, 2)
    return X, y
