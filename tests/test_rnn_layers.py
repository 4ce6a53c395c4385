"""Tests of course_utils.rnn_layers: numerical gradient checks and PyTorch as the oracle.

Every backward is checked against centred differences (float64) and every forward and
backward against torch autograd, on shapes with N = 1, D != H and T up to 5.
"""

from __future__ import annotations

import ast
import inspect

import numpy as np
import pytest
import torch

from course_utils import rnn_layers
from course_utils.gradcheck import eval_numerical_gradient_array
from course_utils.rnn_layers import (
    clip_gradient_elementwise,
    clip_gradients,
    gru_step_backward,
    gru_step_forward,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    temporal_affine_backward,
    temporal_affine_forward,
    temporal_softmax_loss,
    word_embedding_backward,
    word_embedding_forward,
)

# (N, T, D, H): a single sequence, D != H everywhere, T from 1 to 5.
SHAPES = [(1, 1, 3, 2), (2, 3, 4, 5), (3, 5, 2, 3)]
# Centred differences in float64 agree to about 1e-8 relative and 1e-11 absolute (rounding
# dominates for entries near zero); a wrong gradient is off by far more.
NUM_TOL = dict(rtol=1e-6, atol=1e-9)
TORCH_TOL = dict(rtol=1e-10, atol=1e-12)  # same formula in float64: rounding only


def t64(a, grad=True):
    """A float64 leaf tensor holding a copy of ``a``."""
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def close_to_torch(ours, theirs):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), **TORCH_TOL)


def check_numerical(forward, backward_grads, inputs, dout):
    """Compare each analytic gradient with centred differences of sum(forward(*inputs) * dout).

    forward: function of the arrays in ``inputs`` returning one array;
    backward_grads: list of the analytic gradients, in the order of ``inputs``.
    """
    for k, (x, analytic) in enumerate(zip(inputs, backward_grads)):
        numeric = eval_numerical_gradient_array(lambda _: forward(*inputs), x, dout)
        np.testing.assert_allclose(analytic, numeric, **NUM_TOL, err_msg=f"gradient of input {k}")


def rnn_params(rng, N, T, D, H, gates=1):
    """Inputs of moderate size (tanh and sigmoids far from saturation)."""
    x = rng.standard_normal((N, T, D))
    h0 = rng.standard_normal((N, H))
    Wx = 0.5 * rng.standard_normal((D, gates * H))
    Wh = 0.5 * rng.standard_normal((H, gates * H))
    b = 0.2 * rng.standard_normal(gates * H)
    return x, h0, Wx, Wh, b


# --------------------------------------------------------------------- vanilla RNN


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_rnn_step_matches_torch(rng, N, T, D, H):
    x, h0, Wx, Wh, b = rnn_params(rng, N, T, D, H)
    x = x[:, 0]
    dnext = rng.standard_normal((N, H))
    next_h, cache = rnn_step_forward(x, h0, Wx, Wh, b)
    grads = rnn_step_backward(dnext, cache)

    tensors = [t64(a) for a in (x, h0, Wx, Wh, b)]
    tx, th, tWx, tWh, tb = tensors
    out = torch.tanh(tx @ tWx + th @ tWh + tb)
    out.backward(torch.from_numpy(dnext))
    close_to_torch(next_h, out)
    for ours, t in zip(grads, tensors):
        close_to_torch(ours, t.grad)


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_rnn_step_backward_numerical(rng, N, T, D, H):
    x, h0, Wx, Wh, b = rnn_params(rng, N, T, D, H)
    inputs = [x[:, 0].copy(), h0, Wx, Wh, b]
    dnext = rng.standard_normal((N, H))
    _, cache = rnn_step_forward(*inputs)
    grads = rnn_step_backward(dnext, cache)
    check_numerical(lambda *a: rnn_step_forward(*a)[0], grads, inputs, dnext)


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_rnn_sequence_matches_torch_nn_rnn(rng, N, T, D, H):
    x, h0, Wx, Wh, b = rnn_params(rng, N, T, D, H)
    dh = rng.standard_normal((N, T, H))
    h, cache = rnn_forward(x, h0, Wx, Wh, b)
    dx, dh0, dWx, dWh, db = rnn_backward(dh, cache)

    rnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True, dtype=torch.float64)
    with torch.no_grad():  # torch computes x W_ih^T + b_ih + h W_hh^T + b_hh
        rnn.weight_ih_l0.copy_(torch.from_numpy(Wx.T))
        rnn.weight_hh_l0.copy_(torch.from_numpy(Wh.T))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b))
        rnn.bias_hh_l0.zero_()
    tx, th0 = t64(x), t64(h0[None])  # torch's h0 is (num_layers, N, H)
    out, _ = rnn(tx, th0)
    out.backward(torch.from_numpy(dh))

    close_to_torch(h, out)
    close_to_torch(dx, tx.grad)
    close_to_torch(dh0, th0.grad[0])
    close_to_torch(dWx, rnn.weight_ih_l0.grad.T)
    close_to_torch(dWh, rnn.weight_hh_l0.grad.T)
    close_to_torch(db, rnn.bias_ih_l0.grad)


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_rnn_backward_numerical(rng, N, T, D, H):
    inputs = list(rnn_params(rng, N, T, D, H))
    dh = rng.standard_normal((N, T, H))
    _, cache = rnn_forward(*inputs)
    grads = rnn_backward(dh, cache)
    check_numerical(lambda *a: rnn_forward(*a)[0], grads, inputs, dh)


