"""Tests of course_utils.optim: every rule over several steps against torch.optim (float64),
defaults, state carried in config, no mutation of the inputs, and convergence on an
ill-conditioned quadratic."""

from __future__ import annotations

import ast
import inspect

import numpy as np
import pytest
import torch

from course_utils import optim
from course_utils.optim import (
    adagrad,
    adam,
    nesterov,
    rmsprop,
    sgd,
    sgd_momentum,
    step_decay,
)

STEPS = 8
TORCH_TOL = dict(rtol=1e-10, atol=1e-12)  # same update in float64: rounding only


def quadratic(rng, n=6, cond=100.0):
    """f(w) = 0.5 w^T A w - c^T w with A symmetric positive definite of condition ``cond``.

    Returns (A, c, w_star), w_star = A^-1 c the minimiser.
    """
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = Q @ np.diag(np.logspace(0.0, np.log10(cond), n)) @ Q.T
    c = rng.standard_normal(n)
    return A, c, np.linalg.solve(A, c)


def run_ours(rule, config, w0, grad, steps=STEPS):
    """Iterates w_1..w_steps of ``rule`` with gradients grad(w), config carried along."""
    w, iterates = w0.copy(), []
    for _ in range(steps):
        w, config = rule(w, grad(w), config)
        iterates.append(w)
    return iterates, config


def run_torch(opt_class, kwargs, w0, grad, steps=STEPS):
    """The same with a torch optimiser; the gradient is computed by the same numpy grad."""
    p = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    opt = opt_class([p], **kwargs)
    iterates = []
    for _ in range(steps):
        p.grad = torch.from_numpy(grad(p.detach().numpy().copy()))
        opt.step()
        iterates.append(p.detach().numpy().copy())
    return iterates


# (rule, our config, torch optimiser, its arguments): defaults and non-default settings.
TORCH_CASES = [
    (sgd, {}, torch.optim.SGD, dict(lr=1e-2)),
    (sgd, {"learning_rate": 0.05}, torch.optim.SGD, dict(lr=0.05)),
    (sgd_momentum, {}, torch.optim.SGD, dict(lr=1e-2, momentum=0.9)),
    (
        sgd_momentum,
        {"learning_rate": 0.03, "momentum": 0.5},
        torch.optim.SGD,
        dict(lr=0.03, momentum=0.5),
    ),
    (nesterov, {}, torch.optim.SGD, dict(lr=1e-2, momentum=0.9, nesterov=True)),
    (
        nesterov,
        {"learning_rate": 0.03, "momentum": 0.7},
        torch.optim.SGD,
        dict(lr=0.03, momentum=0.7, nesterov=True),
    ),
    (adagrad, {}, torch.optim.Adagrad, dict(lr=1e-2, eps=1e-8, initial_accumulator_value=0.0)),
    (
        adagrad,
        {"learning_rate": 0.3, "epsilon": 1e-6},
        torch.optim.Adagrad,
        dict(lr=0.3, eps=1e-6, initial_accumulator_value=0.0),
    ),
    (rmsprop, {}, torch.optim.RMSprop, dict(lr=1e-2, alpha=0.99, eps=1e-8)),
    (
        rmsprop,
        {"learning_rate": 0.02, "decay_rate": 0.9, "epsilon": 1e-6},
        torch.optim.RMSprop,
        dict(lr=0.02, alpha=0.9, eps=1e-6),
    ),
    (adam, {}, torch.optim.Adam, dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8)),
    (
        adam,
        {"learning_rate": 0.05, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6},
        torch.optim.Adam,
        dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6),
    ),
]


