"""Softmax with a temperature, the entropy of a distribution, and sampling from it.

Dividing scores by a temperature T > 0 before the softmax sharpens the distribution
(T < 1) or flattens it (T > 1): T -> 0 approaches the uniform distribution over the k
tied maxima (entropy log k; a one-hot argmax, entropy 0, when the maximum is unique) and
T -> inf the uniform distribution (entropy log C). 03_softmax shows it with a widget;
10_rnn samples text with it.

Shapes: scores of shape (..., C), one distribution over C classes along the last axis.
"""

from __future__ import annotations

import numpy as np


def softmax_with_temperature(scores, temperature=1.0):
    """Softmax of ``scores / temperature`` along the last axis, stable for any finite scores.

    The maximum of each row is subtracted before dividing by the temperature, so the
    largest exponent is exp(0) = 1 and nothing overflows, however small T is. At
    ``temperature == 0`` the result is the limit: uniform over the tied maxima.

    Inputs:
    - scores: array of shape (..., C), e.g. (C,) for one example or (N, C) for a batch
    - temperature: float >= 0
    Returns:
    - probs: float64 array of shape (..., C); every row is >= 0 and sums to 1
    """
    if not temperature >= 0:
        raise ValueError(f"temperature must be >= 0, got {temperature!r}")
    scores = np.asarray(scores, dtype=np.float64)
    shifted = scores - np.max(scores, axis=-1, keepdims=True)  # (..., C), max 0
    if temperature == 0:
        is_max = (shifted == 0).astype(np.float64)  # (..., C)
        return is_max / np.sum(is_max, axis=-1, keepdims=True)
    with np.errstate(over="ignore"):  # a tiny T sends -large / T to -inf: exp gives 0
        exp_scores = np.exp(shifted / temperature)  # (..., C), in [0, 1]
    return exp_scores / np.sum(exp_scores, axis=-1, keepdims=True)


def entropy(probs, axis=-1):
    """Shannon entropy in nats, -sum p log p, with 0 log 0 = 0.

    Inputs:
    - probs: array of shape (..., C) of probabilities summing to 1 along ``axis``
    - axis: the axis of the classes
    Returns:
    - H: float64 array of shape (...,) (a float for a single distribution), in [0, log C]
    """
    probs = np.asarray(probs, dtype=np.float64)
    safe = np.where(probs > 0, probs, 1.0)  # log(1) = 0 where p = 0
    H = -np.sum(probs * np.log(safe), axis=axis)
    return float(H) if np.ndim(H) == 0 else H


def temperature_sweep(scores, temperatures):
    """Probabilities and entropies of one example's scores at several temperatures.

    Inputs:
    - scores: array of shape (C,)
    - temperatures: K temperatures, each >= 0
    Returns a tuple of:
    - probs: of shape (K, C), probs[k] = softmax_with_temperature(scores, temperatures[k])
    - entropies: of shape (K,), in nats
    """
    probs = np.stack([softmax_with_temperature(scores, float(t)) for t in temperatures])
    return probs, entropy(probs, axis=-1)


def sample_with_temperature(scores, temperature, rng):
    """Draw one class index per row of ``scores`` from softmax(scores / temperature).

    Inputs:
    - scores: array of shape (C,) or (N, C)
    - temperature: float >= 0 (0 picks the argmax, the first one among ties)
    - rng: np.random.Generator
    Returns:
    - an int for scores of shape (C,), or an int64 array of shape (N,)
    """
    scores = np.asarray(scores, dtype=np.float64)
    if temperature == 0:
        picks = np.argmax(scores, axis=-1)
    else:
        probs = softmax_with_temperature(scores, temperature)  # (..., C)
        cumulative = np.cumsum(probs, axis=-1)  # (..., C)
        u = rng.random(size=probs.shape[:-1] + (1,))  # (..., 1)
        picks = np.minimum(np.sum(cumulative <= u, axis=-1), probs.shape[-1] - 1)
    return int(picks) if np.ndim(picks) == 0 else picks.astype(np.int64)
