"""The vanilla (tanh) RNN: one time step, and a sequence by backpropagation through time."""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded


@graded("10_rnn")
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """One time step of a tanh RNN: next_h = tanh(x Wx + prev_h Wh + b).

    Inputs:
    - x: Input data for this time step, of shape (N, D)
    - prev_h: Hidden state from the previous time step, of shape (N, H)
    - Wx: Input-to-hidden weights, of shape (D, H)
    - Wh: Hidden-to-hidden weights, of shape (H, H)
    - b: Biases, of shape (H,)

    Returns a tuple of:
    - next_h: Next hidden state, of shape (N, H)
    - cache: (x, prev_h, Wx, Wh, next_h)
    """
    next_h = np.tanh(x @ Wx + prev_h @ Wh + b)  # (N, H)
    cache = (x, prev_h, Wx, Wh, next_h)
    return next_h, cache


@graded("10_rnn")
def rnn_step_backward(dnext_h, cache):
    """Backward pass of one tanh RNN step.

    Inputs:
    - dnext_h: Upstream gradient of next_h, of shape (N, H)
    - cache: (x, prev_h, Wx, Wh, next_h) from rnn_step_forward

    Returns a tuple of:
    - dx: Gradient of the input, of shape (N, D)
    - dprev_h: Gradient of the previous hidden state, of shape (N, H)
    - dWx: Gradient of the input-to-hidden weights, of shape (D, H)
    - dWh: Gradient of the hidden-to-hidden weights, of shape (H, H)
    - db: Gradient of the biases, of shape (H,)
    """
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1.0 - next_h**2)  # (N, H), through tanh' = 1 - tanh^2
    dx = da @ Wx.T  # (N, D)
    dprev_h = da @ Wh.T  # (N, H)
    dWx = x.T @ da  # (D, H)
    dWh = prev_h.T @ da  # (H, H)
    db = da.sum(axis=0)  # (H,)
    return dx, dprev_h, dWx, dWh, db


@graded("10_rnn")
def rnn_forward(x, h0, Wx, Wh, b):
    """A tanh RNN over a whole sequence: h_t = tanh(x_t Wx + h_{t-1} Wh + b).

    Inputs:
    - x: Input data for the whole sequence, of shape (N, T, D)
    - h0: Initial hidden state, of shape (N, H)
    - Wx: Input-to-hidden weights, of shape (D, H)
    - Wh: Hidden-to-hidden weights, of shape (H, H)
    - b: Biases, of shape (H,)

    Returns a tuple of:
    - h: Hidden states of every time step, of shape (N, T, H)
    - cache: list of the T step caches of rnn_step_forward, in time order
    """
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H), dtype=np.result_type(x, h0, Wx))
    cache = []
    prev_h = h0
    for t in range(T):
        prev_h, step_cache = rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b)
        h[:, t, :] = prev_h
        cache.append(step_cache)
    return h, cache


@graded("10_rnn")
def rnn_backward(dh, cache):
    """Backpropagation through time for rnn_forward.

    Inputs:
    - dh: Upstream gradient of every hidden state, of shape (N, T, H) (h_t also
      receives the gradient that flows back from step t+1)
    - cache: list of T step caches from rnn_forward

    Returns a tuple of:
    - dx: Gradient of the inputs, of shape (N, T, D)
    - dh0: Gradient of the initial hidden state, of shape (N, H)
    - dWx: Gradient of the input-to-hidden weights, of shape (D, H)
    - dWh: Gradient of the hidden-to-hidden weights, of shape (H, H)
    - db: Gradient of the biases, of shape (H,)
    """
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D), dtype=dh.dtype)
    dWx = np.zeros((D, H), dtype=dh.dtype)
    dWh = np.zeros((H, H), dtype=dh.dtype)
    db = np.zeros(H, dtype=dh.dtype)
    dprev_h = np.zeros((N, H), dtype=dh.dtype)
    for t in reversed(range(T)):
        dx_t, dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t, :] + dprev_h, cache[t])
        dx[:, t, :] = dx_t
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dprev_h, dWx, dWh, db
