"""Update rules beyond the graded five, for notebook 06's experiments.

Same interface as ``course_utils.optim``: ``rule(w, dw, config=None) -> (next_w, config)``.
"""

from __future__ import annotations

import numpy as np


def rmsprop_momentum(w, dw, config=None):
    """RMSProp with momentum, the variant of the lecture notes (and of PyTorch's
    ``torch.optim.RMSprop(momentum=...)``): the RMSProp-scaled step feeds a velocity.

    cache = decay_rate * cache + (1 - decay_rate) * dw**2
    velocity = momentum * velocity - learning_rate * dw / (sqrt(cache) + epsilon)
    next_w = w + velocity

    Inputs:
    - w: weights, an array of any shape; dw: its gradient, of the shape of w
    - config: dict (or None) with learning_rate (1e-2), decay_rate (0.99), momentum (0.9),
      epsilon (1e-8) and the state cache and velocity (zeros of w's shape at the first call)

    Returns (next_w, config): a new array of w's shape, and config with the new state.
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("momentum", 0.9)
    config.setdefault("epsilon", 1e-8)
    decay = config["decay_rate"]
    cache = decay * config.get("cache", np.zeros_like(w)) + (1 - decay) * dw**2
    velocity = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config[
        "learning_rate"
    ] * dw / (np.sqrt(cache) + config["epsilon"])
    config["cache"], config["velocity"] = cache, velocity
    return w + velocity, config
