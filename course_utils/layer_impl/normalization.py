"""Batch normalization (vector and spatial) and layer normalization."""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded


@graded("07_batchnorm")
def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization: normalize each feature over the batch, then scale and shift.

    In train mode the batch mean and the biased batch variance are used, and the
    running statistics are updated in place:
    running = momentum * running + (1 - momentum) * batch.
    In test mode the running statistics are used instead.

    Inputs:
    - x: data, of shape (N, D).
    - gamma: scale, of shape (D,).
    - beta: shift, of shape (D,).
    - bn_param: dict with
      - mode: 'train' or 'test' (required);
      - eps: constant for numerical stability (default 1e-5);
      - momentum: constant for the running statistics (default 0.9);
      - running_mean, running_var: arrays of shape (D,), created as zeros when absent.

    Returns a tuple of:
    - out: output, of shape (N, D).
    - cache: in train mode (x_hat, x_centered, std, gamma), where x_hat = x_centered / std
      is (N, D), x_centered = x - mean is (N, D), std = sqrt(var + eps) is (D,);
      None in test mode (there is no backward pass in test mode).
    """
    mode = bn_param.get("mode")
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.setdefault("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.setdefault("running_var", np.zeros(D, dtype=x.dtype))

    if mode == "train":
        mean = x.mean(axis=0)  # (D,)
        x_centered = x - mean  # (N, D)
        var = np.mean(x_centered**2, axis=0)  # (D,), biased
        std = np.sqrt(var + eps)  # (D,)
        x_hat = x_centered / std  # (N, D)
        out = gamma * x_hat + beta
        running_mean[...] = momentum * running_mean + (1 - momentum) * mean
        running_var[...] = momentum * running_var + (1 - momentum) * var
        cache = (x_hat, x_centered, std, gamma)
    elif mode == "test":
        x_hat = (x - running_mean) / np.sqrt(running_var + eps)
        out = gamma * x_hat + beta
        cache = None
    else:
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}")
    return out, cache


@graded("07_batchnorm")
def batchnorm_backward(dout, cache):
    """Backward pass of batch normalization, step by step through the computational graph.

    The forward graph: mean = sum(x) / N; xc = x - mean; var = sum(xc**2) / N;
    std = sqrt(var + eps); x_hat = xc / std; out = gamma * x_hat + beta.

    Inputs:
    - dout: upstream gradient, of shape (N, D).
    - cache: (x_hat, x_centered, std, gamma) from batchnorm_forward in train mode.

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, D).
    - dgamma: gradient with respect to gamma, of shape (D,).
    - dbeta: gradient with respect to beta, of shape (D,).
    """
    x_hat, xc, std, gamma = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)  # out = gamma * x_hat + beta
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma  # (N, D)
    dxc = dx_hat / std  # x_hat = xc / std: the path through the numerator
    dstd = -np.sum(dx_hat * xc, axis=0) / std**2  # ... and through the denominator, (D,)
    dvar = dstd / (2 * std)  # std = sqrt(var + eps)
    dxc += 2 * xc * dvar / N  # var = sum(xc**2) / N
    dmean = -np.sum(dxc, axis=0)  # xc = x - mean
    dx = dxc + dmean / N  # mean = sum(x) / N
    return dx, dgamma, dbeta


@graded("07_batchnorm")
def batchnorm_backward_alt(dout, cache):
    """Backward pass of batch normalization in closed form.

    dx = gamma / (N * std) * (N * dout - sum_i dout - x_hat * sum_i (dout * x_hat)).

    Inputs:
    - dout: upstream gradient, of shape (N, D).
    - cache: (x_hat, x_centered, std, gamma) from batchnorm_forward in train mode.

    Returns a tuple of dx (N, D), dgamma (D,), dbeta (D,).
    """
    x_hat, _, std, gamma = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx = gamma / (N * std) * (N * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


@graded("07_batchnorm")
def layernorm_forward(x, gamma, beta, ln_param):
    """Layer normalization: normalize each example over its features, then scale and shift.

    The same in train and test mode; there are no running statistics.

    Inputs:
    - x: data, of shape (N, D).
    - gamma: scale, of shape (D,).
    - beta: shift, of shape (D,).
    - ln_param: dict that may hold eps (default 1e-5).

    Returns a tuple of:
    - out: output, of shape (N, D).
    - cache: (x_hat, std, gamma), where x_hat is (N, D) and std = sqrt(var + eps) is
      (N, 1), the per-example standard deviation.
    """
    eps = ln_param.get("eps", 1e-5)
    mean = x.mean(axis=1, keepdims=True)  # (N, 1)
    var = x.var(axis=1, keepdims=True)  # (N, 1), biased
    std = np.sqrt(var + eps)
    x_hat = (x - mean) / std  # (N, D)
    out = gamma * x_hat + beta
    cache = (x_hat, std, gamma)
    return out, cache


@graded("07_batchnorm")
def layernorm_backward(dout, cache):
    """Backward pass of layer normalization.

    Per example, with g = dout * gamma and means over the D features:
    dx = (g - mean(g) - x_hat * mean(g * x_hat)) / std.

    Inputs:
    - dout: upstream gradient, of shape (N, D).
    - cache: (x_hat, std, gamma) from layernorm_forward.

    Returns a tuple of dx (N, D), dgamma (D,), dbeta (D,).
    """
    x_hat, std, gamma = cache
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    g = dout * gamma  # (N, D)
    g_mean = g.mean(axis=1, keepdims=True)  # (N, 1)
    gx_mean = np.mean(g * x_hat, axis=1, keepdims=True)  # (N, 1)
    dx = (g - g_mean - x_hat * gx_mean) / std
    return dx, dgamma, dbeta


@graded("07_batchnorm")
def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Spatial batch normalization: batchnorm of each channel over N, H and W.

    Inputs:
    - x: data, of shape (N, C, H, W).
    - gamma: scale, of shape (C,).
    - beta: shift, of shape (C,).
    - bn_param: as for batchnorm_forward, with running statistics of shape (C,).

    Returns a tuple of:
    - out: output, of shape (N, C, H, W).
    - cache: the batchnorm_forward cache of the (N * H * W, C) reshaped data.
    """
    N, C, H, W = x.shape
    x_flat = x.transpose(0, 2, 3, 1).reshape(-1, C)  # (N * H * W, C)
    out_flat, cache = batchnorm_forward(x_flat, gamma, beta, bn_param)
    out = out_flat.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return out, cache


@graded("07_batchnorm")
def spatial_batchnorm_backward(dout, cache):
    """Backward pass of spatial batch normalization.

    Inputs:
    - dout: upstream gradient, of shape (N, C, H, W).
    - cache: from spatial_batchnorm_forward (train mode).

    Returns a tuple of dx (N, C, H, W), dgamma (C,), dbeta (C,).
    """
    N, C, H, W = dout.shape
    dout_flat = dout.transpose(0, 2, 3, 1).reshape(-1, C)  # (N * H * W, C)
    dx_flat, dgamma, dbeta = batchnorm_backward_alt(dout_flat, cache)
    dx = dx_flat.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    return dx, dgamma, dbeta
