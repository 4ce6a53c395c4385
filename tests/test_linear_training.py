"""experiments.linear_training: the bias trick, the squared-error loss, SGD loss curves."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
import torch

from course_utils.classifiers.linear import Softmax
from course_utils.data import blobs
from course_utils.experiments.linear_training import append_bias, sgd_loss_curve, squared_error_loss
from course_utils.gradcheck import eval_numerical_gradient, rel_error
from course_utils.widgets.learning_rate import learning_rate_widget

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py


def test_append_bias(rng):
    X = rng.normal(size=(4, 3))
    X1 = append_bias(X)
    assert X1.shape == (4, 4) and X1.dtype == np.float64
    np.testing.assert_array_equal(X1[:, :3], X)
    np.testing.assert_array_equal(X1[:, 3], 1.0)


def _torch_squared_error(W, X, y, reg):
    Wt = torch.tensor(W, requires_grad=True)
    onehot = torch.nn.functional.one_hot(torch.tensor(y), W.shape[1]).double()
    scores = torch.tensor(X) @ Wt
    loss = 0.5 * ((scores - onehot) ** 2).sum() / X.shape[0] + reg * (Wt * Wt).sum()
    loss.backward()
    return loss.item(), Wt.grad.numpy()


@pytest.mark.parametrize(("N", "D", "C", "reg"), [(1, 3, 2, 0.0), (7, 4, 3, 0.1), (20, 6, 5, 1.5)])
def test_squared_error_loss_against_torch_and_numerically(rng, N, D, C, reg):
    W = rng.normal(size=(D, C))
    X = rng.normal(size=(N, D))
    y = rng.integers(0, C, size=N)
    loss, dW = squared_error_loss(W, X, y, reg)
    expected_loss, expected_dW = _torch_squared_error(W, X, y, reg)
    assert isinstance(loss, float)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    assert rel_error(dW, expected_dW) < 1e-12
    numerical = eval_numerical_gradient(
        lambda w: squared_error_loss(w, X, y, reg)[0], W, verbose=False
    )
    assert rel_error(dW, numerical) < 1e-8


def test_squared_error_loss_leaves_inputs_alone(rng):
    W, X, y = rng.normal(size=(3, 2)), rng.normal(size=(5, 3)), np.array([0, 1, 1, 0, 1])
    copies = (W.copy(), X.copy(), y.copy())
    squared_error_loss(W, X, y, 0.3)
    for before, after in zip(copies, (W, X, y)):
        np.testing.assert_array_equal(before, after)


@pytest.fixture(scope="module")
def toy():
    X, y = blobs(n_per_class=40, centers=3, std=0.6, seed=5)
    return append_bias(X), y


def test_sgd_loss_curve_trains_the_softmax_classifier(toy):
    X, y = toy
    result = sgd_loss_curve(0.5, X, y, num_iters=200, batch_size=30, reg=1e-4, seed=1)
    history = result["loss_history"]
    assert history.shape == (200,) and history.dtype == np.float64
    assert history[0] == pytest.approx(np.log(3), abs=0.01)  # W starts near 0
    assert history[-20:].mean() < 0.3 * history[0]
    assert result["train_accuracy"] > 0.9
    assert result["W"].shape == (3, 3)


def test_sgd_loss_curve_is_deterministic_and_seeded(toy):
    X, y = toy
    first = sgd_loss_curve(0.1, X, y, num_iters=50, seed=4)["loss_history"]
    again = sgd_loss_curve(0.1, X, y, num_iters=50, seed=4)["loss_history"]
    other = sgd_loss_curve(0.1, X, y, num_iters=50, seed=5)["loss_history"]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_sgd_loss_curve_matches_a_direct_training_run(toy):
    X, y = toy
    model = Softmax()
    expected = model.train(X, y, learning_rate=0.2, reg=1e-3, num_iters=40, batch_size=16, seed=2)
    result = sgd_loss_curve(0.2, X, y, num_iters=40, batch_size=16, reg=1e-3, seed=2)
    np.testing.assert_array_equal(result["loss_history"], expected)
    np.testing.assert_array_equal(result["W"], model.W)


def test_sgd_loss_curve_uses_the_given_factory(toy):
    X, y = toy
    built = []

    def factory():
        built.append(Softmax())
        return built[-1]

    sgd_loss_curve(0.1, X, y, model_factory=factory, num_iters=5)
    assert len(built) == 1 and built[0].W is not None


def test_too_large_a_learning_rate_diverges(toy):
    X, y = toy
    small = sgd_loss_curve(0.1, X, y, num_iters=150, reg=0.5, seed=0)["loss_history"]
    huge = sgd_loss_curve(5.0, X, y, num_iters=150, reg=0.5, seed=0)["loss_history"]
    assert small[-1] < small[0]
    assert not np.isfinite(huge[-1]) or huge[-1] > 10 * huge[0]


def test_learning_rate_widget_runs_on_sgd_loss_curve(toy):
    X, y = toy
    run = partial(sgd_loss_curve, X=X, y=y, num_iters=60, reg=1e-3, seed=0)
    ui = learning_rate_widget(run, lr_min=1e-3, lr_max=10.0, value=1e-2)
    before = ui.last_result["loss_history"].copy()
    ui.slider.value = 1.0
    after = ui.last_result["loss_history"]
    assert after.shape == (60,) and not np.allclose(before, after)
    assert after[-1] < before[-1]
