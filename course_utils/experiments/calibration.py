"""Calibration of a classifier's probabilities: reliability bins, ECE, temperature scaling.

A classifier is *calibrated* when, among the examples it predicts with confidence about
0.8, about 80 % are right. 03_softmax bins the validation examples by confidence (the
largest probability), compares each bin's accuracy with its mean confidence (a reliability
diagram), and summarises the gaps in the expected calibration error (ECE). Temperature
scaling divides the scores by one T > 0 fitted on validation data (the T of lowest mean
negative log-likelihood); it never changes a prediction, only the confidences.

Shapes: probabilities or scores of shape (N, C), labels y of shape (N,) in 0 … C-1.
"""

from __future__ import annotations

import numpy as np

from course_utils.experiments.temperature import softmax_with_temperature


def _check_probs(probs, y):
    probs = np.asarray(probs, dtype=np.float64)
    y = np.asarray(y)
    if probs.ndim != 2 or y.shape != (probs.shape[0],):
        raise ValueError(
            f"expected probs of shape (N, C) and y of shape (N,), got {probs.shape} and {y.shape}"
        )
    if probs.shape[0] == 0:
        raise ValueError("no examples: probs has N = 0 rows")
    if not np.allclose(probs.sum(axis=1), 1.0, atol=1e-6) or np.any(probs < 0):
        raise ValueError("every row of probs must be >= 0 and sum to 1 (apply the softmax first)")
    if not np.issubdtype(y.dtype, np.integer) or np.any((y < 0) | (y >= probs.shape[1])):
        raise ValueError(f"y must hold integer labels in 0 … {probs.shape[1] - 1}")
    return probs, y


def reliability_bins(probs, y, num_bins: int = 10) -> dict:
    """Group the examples by confidence into equal-width bins of [0, 1].

    The confidence of an example is its largest probability, and it is correct when that
    class is its label. Bin b holds the confidences in (b / B, (b + 1) / B] (the first bin
    also holds 0).

    Inputs:
    - probs: array of shape (N, C), rows summing to 1
    - y: integer labels of shape (N,)
    - num_bins: B, the number of bins (>= 1)
    Returns a dict of arrays of shape (B,):
    - edges: shape (B + 1,), the bin edges 0, 1/B, …, 1
    - count: examples per bin
    - confidence: mean confidence per bin (nan where empty)
    - accuracy: fraction correct per bin (nan where empty)
    """
    probs, y = _check_probs(probs, y)
    if int(num_bins) != num_bins or num_bins < 1:
        raise ValueError(f"num_bins must be a positive integer, got {num_bins!r}")
    num_bins = int(num_bins)
    confidence = probs.max(axis=1)  # (N,)
    correct = (probs.argmax(axis=1) == y).astype(np.float64)  # (N,)
    edges = np.linspace(0.0, 1.0, num_bins + 1)
    which = np.clip(np.ceil(confidence * num_bins).astype(int) - 1, 0, num_bins - 1)  # (N,)
    count = np.bincount(which, minlength=num_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(which, weights=confidence, minlength=num_bins) / count
        accuracy = np.bincount(which, weights=correct, minlength=num_bins) / count
    return {"edges": edges, "count": count, "confidence": mean_conf, "accuracy": accuracy}


def expected_calibration_error(probs, y, num_bins: int = 10) -> float:
    """ECE = sum over bins of (count_b / N) * |accuracy_b - confidence_b|, in [0, 1].

    Inputs:
    - probs: array of shape (N, C), rows summing to 1
    - y: integer labels of shape (N,)
    - num_bins: number of equal-width confidence bins
    Returns:
    - ece: float; 0 for a perfectly calibrated classifier (in every bin, the fraction
      correct equals the mean confidence)
    """
    bins = reliability_bins(probs, y, num_bins)
    filled = bins["count"] > 0
    weights = bins["count"][filled] / np.sum(bins["count"])
    gaps = np.abs(bins["accuracy"][filled] - bins["confidence"][filled])
    return float(np.sum(weights * gaps))


def nll_at_temperature(scores, y, temperature: float) -> float:
    """Mean negative log-likelihood -log softmax(scores / T)[y] over the examples.

    Inputs:
    - scores: array of shape (N, C); y: integer labels of shape (N,)
    - temperature: T > 0
    Returns:
    - nll: float
    """
    scores = np.asarray(scores, dtype=np.float64)
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)  # (N, C), max 0: no overflow
    log_probs = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return float(-np.mean(log_probs[np.arange(len(y)), y]))


def fit_temperature(scores, y, t_min: float = 0.01, t_max: float = 100.0, num: int = 81) -> float:
    """The temperature of lowest mean NLL on (scores, y): a log-spaced grid, then refined.

    The grid's best point is refined by a golden-section search on log T between its two
    neighbours; the result is kept only if it is no worse, so the NLL at the returned T is
    never above the grid's best (nor above T = 1 when 1 lies in [t_min, t_max]: 1 is on
    the grid).

    Inputs:
    - scores: validation scores of shape (N, C); y: their labels, shape (N,)
    - t_min, t_max: the range searched, 0 < t_min < 1 < t_max
    - num: grid points (odd, so that T = 1 is one of them when the range is symmetric)
    Returns:
    - T: float in [t_min, t_max]
    """
    if not 0 < t_min < t_max:
        raise ValueError(f"need 0 < t_min < t_max, got {t_min!r}, {t_max!r}")
    grid = np.unique(np.append(np.geomspace(t_min, t_max, num), 1.0 if t_min <= 1 <= t_max else []))
    nll = np.array([nll_at_temperature(scores, y, T) for T in grid])
    k = int(np.argmin(nll))
    lo, hi = np.log(grid[max(k - 1, 0)]), np.log(grid[min(k + 1, len(grid) - 1)])
    refined = _golden_section(lambda log_t: nll_at_temperature(scores, y, np.exp(log_t)), lo, hi)
    refined = float(np.exp(refined))
    if nll_at_temperature(scores, y, refined) <= nll[k]:
        return refined
    return float(grid[k])


def _golden_section(f, lo: float, hi: float, steps: int = 30) -> float:
    """The minimiser of a unimodal f on [lo, hi], one evaluation of f per step."""
    ratio = (np.sqrt(5.0) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = f(a), f(b)
    for _ in range(steps):
        if fa <= fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = f(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = f(b)
    return (lo + hi) / 2


def calibration_report(scores, y, temperature: float, num_bins: int = 10) -> dict:
    """Probabilities at ``temperature``, their reliability bins, ECE, NLL and accuracy.

    Inputs:
    - scores: array of shape (N, C); y: labels of shape (N,)
    - temperature: T > 0; num_bins: confidence bins
    Returns a dict: probs (N, C), bins (see reliability_bins), ece, nll, accuracy (floats)
    """
    probs = softmax_with_temperature(scores, temperature)
    return {
        "probs": probs,
        "bins": reliability_bins(probs, y, num_bins),
        "ece": expected_calibration_error(probs, y, num_bins),
        "nll": nll_at_temperature(scores, y, temperature),
        "accuracy": float(np.mean(probs.argmax(axis=1) == np.asarray(y))),
    }
