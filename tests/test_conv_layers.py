"""Tests of the naive and fast convolution and max-pooling layers.

Oracles: torch.nn.functional.conv2d / max_pool2d (forward and autograd, float64) and
centred differences; the fast layers must equal the naive ones.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from course_utils.fast_layers import (
    conv_backward_fast,
    conv_forward_fast,
    max_pool_backward_fast,
    max_pool_forward_fast,
)
from course_utils.gradcheck import eval_numerical_gradient_array
from course_utils.layers import (
    conv_backward_naive,
    conv_forward_naive,
    max_pool_backward_naive,
    max_pool_forward_naive,
)

NUM_TOL = dict(rtol=1e-6, atol=1e-9)  # centred differences in float64
TORCH_TOL = dict(rtol=1e-10, atol=1e-11)  # same sums in float64, another order
FEW = settings(max_examples=20, deadline=None)

# (x shape, w shape, stride, pad): batch size 1, non-square inputs and kernels, odd sizes,
# strides 1-3, pads 0-2, and sizes where the last rows or columns are never read.
CONV_CASES = [
    ((1, 1, 4, 4), (1, 1, 3, 3), 1, 0),
    ((2, 3, 5, 7), (4, 3, 3, 3), 1, 1),
    ((2, 3, 7, 7), (2, 3, 3, 3), 2, 1),
    ((2, 2, 8, 6), (3, 2, 2, 3), 3, 2),
    ((1, 3, 6, 5), (2, 3, 4, 2), 2, 0),
    ((3, 2, 5, 5), (2, 2, 5, 5), 1, 2),
    ((1, 2, 9, 4), (3, 2, 1, 1), 3, 0),
]
CONV_IDS = [f"x{x}-w{w}-s{s}-p{p}" for x, w, s, p in CONV_CASES]

# (x shape, pool_height, pool_width, stride): tiling, sizes not divisible by the pool,
# overlapping windows, non-square pools, stride 3.
POOL_CASES = [
    ((1, 1, 4, 4), 2, 2, 2),
    ((2, 3, 5, 7), 2, 2, 2),
    ((2, 2, 7, 7), 3, 3, 2),
    ((2, 2, 6, 9), 2, 3, 3),
    ((1, 2, 5, 5), 3, 3, 1),
    ((2, 1, 4, 6), 2, 2, 1),
    ((1, 2, 8, 7), 2, 1, 3),
]
POOL_IDS = [f"x{x}-{ph}x{pw}-s{s}" for x, ph, pw, s in POOL_CASES]


def t64(a, grad=True):
    """A float64 leaf tensor holding a copy of ``a``."""
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def close(ours, theirs, **tol):
    if isinstance(theirs, torch.Tensor):
        theirs = theirs.detach().numpy()
    np.testing.assert_allclose(ours, theirs, **(tol or TORCH_TOL))


def conv_inputs(rng, x_shape, w_shape, stride, pad):
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    H_out = 1 + (x_shape[2] + 2 * pad - w_shape[2]) // stride
    W_out = 1 + (x_shape[3] + 2 * pad - w_shape[3]) // stride
    dout = rng.standard_normal((x_shape[0], w_shape[0], H_out, W_out))
    return x, w, b, {"stride": stride, "pad": pad}, dout


def torch_conv(x, w, b, conv_param, dout):
    """Output and gradients (dx, dw, db) of torch's conv2d, as numpy arrays."""
    xt, wt, bt = t64(x), t64(w), t64(b)
    out = F.conv2d(xt, wt, bt, stride=conv_param["stride"], padding=conv_param["pad"])
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), (xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy())


def pool_inputs(rng, x_shape, ph, pw, stride):
    x = rng.standard_normal(x_shape)
    H_out, W_out = 1 + (x_shape[2] - ph) // stride, 1 + (x_shape[3] - pw) // stride
    dout = rng.standard_normal((*x_shape[:2], H_out, W_out))
    return x, {"pool_height": ph, "pool_width": pw, "stride": stride}, dout


def torch_pool(x, pool_param, dout):
    xt = t64(x)
    kernel = (pool_param["pool_height"], pool_param["pool_width"])
    out = F.max_pool2d(xt, kernel, stride=pool_param["stride"])
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), xt.grad.numpy()


# ------------------------------------------------------------------------ convolution


