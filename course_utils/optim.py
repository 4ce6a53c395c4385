"""First-order update rules (CS231n style) and a step learning-rate schedule.

Every rule has the signature ``rule(w, dw, config=None) -> (next_w, config)``:

- w: current weights, an array of any shape
- dw: gradient of the loss with respect to w, of the shape of w
- config: dict of hyperparameters and of the rule's state, carried from one call to
  the next (pass back the config that the previous call returned); missing
  hyperparameters are set to their defaults, missing state to zeros
- next_w: the updated weights, a new array of the shape of w (w and dw are not modified)

The returned config is the dict passed in (or a new one when config is None), updated.
"""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent: next_w = w - learning_rate * dw.

    config format:
    - learning_rate: Scalar learning rate (default 1e-2)
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)

    next_w = w - config["learning_rate"] * dw
    return next_w, config


@graded("06_optimizers")
def sgd_momentum(w, dw, config=None):
    """SGD with momentum: v = momentum * v - learning_rate * dw; next_w = w + v.

    config format:
    - learning_rate: Scalar learning rate (default 1e-2)
    - momentum: Scalar in [0, 1), the fraction of the velocity kept (default 0.9)
    - velocity: State, array of the shape of w (zeros at the first call)
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))

    v = config["momentum"] * v - config["learning_rate"] * dw
    next_w = w + v
    config["velocity"] = v
    return next_w, config


@graded("06_optimizers")
def nesterov(w, dw, config=None):
    """Nesterov momentum, in the change-of-variables form where w is the lookahead point.

    v_prev = v; v = momentum * v - learning_rate * dw;
    next_w = w - momentum * v_prev + (1 + momentum) * v.

    With theta = w - momentum * v, this is the classic Nesterov update
    v = momentum * v - learning_rate * grad(theta + momentum * v); theta += v,
    written so that the gradient is taken at w itself.

    config format:
    - learning_rate: Scalar learning rate (default 1e-2)
    - momentum: Scalar in [0, 1) (default 0.9)
    - velocity: State, array of the shape of w (zeros at the first call)
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v_prev = config.get("velocity", np.zeros_like(w))
    mu = config["momentum"]

    v = mu * v_prev - config["learning_rate"] * dw
    next_w = w - mu * v_prev + (1 + mu) * v
    config["velocity"] = v
    return next_w, config


@graded("06_optimizers")
def adagrad(w, dw, config=None):
    """Adagrad: a per-parameter step size shrinking with the sum of squared gradients.

    cache += dw**2; next_w = w - learning_rate * dw / (sqrt(cache) + epsilon).

    config format:
    - learning_rate: Scalar learning rate (default 1e-2)
    - epsilon: Small scalar that avoids dividing by zero (default 1e-8)
    - cache: State, array of the shape of w (zeros at the first call)
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w))

    cache = cache + dw**2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    config["cache"] = cache
    return next_w, config


@graded("06_optimizers")
def rmsprop(w, dw, config=None):
    """RMSProp: a step size scaled by a moving average of squared gradients.

    cache = decay_rate * cache + (1 - decay_rate) * dw**2;
    next_w = w - learning_rate * dw / (sqrt(cache) + epsilon).

    config format:
    - learning_rate: Scalar learning rate (default 1e-2)
    - decay_rate: Scalar in [0, 1), the decay of the squared-gradient average (default 0.99)
    - epsilon: Small scalar that avoids dividing by zero (default 1e-8)
    - cache: State, array of the shape of w (zeros at the first call)
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w))

    decay = config["decay_rate"]
    cache = decay * cache + (1 - decay) * dw**2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    config["cache"] = cache
    return next_w, config


@graded("06_optimizers")
def adam(w, dw, config=None):
    """Adam: moving averages of the gradient and of its square, with bias correction.

    t += 1; m = beta1 * m + (1 - beta1) * dw; v = beta2 * v + (1 - beta2) * dw**2;
    m_hat = m / (1 - beta1**t); v_hat = v / (1 - beta2**t);
    next_w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon).

    config format:
    - learning_rate: Scalar learning rate (default 1e-3)
    - beta1: Decay of the first-moment average (default 0.9)
    - beta2: Decay of the second-moment average (default 0.999)
    - epsilon: Small scalar that avoids dividing by zero (default 1e-8)
    - m, v: State, arrays of the shape of w (zeros at the first call)
    - t: State, the number of steps taken so far (0 at the first call)
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    m = config.get("m", np.zeros_like(w))
    v = config.get("v", np.zeros_like(w))
    t = config.get("t", 0) + 1

    beta1, beta2 = config["beta1"], config["beta2"]
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    config["m"], config["v"], config["t"] = m, v, t
    return next_w, config


def step_decay(lr0, epoch, drop, every):
    """Step learning-rate schedule: lr0 * drop ** (epoch // every).

    Inputs:
    - lr0: Learning rate at epoch 0, positive float
    - epoch: Current epoch, int >= 0
    - drop: Factor applied every `every` epochs, float in (0, 1]
    - every: Number of epochs between drops, int >= 1

    Returns the learning rate for this epoch, a float.
    """
    if every < 1:
        raise ValueError(f"step_decay: every must be >= 1, got {every!r}")
    if epoch < 0:
        raise ValueError(f"step_decay: epoch must be >= 0, got {epoch!r}")
    return float(lr0 * drop ** (epoch // every))
