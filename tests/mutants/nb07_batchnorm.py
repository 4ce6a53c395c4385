"""Wrong answers a student might give in 07_batchnorm.

Backward mutants receive the cache of the reference forward: (x_hat, x_centered, std, gamma)
for batchnorm, (x_hat, std, gamma) for layernorm.
"""

import numpy as np

from course_utils.layers import batchnorm_backward_alt, batchnorm_forward, layernorm_backward
from tests.mutants import Mutant

# ------------------------------------------------------------------ batchnorm forward


def _bn(
    x,
    gamma,
    beta,
    bn_param,
    *,
    ddof=0,
    eps_inside=True,
    swap_momentum=False,
    update=True,
    test_uses_batch=False,
    running_var_ddof=None,
):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    m = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    rm = bn_param.setdefault("running_mean", np.zeros(D))
    rv = bn_param.setdefault("running_var", np.zeros(D))
    if mode == "train" or test_uses_batch:
        mean, var = x.mean(axis=0), x.var(axis=0, ddof=ddof)
        if mode == "train" and update:
            batch_var = var if running_var_ddof is None else x.var(axis=0, ddof=running_var_ddof)
            a, b = (1 - m, m) if swap_momentum else (m, 1 - m)
            rm[...] = a * rm + b * mean
            rv[...] = a * rv + b * batch_var
    else:
        mean, var = rm, rv
    std = np.sqrt(var + eps) if eps_inside else np.sqrt(var) + eps
    return gamma * (x - mean) / std + beta, None


def bn_unbiased_var(x, gamma, beta, bn_param):
    """The sample variance (N - 1) instead of the biased batch variance."""
    return _bn(x, gamma, beta, bn_param, ddof=1)


def bn_eps_outside_sqrt(x, gamma, beta, bn_param):
    """Divides by sqrt(var) + eps."""
    return _bn(x, gamma, beta, bn_param, eps_inside=False)


def bn_swapped_momentum(x, gamma, beta, bn_param):
    """running = (1 - momentum) * running + momentum * batch."""
    return _bn(x, gamma, beta, bn_param, swap_momentum=True)


def bn_no_running_update(x, gamma, beta, bn_param):
    """Never updates the running statistics."""
    return _bn(x, gamma, beta, bn_param, update=False)


def bn_test_uses_batch_stats(x, gamma, beta, bn_param):
    """Normalises with the batch statistics in test mode too."""
    return _bn(x, gamma, beta, bn_param, test_uses_batch=True)


def bn_running_var_unbiased(x, gamma, beta, bn_param):
    """Right output, but the running variance tracks the sample (N - 1) variance."""
    return _bn(x, gamma, beta, bn_param, running_var_ddof=1)


def bn_running_stats_on_a_copy(x, gamma, beta, bn_param):
    """Updates copies of the running statistics: bn_param never sees the new values."""
    copied = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in bn_param.items()}
    return _bn(x, gamma, beta, copied)


# ----------------------------------------------------------------- batchnorm backward


def bn_backward_no_mean_path(dout, cache):
    """Forgets that the mean depends on x."""
    x_hat, xc, std, gamma = cache
    N = dout.shape[0]
    dx_hat = dout * gamma
    dvar = -0.5 * np.sum(dx_hat * xc, axis=0) / std**3
    dx = dx_hat / std + 2 * xc * dvar / N
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def bn_backward_no_var_path(dout, cache):
    """Treats the standard deviation as a constant."""
    x_hat, xc, std, gamma = cache
    dx_hat = dout * gamma
    dx = (dx_hat - dx_hat.mean(axis=0)) / std
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def bn_backward_dgamma_wrong(dout, cache):
    """dgamma = sum(dout) (forgets x_hat)."""
    dx, _, dbeta = batchnorm_backward_alt(dout, cache)
    return dx, dout.sum(axis=0), dbeta


def bn_backward_no_gamma(dout, cache):
    """Forgets to multiply by gamma on the way to x."""
    x_hat, xc, std, gamma = cache
    dx, dgamma, dbeta = batchnorm_backward_alt(dout, (x_hat, xc, std, np.ones_like(gamma)))
    return dx, dgamma, dbeta