@pytest.mark.parametrize("forward,backward", [
    (conv_forward_naive, conv_backward_naive),
    (conv_forward_fast, conv_backward_fast),
], ids=["naive", "fast"])  # fmt: skip
@pytest.mark.parametrize("x_shape,w_shape,stride,pad", CONV_CASES, ids=CONV_IDS)
def test_conv_matches_torch(rng, forward, backward, x_shape, w_shape, stride, pad):
    x, w, b, conv_param, dout = conv_inputs(rng, x_shape, w_shape, stride, pad)
    out, cache = forward(x, w, b, conv_param)
    grads = backward(dout, cache)
    out_t, grads_t = torch_conv(x, w, b, conv_param, dout)
    assert out.shape == dout.shape
    close(out, out_t)
    for ours, theirs in zip(grads, grads_t):
        assert ours.shape == theirs.shape
        close(ours, theirs)


@pytest.mark.parametrize("x_shape,w_shape,stride,pad", CONV_CASES, ids=CONV_IDS)
def test_conv_fast_equals_naive(rng, x_shape, w_shape, stride, pad):
    x, w, b, conv_param, dout = conv_inputs(rng, x_shape, w_shape, stride, pad)
    out_n, cache_n = conv_forward_naive(x, w, b, conv_param)
    out_f, cache_f = conv_forward_fast(x, w, b, conv_param)
    close(out_f, out_n, rtol=1e-12, atol=1e-12)
    for fast, naive in zip(conv_backward_fast(dout, cache_f), conv_backward_naive(dout, cache_n)):
        close(fast, naive, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", [CONV_CASES[1], CONV_CASES[3], CONV_CASES[4]])
def test_conv_naive_backward_numerical(rng, case):
    x, w, b, conv_param, dout = conv_inputs(rng, *case)
    _, cache = conv_forward_naive(x, w, b, conv_param)
    grads = conv_backward_naive(dout, cache)
    for k, (arr, analytic) in enumerate(zip((x, w, b), grads)):
        numeric = eval_numerical_gradient_array(
            lambda _: conv_forward_naive(x, w, b, conv_param)[0], arr, dout
        )
        np.testing.assert_allclose(analytic, numeric, **NUM_TOL, err_msg=f"input {k}")


@pytest.mark.parametrize("x_shape,w_shape,stride,pad", CONV_CASES, ids=CONV_IDS)
def test_conv_fast_backward_numerical(rng, x_shape, w_shape, stride, pad):
    x, w, b, conv_param, dout = conv_inputs(rng, x_shape, w_shape, stride, pad)
    _, cache = conv_forward_fast(x, w, b, conv_param)
    grads = conv_backward_fast(dout, cache)
    for k, (arr, analytic) in enumerate(zip((x, w, b), grads)):
        numeric = eval_numerical_gradient_array(
            lambda _: conv_forward_fast(x, w, b, conv_param)[0], arr, dout
        )
        np.testing.assert_allclose(analytic, numeric, **NUM_TOL, err_msg=f"input {k}")


def test_conv_known_values():
    """The CS231n check: fixed linspace inputs and their known output."""
    x = np.linspace(-0.1, 0.5, num=2 * 3 * 4 * 4).reshape(2, 3, 4, 4)
    w = np.linspace(-0.2, 0.3, num=3 * 3 * 4 * 4).reshape(3, 3, 4, 4)
    b = np.linspace(-0.1, 0.2, num=3)
    out, _ = conv_forward_naive(x, w, b, {"stride": 2, "pad": 1})
    correct = np.array(
        [
            [
                [[-0.08759809, -0.10987781], [-0.18387192, -0.2109216]],
                [[0.21027089, 0.21661097], [0.22847626, 0.23004637]],
                [[0.50813986, 0.54309974], [0.64082444, 0.67101435]],
            ],
            [
                [[-0.98053589, -1.03143541], [-1.19128892, -1.24695841]],
                [[0.69108355, 0.66880383], [0.59480972, 0.56776003]],
                [[2.36270298, 2.36904306], [2.38090835, 2.38247847]],
            ],
        ]
    )
    np.testing.assert_allclose(out, correct, rtol=1e-6)


def test_conv_fast_on_a_larger_batch_matches_torch(rng):
    x, w, b, conv_param, dout = conv_inputs(rng, (16, 3, 16, 16), (8, 3, 3, 3), 1, 1)
    out, cache = conv_forward_fast(x, w, b, conv_param)
    grads = conv_backward_fast(dout, cache)
    out_t, grads_t = torch_conv(x, w, b, conv_param, dout)
    close(out, out_t)
    for ours, theirs in zip(grads, grads_t):
        close(ours, theirs)


@FEW
@given(
    N=st.integers(1, 2),
    C=st.integers(1, 2),
    H=st.integers(1, 7),
    W=st.integers(1, 7),
    F_=st.integers(1, 3),
    HH=st.integers(1, 4),
    WW=st.integers(1, 4),
    stride=st.integers(1, 3),
    pad=st.integers(0, 2),
)
def test_conv_shape_formula_and_fast_equals_naive(N, C, H, W, F_, HH, WW, stride, pad):
    assume(HH <= H + 2 * pad and WW <= W + 2 * pad)  # the kernel fits
    rng = np.random.default_rng(N + 10 * H + 100 * W)
    x, w, b = rng.standard_normal((N, C, H, W)), rng.standard_normal((F_, C, HH, WW)), np.ones(F_)
    conv_param = {"stride": stride, "pad": pad}
    out_n, cache_n = conv_forward_naive(x, w, b, conv_param)
    out_f, cache_f = conv_forward_fast(x, w, b, conv_param)
    expected = (N, F_, 1 + (H + 2 * pad - HH) // stride, 1 + (W + 2 * pad - WW) // stride)
    assert out_n.shape == out_f.shape == expected
    close(out_f, out_n, rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(expected)
    for fast, naive in zip(conv_backward_fast(dout, cache_f), conv_backward_naive(dout, cache_n)):
        close(fast, naive, rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------------ max pooling


@pytest.mark.parametrize("forward,backward", [
    (max_pool_forward_naive, max_pool_backward_naive),
    (max_pool_forward_fast, max_pool_backward_fast),
], ids=["naive", "fast"])  # fmt: skip
@pytest.mark.parametrize("x_shape,ph,pw,stride", POOL_CASES, ids=POOL_IDS)
def test_max_pool_matches_torch(rng, forward, backward, x_shape, ph, pw, stride):
    x, pool_param, dout = pool_inputs(rng, x_shape, ph, pw, stride)
    out, cache = forward(x, pool_param)
    dx = backward(dout, cache)
    out_t, dx_t = torch_pool(x, pool_param, dout)
    assert out.shape == dout.shape and dx.shape == x.shape
    np.testing.assert_array_equal(out, out_t)
    close(dx, dx_t)


@pytest.mark.parametrize("forward,backward", [
    (max_pool_forward_naive, max_pool_backward_naive),
    (max_pool_forward_fast, max_pool_backward_fast),
], ids=["naive", "fast"])  # fmt: skip
@pytest.mark.parametrize("x_shape,ph,pw,stride", POOL_CASES, ids=POOL_IDS)
def test_max_pool_backward_numerical(rng, forward, backward, x_shape, ph, pw, stride):
    x, pool_param, dout = pool_inputs(rng, x_shape, ph, pw, stride)
    _, cache = forward(x, pool_param)
    numeric = eval_numerical_gradient_array(lambda a: forward(a, pool_param)[0], x, dout)
    np.testing.assert_allclose(backward(dout, cache), numeric, **NUM_TOL)


@pytest.mark.parametrize("x_shape,ph,pw,stride", POOL_CASES, ids=POOL_IDS)
def test_max_pool_ties_go_to_the_first_maximum(rng, x_shape, ph, pw, stride):
    """Many ties (as after a ReLU): naive, fast and torch all pick the first in row-major order."""
    x = np.maximum(0, rng.integers(-3, 2, size=x_shape)).astype(np.float64)
    _, pool_param, dout = pool_inputs(rng, x_shape, ph, pw, stride)
    out_n, cache_n = max_pool_forward_naive(x, pool_param)
    out_f, cache_f = max_pool_forward_fast(x, pool_param)
    out_t, dx_t = torch_pool(x, pool_param, dout)
    np.testing.assert_array_equal(out_n, out_t)
    np.testing.assert_array_equal(out_f, out_t)
    close(max_pool_backward_naive(dout, cache_n), dx_t)
    close(max_pool_backward_fast(dout, cache_f), dx_t)


@FEW
@given(
    H=st.integers(1, 9),
    W=st.integers(1, 9),
    ph=st.integers(1, 4),
    pw=st.integers(1, 4),
    stride=st.integers(1, 4),
)
def test_max_pool_shape_formula_and_fast_equals_naive(H, W, ph, pw, stride):
    assume(ph <= H and pw <= W)  # the window fits
    rng = np.random.default_rng(H + 10 * W)
    x = rng.standard_normal((2, 2, H, W))
    pool_param = {"pool_height": ph, "pool_width": pw, "stride": stride}
    out_n, cache_n = max_pool_forward_naive(x, pool_param)
    out_f, cache_f = max_pool_forward_fast(x, pool_param)
    expected = (2, 2, 1 + (H - ph) // stride, 1 + (W - pw) // stride)
    assert out_n.shape == out_f.shape == expected
    np.testing.assert_array_equal(out_f, out_n)
    dout = rng.standard_normal(expected)
    close(max_pool_backward_fast(dout, cache_f), max_pool_backward_naive(dout, cache_n))
