"""Wrong answers a student might give in 08_dropout.

Backward mutants receive the cache of the reference forward: (dropout_param, mask) with
mask holding 0 or 1 / p in train mode and None in test mode.
"""

import numpy as np

from tests.mutants import Mutant


def _mask(x, dropout_param):
    rng = np.random.default_rng(dropout_param.get("seed"))
    return rng.random(x.shape) < dropout_param["p"]


def drop_not_inverted(x, dropout_param):
    """Classic dropout: no 1 / p in train mode."""
    if dropout_param["mode"] == "test":
        return x, None
    return x * _mask(x, dropout_param), None


def drop_p_is_drop_probability(x, dropout_param):
    """Reads p as the probability of DROPPING a unit."""
    if dropout_param["mode"] == "test":
        return x, None
    p = dropout_param["p"]
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = rng.random(x.shape) < 1 - p
    return x * mask / (1 - p) if p < 1 else x * 0.0, None


def drop_test_scaled(x, dropout_param):
    """Right in train mode, but scales by p in test mode (mixing the classic and the inverted)."""
    p = dropout_param["p"]
    if dropout_param["mode"] == "test":
        return x * p, None
    return x * _mask(x, dropout_param) / p, None


def drop_binomial_mask(x, dropout_param):
    """The right distribution from another draw (rng.binomial), not the one the task states."""
    if dropout_param["mode"] == "test":
        return x, None
    p = dropout_param["p"]
    rng = np.random.default_rng(dropout_param.get("seed"))
    return x * rng.binomial(1, p, size=x.shape) / p, None


def drop_global_random(x, dropout_param):
    """Ignores the seed: draws from a generator of its own."""
    if dropout_param["mode"] == "test":
        return x, None
    p = dropout_param["p"]
    mask = np.random.default_rng(12345).random(x.shape) < p
    return x * mask / p, None


def back_ignores_mask(dout, cache):
    """Passes dout straight through in train mode."""
    return dout


def back_forgets_scale(dout, cache):
    """Uses the 0/1 mask without the 1 / p."""
    _, mask = cache
    return dout if mask is None else dout * (mask != 0)


def back_divides_in_test(dout, cache):
    """Right in train mode, divides by p in test mode."""
    dropout_param, mask = cache
    return dout / dropout_param["p"] if mask is None else dout * mask


def l2_no_half(data_loss, data_grads, params, reg):
    """Loss reg * sum(W*W) (no 0.5) with the gradient reg * W."""
    loss, grads = float(data_loss), {k: v.copy() for k, v in data_grads.items()}
    for name in grads:
        if name.startswith("W"):
            loss += reg * np.sum(params[name] ** 2)
            grads[name] = grads[name] + reg * params[name]
    return loss, grads


def l2_factor_two_in_gradient(data_loss, data_grads, params, reg):
    """Right loss, gradient 2 * reg * W."""
    loss, grads = float(data_loss), {k: v.copy() for k, v in data_grads.items()}
    for name in grads:
        if name.startswith("W"):
            loss += 0.5 * reg * np.sum(params[name] ** 2)
            grads[name] = grads[name] + 2 * reg * params[name]
    return loss, grads


def l2_every_parameter(data_loss, data_grads, params, reg):
    """Regularizes the biases and gamma/beta too."""
    loss, grads = float(data_loss), {}
    for name, dparam in data_grads.items():
        loss += 0.5 * reg * np.sum(params[name] ** 2)
        grads[name] = dparam + reg * params[name]
    return loss, grads


def l2_loss_only(data_loss, data_grads, params, reg):
    """Adds the penalty to the loss but forgets its gradient."""
    loss = float(data_loss)
    for name in data_grads:
        if name.startswith("W"):
            loss += 0.5 * reg * np.sum(params[name] ** 2)
    return loss, {k: v.copy() for k, v in data_grads.items()}


DF, DB, L2 = "test_dropout_forward", "test_dropout_backward", "test_l2_regularized_loss"
MUTANTS = [
    Mutant("not inverted", DF, {"dropout_forward": drop_not_inverted}),
    Mutant("p read as drop probability", DF, {"dropout_forward": drop_p_is_drop_probability}),
    Mutant("test mode scaled by p", DF, {"dropout_forward": drop_test_scaled}),
    Mutant("binomial draw", DF, {"dropout_forward": drop_binomial_mask}),
    Mutant("seed ignored", DF, {"dropout_forward": drop_global_random}),
    Mutant("mask ignored", DB, {"dropout_backward": back_ignores_mask}),
    Mutant("1/p forgotten", DB, {"dropout_backward": back_forgets_scale}),
    Mutant("divides by p in test mode", DB, {"dropout_backward": back_divides_in_test}),
    Mutant("no 0.5 in the loss", L2, {"l2_regularized_loss": l2_no_half}),
    Mutant("2 * reg * W gradient", L2, {"l2_regularized_loss": l2_factor_two_in_gradient}),
    Mutant("biases regularized", L2, {"l2_regularized_loss": l2_every_parameter}),
    Mutant("gradient forgotten", L2, {"l2_regularized_loss": l2_loss_only}),
]