@pytest.mark.parametrize(
    "rule,config,opt_class,kwargs",
    TORCH_CASES,
    ids=[f"{case[0].__name__}-{i}" for i, case in enumerate(TORCH_CASES)],
)
def test_rule_matches_torch_optim(rng, rule, config, opt_class, kwargs):
    """For momentum SGD, torch keeps buf = momentum*buf + dw and steps by -lr*buf; with a
    constant learning rate that is our velocity v = -lr*buf. For nesterov, torch steps by
    -lr*(dw + momentum*buf_new) = momentum**2 * v - (1 + momentum)*lr*dw, which is what
    -momentum*v + (1 + momentum)*v_new expands to: the iterates agree exactly (they
    would part ways only if the learning rate changed between steps)."""
    A, c, _ = quadratic(rng)
    w0 = rng.standard_normal(6)
    ours, _ = run_ours(rule, dict(config), w0, lambda w: A @ w - c)
    theirs = run_torch(opt_class, kwargs, w0, lambda w: A @ w - c)
    for step, (a, b) in enumerate(zip(ours, theirs), start=1):
        np.testing.assert_allclose(a, b, **TORCH_TOL, err_msg=f"step {step}")
    assert not np.allclose(ours[-1], w0)  # the rule did move


@pytest.mark.parametrize("momentum", [0.9, 0.5])
def test_nesterov_is_classic_lookahead_in_transformed_variable(rng, momentum):
    """Classic Nesterov (Sutskever et al., 2013) on theta:
        v_{t+1} = mu v_t - lr grad(theta_t + mu v_t);  theta_{t+1} = theta_t + v_{t+1}.
    With w_t = theta_t + mu v_t (the lookahead point),
        w_{t+1} = theta_{t+1} + mu v_{t+1} = w_t - mu v_t + (1 + mu) v_{t+1},
    and v_{t+1} = mu v_t - lr grad(w_t): exactly our nesterov rule. So, starting from
    theta_0 = w_0 and v_0 = 0, w_t = theta_t + mu v_t at every step t (by induction), and
    both sequences converge to the same minimiser."""
    A, c, _ = quadratic(rng)
    grad = lambda w: A @ w - c
    lr = 0.02
    w0 = rng.standard_normal(6)
    ours, config = run_ours(nesterov, {"learning_rate": lr, "momentum": momentum}, w0, grad)

    theta, v = w0.copy(), np.zeros_like(w0)
    for step, w in enumerate(ours, start=1):
        v = momentum * v - lr * grad(theta + momentum * v)
        theta = theta + v
        np.testing.assert_allclose(
            w, theta + momentum * v, rtol=1e-12, atol=1e-14, err_msg=f"step {step}"
        )
    np.testing.assert_allclose(config["velocity"], v, rtol=1e-12, atol=1e-14)