def test_rnn_forward_steps_through_time(rng):
    """h_t is the step function applied to x_t and h_{t-1}, starting from h0."""
    x, h0, Wx, Wh, b = rnn_params(rng, 2, 4, 3, 5)
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    assert h.shape == (2, 4, 5)
    prev = h0
    for t in range(4):
        prev = np.tanh(x[:, t] @ Wx + prev @ Wh + b)
        np.testing.assert_allclose(h[:, t], prev, rtol=1e-12)


# --------------------------------------------------------------------------- LSTM

# Our 4H blocks are i, f, o, g; torch's are i, f, g, o. Block k of torch's order is
# block TORCH_BLOCKS[k] of ours (the permutation is its own inverse).
TORCH_BLOCKS = [0, 1, 3, 2]


def to_torch_gate_order(a, H):
    """Reorder the last axis (4H, blocks i, f, o, g) into torch's blocks i, f, g, o."""
    return np.concatenate([a[..., k * H : (k + 1) * H] for k in TORCH_BLOCKS], axis=-1)


def from_torch_gate_order(a, H):
    """Inverse of to_torch_gate_order (the same block swap)."""
    return to_torch_gate_order(a, H)


def load_torch_lstm(module, Wx, Wh, b, suffix):
    """Copy our (Wx, Wh, b) into an nn.LSTM / nn.LSTMCell: W_ih (4H, D) = Wx.T reordered."""
    H = Wh.shape[0]
    with torch.no_grad():
        getattr(module, "weight_ih" + suffix).copy_(torch.from_numpy(to_torch_gate_order(Wx, H).T))
        getattr(module, "weight_hh" + suffix).copy_(torch.from_numpy(to_torch_gate_order(Wh, H).T))
        getattr(module, "bias_ih" + suffix).copy_(torch.from_numpy(to_torch_gate_order(b, H)))
        getattr(module, "bias_hh" + suffix).zero_()


