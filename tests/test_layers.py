"""Tests of the affine, activation, loss and dropout layers of course_utils.layers.

Every backward is checked against centred differences (float64) and against torch
autograd; forwards are compared with torch.nn.functional or a torch expression of the
same formula.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course_utils import layers
from course_utils.gradcheck import eval_numerical_gradient, eval_numerical_gradient_array
from course_utils.layers import (
    affine_backward,
    affine_forward,
    affine_relu_backward,
    affine_relu_forward,
    dropout_backward,
    dropout_forward,
    relu_forward,
    sigmoid_forward,
    softmax_loss,
    softplus_forward,
    svm_loss,
)

NUM_TOL = dict(rtol=1e-6, atol=1e-9)  # centred differences in float64
TORCH_TOL = dict(rtol=1e-10, atol=1e-12)  # the same formula in float64: rounding only
FEW = settings(max_examples=25, deadline=None)


def t64(a, grad=True):
    """A float64 leaf tensor holding a copy of ``a``."""
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def close_to_torch(ours, theirs, **tol):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), **(tol or TORCH_TOL))


def check_numerical(forward, inputs, grads, dout):
    """Each analytic gradient against centred differences of sum(forward(*inputs) * dout)."""
    for k, (x, analytic) in enumerate(zip(inputs, grads)):
        numeric = eval_numerical_gradient_array(lambda _: forward(*inputs), x, dout)
        np.testing.assert_allclose(analytic, numeric, **NUM_TOL, err_msg=f"input {k}")


# ------------------------------------------------------------------------------ affine

AFFINE_SHAPES = [((1, 3), 2), ((4, 5), 3), ((2, 4, 3), 6), ((3, 2, 2, 2), 4)]


@pytest.mark.parametrize("x_shape,M", AFFINE_SHAPES)
def test_affine_matches_torch(rng, x_shape, M):
    x = rng.standard_normal(x_shape)
    D = int(np.prod(x_shape[1:]))
    w, b = rng.standard_normal((D, M)), rng.standard_normal(M)
    dout = rng.standard_normal((x_shape[0], M))
    out, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(dout, cache)
    assert out.shape == (x_shape[0], M)
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape

    xt, wt, bt = t64(x), t64(w), t64(b)
    out_t = xt.reshape(x_shape[0], -1) @ wt + bt
    out_t.backward(torch.tensor(dout))
    close_to_torch(out, out_t)
    close_to_torch(dx, xt.grad)
    close_to_torch(dw, wt.grad)
    close_to_torch(db, bt.grad)


@pytest.mark.parametrize("x_shape,M", AFFINE_SHAPES)
def test_affine_backward_numerical(rng, x_shape, M):
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal((int(np.prod(x_shape[1:])), M))
    b = rng.standard_normal(M)
    dout = rng.standard_normal((x_shape[0], M))
    _, cache = affine_forward(x, w, b)
    check_numerical(lambda *a: affine_forward(*a)[0], [x, w, b], affine_backward(dout, cache), dout)


def test_affine_known_values():
    """The CS231n check: fixed linspace inputs and their known output."""
    x = np.linspace(-0.1, 0.5, num=2 * 120).reshape(2, 4, 5, 6)
    w = np.linspace(-0.2, 0.3, num=120 * 3).reshape(120, 3)
    b = np.linspace(-0.3, 0.1, num=3)
    out, _ = affine_forward(x, w, b)
    correct = np.array([[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]])
    np.testing.assert_allclose(out, correct, rtol=1e-7)


def test_affine_relu_is_the_composition(rng):
    x, w, b = rng.standard_normal((4, 2, 3)), rng.standard_normal((6, 5)), rng.standard_normal(5)
    dout = rng.standard_normal((4, 5))
    out, cache = affine_relu_forward(x, w, b)
    np.testing.assert_allclose(out, np.maximum(0, x.reshape(4, -1) @ w + b), **TORCH_TOL)
    grads = affine_relu_backward(dout, cache)
    check_numerical(lambda *a: affine_relu_forward(*a)[0], [x, w, b], grads, dout)

    xt, wt, bt = t64(x), t64(w), t64(b)
    torch.relu(xt.reshape(4, -1) @ wt + bt).backward(torch.tensor(dout))
    for ours, theirs in zip(grads, (xt, wt, bt)):
        close_to_torch(ours, theirs.grad)


# ------------------------------------------------------------------------- activations

F = torch.nn.functional
# name -> (torch function, forward keyword arguments)
ACTIVATIONS = {
    "relu": (torch.relu, {}),
    "sigmoid": (torch.sigmoid, {}),
    "tanh": (torch.tanh, {}),
    "leaky_relu": (lambda t: F.leaky_relu(t, 0.01), {}),
    "leaky_relu_alpha": (lambda t: F.leaky_relu(t, 0.2), {"alpha": 0.2}),
    "elu": (lambda t: F.elu(t, 1.0), {}),
    "elu_alpha": (lambda t: F.elu(t, 0.5), {"alpha": 0.5}),
    "softplus": (F.softplus, {}),
}


def activation(name):
    base = name.removesuffix("_alpha")
    return getattr(layers, f"{base}_forward"), getattr(layers, f"{base}_backward")


def away_from_kinks(rng, shape):
    """Normal inputs kept at least 1e-3 from 0, where ReLU-like derivatives jump."""
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < 1e-3, 0.5, x)


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("shape", [(1,), (3, 4), (2, 3, 5)])
def test_activation_matches_torch(rng, name, shape):
    forward, backward = activation(name)
    torch_fn, kwargs = ACTIVATIONS[name]
    x, dout = 2 * away_from_kinks(rng, shape), rng.standard_normal(shape)
    out, cache = forward(x, **kwargs)
    dx = backward(dout, cache)
    xt = t64(x)
    out_t = torch_fn(xt)
    out_t.backward(torch.tensor(dout))
    close_to_torch(out, out_t)
    close_to_torch(dx, xt.grad)
    assert out.shape == x.shape and dx.shape == x.shape


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_backward_numerical(rng, name):
    forward, backward = activation(name)
    _, kwargs = ACTIVATIONS[name]
    x, dout = away_from_kinks(rng, (4, 5)), rng.standard_normal((4, 5))
    _, cache = forward(x, **kwargs)
    check_numerical(lambda a: forward(a, **kwargs)[0], [x], [backward(dout, cache)], dout)


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "tanh", "elu"])
def test_activation_stable_for_large_inputs(name):
    """No overflow warning, no inf or nan, and torch's values at +-1e3 and beyond."""
    forward, backward = activation(name)
    torch_fn, _ = ACTIVATIONS[name]
    x = np.array([-1e308, -1e4, -1e3, -745.0, -50.0, 0.0, 50.0, 745.0, 1e3, 1e4, 1e308])
    with np.errstate(all="raise", under="ignore"):
        out, cache = forward(x)
        dx = backward(np.ones_like(x), cache)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx))
    xt = t64(x)
    torch_fn(xt).sum().backward()
    close_to_torch(out, torch_fn(t64(x, grad=False)), rtol=1e-12, atol=1e-300)
    close_to_torch(dx, xt.grad, rtol=1e-12, atol=1e-300)


