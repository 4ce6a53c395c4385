"""Paths between two latent vectors: linear and spherical interpolation."""

from __future__ import annotations

import numpy as np


def lerp(z0: np.ndarray, z1: np.ndarray, t: float) -> np.ndarray:
    """Linear interpolation (1 - t) z0 + t z1 of two vectors of shape (Z,)."""
    return (1.0 - t) * np.asarray(z0, dtype=np.float64) + t * np.asarray(z1, dtype=np.float64)


def slerp(z0: np.ndarray, z1: np.ndarray, t: float) -> np.ndarray:
    """Spherical interpolation of two vectors of shape (Z,) (Shoemake, 1985).

    slerp = sin((1 - t) w) / sin(w) z0 + sin(t w) / sin(w) z1, where w is the angle
    between z0 and z1: the path follows the great circle, and its norm moves smoothly
    between |z0| and |z1| (exactly constant when they are equal) instead of shrinking
    through the middle as the straight line does. Falls back to lerp when the vectors are
    (nearly) parallel, where the formula is 0/0.
    """
    z0, z1 = np.asarray(z0, dtype=np.float64), np.asarray(z1, dtype=np.float64)
    n0, n1 = np.linalg.norm(z0), np.linalg.norm(z1)
    if n0 == 0 or n1 == 0:
        return lerp(z0, z1, t)
    cos = np.clip(np.dot(z0, z1) / (n0 * n1), -1.0, 1.0)
    omega = np.arccos(cos)
    if np.sin(omega) < 1e-6:
        return lerp(z0, z1, t)
    return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


def interpolate(z0: np.ndarray, z1: np.ndarray, ts, method: str = "linear") -> np.ndarray:
    """Points along the path from z0 to z1 (shape (Z,) each) at the fractions ``ts``.

    method: "linear" (lerp) or "spherical" (slerp). Returns an array of shape (len(ts), Z).
    """
    paths = {"linear": lerp, "spherical": slerp}
    if method not in paths:
        raise ValueError(f"method must be 'linear' or 'spherical', got {method!r}")
    return np.stack([paths[method](z0, z1, float(t)) for t in ts])