def torch_lstm_grads(module, H, suffix):
    """Our dWx, dWh, db from the gradients of a torch LSTM's parameters."""
    dWx = from_torch_gate_order(getattr(module, "weight_ih" + suffix).grad.numpy().T, H)
    dWh = from_torch_gate_order(getattr(module, "weight_hh" + suffix).grad.numpy().T, H)
    db = from_torch_gate_order(getattr(module, "bias_ih" + suffix).grad.numpy(), H)
    return dWx, dWh, db


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_lstm_step_matches_torch_lstm_cell(rng, N, T, D, H):
    x, h0, Wx, Wh, b = rnn_params(rng, N, T, D, H, gates=4)
    x = x[:, 0]
    c0 = rng.standard_normal((N, H))
    dnext_h, dnext_c = rng.standard_normal((2, N, H))
    next_h, next_c, cache = lstm_step_forward(x, h0, c0, Wx, Wh, b)
    dx, dprev_h, dprev_c, dWx, dWh, db = lstm_step_backward(dnext_h, dnext_c, cache)

    cell = torch.nn.LSTMCell(D, H, dtype=torch.float64)
    load_torch_lstm(cell, Wx, Wh, b, suffix="")
    tx, th, tc = t64(x), t64(h0), t64(c0)
    out_h, out_c = cell(tx, (th, tc))
    torch.autograd.backward([out_h, out_c], [torch.from_numpy(dnext_h), torch.from_numpy(dnext_c)])

    close_to_torch(next_h, out_h)
    close_to_torch(next_c, out_c)
    close_to_torch(dx, tx.grad)
    close_to_torch(dprev_h, th.grad)
    close_to_torch(dprev_c, tc.grad)
    for ours, theirs in zip((dWx, dWh, db), torch_lstm_grads(cell, H, suffix="")):
        np.testing.assert_allclose(ours, theirs, **TORCH_TOL)


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_lstm_step_backward_numerical(rng, N, T, D, H):
    x, h0, Wx, Wh, b = rnn_params(rng, N, T, D, H, gates=4)
    c0 = rng.standard_normal((N, H))
    inputs = [x[:, 0].copy(), h0, c0, Wx, Wh, b]
    dnext_h, dnext_c = rng.standard_normal((2, N, H))
    _, _, cache = lstm_step_forward(*inputs)
    grads = lstm_step_backward(dnext_h, dnext_c, cache)

    def both_states(*a):
        next_h, next_c, _ = lstm_step_forward(*a)
        return np.concatenate((next_h, next_c), axis=1)

    dout = np.concatenate((dnext_h, dnext_c), axis=1)
    check_numerical(both_states, grads, inputs, dout)


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_lstm_sequence_matches_torch_nn_lstm(rng, N, T, D, H):
    x, h0, Wx, Wh, b = rnn_params(rng, N, T, D, H, gates=4)
    dh = rng.standard_normal((N, T, H))
    h, cache = lstm_forward(x, h0, Wx, Wh, b)
    dx, dh0, dWx, dWh, db = lstm_backward(dh, cache)

    lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.float64)
    load_torch_lstm(lstm, Wx, Wh, b, suffix="_l0")
    tx, th0 = t64(x), t64(h0[None])
    tc0 = torch.zeros((1, N, H), dtype=torch.float64)  # lstm_forward starts from c0 = 0
    out, _ = lstm(tx, (th0, tc0))
    out.backward(torch.from_numpy(dh))

    close_to_torch(h, out)
    close_to_torch(dx, tx.grad)
    close_to_torch(dh0, th0.grad[0])
    for ours, theirs in zip((dWx, dWh, db), torch_lstm_grads(lstm, H, suffix="_l0")):
        np.testing.assert_allclose(ours, theirs, **TORCH_TOL)


def test_lstm_gate_order_is_i_f_o_g():
    """With one unit, saturate each gate's pre-activation and read the effect directly."""
    x = np.zeros((1, 1))
    prev_h, prev_c = np.zeros((1, 1)), np.full((1, 1), 2.0)
    Wx, Wh = np.zeros((1, 4)), np.zeros((1, 4))
    big = 50.0
    # i open, f closed, o open, g = tanh(big) = 1: next_c = 0 * 2 + 1 * 1, next_h = tanh(1).
    b = np.array([big, -big, big, big])
    next_h, next_c, _ = lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    np.testing.assert_allclose(next_c, [[1.0]], atol=1e-12)
    np.testing.assert_allclose(next_h, [[np.tanh(1.0)]], atol=1e-12)
    # i closed, f open, o closed: next_c = prev_c, next_h = 0.
    b = np.array([-big, big, -big, big])
    next_h, next_c, _ = lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    np.testing.assert_allclose(next_c, [[2.0]], atol=1e-12)
    np.testing.assert_allclose(next_h, [[0.0]], atol=1e-12)


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_lstm_backward_numerical(rng, N, T, D, H):
    inputs = list(rnn_params(rng, N, T, D, H, gates=4))
    dh = rng.standard_normal((N, T, H))
    _, cache = lstm_forward(*inputs)
    grads = lstm_backward(dh, cache)
    check_numerical(lambda *a: lstm_forward(*a)[0], grads, inputs, dh)