def test_sigmoid_tails_are_exact():
    out, _ = sigmoid_forward(np.array([-1000.0, 1000.0, -30.0]))
    assert out[0] == 0.0 and out[1] == 1.0
    np.testing.assert_allclose(out[2], np.exp(-30.0) / (1 + np.exp(-30.0)), rtol=1e-14)
    sp, _ = softplus_forward(np.array([1000.0, -1000.0, -40.0]))
    np.testing.assert_allclose(sp, [1000.0, 0.0, np.exp(-40.0)], rtol=1e-14, atol=0)


@FEW
@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(-1e6, 1e6)))
def test_relu_is_idempotent_and_nonnegative(x):
    once, _ = relu_forward(x)
    twice, _ = relu_forward(once)
    np.testing.assert_array_equal(once, twice)
    assert np.all(once >= 0)
    np.testing.assert_array_equal(once[x > 0], x[x > 0])


@FEW
@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(-1e300, 1e300)))
def test_sigmoid_symmetry_and_range(x):
    with np.errstate(all="raise", under="ignore"):
        s, _ = sigmoid_forward(x)
        s_neg, _ = sigmoid_forward(-x)
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(s + s_neg, 1.0, rtol=1e-15, atol=1e-15)


# ------------------------------------------------------------------------------ losses


