"""The experiments of 05_backprop (course_utils.experiments.backprop) and its outcome judge."""

import numpy as np
import pytest

from autograder.checks.nb05_backprop import (
    TUNING_CHOICES,
    TUNING_PARTIAL,
    TUNING_TARGET,
    reference_fc_net_loss,
    reference_two_layer_loss,
    tuning_judge,
)
from course_utils.data import load_digits
from course_utils.experiments.backprop import (
    count_parameters,
    init_fc_params,
    maxout_backward,
    maxout_forward,
    overfit_tiny_batch,
    parameter_table,
    prelu_backward,
    prelu_forward,
    xor_experiment,
)
from course_utils.gradcheck import eval_numerical_gradient_array

SEEDS = (0, 1, 2)


def _linear_loss(params, X, y=None, reg=0.0):
    return reference_fc_net_loss(params, X, y, reg)


@pytest.mark.parametrize("seed", SEEDS)
def test_xor_needs_a_hidden_layer(seed):
    run = xor_experiment(_linear_loss, reference_two_layer_loss, seed=seed)
    assert run["linear"]["accuracy"] <= 0.80, run["linear"]["accuracy"]
    assert run["hidden"]["accuracy"] >= 0.95, run["hidden"]["accuracy"]


def test_two_linear_layers_collapse_to_one():
    rng = np.random.default_rng(0)
    W1, b1, W2, b2 = rng.normal(size=(5, 8)), rng.normal(size=8), rng.normal(size=(8, 3)), 0
    X = rng.normal(size=(40, 5))
    np.testing.assert_allclose((X @ W1 + b1) @ W2 + b2, X @ (W1 @ W2) + b1 @ W2, atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_overfits_twenty_digits_within_a_generous_budget(seed):
    X, y = load_digits()
    pick = np.random.default_rng(seed).choice(len(y), size=20, replace=False)
    X_tiny = X[pick].reshape(20, -1) - X.reshape(len(y), -1).mean(axis=0)
    result = overfit_tiny_batch(reference_fc_net_loss, X_tiny, y[pick], seed=seed)
    assert result["accuracy"] == 1.0
    assert result["steps"] <= 250, result["steps"]  # the notebook allows 500
    assert result["losses"][-1] < result["losses"][0] / 3


def test_overfit_reports_a_broken_loss():
    """A loss whose gradients are zero never overfits: the habit catches it."""

    def frozen(params, X, y=None, reg=0.0):
        out = reference_fc_net_loss(params, X, y, reg)
        if y is None:
            return out
        return out[0], {k: np.zeros_like(v) for k, v in params.items()}

    X, y = load_digits()
    result = overfit_tiny_batch(frozen, X[:20].reshape(20, -1), y[:20], max_steps=30)
    assert result["accuracy"] < 1.0 and result["steps"] == 30


@pytest.mark.parametrize("alpha", [0.25, np.array([0.1, -0.3, 0.5])])
def test_prelu_gradients_match_numerical(alpha):
    rng = np.random.default_rng(3)
    x, dout = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    out, cache = prelu_forward(x, alpha)
    np.testing.assert_allclose(out, np.where(x > 0, x, np.asarray(alpha) * x))
    dx, dalpha = prelu_backward(dout, cache)
    alpha_arr = np.array(alpha, dtype=np.float64)
    dx_num = eval_numerical_gradient_array(lambda v: prelu_forward(v, alpha)[0], x, dout)
    da_num = eval_numerical_gradient_array(lambda a: prelu_forward(x, a)[0], alpha_arr, dout)
    np.testing.assert_allclose(dx, dx_num, atol=1e-8)
    np.testing.assert_allclose(dalpha, da_num, atol=1e-8)
    assert dalpha.shape == alpha_arr.shape


def test_prelu_rejects_a_wrong_alpha_shape():
    with pytest.raises(ValueError, match="alpha must be a scalar or of shape"):
        prelu_forward(np.ones((2, 3)), np.ones(4))


def test_maxout_gradients_match_numerical_and_contain_relu():
    rng = np.random.default_rng(4)
    x, W, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 3, 2)), rng.normal(size=(3, 2))
    dout = rng.normal(size=(5, 3))
    out, cache = maxout_forward(x, W, b)
    dx, dW, db = maxout_backward(dout, cache)
    for got, arg in ((dx, 0), (dW, 1), (db, 2)):
        args = [x, W, b]

        def f(v, arg=arg, args=args):
            return maxout_forward(*[v if i == arg else a for i, a in enumerate(args)])[0]

        np.testing.assert_allclose(
            got, eval_numerical_gradient_array(f, args[arg], dout), atol=1e-7
        )
    # pieces 0 and x: ReLU of one input
    grid = np.linspace(-2, 2, 9)[:, None]
    relu = maxout_forward(grid, np.array([[[0.0, 1.0]]]), np.zeros((1, 2)))[0]
    np.testing.assert_allclose(relu[:, 0], np.maximum(grid[:, 0], 0))
    with pytest.raises(ValueError, match="maxout needs"):
        maxout_forward(x, W[:, :, 0], b)


def test_parameter_counts_match_the_arrays():
    for dims in ([2, 2], [2, 8, 2], [64, 100, 10], [64, 50, 50, 10], [300] * 11):
        total = sum(row["total"] for row in count_parameters(dims))
        assert total == sum(p.size for p in init_fc_params(dims).values())
    assert count_parameters([64, 100, 10])[0] == {
        "layer": 1,
        "shape": (64, 100),
        "weights": 6400,
        "biases": 100,
        "total": 6500,
    }
    table = parameter_table({"digits net": [64, 100, 10], "deep": [300] * 11})
    assert "7,510" in table and "digits net" in table and "64-100-10" in table
    assert "300-300-...-300 (10 layers)" in table and "903,000" in table
    with pytest.raises(ValueError, match="at least two positive sizes"):
        init_fc_params([5])


def _got(hidden, lr, reg):
    return {"s0.out": np.array(hidden), "s1.out": np.array(lr), "s2.out": np.array(reg)}


@pytest.mark.slow  # trains the reference network about ten times: ~5 s on a busy machine
def test_tuning_judge_passes_the_reference_choices_and_fails_absurd_ones():
    judge = tuning_judge(TUNING_TARGET)
    assert judge(_got(*TUNING_CHOICES.values())) is None
    guesses = _got(100, 0.5, 1e-3)  # section 5's values: "earn 1 point", says the notebook
    assert tuning_judge(TUNING_PARTIAL)(guesses) is None and "below" in judge(guesses)
    assert "below" in judge(_got(2, 0.5, 1e-3))  # two hidden units
    assert "below" in judge(_got(100, 1e-5, 1e-3))  # barely moves
    assert "below" in judge(_got(100, 0.5, 5.0))  # all weight decay
    assert "outside the range" in judge(_got(100, float("nan"), 1e-3))
    assert "outside the range" in judge(_got(1000, 0.5, 1e-3))
    assert "whole number" in judge(_got(10.5, 0.5, 1e-3))
    assert "single number" in judge({"s0.out": np.ones(3), "s1.out": 0.5, "s2.out": 0.0})
