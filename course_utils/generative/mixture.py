"""A ring of Gaussians, the toy data on which GANs show mode collapse, and a mode counter."""

from __future__ import annotations

import numpy as np


def ring_centers(num_modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """Centres of ``num_modes`` modes evenly spaced on a circle: array of shape (K, 2)."""
    angles = 2 * np.pi * np.arange(num_modes) / num_modes  # (K,)
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def ring_of_gaussians(
    num_samples: int,
    num_modes: int = 8,
    radius: float = 2.0,
    std: float = 0.02,
    seed: int | np.random.Generator | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Samples of an equal-weight mixture of K isotropic Gaussians on a circle.

    Returns (X, labels): X of shape (num_samples, 2), labels (num_samples,) int in 0..K-1
    (the mode each sample came from).
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, num_modes, size=num_samples)  # (N,)
    X = ring_centers(num_modes, radius)[labels] + std * rng.standard_normal((num_samples, 2))
    return X, labels


def mode_counts(samples: np.ndarray, centers: np.ndarray, max_distance: float) -> np.ndarray:
    """How many samples lie within ``max_distance`` of each centre (their nearest one).

    Inputs:
    - samples: array of shape (M, 2) (any dimension D works).
    - centers: array of shape (K, 2).
    Returns counts, int array of shape (K,); samples far from every centre count nowhere.
    """
    dists = np.linalg.norm(samples[:, None, :] - centers[None, :, :], axis=2)  # (M, K)
    nearest = dists.argmin(axis=1)  # (M,)
    close = dists[np.arange(len(samples)), nearest] <= max_distance  # (M,)
    return np.bincount(nearest[close], minlength=len(centers))


def modes_covered(
    samples: np.ndarray, centers: np.ndarray, max_distance: float, min_fraction: float = 0.25
) -> int:
    """Number of modes that receive at least ``min_fraction`` of their fair share of samples.

    A mode is covered when at least min_fraction * M / K of the M samples lie within
    max_distance of its centre (K modes): a perfect generator covers all K, a collapsed
    one only a few.
    """
    counts = mode_counts(samples, centers, max_distance)  # (K,)
    return int(np.sum(counts >= min_fraction * len(samples) / len(centers)))
