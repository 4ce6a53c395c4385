"""From PyTorch's nn.LSTM to the numpy LSTM of course_utils.rnn_layers: the same cell, other layout.

nn.LSTM (one layer) computes, for x_t of shape (N, D) and h, c of shape (N, H),

    a = x_t W_ih^T + b_ih + h W_hh^T + b_hh,     a of shape (N, 4H), blocks i, f, g, o

with ``weight_ih_l0`` = W_ih of shape (4H, D), ``weight_hh_l0`` = W_hh of shape (4H, H) and
two biases of shape (4H,). The numpy LSTM (course_utils.rnn_layers.lstm_step_forward)
computes a = x Wx + h Wh + b with Wx (D, 4H), Wh (H, 4H), b (4H,) and blocks in the order
i, f, o, g. Both then apply the same gates: c' = f * c + i * g, h' = o * tanh(c').
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from course_utils.assignments import graded
from course_utils.torch_track.signature import fill_deterministic


def seeded_lstm(input_size, hidden_size, seed, *, bias=True, dtype=torch.float64):
    """A one-layer nn.LSTM whose weights come from ``seed`` alone (no global random state).

    Weights are drawn by course_utils.torch_track.signature.fill_deterministic: normal /
    sqrt(fan_in) for the matrices, 0.5 * normal for the biases.

    Inputs:
    - input_size: D; hidden_size: H; seed: int
    - bias: whether the LSTM has its two biases b_ih and b_hh
    - dtype: of the parameters (float64: comparisons with numpy are exact to rounding)
    Returns:
    - lstm: nn.LSTM(D, H, batch_first=True), on the CPU
    """
    with torch.random.fork_rng(devices=[]):  # the default init draws from the global generator
        lstm = nn.LSTM(
            int(input_size), int(hidden_size), bias=bool(bias), batch_first=True, dtype=dtype
        )
    fill_deterministic(lstm, int(seed))
    return lstm


@graded("10_rnn")
def numpy_lstm_weights_from_torch(lstm):
    """The weights of a one-layer nn.LSTM in the layout of the numpy LSTM.

    Inputs:
    - lstm: nn.LSTM with num_layers=1, D inputs and H hidden units, weight_ih_l0 of shape
      (4H, D), weight_hh_l0 of shape (4H, H), and (when lstm.bias) bias_ih_l0, bias_hh_l0
      of shape (4H,), blocks in PyTorch's order i, f, g, o
    Returns a tuple of float64 numpy arrays (new copies):
    - Wx: of shape (D, 4H), column blocks i, f, o, g
    - Wh: of shape (H, 4H), column blocks i, f, o, g
    - b: of shape (4H,), blocks i, f, o, g: b_ih + b_hh (zeros without biases)
    """
    H = lstm.hidden_size
    order = np.concatenate(  # rows of PyTorch's blocks (i, f, g, o) taken as (i, f, o, g)
        [np.arange(0, 2 * H), np.arange(3 * H, 4 * H), np.arange(2 * H, 3 * H)]
    )
    W_ih = lstm.weight_ih_l0.detach().cpu().double().numpy()  # (4H, D)
    W_hh = lstm.weight_hh_l0.detach().cpu().double().numpy()  # (4H, H)
    if lstm.bias:
        b = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().cpu().double().numpy()  # (4H,)
    else:
        b = np.zeros(4 * H)
    Wx = W_ih[order].T.copy()  # (D, 4H)
    Wh = W_hh[order].T.copy()  # (H, 4H)
    return Wx, Wh, b[order].copy()
