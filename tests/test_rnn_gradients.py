"""What 10_rnn says about gradients through time, asserted across seeds with margin.

The notebook's text (section 2, Question 1) claims, for a tanh RNN of 64 units over 60 steps:
with small inputs the gradient vanishes for rho(W_h) <= 1 and grows for rho >= 1.5 (far less
than rho^k: the growing state saturates the units); with large inputs every curve lies lower,
rho <= 1.5 vanishes and rho = 2 stays within a factor of 100 of its start.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.experiments.rnn_gradients import (
    gradient_norms_through_time,
    spectral_experiment,
    with_spectral_radius,
)
from course_utils.rnn_layers import rnn_step_backward, rnn_step_forward

pytestmark = pytest.mark.numerics  # notebook claims: rerun under forced BLAS kernels

SEEDS = range(6)


@pytest.fixture(scope="module")
def runs():
    return {
        seed: spectral_experiment(
            seed, step_forward=rnn_step_forward, step_backward=rnn_step_backward
        )
        for seed in SEEDS
    }


def test_with_spectral_radius_sets_the_largest_eigenvalue_modulus():
    W = np.random.default_rng(0).normal(size=(7, 7))
    for rho in (0.3, 1.0, 2.5):
        assert np.isclose(np.max(np.abs(np.linalg.eigvals(with_spectral_radius(W, rho)))), rho)


def test_gradient_norms_start_at_one_and_match_a_linear_rnn():
    """With tanh' = 1 (tiny inputs, tiny weights) the norms follow ||v (W_h^T)^k||."""
    rng = np.random.default_rng(1)
    H, T = 5, 6
    Wh = with_spectral_radius(rng.normal(size=(H, H)), 0.8) * 1e-6
    x = 1e-9 * rng.normal(size=(1, T, 3))
    norms = gradient_norms_through_time(
        x, np.zeros((3, H)), Wh, np.zeros(H), rnn_step_forward, rnn_step_backward
    )
    assert norms.shape == (T + 1,) and norms[0] == 1.0
    v = np.ones((1, H)) / np.sqrt(H)
    expected = [np.linalg.norm(v @ np.linalg.matrix_power(Wh.T, k)) for k in range(T + 1)]
    np.testing.assert_allclose(norms, expected, rtol=1e-6)


def test_small_inputs_vanish_below_one_and_grow_above(runs):
    for seed, norms in runs.items():
        for rho in (0.5, 0.9, 1.0):
            assert norms[0.1, rho][-1] < 1e-1, (seed, rho)  # vanishes (rho = 1 too, slowly)
        assert norms[0.1, 0.9][-1] < 1e-3, seed
        for rho in (1.5, 2.0):
            assert norms[0.1, rho][-1] > 1.5, (seed, rho)  # grows
            assert norms[0.1, rho][-1] < 1e-3 * rho**60, (seed, rho)  # far less than rho^T
        assert norms[0.1, 2.0][-1] > 1e2, seed


def test_large_inputs_lower_every_curve(runs):
    for seed, norms in runs.items():
        for rho in (0.5, 0.9, 1.0, 1.5, 2.0):
            assert norms[1.0, rho][-1] < 0.1 * norms[0.1, rho][-1], (seed, rho)
        for rho in (0.5, 0.9, 1.0, 1.5):
            assert norms[1.0, rho][-1] < 1e-2, (seed, rho)  # rho = 1.5 vanishes too
        assert 1e-2 < norms[1.0, 2.0][-1] < 1e2, seed  # rho = 2: roughly level