# ---------------------------------------------------------------------------- GRU


def torch_gru_step(x, prev_h, Wx, Wh, b):
    """The API's GRU formula in torch. Not torch.nn.GRU: its candidate is
    tanh(x W_in + b_in + r * (prev_h W_hn + b_hn)), the reset gate applied after the
    product, where ours is tanh(x Wx_c + (r * prev_h) Wh_c + b_c); the two differ."""
    H = prev_h.shape[1]
    ax = x @ Wx + b
    r = torch.sigmoid(ax[:, :H] + prev_h @ Wh[:, :H])
    u = torch.sigmoid(ax[:, H : 2 * H] + prev_h @ Wh[:, H : 2 * H])
    cand = torch.tanh(ax[:, 2 * H :] + (r * prev_h) @ Wh[:, 2 * H :])
    return u * prev_h + (1 - u) * cand


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_gru_step_matches_torch_expression(rng, N, T, D, H):
    x, h0, Wx, Wh, b = rnn_params(rng, N, T, D, H, gates=3)
    x = x[:, 0]
    dnext = rng.standard_normal((N, H))
    next_h, cache = gru_step_forward(x, h0, Wx, Wh, b)
    grads = gru_step_backward(dnext, cache)

    tensors = [t64(a) for a in (x, h0, Wx, Wh, b)]
    out = torch_gru_step(*tensors)
    out.backward(torch.from_numpy(dnext))
    close_to_torch(next_h, out)
    for ours, t in zip(grads, tensors):
        close_to_torch(ours, t.grad)


@pytest.mark.parametrize("N,T,D,H", SHAPES)
def test_gru_step_backward_numerical(rng, N, T, D, H):
    x, h0, Wx, Wh, b = rnn_params(rng, N, T, D, H, gates=3)
    inputs = [x[:, 0].copy(), h0, Wx, Wh, b]
    dnext = rng.standard_normal((N, H))
    _, cache = gru_step_forward(*inputs)
    grads = gru_step_backward(dnext, cache)
    check_numerical(lambda *a: gru_step_forward(*a)[0], grads, inputs, dnext)


def test_gru_update_gate_interpolates():
    """u = 1 keeps prev_h; u = 0 takes the candidate (here tanh of the candidate bias)."""
    x, prev_h = np.zeros((1, 2)), np.array([[0.3, -0.7]])
    Wx, Wh = np.zeros((2, 6)), np.zeros((2, 6))
    big = 50.0
    b = np.array([0.0, 0.0, big, big, 0.5, -0.5])
    np.testing.assert_allclose(gru_step_forward(x, prev_h, Wx, Wh, b)[0], prev_h, atol=1e-12)
    b[2:4] = -big
    np.testing.assert_allclose(
        gru_step_forward(x, prev_h, Wx, Wh, b)[0], np.tanh([[0.5, -0.5]]), atol=1e-12
    )


# ------------------------------------------------------------ word-level layers


@pytest.mark.parametrize("N,T,V,D", [(1, 1, 3, 2), (2, 4, 5, 3), (3, 5, 4, 6)])
def test_word_embedding_matches_torch(rng, N, T, V, D):
    x = rng.integers(V, size=(N, T))
    x.flat[0] = x.flat[-1] = 1  # at least one word occurs twice when N * T > 1
    W = rng.standard_normal((V, D))
    dout = rng.standard_normal((N, T, D))
    out, cache = word_embedding_forward(x, W)
    dW = word_embedding_backward(dout, cache)

    tW = t64(W)
    tout = torch.nn.functional.embedding(torch.from_numpy(x), tW)
    tout.backward(torch.from_numpy(dout))
    close_to_torch(out, tout)
    close_to_torch(dW, tW.grad)
    numeric = eval_numerical_gradient_array(lambda _: word_embedding_forward(x, W)[0], W, dout)
    np.testing.assert_allclose(dW, numeric, **NUM_TOL)