def torch_softmax_loss(x, y, temperature=1.0):
    xt = t64(x)
    loss = F.cross_entropy(xt / temperature, torch.tensor(y))
    loss.backward()
    return loss.item(), xt.grad.numpy()


@pytest.mark.parametrize("N,C", [(1, 2), (5, 3), (10, 7)])
@pytest.mark.parametrize("temperature", [1.0, 0.3, 4.0])
def test_softmax_loss_matches_torch(rng, N, C, temperature):
    x, y = 2 * rng.standard_normal((N, C)), rng.integers(C, size=N)
    loss, dx = softmax_loss(x, y, temperature=temperature)
    loss_t, dx_t = torch_softmax_loss(x, y, temperature)
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, loss_t, rtol=1e-12)
    np.testing.assert_allclose(dx, dx_t, **TORCH_TOL)


@pytest.mark.parametrize("temperature", [1.0, 0.5, 3.0])
def test_softmax_loss_numerical(rng, temperature):
    x, y = rng.standard_normal((6, 4)), rng.integers(4, size=6)
    _, dx = softmax_loss(x, y, temperature)
    numeric = eval_numerical_gradient(lambda a: softmax_loss(a, y, temperature)[0], x, False)
    np.testing.assert_allclose(dx, numeric, **NUM_TOL)


def test_softmax_loss_of_small_scores_is_log_c(rng):
    x, y = 1e-3 * rng.standard_normal((50, 10)), rng.integers(10, size=50)
    loss, _ = softmax_loss(x, y)
    assert abs(loss - np.log(10)) < 1e-2


@pytest.mark.parametrize("temperature", [1.0, 1e-3, 1e-100])
def test_softmax_loss_stable_for_huge_scores(rng, temperature):
    """Scores of +-1e3 (and tiny temperatures) give finite, correct values without warnings."""
    x = rng.choice([-1e3, 1e3], size=(6, 4)) + rng.standard_normal((6, 4))
    y = rng.integers(4, size=6)
    with np.errstate(all="raise", under="ignore"):
        loss, dx = softmax_loss(x, y, temperature)
    assert np.isfinite(loss) and np.all(np.isfinite(dx))
    if temperature >= 1e-3:
        loss_t, dx_t = torch_softmax_loss(x, y, temperature)
        np.testing.assert_allclose(loss, loss_t, rtol=1e-12)
        np.testing.assert_allclose(dx, dx_t, rtol=1e-10, atol=1e-12)


def test_softmax_loss_confident_rows():
    x = np.array([[1e3, -1e3, 0.0], [0.0, 1e3, -1e3]])
    loss, dx = softmax_loss(x, np.array([0, 2]))
    np.testing.assert_allclose(loss, (0.0 + 2e3) / 2)
    np.testing.assert_allclose(dx, [[0, 0, 0], [0, 0.5, -0.5]], atol=1e-300)


def test_softmax_loss_rejects_nonpositive_temperature(rng):
    with pytest.raises(ValueError, match="temperature"):
        softmax_loss(rng.standard_normal((2, 3)), np.array([0, 1]), temperature=0.0)


