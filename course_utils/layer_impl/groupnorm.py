"""Group normalization (Wu & He, 2018) of image-shaped data: layernorm of channel groups.

The channels of each example are split into ``G`` groups of ``C // G`` consecutive channels;
each group is normalised over its channels and all pixels, then every channel is scaled and
shifted by its own ``gamma`` and ``beta``. With ``G = 1`` it is layernorm of the whole image,
with ``G = C`` instance normalization; it never looks at the other examples of the batch.
"""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded


@graded("07_batchnorm")
def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Group normalization, forward pass (the same in train and test mode).

    Inputs:
    - x: data, of shape (N, C, H, W).
    - gamma: scale, of shape (C,).
    - beta: shift, of shape (C,).
    - G: number of groups, a divisor of C.
    - gn_param: dict that may hold eps (default 1e-5).

    Returns a tuple of:
    - out: output, of shape (N, C, H, W).
    - cache: (x_hat, std, gamma, G), where x_hat is (N, C, H, W) and std is (N, G, 1), the
      standard deviation sqrt(var + eps) of each group of each example.
    """
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    groups = x.reshape(N, G, -1)  # (N, G, C // G * H * W): one row per group
    mean = groups.mean(axis=2, keepdims=True)  # (N, G, 1)
    var = groups.var(axis=2, keepdims=True)  # (N, G, 1), biased
    std = np.sqrt(var + eps)
    x_hat = ((groups - mean) / std).reshape(N, C, H, W)
    out = gamma[None, :, None, None] * x_hat + beta[None, :, None, None]
    return out, (x_hat, std, gamma, G)


@graded("07_batchnorm")
def spatial_groupnorm_backward(dout, cache):
    """Backward pass of group normalization.

    Per group of each example, with g = dout * gamma and means over the group's entries:
    dx = (g - mean(g) - x_hat * mean(g * x_hat)) / std, layernorm's closed form.

    Inputs:
    - dout: upstream gradient, of shape (N, C, H, W).
    - cache: (x_hat, std, gamma, G) from spatial_groupnorm_forward.

    Returns a tuple of dx (N, C, H, W), dgamma (C,), dbeta (C,).
    """
    x_hat, std, gamma, G = cache
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = np.sum(dout * x_hat, axis=(0, 2, 3))
    g = (dout * gamma[None, :, None, None]).reshape(N, G, -1)  # (N, G, M)
    xh = x_hat.reshape(N, G, -1)
    dx = (g - g.mean(axis=2, keepdims=True) - xh * np.mean(g * xh, axis=2, keepdims=True)) / std
    return dx.reshape(N, C, H, W), dgamma, dbeta
