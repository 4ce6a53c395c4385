"""Weight initialisation helpers; every one takes an explicit np.random.Generator.

All three draw from a zero-mean *normal* distribution (not a uniform one), so that only
the standard deviation differs between them and plots compare like with like:

- ``small_random``: std = scale (CS231n's ``weight_scale * randn``).
- ``xavier`` (Glorot normal): std = sqrt(2 / (fan_in + fan_out)), keeps the variance of
  activations and gradients about constant through linear / tanh layers.
- ``he`` (Kaiming normal): std = sqrt(2 / fan_in), compensates for ReLU zeroing half of
  its inputs.

For a conv filter bank of shape (F, C, HH, WW), fan_in = C * HH * WW and
fan_out = F * HH * WW; pass ``shape=(F, C, HH, WW)``.
"""

from __future__ import annotations

import numpy as np


def small_random(shape, scale, rng):
    """Normal weights of standard deviation ``scale``.

    Inputs:
    - shape: tuple of ints, the shape of the weights
    - scale: float, the standard deviation
    - rng: np.random.Generator
    Returns:
    - w: float64 array of the given shape
    """
    return scale * rng.standard_normal(shape)


def xavier(fan_in, fan_out, rng, shape=None):
    """Glorot (Xavier) normal weights, std = sqrt(2 / (fan_in + fan_out)).

    Inputs:
    - fan_in, fan_out: ints, inputs and outputs per unit
    - rng: np.random.Generator
    - shape: shape of the weights; (fan_in, fan_out) when None
    Returns:
    - w: float64 array of shape ``shape``, by default (fan_in, fan_out)
    """
    shape = (fan_in, fan_out) if shape is None else shape
    return small_random(shape, np.sqrt(2.0 / (fan_in + fan_out)), rng)


def he(fan_in, fan_out, rng, shape=None):
    """He (Kaiming) normal weights for ReLU layers, std = sqrt(2 / fan_in).

    Inputs:
    - fan_in, fan_out: ints, inputs and outputs per unit
    - rng: np.random.Generator
    - shape: shape of the weights; (fan_in, fan_out) when None
    Returns:
    - w: float64 array of shape ``shape``, by default (fan_in, fan_out)
    """
    shape = (fan_in, fan_out) if shape is None else shape
    return small_random(shape, np.sqrt(2.0 / fan_in), rng)
