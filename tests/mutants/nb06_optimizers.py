"""Wrong answers a student might give in 06_optimizers."""

import numpy as np

from tests.mutants import Mutant


def _config(config, **defaults):
    config = {} if config is None else config
    for key, value in defaults.items():
        config.setdefault(key, value)
    return config


# --- SGD with momentum --------------------------------------------------------------------


def momentum_plus_lr(w, dw, config=None):
    """v = mu * v + lr * dw; w -= v: the same first step, but the stored velocity has the
    wrong sign, so an existing velocity in config is read the wrong way."""
    config = _config(config, learning_rate=1e-2, momentum=0.9)
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) + config["learning_rate"] * dw
    config["velocity"] = v
    return w - v, config


def momentum_forgets_velocity(w, dw, config=None):
    """Never stores the velocity: every step starts from v = 0."""
    config = _config(config, learning_rate=1e-2, momentum=0.9)
    v = -config["learning_rate"] * dw
    return w + v, config


def momentum_default_half(w, dw, config=None):
    """Default momentum 0.5 instead of 0.9."""
    config = _config(config, learning_rate=1e-2, momentum=0.5)
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


# --- Nesterov -----------------------------------------------------------------------------


def nesterov_is_momentum(w, dw, config=None):
    """Plain momentum: next_w = w + v."""
    config = _config(config, learning_rate=1e-2, momentum=0.9)
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def nesterov_without_one_plus(w, dw, config=None):
    """next_w = w - mu * v_prev + v: the (1 + mu) factor forgotten."""
    config = _config(config, learning_rate=1e-2, momentum=0.9)
    mu, v_prev = config["momentum"], config.get("velocity", np.zeros_like(w))
    v = mu * v_prev - config["learning_rate"] * dw
    config["velocity"] = v
    return w - mu * v_prev + v, config


def nesterov_sign_of_lookback(w, dw, config=None):
    """next_w = w + mu * v_prev + (1 + mu) * v: the sign of the first term flipped."""
    config = _config(config, learning_rate=1e-2, momentum=0.9)
    mu, v_prev = config["momentum"], config.get("velocity", np.zeros_like(w))
    v = mu * v_prev - config["learning_rate"] * dw
    config["velocity"] = v
    return w + mu * v_prev + (1 + mu) * v, config


# --- AdaGrad ------------------------------------------------------------------------------


def adagrad_no_accumulation(w, dw, config=None):
    """cache = dw**2 (replaced, not accumulated)."""
    config = _config(config, learning_rate=1e-2, epsilon=1e-8)
    cache = dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def adagrad_eps_inside_sqrt(w, dw, config=None):
    """sqrt(cache + eps) instead of sqrt(cache) + eps: wrong for tiny gradients."""
    config = _config(config, learning_rate=1e-2, epsilon=1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / np.sqrt(cache + config["epsilon"]), config


def adagrad_no_sqrt(w, dw, config=None):
    """Divides by the cache itself."""
    config = _config(config, learning_rate=1e-2, epsilon=1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (cache + config["epsilon"]), config


# --- RMSProp ------------------------------------------------------------------------------


def rmsprop_swapped_decay(w, dw, config=None):
    """cache = (1 - decay) * cache + decay * dw**2."""
    config = _config(config, learning_rate=1e-2, decay_rate=0.99, epsilon=1e-8)
    d = config["decay_rate"]
    cache = (1 - d) * config.get("cache", np.zeros_like(w)) + d * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def rmsprop_default_decay(w, dw, config=None):
    """Default decay rate 0.9 instead of 0.99."""
    config = _config(config, learning_rate=1e-2, decay_rate=0.9, epsilon=1e-8)
    d = config["decay_rate"]
    cache = d * config.get("cache", np.zeros_like(w)) + (1 - d) * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def rmsprop_cache_not_stored(w, dw, config=None):
    """Computes the cache but never stores it."""
    config = _config(config, learning_rate=1e-2, decay_rate=0.99, epsilon=1e-8)
    d = config["decay_rate"]
    cache = d * config.get("cache", np.zeros_like(w)) + (1 - d) * dw**2
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


# --- Adam ---------------------------------------------------------------------------------


def _adam(w, dw, config, correct=True, t_offset=0, store=True):
    config = _config(config, learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8)
    b1, b2 = config["beta1"], config["beta2"]
    t = config.get("t", 0) + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    if correct:
        m_hat, v_hat = m / (1 - b1 ** (t + t_offset)), v / (1 - b2 ** (t + t_offset))
    else:
        m_hat, v_hat = m, v
    if store:
        config["m"], config["v"], config["t"] = m, v, t
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


def adam_no_bias_correction(w, dw, config=None):
    """m and v used without dividing by 1 - beta**t."""
    return _adam(w, dw, config, correct=False)


def adam_t_after_correction(w, dw, config=None):
    """Bias correction with the old t (t incremented after it): divides by zero at t = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return _adam(w, dw, config, t_offset=-1)


def adam_state_not_stored(w, dw, config=None):
    """m, v and t never written back into config."""
    return _adam(w, dw, config, store=False)


def adam_same_beta(w, dw, config=None):
    """beta1 used for both moving averages."""
    config = _config(config, learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8)
    return _adam(w, dw, {**config, "beta2": config["beta1"]})


MUTANTS = [
    Mutant("momentum: velocity sign", "test_sgd_momentum", {"sgd_momentum": momentum_plus_lr}),
    Mutant(
        "momentum: velocity forgotten",
        "test_sgd_momentum",
        {"sgd_momentum": momentum_forgets_velocity},
    ),
    Mutant("momentum: default 0.5", "test_sgd_momentum", {"sgd_momentum": momentum_default_half}),
    Mutant("nesterov: plain momentum", "test_nesterov", {"nesterov": nesterov_is_momentum}),
    Mutant("nesterov: no 1 + mu", "test_nesterov", {"nesterov": nesterov_without_one_plus}),
    Mutant("nesterov: sign of mu v_prev", "test_nesterov", {"nesterov": nesterov_sign_of_lookback}),
    Mutant("adagrad: no accumulation", "test_adagrad", {"adagrad": adagrad_no_accumulation}),
    Mutant("adagrad: eps inside sqrt", "test_adagrad", {"adagrad": adagrad_eps_inside_sqrt}),
    Mutant("adagrad: no sqrt", "test_adagrad", {"adagrad": adagrad_no_sqrt}),
    Mutant("rmsprop: decay swapped", "test_rmsprop", {"rmsprop": rmsprop_swapped_decay}),
    Mutant("rmsprop: default decay 0.9", "test_rmsprop", {"rmsprop": rmsprop_default_decay}),
    Mutant("rmsprop: cache not stored", "test_rmsprop", {"rmsprop": rmsprop_cache_not_stored}),
    Mutant("adam: no bias correction", "test_adam", {"adam": adam_no_bias_correction}),
    Mutant("adam: t after the correction", "test_adam", {"adam": adam_t_after_correction}),
    Mutant("adam: state not stored", "test_adam", {"adam": adam_state_not_stored}),
    Mutant("adam: beta1 for both", "test_adam", {"adam": adam_same_beta}),
]
