"""Fast convolution and max pooling in numpy: strided views, batched matrix products.

Same signatures and results as the naive layers in ``course_utils.layers``; only the
caches differ. Nothing here is compiled. Both backward passes scatter their gradient
with one strided slice per kernel offset (HH * WW of them), which is much faster than
``np.add.at``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "conv_forward_fast",
    "conv_backward_fast",
    "max_pool_forward_fast",
    "max_pool_backward_fast",
]


def _offset_slices(k, l, H_out, W_out, stride):
    """Index of the entries that kernel offset (k, l) reads, one per output position."""
    h_end, w_end = k + (H_out - 1) * stride + 1, l + (W_out - 1) * stride + 1
    return (slice(None), slice(None), slice(k, h_end, stride), slice(l, w_end, stride))


def conv_forward_fast(x, w, b, conv_param):
    """Forward pass of a convolutional layer, by im2col and a batched matrix product.

    Inputs:
    - x: input, of shape (N, C, H, W).
    - w: filter weights, of shape (F, C, HH, WW).
    - b: biases, of shape (F,).
    - conv_param: dict with stride and pad.

    Returns a tuple of:
    - out: output, of shape (N, F, H', W'), where
      H' = 1 + (H + 2 * pad - HH) // stride
      W' = 1 + (W + 2 * pad - WW) // stride
    - cache: (x_shape, w, cols, conv_param), where cols, of shape
      (N, C * HH * WW, H' * W'), holds the receptive field of each output position
      in a column.
    """
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(x_pad, (HH, WW), axis=(2, 3))  # (N, C, ., ., HH, WW)
    windows = windows[
        :, :, : (H_out - 1) * stride + 1 : stride, : (W_out - 1) * stride + 1 : stride
    ]
    cols = np.ascontiguousarray(windows.transpose(0, 1, 4, 5, 2, 3))  # (N, C, HH, WW, H', W')
    cols = cols.reshape(N, C * HH * WW, H_out * W_out)
    out = (w.reshape(F, -1) @ cols).reshape(N, F, H_out, W_out)  # (F, K) @ (N, K, H'W')
    out += b[:, None, None]
    cache = (x.shape, w, cols, conv_param)
    return out, cache


def conv_backward_fast(dout, cache):
    """Backward pass of a convolutional layer, by matrix products and col2im.

    Inputs:
    - dout: upstream gradient, of shape (N, F, H', W').
    - cache: (x_shape, w, cols, conv_param) from conv_forward_fast.

    Returns a tuple of dx (N, C, H, W), dw (F, C, HH, WW), db (F,).
    """
    (N, C, H, W), w, cols, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    dout_mat = dout.reshape(N, F, H_out * W_out)
    db = dout.sum(axis=(0, 2, 3))
    dw = (dout_mat @ cols.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)  # sum_n (F, K)
    dcols = w.reshape(F, -1).T @ dout_mat  # (N, C * HH * WW, H' * W')
    dcols = dcols.reshape(N, C, HH, WW, H_out, W_out)
    dx_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=dcols.dtype)
    for k in range(HH):  # col2im: each kernel offset adds to a strided grid of x
        for l in range(WW):
            dx_pad[_offset_slices(k, l, H_out, W_out, stride)] += dcols[:, :, k, l]
    dx = dx_pad[:, :, pad : pad + H, pad : pad + W]
    return dx, dw, db


def max_pool_forward_fast(x, pool_param):
    """Forward pass of max pooling, as an elementwise maximum over the kernel offsets.

    Works for any stride, overlapping windows included.

    Inputs:
    - x: input, of shape (N, C, H, W).
    - pool_param: dict with pool_height, pool_width and stride.

    Returns a tuple of:
    - out: output, of shape (N, C, H', W'), where
      H' = 1 + (H - pool_height) // stride
      W' = 1 + (W - pool_width) // stride
    - cache: (x, out, pool_param).
    """
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    N, C, H, W = x.shape
    H_out = 1 + (H - ph) // stride
    W_out = 1 + (W - pw) // stride
    out = x[_offset_slices(0, 0, H_out, W_out, stride)].copy()  # (N, C, H', W')
    for k in range(ph):
        for l in range(pw):
            np.maximum(out, x[_offset_slices(k, l, H_out, W_out, stride)], out=out)
    cache = (x, out, pool_param)
    return out, cache


def max_pool_backward_fast(dout, cache):
    """Backward pass of max pooling: each window's gradient goes to its first maximum.

    The kernel offsets are visited in row-major order, and a window's gradient goes to
    the first offset whose entry equals the window's maximum (as in the naive layer).

    Inputs:
    - dout: upstream gradient, of shape (N, C, H', W').
    - cache: (x, out, pool_param) from max_pool_forward_fast.

    Returns dx, of shape (N, C, H, W).
    """
    x, out, pool_param = cache
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    _, _, H_out, W_out = dout.shape
    overlapping = stride < ph or stride < pw
    dx = np.zeros(x.shape, dtype=np.result_type(x, dout))
    pending = np.ones(out.shape, dtype=bool)  # windows whose maximum is not found yet
    for k in range(ph):
        for l in range(pw):
            idx = _offset_slices(k, l, H_out, W_out, stride)
            hit = np.equal(x[idx], out)
            hit &= pending
            pending ^= hit
            if overlapping:
                dx[idx] += dout * hit
            else:  # each entry of x lies in at most one window
                np.multiply(dout, hit, out=dx[idx])
    return dx
