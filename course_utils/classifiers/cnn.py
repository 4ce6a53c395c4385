"""A three-layer convolutional network built from ``course_utils.fast_layers``."""

from __future__ import annotations

import numpy as np

from course_utils.classifiers.init import small_random
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
    softmax_loss,
)


class ThreeLayerConvNet:
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax.

    Input: minibatches of shape (N, C, H, W). The convolution has F = num_filters filters
    of size HH = WW = filter_size, stride 1 and zero padding (filter_size - 1) // 2, so it
    keeps H and W for odd filter sizes; the pool (2x2, stride 2) gives
    H_p = H' // 2, W_p = W' // 2 with H' = H + 2 * pad - filter_size + 1.

    params (dtype ``dtype``): W1 (F, C, HH, WW), b1 (F,), W2 (F * H_p * W_p, hidden_dim),
    b2 (hidden_dim,), W3 (hidden_dim, num_classes), b3 (num_classes,). Weights are
    weight_scale * standard normal drawn from ``np.random.default_rng(seed)``; biases zero.
    The loss is the mean softmax loss plus 0.5 * reg * sum(W * W) over W1, W2, W3.
    """

    def __init__(
        self,
        input_dim=(3, 32, 32),
        num_filters=32,
        filter_size=7,
        hidden_dim=100,
        num_classes=10,
        weight_scale=1e-3,
        reg=0.0,
        dtype=np.float32,
        seed=None,
    ):
        C, H, W = input_dim
        self.reg = reg
        self.dtype = dtype
        self.conv_param = {"stride": 1, "pad": (filter_size - 1) // 2}
        self.pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
        pad = self.conv_param["pad"]
        H_pool = (H + 2 * pad - filter_size + 1) // 2
        W_pool = (W + 2 * pad - filter_size + 1) // 2
        rng = np.random.default_rng(seed)
        params = {
            "W1": small_random((num_filters, C, filter_size, filter_size), weight_scale, rng),
            "b1": np.zeros(num_filters),
            "W2": small_random((num_filters * H_pool * W_pool, hidden_dim), weight_scale, rng),
            "b2": np.zeros(hidden_dim),
            "W3": small_random((hidden_dim, num_classes), weight_scale, rng),
            "b3": np.zeros(num_classes),
        }
        self.params = {k: v.astype(dtype) for k, v in params.items()}

    def loss(self, X, y=None):
        """Scores, or the loss and its gradients, on a minibatch.

        Inputs:
        - X: data, of shape (N, C, H, W)
        - y: labels, of shape (N,), or None
        Returns:
        - scores, of shape (N, num_classes), when y is None; otherwise a tuple of
        - loss: float
        - grads: dict with the keys of params, each gradient of the shape of its param
        """
        X = X.astype(self.dtype)
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        W3, b3 = self.params["W3"], self.params["b3"]

        conv, conv_cache = conv_forward_fast(X, W1, b1, self.conv_param)  # (N, F, H', W')
        act, relu_cache = relu_forward(conv)
        pooled, pool_cache = max_pool_forward_fast(act, self.pool_param)  # (N, F, H_p, W_p)
        hidden, hidden_cache = affine_relu_forward(pooled, W2, b2)  # (N, hidden_dim)
        scores, scores_cache = affine_forward(hidden, W3, b3)  # (N, num_classes)
        if y is None:
            return scores

        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * sum(np.sum(W * W) for W in (W1, W2, W3))
        grads = {}
        dhidden, grads["W3"], grads["b3"] = affine_backward(dscores, scores_cache)
        dpooled, grads["W2"], grads["b2"] = affine_relu_backward(dhidden, hidden_cache)
        dact = max_pool_backward_fast(dpooled, pool_cache)
        dconv = relu_backward(dact, relu_cache)
        _, grads["W1"], grads["b1"] = conv_backward_fast(dconv, conv_cache)
        for name in ("W1", "W2", "W3"):
            grads[name] += self.reg * self.params[name]
        return float(loss), grads