@FEW
@given(
    st.integers(1, 6),
    st.integers(2, 6),
    st.floats(-1e4, 1e4),
    st.floats(0.1, 10.0),
    st.integers(0, 2**32 - 1),
)
def test_softmax_loss_invariant_to_row_constants(N, C, shift, temperature, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((N, C)), rng.integers(C, size=N)
    per_row = shift * rng.random((N, 1))
    loss, dx = softmax_loss(x, y, temperature)
    loss_s, dx_s = softmax_loss(x + per_row, y, temperature)
    np.testing.assert_allclose(loss_s, loss, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(dx_s, dx, atol=1e-8)
    np.testing.assert_allclose(dx.sum(axis=1), 0, atol=1e-12)  # probabilities minus one-hot


def torch_svm_loss(x, y, delta):
    xt = t64(x)
    rows = torch.arange(x.shape[0])
    margins = torch.clamp(xt - xt[rows, y][:, None] + delta, min=0)
    mask = torch.ones_like(margins)
    mask[rows, y] = 0
    loss = (margins * mask).sum() / x.shape[0]
    loss.backward()
    return loss.item(), xt.grad.numpy()


@pytest.mark.parametrize("N,C", [(1, 2), (5, 3), (12, 10)])
@pytest.mark.parametrize("delta", [1.0, 0.5])
def test_svm_loss_matches_torch(rng, N, C, delta):
    x, y = rng.standard_normal((N, C)), rng.integers(C, size=N)
    loss, dx = svm_loss(x, y, delta=delta)
    loss_t, dx_t = torch_svm_loss(x, y, delta)
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, loss_t, rtol=1e-12)
    np.testing.assert_allclose(dx, dx_t, **TORCH_TOL)
    # torch's own multiclass hinge loss divides by C as well
    mm = F.multi_margin_loss(t64(x, grad=False), torch.tensor(y), margin=delta)
    np.testing.assert_allclose(loss, C * mm.item(), rtol=1e-12)


def test_svm_loss_numerical(rng):
    x, y = rng.standard_normal((8, 5)), rng.integers(5, size=8)
    _, dx = svm_loss(x, y)
    numeric = eval_numerical_gradient(lambda a: svm_loss(a, y)[0], x, False)
    np.testing.assert_allclose(dx, numeric, **NUM_TOL)


def test_svm_loss_of_equal_scores_is_c_minus_one_delta():
    loss, _ = svm_loss(np.zeros((3, 4)), np.array([0, 1, 3]), delta=2.0)
    assert loss == pytest.approx(3 * 2.0)


# ----------------------------------------------------------------------------- dropout


@pytest.mark.parametrize("p", [0.25, 0.5, 0.9])
def test_dropout_train_statistics(p):
    x = 3.0 + np.random.default_rng(1).standard_normal((400, 500))
    out, (_, mask) = dropout_forward(x, {"p": p, "mode": "train", "seed": 7})
    zeros = np.mean(out == 0)
    assert abs(zeros - (1 - p)) < 5e-3  # 200,000 Bernoulli draws: std below 1.1e-3
    assert abs(out.mean() - x.mean()) < 0.02 * x.mean()
    np.testing.assert_allclose(out[out != 0], x[out != 0] / p)
    assert set(np.unique(mask)) <= {0.0, 1 / p}


def test_dropout_test_mode_is_identity(rng):
    x = rng.standard_normal((5, 6))
    out, cache = dropout_forward(x, {"p": 0.3, "mode": "test"})
    np.testing.assert_array_equal(out, x)
    dout = rng.standard_normal((5, 6))
    np.testing.assert_array_equal(dropout_backward(dout, cache), dout)


def test_dropout_seed_determinism(rng):
    x = rng.standard_normal((20, 30))
    out1, _ = dropout_forward(x, {"p": 0.5, "mode": "train", "seed": 3})
    out2, _ = dropout_forward(x, {"p": 0.5, "mode": "train", "seed": 3})
    out3, _ = dropout_forward(x, {"p": 0.5, "mode": "train", "seed": 4})
    np.testing.assert_array_equal(out1, out2)
    assert not np.array_equal(out1, out3)
    gen = np.random.default_rng(3)  # a Generator works as the seed too
    out4, _ = dropout_forward(x, {"p": 0.5, "mode": "train", "seed": gen})
    np.testing.assert_array_equal(out4, out1)


def test_dropout_keep_all_is_identity(rng):
    x = rng.standard_normal((4, 5))
    out, _ = dropout_forward(x, {"p": 1.0, "mode": "train", "seed": 0})
    np.testing.assert_array_equal(out, x)


@pytest.mark.parametrize("param", [{"p": 0.0, "mode": "train"}, {"p": 0.5, "mode": "eval"}])
def test_dropout_rejects_bad_params(rng, param):
    with pytest.raises(ValueError):
        dropout_forward(rng.standard_normal((2, 2)), param)


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 4)])
def test_dropout_backward(rng, shape):
    x, dout = rng.standard_normal(shape), rng.standard_normal(shape)
    param = {"p": 0.6, "mode": "train", "seed": 11}
    out, cache = dropout_forward(x, param)
    dx = dropout_backward(dout, cache)
    check_numerical(lambda a: dropout_forward(a, param)[0], [x], [dx], dout)

    _, mask = cache
    xt = t64(x)
    out_t = xt * torch.tensor(mask)
    out_t.backward(torch.tensor(dout))
    close_to_torch(out, out_t)
    close_to_torch(dx, xt.grad)
