"""A change of basis: radial data becomes linearly separable in polar coordinates (01).

Two concentric noisy rings, one per class. No straight line separates them in (x1, x2);
in (r, phi) the class is decided by r alone, so a linear model separates them with a
threshold on r.

- :func:`two_rings`: the data set;
- :func:`polar_features`: (x1, x2) -> (r, phi);
- :func:`least_squares_classifier`: a linear model fitted by least squares to targets
  +-1 (the ``fit`` of the notebook), predicting the sign;
- :func:`ring_accuracies`: train on one draw, report the accuracy on another, in both bases.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def two_rings(n: int = 200, *, radii=(1.0, 2.0), noise: float = 0.2, seed: int = 0):
    """Points on two noisy concentric circles, class 0 inside, class 1 outside.

    Inputs:
    - n: total number of points (n // 2 per ring, the rest on the outer ring)
    - radii: the radii of the inner and the outer ring
    - noise: standard deviation of the radial noise
    - seed: seed of the draw
    Returns a tuple of:
    - X: float64, of shape (n, 2), the points in Cartesian coordinates
    - y: int, of shape (n,), 0 for the inner ring, 1 for the outer
    """
    if n < 2:
        raise ValueError(f"need n >= 2 points, got {n}")
    rng = np.random.default_rng(seed)
    y = (np.arange(n) >= n // 2).astype(int)
    r = np.asarray(radii, dtype=np.float64)[y] + noise * rng.standard_normal(n)
    phi = rng.uniform(-np.pi, np.pi, size=n)
    return np.stack([r * np.cos(phi), r * np.sin(phi)], axis=1), y


def polar_features(X) -> np.ndarray:
    """Cartesian (x1, x2) to polar (r, phi), phi in (-pi, pi].

    Inputs:
    - X: of shape (N, 2)
    Returns:
    - P: of shape (N, 2), P[:, 0] = r = sqrt(x1^2 + x2^2), P[:, 1] = phi = atan2(x2, x1)
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (N, 2), got {X.shape}")
    return np.stack([np.hypot(X[:, 0], X[:, 1]), np.arctan2(X[:, 1], X[:, 0])], axis=1)


def with_constant(F) -> np.ndarray:
    """F with a first column of ones (the intercept)."""
    F = np.asarray(F, dtype=np.float64)
    return np.hstack([np.ones((F.shape[0], 1)), F])


def least_squares_classifier(F, y, fit: Callable | None = None) -> np.ndarray:
    """Fit theta so that [1, F] theta approximates +1 for class 1 and -1 for class 0.

    Inputs:
    - F: features, of shape (N, D); y: labels 0/1, of shape (N,)
    - fit: callable (X, y) -> theta (the notebook passes the student's ``fit``); defaults
      to the course's reference least squares
    Returns:
    - theta: of shape (D + 1,); predict class 1 where [1, F] theta > 0
    """
    if fit is None:
        from course_utils.classifiers.least_squares import fit
    return fit(with_constant(F), 2.0 * np.asarray(y) - 1.0)


def accuracy(theta, F, y) -> float:
    """Share of samples whose sign of [1, F] theta matches the 0/1 label."""
    return float(np.mean((with_constant(F) @ theta > 0) == (np.asarray(y) == 1)))


def ring_accuracies(seed: int = 0, n: int = 200, fit: Callable | None = None, **rings) -> dict:
    """Train a linear model on one draw of two_rings, test it on another, in both bases.

    Inputs:
    - seed: the training draw uses seed, the test draw seed + 1000
    - n: points per draw; rings: further keyword arguments of :func:`two_rings`
    - fit: as in :func:`least_squares_classifier`
    Returns a dict with the test accuracies "cartesian" and "polar" (floats in [0, 1]) and
    the fitted "theta_cartesian" and "theta_polar" (each of shape (3,))
    """
    X_train, y_train = two_rings(n, seed=seed, **rings)
    X_test, y_test = two_rings(n, seed=seed + 1000, **rings)
    out = {}
    for name, features in (("cartesian", np.asarray), ("polar", polar_features)):
        theta = least_squares_classifier(features(X_train), y_train, fit)
        out[name] = accuracy(theta, features(X_test), y_test)
        out[f"theta_{name}"] = theta
    return out
