"""Naive (loop) convolution and max pooling, written to mirror their definitions."""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded


@graded("09_cnn")
def conv_forward_naive(x, w, b, conv_param):
    """Forward pass of a convolutional layer (a cross-correlation), with loops.

    out[n, f, i, j] = b[f]
        + sum_{c, k, l} x_pad[n, c, i * stride + k, j * stride + l] * w[f, c, k, l]

    Inputs:
    - x: input, of shape (N, C, H, W).
    - w: filter weights, of shape (F, C, HH, WW).
    - b: biases, of shape (F,).
    - conv_param: dict with
      - stride: step between neighbouring receptive fields, in both directions;
      - pad: number of zeros added on each of the four sides of x.

    Returns a tuple of:
    - out: output, of shape (N, F, H', W'), where
      H' = 1 + (H + 2 * pad - HH) // stride
      W' = 1 + (W + 2 * pad - WW) // stride
    - cache: (x, w, b, conv_param).
    """
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))  # (N, C, H + 2pad, W + 2pad)
    out = np.zeros((N, F, H_out, W_out), dtype=np.result_type(x, w, b))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    hs, ws = i * stride, j * stride
                    window = x_pad[n, :, hs : hs + HH, ws : ws + WW]  # (C, HH, WW)
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    cache = (x, w, b, conv_param)
    return out, cache


@graded("09_cnn")
def conv_backward_naive(dout, cache):
    """Backward pass of a convolutional layer, with loops.

    Inputs:
    - dout: upstream gradient, of shape (N, F, H', W').
    - cache: (x, w, b, conv_param) from conv_forward_naive.

    Returns a tuple of:
    - dx: gradient with respect to x, of shape (N, C, H, W).
    - dw: gradient with respect to w, of shape (F, C, HH, WW).
    - db: gradient with respect to b, of shape (F,).
    """
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    hs, ws = i * stride, j * stride
                    window = x_pad[n, :, hs : hs + HH, ws : ws + WW]  # (C, HH, WW)
                    dw[f] += dout[n, f, i, j] * window
                    dx_pad[n, :, hs : hs + HH, ws : ws + WW] += dout[n, f, i, j] * w[f]
    dx = dx_pad[:, :, pad : pad + H, pad : pad + W]
    db = dout.sum(axis=(0, 2, 3))
    return dx, dw, db


@graded("09_cnn")
def max_pool_forward_naive(x, pool_param):
    """Forward pass of max pooling, with loops.

    Inputs:
    - x: input, of shape (N, C, H, W).
    - pool_param: dict with pool_height, pool_width and stride (no padding).

    Returns a tuple of:
    - out: output, of shape (N, C, H', W'), where
      H' = 1 + (H - pool_height) // stride
      W' = 1 + (W - pool_width) // stride
    - cache: (x, pool_param).
    """
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    N, C, H, W = x.shape
    H_out = 1 + (H - ph) // stride
    W_out = 1 + (W - pw) // stride
    out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    hs, ws = i * stride, j * stride
                    out[n, c, i, j] = np.max(x[n, c, hs : hs + ph, ws : ws + pw])
    cache = (x, pool_param)
    return out, cache


@graded("09_cnn")
def max_pool_backward_naive(dout, cache):
    """Backward pass of max pooling, with loops.

    Each window passes its upstream gradient to its maximum; where several entries tie
    for the maximum, to the first in row-major order (as np.argmax, and PyTorch, do).

    Inputs:
    - dout: upstream gradient, of shape (N, C, H', W').
    - cache: (x, pool_param) from max_pool_forward_naive.

    Returns dx, the gradient with respect to x, of shape (N, C, H, W).
    """
    x, pool_param = cache
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    N, C, H_out, W_out = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    hs, ws = i * stride, j * stride
                    window = x[n, c, hs : hs + ph, ws : ws + pw]  # (ph, pw)
                    k, l = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, hs + k, ws + l] += dout[n, c, i, j]
    return dx
