"""Fully connected networks built from the layers of ``course_utils.layers``.

Both models follow the Solver's model interface: ``params`` (dict name -> array) and
``loss(X, y=None)``, which returns the scores (N, C) when y is None and otherwise
``(loss, grads)`` with grads of the keys and shapes of params. The loss is the mean
softmax loss plus ``0.5 * reg * sum(W * W)`` over the weight matrices only.
"""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded, reveals
from course_utils.classifiers.init import small_random
from course_utils.layers import (
    affine_backward,
    affine_forward,
    affine_relu_backward,
    affine_relu_forward,
    batchnorm_backward_alt,
    batchnorm_forward,
    dropout_backward,
    dropout_forward,
    layernorm_backward,
    layernorm_forward,
    relu_backward,
    relu_forward,
    softmax_loss,
)


class TwoLayerNet:
    """affine - relu - affine - softmax.

    params: W1 (D, H), b1 (H,), W2 (H, C), b2 (C,), float64, where D = input_dim,
    H = hidden_dim, C = num_classes. Weights are weight_scale * standard normal drawn
    from ``np.random.default_rng(seed)``; biases are zero.
    """

    def __init__(
        self,
        input_dim=3 * 32 * 32,
        hidden_dim=100,
        num_classes=10,
        weight_scale=1e-3,
        reg=0.0,
        seed=None,
    ):
        rng = np.random.default_rng(seed)
        self.reg = reg
        self.params = {
            "W1": small_random((input_dim, hidden_dim), weight_scale, rng),
            "b1": np.zeros(hidden_dim),
            "W2": small_random((hidden_dim, num_classes), weight_scale, rng),
            "b2": np.zeros(num_classes),
        }

    @graded("05_backprop")
    def loss(self, X, y=None):
        """Scores, or the loss and its gradients, on a minibatch.

        Inputs:
        - X: data, of shape (N, d_1, ..., d_k) with d_1 * ... * d_k = D
        - y: labels, of shape (N,), or None
        Returns:
        - scores, of shape (N, C), when y is None; otherwise a tuple of
        - loss: float, mean softmax loss + 0.5 * reg * (sum(W1**2) + sum(W2**2))
        - grads: dict with the keys of params, each gradient of the shape of its param
        """
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        hidden, hidden_cache = affine_relu_forward(X, W1, b1)  # (N, H)
        scores, scores_cache = affine_forward(hidden, W2, b2)  # (N, C)
        if y is None:
            return scores

        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        grads = {}
        dhidden, grads["W2"], grads["b2"] = affine_backward(dscores, scores_cache)
        _, grads["W1"], grads["b1"] = affine_relu_backward(dhidden, hidden_cache)
        grads["W1"] += self.reg * W1
        grads["W2"] += self.reg * W2
        return float(loss), grads


