"""Saliency maps (Simonyan et al., 2014): which input pixels move a class score most (09_cnn).

The saliency of pixel (h, w) for class y is the largest absolute derivative of the class score
s_y (the unnormalised score, before the softmax) with respect to that pixel's C channels. It is
one backward pass through the network with an upstream gradient of 1 on s_y.
"""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded
from course_utils.fast_layers import (
    conv_backward_fast,
    conv_forward_fast,
    max_pool_backward_fast,
    max_pool_forward_fast,
)
from course_utils.layers import (
    affine_backward,
    affine_forward,
    affine_relu_backward,
    affine_relu_forward,
    relu_backward,
    relu_forward,
)


@graded("09_cnn")
def saliency_map(model, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Saliency maps of a ThreeLayerConvNet for the classes y.

    Inputs:
    - model: a ThreeLayerConvNet (conv - relu - 2x2 max pool - affine - relu - affine), with
      model.params (W1, b1, W2, b2, W3, b3), model.conv_param and model.pool_param
    - X: images, of shape (N, C, H, W)
    - y: classes, of shape (N,), y[n] in [0, num_classes)

    Returns an array of shape (N, H, W): max over c of |d scores[n, y[n]] / d X[n, c, h, w]|.
    """
    p = model.params
    X = X.astype(p["W1"].dtype)
    conv, conv_cache = conv_forward_fast(X, p["W1"], p["b1"], model.conv_param)
    act, relu_cache = relu_forward(conv)
    pooled, pool_cache = max_pool_forward_fast(act, model.pool_param)
    hidden, hidden_cache = affine_relu_forward(pooled, p["W2"], p["b2"])
    scores, scores_cache = affine_forward(hidden, p["W3"], p["b3"])
    dscores = np.zeros_like(scores)
    dscores[np.arange(len(y)), y] = 1.0  # d s_y / d scores: one-hot, no softmax
    dhidden, _, _ = affine_backward(dscores, scores_cache)
    dpooled, _, _ = affine_relu_backward(dhidden, hidden_cache)
    dact = max_pool_backward_fast(dpooled, pool_cache)
    dconv = relu_backward(dact, relu_cache)
    dX, _, _ = conv_backward_fast(dconv, conv_cache)
    return np.abs(dX).max(axis=1)