@pytest.mark.parametrize("N,T,D,M", [(1, 1, 3, 2), (2, 4, 5, 3), (3, 5, 2, 4)])
def test_temporal_affine_matches_torch_and_numerical(rng, N, T, D, M):
    inputs = [rng.standard_normal((N, T, D)), rng.standard_normal((D, M)), rng.standard_normal(M)]
    dout = rng.standard_normal((N, T, M))
    out, cache = temporal_affine_forward(*inputs)
    grads = temporal_affine_backward(dout, cache)

    tensors = [t64(a) for a in inputs]
    tout = tensors[0] @ tensors[1] + tensors[2]
    tout.backward(torch.from_numpy(dout))
    close_to_torch(out, tout)
    for ours, t in zip(grads, tensors):
        close_to_torch(ours, t.grad)
    check_numerical(lambda *a: temporal_affine_forward(*a)[0], grads, inputs, dout)


def softmax_problem(rng, N, T, V, scale=1.0):
    x = scale * rng.standard_normal((N, T, V))
    y = rng.integers(V, size=(N, T))
    mask = rng.random((N, T)) < 0.7
    mask[0, 0] = True
    if mask.size > 1:
        mask.flat[-1] = False
    return x, y, mask


def torch_temporal_loss(tx, y, mask):
    N, T, V = tx.shape
    per_step = torch.nn.functional.cross_entropy(
        tx.reshape(N * T, V), torch.from_numpy(y.reshape(-1)), reduction="none"
    )
    return (per_step * torch.from_numpy(mask.reshape(-1).astype(np.float64))).sum() / N


@pytest.mark.parametrize("N,T,V", [(1, 1, 3), (2, 4, 5), (4, 5, 7)])
def test_temporal_softmax_loss_matches_torch(rng, N, T, V):
    x, y, mask = softmax_problem(rng, N, T, V)
    loss, dx = temporal_softmax_loss(x, y, mask)
    tx = t64(x)
    tloss = torch_temporal_loss(tx, y, mask)
    tloss.backward()
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, tloss.item(), **TORCH_TOL)
    close_to_torch(dx, tx.grad)
    assert np.all(dx[~mask] == 0.0)


@pytest.mark.parametrize("N,T,V", [(1, 1, 3), (2, 4, 5)])
def test_temporal_softmax_loss_numerical(rng, N, T, V):
    x, y, mask = softmax_problem(rng, N, T, V)
    _, dx = temporal_softmax_loss(x, y, mask)
    numeric = eval_numerical_gradient_array(
        lambda _: np.array(temporal_softmax_loss(x, y, mask)[0]), x, np.array(1.0)
    )
    np.testing.assert_allclose(dx, numeric, **NUM_TOL)


def test_temporal_softmax_loss_values_and_stability(rng):
    N, T, V = 3, 4, 10
    x, y, mask = softmax_problem(rng, N, T, V)
    # Uniform scores: each counted step costs log V.
    loss, _ = temporal_softmax_loss(np.zeros((N, T, V)), y, mask)
    np.testing.assert_allclose(loss, mask.sum() / N * np.log(V), rtol=1e-12)
    # Huge scores: finite, and invariant to a shift of each step's scores.
    big = 1e4 * x
    loss_big, dx_big = temporal_softmax_loss(big, y, mask)
    loss_shift, dx_shift = temporal_softmax_loss(big + 5e5, y, mask)
    assert np.isfinite(loss_big) and np.all(np.isfinite(dx_big))
    np.testing.assert_allclose(loss_big, loss_shift, rtol=1e-9)
    np.testing.assert_allclose(dx_big, dx_shift, atol=1e-12)
    # Nothing counted: zero loss and zero gradient.
    loss0, dx0 = temporal_softmax_loss(x, y, np.zeros((N, T), dtype=bool))
    assert loss0 == 0.0 and not np.any(dx0)


