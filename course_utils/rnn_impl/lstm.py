"""The LSTM: one time step, and a sequence by backpropagation through time.

The 4H pre-activations a = x Wx + prev_h Wh + b are split, in this order, into the
input gate i, forget gate f, output gate o (sigmoids) and the candidate g (tanh):
next_c = f * prev_c + i * g and next_h = o * tanh(next_c).
(PyTorch's nn.LSTM orders its blocks i, f, g, o.)
"""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded


@graded("10_rnn")
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One time step of an LSTM.

    Inputs:
    - x: Input data for this time step, of shape (N, D)
    - prev_h: Previous hidden state, of shape (N, H)
    - prev_c: Previous cell state, of shape (N, H)
    - Wx: Input-to-hidden weights, of shape (D, 4H), column blocks i, f, o, g
    - Wh: Hidden-to-hidden weights, of shape (H, 4H), column blocks i, f, o, g
    - b: Biases, of shape (4H,), blocks i, f, o, g

    Returns a tuple of:
    - next_h: Next hidden state, of shape (N, H)
    - next_c: Next cell state, of shape (N, H)
    - cache: (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c), the gates of shape
      (N, H) each and tanh_c = tanh(next_c), of shape (N, H)
    """
    H = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b  # (N, 4H)
    # sigmoid(z) = (1 + tanh(z / 2)) / 2: exact, and no overflow for large |z|.
    i = 0.5 * (1.0 + np.tanh(0.5 * a[:, :H]))  # (N, H)
    f = 0.5 * (1.0 + np.tanh(0.5 * a[:, H : 2 * H]))  # (N, H)
    o = 0.5 * (1.0 + np.tanh(0.5 * a[:, 2 * H : 3 * H]))  # (N, H)
    g = np.tanh(a[:, 3 * H :])  # (N, H)
    next_c = f * prev_c + i * g  # (N, H)
    tanh_c = np.tanh(next_c)  # (N, H)
    next_h = o * tanh_c  # (N, H)
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c)
    return next_h, next_c, cache


@graded("10_rnn")
def lstm_step_backward(dnext_h, dnext_c, cache):
    """Backward pass of one LSTM step.

    Inputs:
    - dnext_h: Upstream gradient of next_h, of shape (N, H)
    - dnext_c: Upstream gradient of next_c, of shape (N, H)
    - cache: (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c) from lstm_step_forward

    Returns a tuple of:
    - dx: Gradient of the input, of shape (N, D)
    - dprev_h: Gradient of the previous hidden state, of shape (N, H)
    - dprev_c: Gradient of the previous cell state, of shape (N, H)
    - dWx: Gradient of the input-to-hidden weights, of shape (D, 4H)
    - dWh: Gradient of the hidden-to-hidden weights, of shape (H, 4H)
    - db: Gradient of the biases, of shape (4H,)
    """
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c = cache
    dc = dnext_c + dnext_h * o * (1.0 - tanh_c**2)  # (N, H), total gradient of next_c
    di = dc * g
    df = dc * prev_c
    do = dnext_h * tanh_c
    dg = dc * i
    dprev_c = dc * f  # (N, H)
    da = np.concatenate(  # (N, 4H), through sigmoid' = s(1 - s) and tanh' = 1 - tanh^2
        (di * i * (1.0 - i), df * f * (1.0 - f), do * o * (1.0 - o), dg * (1.0 - g**2)),
        axis=1,
    )
    dx = da @ Wx.T  # (N, D)
    dprev_h = da @ Wh.T  # (N, H)
    dWx = x.T @ da  # (D, 4H)
    dWh = prev_h.T @ da  # (H, 4H)
    db = da.sum(axis=0)  # (4H,)
    return dx, dprev_h, dprev_c, dWx, dWh, db


@graded("10_rnn")
def lstm_forward(x, h0, Wx, Wh, b):
    """An LSTM over a whole sequence; the initial cell state is zeros.

    Inputs:
    - x: Input data for the whole sequence, of shape (N, T, D)
    - h0: Initial hidden state, of shape (N, H)
    - Wx: Input-to-hidden weights, of shape (D, 4H)
    - Wh: Hidden-to-hidden weights, of shape (H, 4H)
    - b: Biases, of shape (4H,)

    Returns a tuple of:
    - h: Hidden states of every time step, of shape (N, T, H)
    - cache: list of the T step caches of lstm_step_forward, in time order
    """
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.zeros((N, T, H), dtype=np.result_type(x, h0, Wx))
    cache = []
    prev_h, prev_c = h0, np.zeros_like(h0)
    for t in range(T):
        prev_h, prev_c, step_cache = lstm_step_forward(x[:, t, :], prev_h, prev_c, Wx, Wh, b)
        h[:, t, :] = prev_h
        cache.append(step_cache)
    return h, cache


@graded("10_rnn")
def lstm_backward(dh, cache):
    """Backpropagation through time for lstm_forward.

    Inputs:
    - dh: Upstream gradient of every hidden state, of shape (N, T, H)
    - cache: list of T step caches from lstm_forward

    Returns a tuple of:
    - dx: Gradient of the inputs, of shape (N, T, D)
    - dh0: Gradient of the initial hidden state, of shape (N, H)
    - dWx: Gradient of the input-to-hidden weights, of shape (D, 4H)
    - dWh: Gradient of the hidden-to-hidden weights, of shape (H, 4H)
    - db: Gradient of the biases, of shape (4H,)
    """
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    dx = np.zeros((N, T, D), dtype=dh.dtype)
    dWx = np.zeros((D, 4 * H), dtype=dh.dtype)
    dWh = np.zeros((H, 4 * H), dtype=dh.dtype)
    db = np.zeros(4 * H, dtype=dh.dtype)
    dprev_h = np.zeros((N, H), dtype=dh.dtype)
    dprev_c = np.zeros((N, H), dtype=dh.dtype)
    for t in reversed(range(T)):
        dx_t, dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh[:, t, :] + dprev_h, dprev_c, cache[t]
        )
        dx[:, t, :] = dx_t
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dprev_h, dWx, dWh, db
