"""Wrong answers a student might give in 10_rnn (both notebooks).

A backward mutant receives the cache of the reference forward (the grader's case calls
the forward of the same namespace first), so it unpacks the reference's cache layout.
"""

import numpy as np

from course_utils.rnn_layers import (
    lstm_step_backward,
    lstm_step_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from tests.mutants import Mutant


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ---------------------------------------------------------------- rnn_step_forward


def rnn_step_no_bias(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_sigmoid(x, prev_h, Wx, Wh, b):
    next_h = sigmoid(x @ Wx + prev_h @ Wh + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_transposed_wh(x, prev_h, Wx, Wh, b):
    next_h = np.tanh(x @ Wx + prev_h @ Wh.T + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


# ---------------------------------------------------------------- rnn_step_backward


def rnn_back_no_tanh_derivative(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_back_transposed_dwh(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h**2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, da.T @ prev_h, da.sum(axis=0)


def rnn_back_untransposed_wh(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h**2)
    return da @ Wx.T, da @ Wh, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_back_derivative_of_prev_h(dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - prev_h**2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


# ---------------------------------------------------------------- rnn_forward


def rnn_forward_no_recurrence(x, h0, Wx, Wh, b):
    """Feeds h0 to every step instead of the previous hidden state."""
    caches, hs = [], []
    for t in range(x.shape[1]):
        h, c = rnn_step_forward(x[:, t], h0, Wx, Wh, b)
        hs.append(h)
        caches.append(c)
    return np.stack(hs, axis=1), caches


def rnn_forward_off_by_one(x, h0, Wx, Wh, b):
    """Stores the state before each step: h[:, 0] is h0 and the last state is lost."""
    caches, hs, h = [], [], h0
    for t in range(x.shape[1]):
        hs.append(h)
        h, c = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        caches.append(c)
    return np.stack(hs, axis=1), caches


def rnn_forward_time_major(x, h0, Wx, Wh, b):
    """Reads the sequence backwards in time."""
    caches, hs, h = [], [], h0
    for t in reversed(range(x.shape[1])):
        h, c = rnn_step_forward(x[:, t], h, Wx, Wh, b)
        hs.append(h)
        caches.append(c)
    return np.stack(hs, axis=1), caches


# ---------------------------------------------------------------- rnn_backward / lstm_backward


def _bptt(step_backward, dh, cache, *, carry_h=True, accumulate=True, carry_c=True, lstm=False):
    N, T, H = dh.shape
    D = cache[0][0].shape[1]
    G = 4 if lstm else 1
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, G * H)), np.zeros((H, G * H)), np.zeros(G * H)
    dprev_h, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        upstream = dh[:, t] + (dprev_h if carry_h else 0.0)
        if lstm:
            grads = step_backward(upstream, dprev_c if carry_c else np.zeros((N, H)), cache[t])
            dx_t, dprev_h, dprev_c, dWx_t, dWh_t, db_t = grads
        else:
            dx_t, dprev_h, dWx_t, dWh_t, db_t = step_backward(upstream, cache[t])
        dx[:, t] = dx_t
        if accumulate:
            dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
        else:
            dWx, dWh, db = dWx_t, dWh_t, db_t
    return dx, dprev_h, dWx, dWh, db


def rnn_backward_no_carry(dh, cache):
    """Forgets the gradient that flows back from step t+1."""
    return _bptt(rnn_step_backward, dh, cache, carry_h=False)


def rnn_backward_overwrites(dh, cache):
    """Overwrites the weight gradients at each step instead of summing them."""
    return _bptt(rnn_step_backward, dh, cache, accumulate=False)


def rnn_backward_zero_dh0(dh, cache):
    dx, _, dWx, dWh, db = _bptt(rnn_step_backward, dh, cache)
    return dx, np.zeros_like(dh[:, 0]), dWx, dWh, db


# ---------------------------------------------------------------- lstm_step_forward


def _lstm_gates(a, H, order):
    blocks = {name: a[:, k * H : (k + 1) * H] for k, name in enumerate(order)}
    return sigmoid(blocks["i"]), sigmoid(blocks["f"]), sigmoid(blocks["o"]), np.tanh(blocks["g"])


def lstm_step_torch_order(x, prev_h, prev_c, Wx, Wh, b):
    """Reads the blocks in PyTorch's order i, f, g, o."""
    H = prev_h.shape[1]
    i, f, o, g = _lstm_gates(x @ Wx + prev_h @ Wh + b, H, "ifgo")
    next_c = f * prev_c + i * g
    return o * np.tanh(next_c), next_c, None


def lstm_step_no_tanh_of_c(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    i, f, o, g = _lstm_gates(x @ Wx + prev_h @ Wh + b, H, "ifog")
    next_c = f * prev_c + i * g
    return o * next_c, next_c, None


def lstm_step_no_forget_gate(x, prev_h, prev_c, Wx, Wh, b):
    H = prev_h.shape[1]
    i, f, o, g = _lstm_gates(x @ Wx + prev_h @ Wh + b, H, "ifog")
    next_c = prev_c + i * g
    return o * np.tanh(next_c), next_c, None


# ---------------------------------------------------------------- lstm_step_backward


def _lstm_back(dnext_h, dnext_c, cache, *, through_h=True, keep_f=True, order="ifog"):
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c = cache
    dc = dnext_c + (dnext_h * o * (1 - tanh_c**2) if through_h else 0.0)
    parts = {
        "i": dc * g * i * (1 - i),
        "f": dc * prev_c * f * (1 - f),
        "o": dnext_h * tanh_c * o * (1 - o),
        "g": dc * i * (1 - g**2),
    }
    da = np.concatenate([parts[name] for name in order], axis=1)
    dprev_c = dc * f if keep_f else dc
    return da @ Wx.T, da @ Wh.T, dprev_c, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def lstm_back_cell_only(dnext_h, dnext_c, cache):
    """The gradient of next_h does not reach the cell state."""
    return _lstm_back(dnext_h, dnext_c, cache, through_h=False)


def lstm_back_no_forget_factor(dnext_h, dnext_c, cache):
    """dprev_c = dc, forgetting the factor f."""
    return _lstm_back(dnext_h, dnext_c, cache, keep_f=False)


def lstm_back_torch_order(dnext_h, dnext_c, cache):
    """Concatenates the gate gradients in PyTorch's order i, f, g, o."""
    return _lstm_back(dnext_h, dnext_c, cache, order="ifgo")


# ---------------------------------------------------------------- lstm_forward


def _lstm_run(x, h0, Wx, Wh, b, *, c0_from_h0=False, carry_c=True, return_c=False):
    N, T, _ = x.shape
    h, c = h0, (h0.copy() if c0_from_h0 else np.zeros_like(h0))
    hs, cs, caches = [], [], []
    for t in range(T):
        h, c_next, step_cache = lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
        c = c_next if carry_c else np.zeros_like(h0)
        hs.append(h)
        cs.append(c_next)
        caches.append(step_cache)
    return np.stack(cs if return_c else hs, axis=1), caches


def lstm_forward_c0_is_h0(x, h0, Wx, Wh, b):
    return _lstm_run(x, h0, Wx, Wh, b, c0_from_h0=True)


def lstm_forward_resets_cell(x, h0, Wx, Wh, b):
    return _lstm_run(x, h0, Wx, Wh, b, carry_c=False)


def lstm_forward_returns_cells(x, h0, Wx, Wh, b):
    return _lstm_run(x, h0, Wx, Wh, b, return_c=True)


# ---------------------------------------------------------------- lstm_backward


def lstm_backward_no_cell_carry(dh, cache):
    """Drops the gradient of the cell state between steps."""
    return _bptt(lstm_step_backward, dh, cache, carry_c=False, lstm=True)


def lstm_backward_no_hidden_carry(dh, cache):
    return _bptt(lstm_step_backward, dh, cache, carry_h=False, lstm=True)


def lstm_backward_overwrites(dh, cache):
    return _bptt(lstm_step_backward, dh, cache, accumulate=False, lstm=True)


# ---------------------------------------------------------------- gru_step_forward


def _gru_gates(x, prev_h, Wx, Wh, b):
    H = prev_h.shape[1]
    ax = x @ Wx + b
    r = sigmoid(ax[:, :H] + prev_h @ Wh[:, :H])
    u = sigmoid(ax[:, H : 2 * H] + prev_h @ Wh[:, H : 2 * H])
    return H, ax, r, u


def gru_step_torch_reset(x, prev_h, Wx, Wh, b):
    """PyTorch's candidate: the reset gate after the product, r * (prev_h Wh_c)."""
    H, ax, r, u = _gru_gates(x, prev_h, Wx, Wh, b)
    cand = np.tanh(ax[:, 2 * H :] + r * (prev_h @ Wh[:, 2 * H :]))
    return u * prev_h + (1 - u) * cand, None


def gru_step_swapped_update(x, prev_h, Wx, Wh, b):
    H, ax, r, u = _gru_gates(x, prev_h, Wx, Wh, b)
    cand = np.tanh(ax[:, 2 * H :] + (r * prev_h) @ Wh[:, 2 * H :])
    return (1 - u) * prev_h + u * cand, None


def gru_step_no_reset(x, prev_h, Wx, Wh, b):
    H, ax, r, u = _gru_gates(x, prev_h, Wx, Wh, b)
    cand = np.tanh(ax[:, 2 * H :] + prev_h @ Wh[:, 2 * H :])
    return u * prev_h + (1 - u) * cand, None


# ---------------------------------------------------------------- gru_step_backward


def _gru_back(dnext_h, cache, *, direct=True, through_r=True, sign=1.0):
    x, prev_h, Wx, Wh, r, u, cand = cache
    H = prev_h.shape[1]
    dac = dnext_h * (1 - u) * (1 - cand**2)
    drh = dac @ Wh[:, 2 * H :].T
    dar = drh * prev_h * r * (1 - r)
    dau = sign * dnext_h * (prev_h - cand) * u * (1 - u)
    dgates = np.concatenate((dar, dau), axis=1)
    da = np.concatenate((dgates, dac), axis=1)
    dprev_h = dgates @ Wh[:, : 2 * H].T
    dprev_h = dprev_h + (dnext_h * u if direct else 0.0) + (drh * r if through_r else drh)
    dWh = np.concatenate((prev_h.T @ dgates, (r * prev_h).T @ dac), axis=1)
    return da @ Wx.T, dprev_h, x.T @ da, dWh, da.sum(axis=0)


def gru_back_no_direct_path(dnext_h, cache):
    """Forgets the direct path u * prev_h into dprev_h."""
    return _gru_back(dnext_h, cache, direct=False)


def gru_back_forgets_r_in_candidate(dnext_h, cache):
    """Passes the candidate's gradient to prev_h without the factor r."""
    return _gru_back(dnext_h, cache, through_r=False)


def gru_back_update_sign(dnext_h, cache):
    """Differentiates u with (cand - prev_h): the sign of the update gate's gradient flips."""
    return _gru_back(dnext_h, cache, sign=-1.0)


# ---------------------------------------------------------------- numpy_lstm_weights_from_torch


def _torch_arrays(lstm):
    W_ih = lstm.weight_ih_l0.detach().double().numpy()
    W_hh = lstm.weight_hh_l0.detach().double().numpy()
    H = lstm.hidden_size
    if lstm.bias:
        b_ih = lstm.bias_ih_l0.detach().double().numpy()
        b_hh = lstm.bias_hh_l0.detach().double().numpy()
    else:
        b_ih = b_hh = np.zeros(4 * H)
    return W_ih, W_hh, b_ih, b_hh, H


def _reorder(H, blocks):
    return np.concatenate([np.arange(k * H, (k + 1) * H) for k in blocks])


def weights_torch_order(lstm):
    """Transposes but keeps PyTorch's gate order i, f, g, o."""
    W_ih, W_hh, b_ih, b_hh, H = _torch_arrays(lstm)
    return W_ih.T.copy(), W_hh.T.copy(), b_ih + b_hh


def weights_one_bias(lstm):
    """Keeps only b_ih (PyTorch has two biases that add up)."""
    W_ih, W_hh, b_ih, b_hh, H = _torch_arrays(lstm)
    order = _reorder(H, (0, 1, 3, 2))
    return W_ih[order].T.copy(), W_hh[order].T.copy(), b_ih[order]


def weights_swapped_i_f(lstm):
    """Orders the blocks f, i, o, g."""
    W_ih, W_hh, b_ih, b_hh, H = _torch_arrays(lstm)
    order = _reorder(H, (1, 0, 3, 2))
    return W_ih[order].T.copy(), W_hh[order].T.copy(), (b_ih + b_hh)[order]


def weights_reshaped_not_transposed(lstm):
    """Reshapes (4H, D) to (D, 4H) instead of transposing: the right shape, scrambled."""
    W_ih, W_hh, b_ih, b_hh, H = _torch_arrays(lstm)
    order = _reorder(H, (0, 1, 3, 2))
    D = W_ih.shape[1]
    return W_ih[order].reshape(D, 4 * H), W_hh[order].reshape(H, 4 * H), (b_ih + b_hh)[order]


def _mutant(name, function, replacement):
    return Mutant(name, f"test_{function}", {function: replacement})


MUTANTS = [
    _mutant("rnn step without bias", "rnn_step_forward", rnn_step_no_bias),
    _mutant("rnn step with sigmoid", "rnn_step_forward", rnn_step_sigmoid),
    _mutant("rnn step with Wh transposed", "rnn_step_forward", rnn_step_transposed_wh),
    _mutant("no tanh derivative", "rnn_step_backward", rnn_back_no_tanh_derivative),
    _mutant("dWh transposed", "rnn_step_backward", rnn_back_transposed_dwh),
    _mutant("dprev_h with Wh not transposed", "rnn_step_backward", rnn_back_untransposed_wh),
    _mutant("tanh derivative at prev_h", "rnn_step_backward", rnn_back_derivative_of_prev_h),
    _mutant("h0 fed to every step", "rnn_forward", rnn_forward_no_recurrence),
    _mutant("states stored one step late", "rnn_forward", rnn_forward_off_by_one),
    _mutant("sequence read backwards", "rnn_forward", rnn_forward_time_major),
    _mutant("no gradient from step t+1", "rnn_backward", rnn_backward_no_carry),
    _mutant("weight gradients overwritten", "rnn_backward", rnn_backward_overwrites),
    _mutant("dh0 left at zero", "rnn_backward", rnn_backward_zero_dh0),
    _mutant("PyTorch gate order", "lstm_step_forward", lstm_step_torch_order),
    _mutant("next_h without tanh", "lstm_step_forward", lstm_step_no_tanh_of_c),
    _mutant("no forget gate", "lstm_step_forward", lstm_step_no_forget_gate),
    _mutant("dnext_h misses the cell", "lstm_step_backward", lstm_back_cell_only),
    _mutant("dprev_c without f", "lstm_step_backward", lstm_back_no_forget_factor),
    _mutant("gate gradients in PyTorch order", "lstm_step_backward", lstm_back_torch_order),
    _mutant("c0 = h0", "lstm_forward", lstm_forward_c0_is_h0),
    _mutant("cell state reset every step", "lstm_forward", lstm_forward_resets_cell),
    _mutant("returns the cell states", "lstm_forward", lstm_forward_returns_cells),
    _mutant("no cell gradient carried", "lstm_backward", lstm_backward_no_cell_carry),
    _mutant("no hidden gradient carried", "lstm_backward", lstm_backward_no_hidden_carry),
    _mutant("lstm weight gradients overwritten", "lstm_backward", lstm_backward_overwrites),
    _mutant("reset gate after the product", "gru_step_forward", gru_step_torch_reset),
    _mutant("update gate swapped", "gru_step_forward", gru_step_swapped_update),
    _mutant("no reset gate", "gru_step_forward", gru_step_no_reset),
    _mutant("no direct path u*prev_h", "gru_step_backward", gru_back_no_direct_path),
    _mutant("candidate path without r", "gru_step_backward", gru_back_forgets_r_in_candidate),
    _mutant("update gate gradient sign", "gru_step_backward", gru_back_update_sign),
    _mutant("PyTorch gate order kept", "numpy_lstm_weights_from_torch", weights_torch_order),
    _mutant("b_hh forgotten", "numpy_lstm_weights_from_torch", weights_one_bias),
    _mutant("i and f swapped", "numpy_lstm_weights_from_torch", weights_swapped_i_f),
    _mutant(
        "reshaped instead of transposed",
        "numpy_lstm_weights_from_torch",
        weights_reshaped_not_transposed,
    ),
]
