"""Tests of course_utils.experiments.rule_variants: RMSProp with momentum against PyTorch's
RMSprop(momentum=...), and the claim 06 makes of it on Rosenbrock."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.experiments.optimizer_race import path_score, race, tune_learning_rates
from course_utils.experiments.rule_variants import rmsprop_momentum
from course_utils.optim import adam, rmsprop

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py


def test_rmsprop_momentum_matches_torch(rng):
    w0 = rng.normal(size=(4, 3))
    grads = [rng.normal(size=(4, 3)) for _ in range(5)]
    hyper = {"learning_rate": 0.03, "decay_rate": 0.9, "momentum": 0.8, "epsilon": 1e-6}
    p = torch.tensor(w0, requires_grad=True)
    opt = torch.optim.RMSprop([p], lr=0.03, alpha=0.9, eps=1e-6, momentum=0.8)
    w, config = w0.copy(), dict(hyper)
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
        w_before = w.copy()
        w, config = rmsprop_momentum(w, g, config)
        assert not np.shares_memory(w, w_before)
        np.testing.assert_allclose(w, p.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert set(config) == {*hyper, "cache", "velocity"}


def test_defaults_and_momentum_zero_is_rmsprop(rng):
    w, g = rng.normal(size=5), rng.normal(size=5)
    _, config = rmsprop_momentum(w, g)
    assert (config["learning_rate"], config["decay_rate"], config["momentum"]) == (1e-2, 0.99, 0.9)
    ours, _ = rmsprop_momentum(w, g, {"momentum": 0.0, "learning_rate": 0.1})
    expected, _ = rmsprop(w, g, {"learning_rate": 0.1})
    np.testing.assert_allclose(ours, expected, rtol=1e-14)


@pytest.mark.parametrize(("noise", "seed"), [(0.0, 0), (3.0, 0), (3.0, 1), (3.0, 2)])
def test_momentum_takes_rmsprop_down_rosenbrock(noise, seed):
    """06's claim: tuned, RMSProp stalls in Rosenbrock's valley; with momentum it ends several
    times lower, as Adam does, at a best learning rate several times smaller."""
    rules = {"rmsprop": rmsprop, "rmsprop_momentum": rmsprop_momentum, "adam": adam}
    rates = tune_learning_rates("rosenbrock", rules, steps=200, noise=noise, seed=seed)
    configs = {name: {"learning_rate": rate} for name, rate in rates.items()}
    paths = race("rosenbrock", rules, 0.0, 0.9, 200, configs=configs, noise=noise, seed=seed)
    score = {name: path_score("rosenbrock", path, 200) for name, path in paths.items()}
    assert score["rmsprop_momentum"] < score["rmsprop"] / 5
    assert score["adam"] < score["rmsprop"] / 5
    assert rates["rmsprop_momentum"] < rates["rmsprop"] / 2
