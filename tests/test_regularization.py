"""Tests of course_utils.experiments.regularization: the L2 penalty, weight decay and ensembles.

The L2 gradient is checked against centred differences and PyTorch autograd (float64),
and against the penalty that FullyConnectedNet adds itself.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils import optim
from course_utils.classifiers.fc_net import FullyConnectedNet
from course_utils.experiments.regularization import (
    accuracy,
    ensemble_probabilities,
    l2_regularized_loss,
    softmax_probabilities,
    weight_norms,
    with_weight_decay,
)
from course_utils.gradcheck import eval_numerical_gradient

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py


def make_params(rng, dims=(5, 4, 3), norm=True):
    params = {}
    for i in range(len(dims) - 1):
        params[f"W{i + 1}"] = rng.standard_normal((dims[i], dims[i + 1]))
        params[f"b{i + 1}"] = rng.standard_normal(dims[i + 1])
        if norm and i < len(dims) - 2:
            params[f"gamma{i + 1}"] = 1 + rng.random(dims[i + 1])
            params[f"beta{i + 1}"] = rng.standard_normal(dims[i + 1])
    return params


@pytest.mark.parametrize("reg", [0.0, 0.3, 2.5])
def test_l2_loss_and_gradient_match_torch(rng, reg):
    params = make_params(rng)
    data_grads = {k: rng.standard_normal(v.shape) for k, v in params.items()}
    loss, grads = l2_regularized_loss(1.25, data_grads, params, reg)

    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    penalty = sum(0.5 * reg * (t * t).sum() for k, t in tensors.items() if k.startswith("W"))
    penalty.backward()
    assert loss == pytest.approx(1.25 + penalty.item(), rel=1e-12)
    assert grads.keys() == data_grads.keys()
    for name, t in tensors.items():
        expected = data_grads[name] + (t.grad.numpy() if t.grad is not None else 0.0)
        np.testing.assert_allclose(grads[name], expected, rtol=1e-12, atol=1e-14)


def test_l2_gradient_matches_centred_differences(rng):
    params = make_params(rng, dims=(4, 6, 2))
    zeros = {k: np.zeros_like(v) for k, v in params.items()}
    _, grads = l2_regularized_loss(0.0, zeros, params, 0.7)
    for name in params:
        numeric = eval_numerical_gradient(
            lambda _: l2_regularized_loss(0.0, zeros, params, 0.7)[0], params[name], verbose=False
        )
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-9)


def test_l2_leaves_inputs_alone_and_skips_biases(rng):
    params = make_params(rng)
    data_grads = {k: rng.standard_normal(v.shape) for k, v in params.items()}
    saved = {k: v.copy() for k, v in data_grads.items()}
    _, grads = l2_regularized_loss(0.0, data_grads, params, 1.0)
    for name, value in saved.items():
        np.testing.assert_array_equal(data_grads[name], value)
        if not name.startswith("W"):
            np.testing.assert_array_equal(grads[name], value)
            assert grads[name] is not data_grads[name]


def test_l2_agrees_with_fully_connected_net(rng):
    X, y = rng.standard_normal((6, 5)), rng.integers(0, 3, size=6)
    kwargs = dict(input_dim=5, num_classes=3, normalization="batchnorm", dtype=np.float64, seed=3)
    plain = FullyConnectedNet([4, 4], reg=0.0, **kwargs)
    regularized = FullyConnectedNet([4, 4], reg=0.8, **kwargs)
    data_loss, data_grads = plain.loss(X, y)
    loss, grads = l2_regularized_loss(data_loss, data_grads, plain.params, 0.8)
    expected_loss, expected_grads = regularized.loss(X, y)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    for name, value in expected_grads.items():
        np.testing.assert_allclose(grads[name], value, rtol=1e-10, atol=1e-12)


def test_weight_decay_with_sgd_equals_l2(rng):
    w, dw = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    decayed, _ = with_weight_decay(optim.sgd, 0.1)(w, dw, {"learning_rate": 0.5})
    np.testing.assert_allclose(decayed, w - 0.5 * (dw + 0.1 * w), rtol=1e-14)
    b = rng.standard_normal(3)
    same, _ = with_weight_decay(optim.sgd, 0.1)(b, b, {"learning_rate": 0.5})
    np.testing.assert_allclose(same, b - 0.5 * b)  # 1-D arrays are not decayed


def test_weight_decay_with_adam_is_not_l2(rng):
    w, dw = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    adamw, config = with_weight_decay(optim.adam, 0.1)(w, dw, {"learning_rate": 1e-2})
    adam_l2, _ = optim.adam(w, dw + 0.1 * w, {"learning_rate": 1e-2})
    plain, _ = optim.adam(w, dw, {"learning_rate": 1e-2})
    np.testing.assert_allclose(adamw, plain - 1e-2 * 0.1 * w, rtol=1e-13)
    assert not np.allclose(adamw, adam_l2)
    assert config["t"] == 1
    assert with_weight_decay(optim.adam, 0.1).__name__ == "adam_with_weight_decay"


def test_softmax_probabilities_are_stable(rng):
    scores = np.array([[1000.0, 1000.0, -1000.0], [0.0, np.log(3.0), -np.inf]])
    probs = softmax_probabilities(scores)
    np.testing.assert_allclose(probs, [[0.5, 0.5, 0.0], [0.25, 0.75, 0.0]], atol=1e-15)
    torch_probs = torch.softmax(torch.tensor(scores[:1]), dim=1).numpy()
    np.testing.assert_allclose(probs[:1], torch_probs, rtol=1e-12)


class _FixedScores:
    def __init__(self, scores):
        self.scores = scores

    def loss(self, X, y=None):
        return self.scores[X[:, 0].astype(int)]


def test_ensemble_averages_probabilities_in_batches(rng):
    scores_a, scores_b = rng.standard_normal((7, 4)), rng.standard_normal((7, 4))
    X = np.arange(7, dtype=float)[:, None]
    probs = ensemble_probabilities([_FixedScores(scores_a), _FixedScores(scores_b)], X, 3)
    expected = (softmax_probabilities(scores_a) + softmax_probabilities(scores_b)) / 2
    np.testing.assert_allclose(probs, expected, rtol=1e-14)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    with pytest.raises(ValueError):
        ensemble_probabilities([], X)


def test_accuracy_and_weight_norms():
    probs = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert accuracy(probs, np.array([1, 0, 0])) == pytest.approx(2 / 3)
    norms = weight_norms({"W1": np.full((2, 2), 1.5), "b1": np.ones(2)})
    assert norms == {"W1": pytest.approx(3.0)}
