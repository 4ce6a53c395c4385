"""Fully connected (affine) layer and the affine-ReLU sandwich."""

from __future__ import annotations

from course_utils.assignments import graded
from course_utils.layer_impl.activations import relu_backward, relu_forward


@graded("05_backprop")
def affine_forward(x, w, b):
    """Forward pass of a fully connected layer: out = x_flat @ w + b.

    Inputs:
    - x: input of shape (N, d_1, ..., d_k); each row is flattened to D = d_1 * ... * d_k.
    - w: weights, of shape (D, M).
    - b: biases, of shape (M,).

    Returns a tuple of:
    - out: output, of shape (N, M).
    - cache: (x, w, b).
    """
    x_flat = x.reshape(x.shape[0], -1)  # (N, D)
    out = x_flat @ w + b  # (N, M)
    cache = (x, w, b)
    return out, cache


@graded("05_backprop")
def affine_backward(dout, cache):
    """Backward pass of a fully connected layer.

    Inputs:
    - dout: upstream gradient, of shape (N, M).
    - cache: (x, w, b) from affine_forward; x of shape (N, d_1, ..., d_k), w (D, M), b (M,).

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, d_1, ..., d_k).
    - dw: gradient with respect to w, of shape (D, M).
    - db: gradient with respect to b, of shape (M,).
    """
    x, w, _ = cache
    x_flat = x.reshape(x.shape[0], -1)  # (N, D)
    dx = (dout @ w.T).reshape(x.shape)
    dw = x_flat.T @ dout  # (D, M)
    db = dout.sum(axis=0)  # (M,)
    return dx, dw, db


def affine_relu_forward(x, w, b):
    """An affine layer followed by a ReLU.

    Inputs:
    - x: input of shape (N, d_1, ..., d_k); w: (D, M); b: (M,).

    Returns a tuple of:
    - out: ReLU output, of shape (N, M).
    - cache: (fc_cache, relu_cache), the caches of the two layers.
    """
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """Backward pass of the affine-ReLU sandwich.

    Inputs:
    - dout: upstream gradient, of shape (N, M).
    - cache: (fc_cache, relu_cache) from affine_relu_forward.

    Returns a tuple of dx (N, d_1, ..., d_k), dw (D, M), db (M,).
    """
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return affine_backward(da, fc_cache)
