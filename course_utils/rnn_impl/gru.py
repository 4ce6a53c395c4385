"""One time step of a GRU, in the formulation of the course.

The 3H pre-activation columns of Wx, Wh and b are, in this order, the reset gate r,
the update gate u and the candidate:
r = sigmoid(x Wx_r + prev_h Wh_r + b_r), u = sigmoid(x Wx_u + prev_h Wh_u + b_u),
candidate = tanh(x Wx_c + (r * prev_h) Wh_c + b_c),
next_h = u * prev_h + (1 - u) * candidate.
(PyTorch's nn.GRU applies the reset gate after the product, r * (prev_h Wh_c + b_hc),
so its candidate differs from this one.)
"""

from __future__ import annotations

import numpy as np

from course_utils.assignments import graded


@graded("10_rnn")
def gru_step_forward(x, prev_h, Wx, Wh, b):
    """One time step of a GRU.

    Inputs:
    - x: Input data for this time step, of shape (N, D)
    - prev_h: Previous hidden state, of shape (N, H)
    - Wx: Input-to-hidden weights, of shape (D, 3H), column blocks r, u, candidate
    - Wh: Hidden-to-hidden weights, of shape (H, 3H), column blocks r, u, candidate
    - b: Biases, of shape (3H,), blocks r, u, candidate

    Returns a tuple of:
    - next_h: Next hidden state, of shape (N, H)
    - cache: (x, prev_h, Wx, Wh, r, u, cand), the gates r, u and the candidate
      cand each of shape (N, H)
    """
    H = prev_h.shape[1]
    ax = x @ Wx + b  # (N, 3H)
    ah = prev_h @ Wh[:, : 2 * H]  # (N, 2H), the gates' hidden part
    # sigmoid(z) = (1 + tanh(z / 2)) / 2: exact, and no overflow for large |z|.
    r = 0.5 * (1.0 + np.tanh(0.5 * (ax[:, :H] + ah[:, :H])))  # (N, H)
    u = 0.5 * (1.0 + np.tanh(0.5 * (ax[:, H : 2 * H] + ah[:, H:])))  # (N, H)
    cand = np.tanh(ax[:, 2 * H :] + (r * prev_h) @ Wh[:, 2 * H :])  # (N, H)
    next_h = u * prev_h + (1.0 - u) * cand  # (N, H)
    cache = (x, prev_h, Wx, Wh, r, u, cand)
    return next_h, cache


@graded("10_rnn")
def gru_step_backward(dnext_h, cache):
    """Backward pass of one GRU step.

    Inputs:
    - dnext_h: Upstream gradient of next_h, of shape (N, H)
    - cache: (x, prev_h, Wx, Wh, r, u, cand) from gru_step_forward

    Returns a tuple of:
    - dx: Gradient of the input, of shape (N, D)
    - dprev_h: Gradient of the previous hidden state, of shape (N, H)
    - dWx: Gradient of the input-to-hidden weights, of shape (D, 3H)
    - dWh: Gradient of the hidden-to-hidden weights, of shape (H, 3H)
    - db: Gradient of the biases, of shape (3H,)
    """
    x, prev_h, Wx, Wh, r, u, cand = cache
    H = prev_h.shape[1]
    Wh_c = Wh[:, 2 * H :]  # (H, H)
    dac = dnext_h * (1.0 - u) * (1.0 - cand**2)  # (N, H), candidate pre-activation
    drh = dac @ Wh_c.T  # (N, H), gradient of r * prev_h
    dar = drh * prev_h * r * (1.0 - r)  # (N, H)
    dau = dnext_h * (prev_h - cand) * u * (1.0 - u)  # (N, H)
    dgates = np.concatenate((dar, dau), axis=1)  # (N, 2H)
    da = np.concatenate((dgates, dac), axis=1)  # (N, 3H)
    dx = da @ Wx.T  # (N, D)
    dprev_h = dnext_h * u + drh * r + dgates @ Wh[:, : 2 * H].T  # (N, H)
    dWx = x.T @ da  # (D, 3H)
    dWh = np.concatenate((prev_h.T @ dgates, (r * prev_h).T @ dac), axis=1)  # (H, 3H)
    db = da.sum(axis=0)  # (3H,)
    return dx, dprev_h, dWx, dWh, db
