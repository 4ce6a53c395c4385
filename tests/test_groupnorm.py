"""Tests of group normalization (course_utils.layer_impl.groupnorm), 07's graded task.

PyTorch's ``F.group_norm`` is the oracle for the forward and the backward (float64); the
backward is also checked against centred differences, and G = 1 against layernorm.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils.gradcheck import eval_numerical_gradient_array
from course_utils.layer_impl.groupnorm import spatial_groupnorm_backward, spatial_groupnorm_forward
from course_utils.layers import layernorm_forward

pytestmark = pytest.mark.numerics

TORCH_TOL = dict(rtol=1e-9, atol=1e-11)


def gn_inputs(rng, N, C, H, W):
    x = 2 - 3 * rng.standard_normal((N, C, H, W))
    return x, 0.5 + rng.random(C), rng.standard_normal(C)


@pytest.mark.parametrize("shape,G", [((1, 4, 3, 3), 2), ((3, 6, 2, 5), 3), ((2, 4, 1, 1), 4)])
def test_groupnorm_matches_torch(rng, shape, G):
    x, gamma, beta = gn_inputs(rng, *shape)
    dout = rng.standard_normal(shape)
    out, cache = spatial_groupnorm_forward(x, gamma, beta, G, {"eps": 1e-3})
    dx, dgamma, dbeta = spatial_groupnorm_backward(dout, cache)
    assert out.shape == dx.shape == shape and dgamma.shape == dbeta.shape == (shape[1],)
    xt, gt, bt = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    out_t = F.group_norm(xt, G, gt, bt, eps=1e-3)
    out_t.backward(torch.tensor(dout))
    for ours, theirs in ((out, out_t), (dx, xt.grad), (dgamma, gt.grad), (dbeta, bt.grad)):
        np.testing.assert_allclose(ours, theirs.detach().numpy(), **TORCH_TOL)


def test_groupnorm_backward_numerical(rng):
    shape, G = (2, 6, 2, 3), 2
    x, gamma, beta = gn_inputs(rng, *shape)
    dout = rng.standard_normal(shape)
    _, cache = spatial_groupnorm_forward(x, gamma, beta, G, {})
    grads = spatial_groupnorm_backward(dout, cache)
    for k, (value, analytic) in enumerate(zip((x, gamma, beta), grads)):
        numeric = eval_numerical_gradient_array(
            lambda _: spatial_groupnorm_forward(x, gamma, beta, G, {})[0], value, dout
        )
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9, err_msg=f"input {k}")


def test_one_group_is_layernorm_of_the_image_and_ignores_the_batch(rng):
    x, _, _ = gn_inputs(rng, 3, 4, 2, 2)
    ones, zeros = np.ones(4), np.zeros(4)
    out, _ = spatial_groupnorm_forward(x, ones, zeros, 1, {})
    flat, _ = layernorm_forward(x.reshape(3, -1), np.ones(16), np.zeros(16), {})
    np.testing.assert_allclose(out.reshape(3, -1), flat, rtol=1e-12, atol=1e-12)
    alone, _ = spatial_groupnorm_forward(x[1:2], ones, zeros, 2, {})
    together, _ = spatial_groupnorm_forward(x, ones, zeros, 2, {})
    np.testing.assert_allclose(alone[0], together[1], rtol=1e-12, atol=1e-12)