class FullyConnectedNet:
    """{affine - [norm] - relu - [dropout]} x (L - 1) - affine - softmax.

    L = len(hidden_dims) + 1 affine layers. params: W1 (D, H_1), b1 (H_1,), ...,
    WL (H_{L-1}, C), bL (C,), and with normalization gamma_i, beta_i (H_i,) for the
    L - 1 hidden layers (initialised to ones and zeros). All params have dtype ``dtype``;
    use np.float64 for gradient checks. Weights are weight_scale * standard normal drawn
    from ``np.random.default_rng(seed)``.

    Inputs of __init__:
    - hidden_dims: list of hidden layer sizes
    - input_dim: D; num_classes: C
    - dropout_keep_ratio: probability of keeping a unit; 1 means no dropout
    - normalization: None, "batchnorm" or "layernorm"
    - reg: L2 strength; weight_scale: std of the initial weights
    - dtype: dtype of params and of the computation
    - seed: seeds the weights; when not None it is also the dropout seed, so every
      call then uses the same dropout mask (deterministic, for gradient checks)
    """

    def __init__(
        self,
        hidden_dims,
        input_dim=3 * 32 * 32,
        num_classes=10,
        dropout_keep_ratio=1,
        normalization=None,
        reg=0.0,
        weight_scale=1e-2,
        dtype=np.float32,
        seed=None,
    ):
        if normalization not in (None, "batchnorm", "layernorm"):
            raise ValueError(f"unknown normalization {normalization!r}")
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        rng = np.random.default_rng(seed)

        dims = [input_dim, *hidden_dims, num_classes]
        self.params = {}
        for i in range(self.num_layers):
            self.params[f"W{i + 1}"] = small_random((dims[i], dims[i + 1]), weight_scale, rng)
            self.params[f"b{i + 1}"] = np.zeros(dims[i + 1])
            if normalization is not None and i < self.num_layers - 1:
                self.params[f"gamma{i + 1}"] = np.ones(dims[i + 1])
                self.params[f"beta{i + 1}"] = np.zeros(dims[i + 1])
        self.params = {k: v.astype(dtype) for k, v in self.params.items()}

        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
            if seed is not None:
                self.dropout_param["seed"] = seed
        # One dict per hidden layer: running statistics for batchnorm, eps for layernorm.
        self.bn_params = []
        if normalization == "batchnorm":
            self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]
        elif normalization == "layernorm":
            self.bn_params = [{} for _ in range(self.num_layers - 1)]

    def _hidden_forward(self, x, i):
        """Hidden block i (1-based): affine - [norm] - relu - [dropout]; returns (out, cache)."""
        out, fc_cache = affine_forward(x, self.params[f"W{i}"], self.params[f"b{i}"])
        norm_cache = None
        if self.normalization is not None:
            norm_forward = (
                batchnorm_forward if self.normalization == "batchnorm" else layernorm_forward
            )
            gamma, beta = self.params[f"gamma{i}"], self.params[f"beta{i}"]
            out, norm_cache = norm_forward(out, gamma, beta, self.bn_params[i - 1])
        out, relu_cache = relu_forward(out)
        drop_cache = None
        if self.use_dropout:
            out, drop_cache = dropout_forward(out, self.dropout_param)
        return out, (fc_cache, norm_cache, relu_cache, drop_cache)

    def _hidden_backward(self, dout, cache, i, grads):
        """Backward of hidden block i; stores its parameter gradients in grads, returns dx."""
        fc_cache, norm_cache, relu_cache, drop_cache = cache
        if self.use_dropout:
            dout = dropout_backward(dout, drop_cache)
        dout = relu_backward(dout, relu_cache)
        if self.normalization is not None:
            norm_backward = (
                batchnorm_backward_alt if self.normalization == "batchnorm" else layernorm_backward
            )
            dout, grads[f"gamma{i}"], grads[f"beta{i}"] = norm_backward(dout, norm_cache)
        dx, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dout, fc_cache)
        return dx

    @reveals("05_backprop")  # composes layers exactly as TwoLayerNet.loss must
    def loss(self, X, y=None):
        """Scores, or the loss and its gradients, on a minibatch.

        Dropout and batchnorm run in test mode when y is None and in train mode otherwise.

        Inputs:
        - X: data, of shape (N, d_1, ..., d_k) with d_1 * ... * d_k = D
        - y: labels, of shape (N,), or None
        Returns:
        - scores, of shape (N, C), when y is None; otherwise a tuple of
        - loss: float, mean softmax loss + 0.5 * reg * sum over i of sum(Wi**2)
        - grads: dict with the keys of params, each gradient of the shape of its param
        """
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"
        if self.use_dropout:
            self.dropout_param["mode"] = mode
        for bn_param in self.bn_params:
            if self.normalization == "batchnorm":
                bn_param["mode"] = mode

        L = self.num_layers
        out, caches = X, []
        for i in range(1, L):
            out, cache = self._hidden_forward(out, i)
            caches.append(cache)
        scores, last_cache = affine_forward(out, self.params[f"W{L}"], self.params[f"b{L}"])
        if y is None:
            return scores

        loss, dscores = softmax_loss(scores, y)
        grads = {}
        dout, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dscores, last_cache)
        for i in range(L - 1, 0, -1):
            dout = self._hidden_backward(dout, caches[i - 1], i, grads)
        for i in range(1, L + 1):
            W = self.params[f"W{i}"]
            loss += 0.5 * self.reg * np.sum(W * W)
            grads[f"W{i}"] += self.reg * W
        return float(loss), grads