DEFAULTS = {
    sgd: {"learning_rate": 1e-2},
    sgd_momentum: {"learning_rate": 1e-2, "momentum": 0.9},
    nesterov: {"learning_rate": 1e-2, "momentum": 0.9},
    adagrad: {"learning_rate": 1e-2, "epsilon": 1e-8},
    rmsprop: {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
    adam: {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
}
STATE = {
    sgd: (),
    sgd_momentum: ("velocity",),
    nesterov: ("velocity",),
    adagrad: ("cache",),
    rmsprop: ("cache",),
    adam: ("m", "v"),
}
RULES = list(DEFAULTS)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_defaults_and_state_are_set(rng, rule):
    w, dw = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    _, config = rule(w, dw)  # config=None
    expected_keys = set(DEFAULTS[rule]) | set(STATE[rule]) | ({"t"} if rule is adam else set())
    assert set(config) == expected_keys
    for key, value in DEFAULTS[rule].items():
        assert config[key] == value, key
    for key in STATE[rule]:
        assert config[key].shape == w.shape, key
    if rule is adam:
        assert config["t"] == 1  # incremented before the bias correction

    # A value given by the caller is kept; the others are filled in; the dict is updated.
    given = {"learning_rate": 0.123}
    _, config = rule(w, dw, given)
    assert config is given and config["learning_rate"] == 0.123
    assert set(DEFAULTS[rule]) <= set(config)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_inputs_not_mutated(rng, rule):
    w, dw = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    w_before, dw_before = w.copy(), dw.copy()
    next_w, config = rule(w, dw)
    state_before = {k: config[k].copy() for k in STATE[rule]}
    held = {k: config[k] for k in STATE[rule]}
    next_w2, config = rule(next_w, dw, config)

    np.testing.assert_array_equal(w, w_before)
    np.testing.assert_array_equal(dw, dw_before)
    assert next_w is not w and not np.shares_memory(next_w, w)
    assert next_w2.shape == w.shape
    for k in STATE[rule]:  # the previous state arrays were replaced, not overwritten
        np.testing.assert_array_equal(held[k], state_before[k])


@pytest.mark.parametrize(
    "rule", [sgd_momentum, nesterov, adagrad, rmsprop, adam], ids=lambda r: r.__name__
)
def test_state_carries_over(rng, rule):
    """Passing the returned config back differs from starting afresh at every step."""
    w, dw, dw2 = rng.standard_normal((3, 5))
    w1, config = rule(w, dw)
    carried, _ = rule(w1, dw2, config)
    fresh, _ = rule(w1, dw2)
    assert not np.allclose(carried, fresh)


# (rule, initial learning rate, step_decay factor per 100 steps, largest allowed final gap
# relative to the initial one) after 500 steps from w = 0. RMSProp with a constant rate
# keeps oscillating at a distance of about the rate, so its rate is halved every 100 steps.
CONVERGENCE_CASES = [
    (sgd, 1e-2, 1.0, 1e-3),
    (sgd_momentum, 1e-2, 1.0, 1e-10),
    (nesterov, 1e-2, 1.0, 1e-10),
    (adagrad, 0.5, 1.0, 1e-4),
    (rmsprop, 0.05, 0.5, 1e-4),
    (adam, 0.02, 1.0, 1e-10),
]


@pytest.mark.parametrize(
    "rule,lr0,drop,tol", CONVERGENCE_CASES, ids=[case[0].__name__ for case in CONVERGENCE_CASES]
)
def test_minimises_ill_conditioned_quadratic(rng, rule, lr0, drop, tol):
    A, c, w_star = quadratic(rng, cond=100.0)
    f = lambda w: 0.5 * w @ A @ w - c @ w
    w, config = np.zeros(6), {}
    gap0 = f(w) - f(w_star)
    for step in range(500):
        config["learning_rate"] = step_decay(lr0, step, drop, 100)
        w, config = rule(w, A @ w - c, config)
    assert np.all(np.isfinite(w))
    assert (f(w) - f(w_star)) / gap0 < tol


def test_step_decay():
    assert step_decay(0.1, 0, 0.5, 10) == 0.1
    assert step_decay(0.1, 9, 0.5, 10) == 0.1
    assert step_decay(0.1, 10, 0.5, 10) == pytest.approx(0.05)
    assert step_decay(0.1, 25, 0.5, 10) == pytest.approx(0.025)
    assert step_decay(1e-3, 7, 1.0, 1) == 1e-3
    with pytest.raises(ValueError, match="every"):
        step_decay(0.1, 3, 0.5, 0)
    with pytest.raises(ValueError, match="epoch"):
        step_decay(0.1, -1, 0.5, 2)


GRADED = {"sgd_momentum", "nesterov", "adagrad", "rmsprop", "adam"}


def test_graded_tags():
    for rule in RULES:
        expected = "06_optimizers" if rule.__name__ in GRADED else None
        assert getattr(rule, "__graded_in__", None) == expected, rule.__name__
    assert not hasattr(step_decay, "__graded_in__")


@pytest.mark.parametrize("name", sorted(GRADED))
def test_graded_rules_do_not_delegate_to_untagged_helpers(name):
    """A graded body is removed in the student release, so it may not call an untagged
    function of course_utils (sgd, step_decay or a private helper) for its answer."""
    (fdef,) = ast.parse(inspect.getsource(getattr(optim, name))).body
    nodes = [n for stmt in fdef.body for n in ast.walk(stmt)]
    called = {n.func.id for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    for callee in called:
        target = vars(optim).get(callee)
        if getattr(target, "__module__", "").startswith("course_utils"):
            assert hasattr(target, "__graded_in__"), f"{name} calls untagged {callee}"