def bn_alt_missing_n(dout, cache):
    """Closed form without the factor N in front of dout."""
    x_hat, _, std, gamma = cache
    N = dout.shape[0]
    dbeta, dgamma = dout.sum(axis=0), np.sum(dout * x_hat, axis=0)
    dx = gamma / (N * std) * (dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def bn_alt_sign_error(dout, cache):
    """Adds the x_hat term instead of subtracting it."""
    x_hat, _, std, gamma = cache
    N = dout.shape[0]
    dbeta, dgamma = dout.sum(axis=0), np.sum(dout * x_hat, axis=0)
    dx = gamma / (N * std) * (N * dout - dbeta + x_hat * dgamma)
    return dx, dgamma, dbeta


def bn_alt_wrong_axis(dout, cache):
    """Sums over the features (axis 1) instead of the batch."""
    x_hat, _, std, gamma = cache
    D = dout.shape[1]
    dbeta = dout.sum(axis=1, keepdims=True)
    dgamma = np.sum(dout * x_hat, axis=1, keepdims=True)
    dx = gamma / (D * std) * (D * dout - dbeta - x_hat * dgamma)
    return dx, dgamma.ravel(), dbeta.ravel()


# ------------------------------------------------------------------------- layernorm


def ln_over_batch(x, gamma, beta, ln_param):
    """Normalises each feature over the batch (that is batchnorm)."""
    return batchnorm_forward(x, gamma, beta, {"mode": "train", "eps": ln_param.get("eps", 1e-5)})


def ln_eps_outside_sqrt(x, gamma, beta, ln_param):
    """Divides by sqrt(var) + eps."""
    eps = ln_param.get("eps", 1e-5)
    mean, std = x.mean(axis=1, keepdims=True), x.std(axis=1, keepdims=True)
    return gamma * (x - mean) / (std + eps) + beta, None


def ln_unbiased_var(x, gamma, beta, ln_param):
    """The sample variance (D - 1) of each example."""
    eps = ln_param.get("eps", 1e-5)
    mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, ddof=1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, None


def ln_backward_std_constant(dout, cache):
    """Treats the per-example standard deviation as a constant."""
    x_hat, std, gamma = cache
    g = dout * gamma
    dx = (g - g.mean(axis=1, keepdims=True)) / std
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def ln_backward_batch_axis(dout, cache):
    """Takes the means over the batch (axis 0), as in batchnorm."""
    x_hat, std, gamma = cache
    g = dout * gamma
    dx = (g - g.mean(axis=0) - x_hat * np.mean(g * x_hat, axis=0)) / std
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


def ln_backward_dgamma_per_example(dout, cache):
    """Right dx, but dgamma and dbeta summed over the features (one per example)."""
    dx, _, _ = layernorm_backward(dout, cache)
    x_hat = cache[0]
    return dx, np.sum(dout * x_hat, axis=1), dout.sum(axis=1)


BF, BB, BA = "test_batchnorm_forward", "test_batchnorm_backward", "test_batchnorm_backward_alt"
LF, LB = "test_layernorm_forward", "test_layernorm_backward"
MUTANTS = [
    Mutant("unbiased batch variance", BF, {"batchnorm_forward": bn_unbiased_var}),
    Mutant("eps outside the sqrt", BF, {"batchnorm_forward": bn_eps_outside_sqrt}),
    Mutant("momentum swapped", BF, {"batchnorm_forward": bn_swapped_momentum}),
    Mutant("no running update", BF, {"batchnorm_forward": bn_no_running_update}),
    Mutant("test mode uses batch statistics", BF, {"batchnorm_forward": bn_test_uses_batch_stats}),
    Mutant("running var unbiased", BF, {"batchnorm_forward": bn_running_var_unbiased}),
    Mutant("running stats not stored", BF, {"batchnorm_forward": bn_running_stats_on_a_copy}),
    Mutant("no mean path", BB, {"batchnorm_backward": bn_backward_no_mean_path}),
    Mutant("no variance path", BB, {"batchnorm_backward": bn_backward_no_var_path}),
    Mutant("dgamma without x_hat", BB, {"batchnorm_backward": bn_backward_dgamma_wrong}),
    Mutant("dx without gamma", BB, {"batchnorm_backward": bn_backward_no_gamma}),
    Mutant("closed form missing N", BA, {"batchnorm_backward_alt": bn_alt_missing_n}),
    Mutant("closed form sign error", BA, {"batchnorm_backward_alt": bn_alt_sign_error}),
    Mutant("closed form wrong axis", BA, {"batchnorm_backward_alt": bn_alt_wrong_axis}),
    Mutant("no variance path (alt)", BA, {"batchnorm_backward_alt": bn_backward_no_var_path}),
    Mutant("normalises over the batch", LF, {"layernorm_forward": ln_over_batch}),
    Mutant("eps outside the sqrt", LF, {"layernorm_forward": ln_eps_outside_sqrt}),
    Mutant("unbiased variance", LF, {"layernorm_forward": ln_unbiased_var}),
    Mutant("std treated as constant", LB, {"layernorm_backward": ln_backward_std_constant}),
    Mutant("means over the batch", LB, {"layernorm_backward": ln_backward_batch_axis}),
    Mutant("dgamma per example", LB, {"layernorm_backward": ln_backward_dgamma_per_example}),
]
