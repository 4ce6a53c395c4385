"""The contractive autoencoder demo of 11_autoencoders (issue 18): the closed-form Jacobian
penalty against autograd, and the trend the notebook shows, across seeds."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.data import get_dataset
from course_utils.experiments.contractive import (
    contractive_penalty,
    jacobian_norms,
    train_contractive,
)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_closed_form_penalty_matches_autograd_jacobian(seed):
    rng = np.random.default_rng(seed)
    x = torch.as_tensor(rng.random((4, 6)))
    W, b = torch.as_tensor(rng.normal(size=(6, 3))), torch.as_tensor(rng.normal(size=3))
    jacobians = [
        torch.autograd.functional.jacobian(lambda v: torch.sigmoid(v @ W + b), row) for row in x
    ]  # each (K, D)
    squared = torch.stack([(J**2).sum() for J in jacobians])
    torch.testing.assert_close(contractive_penalty(x, W, b), squared.mean())
    torch.testing.assert_close(jacobian_norms(x, W, b), squared.sqrt())


def test_penalty_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    x = torch.as_tensor(rng.random((5, 4)))
    W = torch.as_tensor(rng.normal(size=(4, 2)), dtype=torch.float64).requires_grad_()
    b = torch.as_tensor(rng.normal(size=2), dtype=torch.float64).requires_grad_()
    assert torch.autograd.gradcheck(lambda W, b: contractive_penalty(x, W, b), (W, b))


@pytest.mark.numerics
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_penalty_contracts_the_encoder_at_some_cost_in_reconstruction(seed):
    data = get_dataset("digits", subtract_mean=False, seed=0)
    plain = train_contractive(data["X_train"], data["X_test"], 0.0, seed=seed)
    contracted = train_contractive(data["X_train"], data["X_test"], 1.0, seed=seed)
    assert contracted["jacobian"] < 0.5 * plain["jacobian"]
    assert contracted["reconstruction"] > plain["reconstruction"]