# ----------------------------------------------------------------------- clipping


def grads_dict(rng, scale):
    return {
        "Wx": scale * rng.standard_normal((3, 4)),
        "Wh": scale * rng.standard_normal((4, 4)),
        "b": scale * rng.standard_normal(4),
    }


@pytest.mark.parametrize("scale,max_norm", [(10.0, 1.0), (0.01, 1.0), (1.0, 2.5)])
def test_clip_gradients_matches_torch(rng, scale, max_norm):
    grads = grads_dict(rng, scale)
    before = {k: g.copy() for k, g in grads.items()}
    clipped, total_norm = clip_gradients(grads, max_norm)

    params = {k: t64(np.zeros_like(g)) for k, g in grads.items()}
    for k, p in params.items():
        p.grad = torch.from_numpy(grads[k].copy())
    torch_norm = torch.nn.utils.clip_grad_norm_(list(params.values()), max_norm)

    np.testing.assert_allclose(total_norm, torch_norm.item(), **TORCH_TOL)
    assert set(clipped) == set(grads)
    for k in grads:
        close_to_torch(clipped[k], params[k].grad)
        np.testing.assert_array_equal(grads[k], before[k])  # not modified in place
        assert clipped[k] is not grads[k] and not np.shares_memory(clipped[k], grads[k])
    new_norm = np.sqrt(sum(np.sum(g**2) for g in clipped.values()))
    assert new_norm <= max_norm * (1 + 1e-9)
    if total_norm <= max_norm:
        for k in grads:
            np.testing.assert_array_equal(clipped[k], grads[k])


def test_clip_gradients_rejects_non_positive_max_norm(rng):
    with pytest.raises(ValueError, match="max_norm"):
        clip_gradients(grads_dict(rng, 1.0), 0.0)


def test_clip_gradient_elementwise_matches_torch(rng):
    g = 3.0 * rng.standard_normal((4, 5))
    before = g.copy()
    clipped = clip_gradient_elementwise(g, 1.5)
    p = t64(np.zeros_like(g))
    p.grad = torch.from_numpy(g.copy())
    torch.nn.utils.clip_grad_value_([p], 1.5)
    close_to_torch(clipped, p.grad)
    np.testing.assert_array_equal(g, before)
    assert np.abs(clipped).max() == 1.5


# ------------------------------------------------------------- API and grading tags

GRADED_10 = {
    "rnn_step_forward",
    "rnn_step_backward",
    "rnn_forward",
    "rnn_backward",
    "lstm_step_forward",
    "lstm_step_backward",
    "lstm_forward",
    "lstm_backward",
    "gru_step_forward",
    "gru_step_backward",
}


def test_public_names_and_graded_tags():
    assert len(rnn_layers.__all__) == len(set(rnn_layers.__all__))
    for name in rnn_layers.__all__:
        func = getattr(rnn_layers, name)
        assert getattr(func, "__graded_in__", None) == ("10_rnn" if name in GRADED_10 else None)
    assert GRADED_10 <= set(rnn_layers.__all__)


def called_names(func):
    """Names called in the body of ``func`` (its decorators excluded)."""
    (fdef,) = ast.parse(inspect.getsource(func)).body
    nodes = [n for stmt in fdef.body for n in ast.walk(stmt)]
    return {n.func.id for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


@pytest.mark.parametrize("name", sorted(GRADED_10))
def test_graded_functions_do_not_delegate_to_untagged_helpers(name):
    """A graded body is removed in the student release: it may call numpy and other
    graded functions, never an untagged function of course_utils holding the answer."""
    func = getattr(rnn_layers, name)
    module_globals = inspect.getmodule(func).__dict__
    for called in called_names(func):
        target = module_globals.get(called)
        if getattr(target, "__module__", "").startswith("course_utils"):
            assert hasattr(target, "__graded_in__"), f"{name} calls untagged {called}"
