"""Tests of batch normalization (vector and spatial) and layer normalization.

PyTorch is the oracle: torch.nn.functional.batch_norm with torch momentum = 1 - ours,
and layer_norm; every backward is also checked against centred differences (float64).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils.gradcheck import eval_numerical_gradient_array
from course_utils.layers import (
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    layernorm_backward,
    layernorm_forward,
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
)

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py

NUM_TOL = dict(rtol=1e-6, atol=1e-9)  # centred differences in float64
TORCH_TOL = dict(rtol=1e-9, atol=1e-11)  # same math in float64, different order of sums


def t64(a, grad=True):
    """A float64 leaf tensor holding a copy of ``a``."""
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def close_to_torch(ours, theirs):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), **TORCH_TOL)


def check_numerical(forward, inputs, grads, dout):
    """Each analytic gradient against centred differences of sum(forward(*inputs) * dout)."""
    for k, (x, analytic) in enumerate(zip(inputs, grads)):
        numeric = eval_numerical_gradient_array(lambda _: forward(*inputs), x, dout)
        np.testing.assert_allclose(analytic, numeric, **NUM_TOL, err_msg=f"input {k}")


def bn_inputs(rng, N, D):
    x = 5 + 4 * rng.standard_normal((N, D))  # far from zero mean and unit variance
    gamma, beta = 1 + rng.random(D), rng.standard_normal(D)
    return x, gamma, beta


BN_SHAPES = [(2, 1), (4, 3), (10, 5)]

# ---------------------------------------------------------------------- batchnorm


@pytest.mark.parametrize("N,D", BN_SHAPES)
def test_batchnorm_train_forward_matches_torch(rng, N, D):
    x, gamma, beta = bn_inputs(rng, N, D)
    out, _ = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    out_t = F.batch_norm(t64(x), None, None, t64(gamma), t64(beta), training=True, eps=1e-5)
    close_to_torch(out, out_t)
    x_hat = (out - beta) / gamma
    np.testing.assert_allclose(x_hat.mean(axis=0), 0, atol=1e-10)
    np.testing.assert_allclose(x_hat.var(axis=0), 1, atol=1e-4)  # eps biases it slightly


def test_batchnorm_creates_and_updates_running_stats_in_place(rng):
    x, gamma, beta = bn_inputs(rng, 8, 3)
    bn_param = {"mode": "train"}
    batchnorm_forward(x, gamma, beta, bn_param)
    mean, var = bn_param["running_mean"], bn_param["running_var"]
    assert mean.shape == var.shape == (3,)
    np.testing.assert_allclose(mean, 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(var, 0.1 * x.var(axis=0))  # biased batch variance
    batchnorm_forward(x, gamma, beta, bn_param)
    assert bn_param["running_mean"] is mean and bn_param["running_var"] is var
    np.testing.assert_allclose(mean, 0.19 * x.mean(axis=0))


@pytest.mark.parametrize("momentum", [0.9, 0.5])
def test_batchnorm_running_stats_match_torch(rng, momentum):
    """Several train calls then a test call, against torch with momentum 1 - ours.

    torch updates running_var with the unbiased batch variance, the API with the biased
    one; from zeros, and with a fixed N, torch's running_var is ours times N / (N - 1).
    """
    N, D = 6, 4
    gamma, beta = 1 + rng.random(D), rng.standard_normal(D)
    bn_param = {"mode": "train", "momentum": momentum, "eps": 1e-3}
    rm_t, rv_t = torch.zeros(D, dtype=torch.float64), torch.zeros(D, dtype=torch.float64)
    for step in range(5):
        x = step + (1 + step) * rng.standard_normal((N, D))
        out, _ = batchnorm_forward(x, gamma, beta, bn_param)
        out_t = F.batch_norm(
            t64(x), rm_t, rv_t, t64(gamma), t64(beta), True, 1 - momentum, eps=1e-3
        )
        close_to_torch(out, out_t)
        close_to_torch(bn_param["running_mean"], rm_t)
        close_to_torch(bn_param["running_var"] * N / (N - 1), rv_t)

    x = rng.standard_normal((3, D))
    bn_param["mode"] = "test"
    running = bn_param["running_mean"].copy(), bn_param["running_var"].copy()
    out, _ = batchnorm_forward(x, gamma, beta, bn_param)
    rv_ours = torch.tensor(bn_param["running_var"])
    out_t = F.batch_norm(t64(x), rm_t, rv_ours, t64(gamma), t64(beta), False, eps=1e-3)
    close_to_torch(out, out_t)
    np.testing.assert_array_equal(bn_param["running_mean"], running[0])  # unchanged in test
    np.testing.assert_array_equal(bn_param["running_var"], running[1])


def test_batchnorm_test_mode_without_stats_uses_zeros(rng):
    x, gamma, beta = bn_inputs(rng, 3, 2)
    bn_param = {"mode": "test"}
    out, _ = batchnorm_forward(x, gamma, beta, bn_param)
    np.testing.assert_allclose(out, gamma * x / np.sqrt(1e-5) + beta)
    np.testing.assert_array_equal(bn_param["running_var"], np.zeros(2))


@pytest.mark.parametrize("bn_param", [{}, {"mode": "eval"}])
def test_batchnorm_requires_mode(rng, bn_param):
    x, gamma, beta = bn_inputs(rng, 3, 2)
    with pytest.raises(ValueError, match="mode"):
        batchnorm_forward(x, gamma, beta, bn_param)


@pytest.mark.parametrize("N,D", BN_SHAPES)
def test_batchnorm_backward_forms_agree_with_torch(rng, N, D):
    x, gamma, beta = bn_inputs(rng, N, D)
    dout = rng.standard_normal((N, D))
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    graph = batchnorm_backward(dout, cache)
    alt = batchnorm_backward_alt(dout, cache)

    xt, gt, bt = t64(x), t64(gamma), t64(beta)
    F.batch_norm(xt, None, None, gt, bt, training=True, eps=1e-5).backward(torch.tensor(dout))
    for ours_graph, ours_alt, leaf in zip(graph, alt, (xt, gt, bt)):
        close_to_torch(ours_graph, leaf.grad)
        close_to_torch(ours_alt, leaf.grad)
        np.testing.assert_allclose(ours_graph, ours_alt, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("backward", [batchnorm_backward, batchnorm_backward_alt])
@pytest.mark.parametrize("N,D", [(2, 3), (5, 4)])
def test_batchnorm_backward_numerical(rng, backward, N, D):
    x, gamma, beta = bn_inputs(rng, N, D)
    dout = rng.standard_normal((N, D))
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})

    def forward(x, gamma, beta):
        return batchnorm_forward(x, gamma, beta, {"mode": "train"})[0]

    check_numerical(forward, [x, gamma, beta], backward(dout, cache), dout)


def test_batchnorm_dx_sums_to_zero(rng):
    """Shifting every example by the same vector changes nothing: dx sums to 0 over N."""
    x, gamma, beta = bn_inputs(rng, 7, 3)
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dx, _, _ = batchnorm_backward_alt(rng.standard_normal((7, 3)), cache)
    np.testing.assert_allclose(dx.sum(axis=0), 0, atol=1e-12)


# ---------------------------------------------------------------------- layernorm


@pytest.mark.parametrize("N,D", [(1, 2), (4, 3), (3, 8)])
@pytest.mark.parametrize("eps", [1e-5, 1e-2])
def test_layernorm_matches_torch(rng, N, D, eps):
    x, gamma, beta = bn_inputs(rng, N, D)
    dout = rng.standard_normal((N, D))
    ln_param = {"eps": eps} if eps != 1e-5 else {}
    out, cache = layernorm_forward(x, gamma, beta, ln_param)
    grads = layernorm_backward(dout, cache)

    xt, gt, bt = t64(x), t64(gamma), t64(beta)
    out_t = F.layer_norm(xt, (D,), gt, bt, eps=eps)
    out_t.backward(torch.tensor(dout))
    close_to_torch(out, out_t)
    for ours, leaf in zip(grads, (xt, gt, bt)):
        close_to_torch(ours, leaf.grad)


@pytest.mark.parametrize("N,D", [(1, 3), (4, 5)])
def test_layernorm_backward_numerical(rng, N, D):
    x, gamma, beta = bn_inputs(rng, N, D)
    dout = rng.standard_normal((N, D))
    _, cache = layernorm_forward(x, gamma, beta, {})

    def forward(x, gamma, beta):
        return layernorm_forward(x, gamma, beta, {})[0]

    check_numerical(forward, [x, gamma, beta], layernorm_backward(dout, cache), dout)


def test_layernorm_normalizes_each_row(rng):
    x, _, _ = bn_inputs(rng, 4, 6)
    out, _ = layernorm_forward(x, np.ones(6), np.zeros(6), {})
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=1), 1, atol=1e-4)


# -------------------------------------------------------------- spatial batchnorm


def spatial_inputs(rng, N, C, H, W):
    x = 3 + 2 * rng.standard_normal((N, C, H, W))
    return x, 1 + rng.random(C), rng.standard_normal(C)


@pytest.mark.parametrize("shape", [(1, 2, 3, 3), (2, 3, 4, 5)])
def test_spatial_batchnorm_matches_torch(rng, shape):
    N, C, H, W = shape
    x, gamma, beta = spatial_inputs(rng, *shape)
    dout = rng.standard_normal(shape)
    bn_param = {"mode": "train", "momentum": 0.8}
    out, cache = spatial_batchnorm_forward(x, gamma, beta, bn_param)
    grads = spatial_batchnorm_backward(dout, cache)
    assert out.shape == shape and grads[0].shape == shape
    assert grads[1].shape == grads[2].shape == (C,)

    rm_t, rv_t = torch.zeros(C, dtype=torch.float64), torch.zeros(C, dtype=torch.float64)
    xt, gt, bt = t64(x), t64(gamma), t64(beta)
    out_t = F.batch_norm(xt, rm_t, rv_t, gt, bt, training=True, momentum=0.2, eps=1e-5)
    out_t.backward(torch.tensor(dout))
    close_to_torch(out, out_t)
    for ours, leaf in zip(grads, (xt, gt, bt)):
        close_to_torch(ours, leaf.grad)
    M = N * H * W
    close_to_torch(bn_param["running_mean"], rm_t)
    close_to_torch(bn_param["running_var"] * M / (M - 1), rv_t)

    bn_param["mode"] = "test"
    out, _ = spatial_batchnorm_forward(x, gamma, beta, bn_param)
    rv = torch.tensor(bn_param["running_var"])
    close_to_torch(out, F.batch_norm(t64(x), rm_t, rv, gt, bt, training=False, eps=1e-5))


def test_spatial_batchnorm_backward_numerical(rng):
    shape = (2, 2, 3, 2)
    x, gamma, beta = spatial_inputs(rng, *shape)
    dout = rng.standard_normal(shape)
    _, cache = spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})

    def forward(x, gamma, beta):
        return spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})[0]

    check_numerical(forward, [x, gamma, beta], spatial_batchnorm_backward(dout, cache), dout)
