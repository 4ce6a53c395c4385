"""Softmax and SVM losses (naive, vectorized, numerical, PyTorch) and the linear classifiers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits

from course_utils.assignments import GRADED
from course_utils.classifiers import linear
from course_utils.classifiers.linear import LinearSVM, Softmax
from course_utils.gradcheck import eval_numerical_gradient, grad_check_sparse, rel_error

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py

SHAPES = [(1, 3, 2), (7, 5, 3), (20, 12, 10)]  # (N, D, C)
LOSSES = {
    "softmax": (linear.softmax_loss_naive, linear.softmax_loss_vectorized),
    "svm": (linear.svm_loss_naive, linear.svm_loss_vectorized),
}


def _problem(rng, N, D, C, scale=1.0):
    W = scale * rng.standard_normal((D, C))
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, N)
    return W, X, y


def _torch_loss(kind, W, X, y, reg):
    Wt = torch.tensor(W, requires_grad=True)
    scores = torch.tensor(X) @ Wt
    yt = torch.tensor(y)
    if kind == "softmax":
        data_loss = F.cross_entropy(scores, yt)
    else:  # multi_margin_loss averages over the C classes as well
        data_loss = F.multi_margin_loss(scores, yt, p=1, margin=1.0) * W.shape[1]
    loss = data_loss + reg * torch.sum(Wt * Wt)
    loss.backward()
    return loss.item(), Wt.grad.numpy()


@pytest.mark.parametrize("kind", LOSSES)
@pytest.mark.parametrize("N, D, C", SHAPES)
@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_naive_equals_vectorized(rng, kind, N, D, C, reg):
    W, X, y = _problem(rng, N, D, C)
    naive, vectorized = LOSSES[kind]
    loss_n, dW_n = naive(W, X, y, reg)
    loss_v, dW_v = vectorized(W, X, y, reg)
    assert isinstance(loss_n, float) and isinstance(loss_v, float)
    assert dW_n.shape == dW_v.shape == W.shape
    assert loss_n == pytest.approx(loss_v, rel=1e-12)
    assert rel_error(dW_n, dW_v) < 1e-10


@pytest.mark.parametrize("kind", LOSSES)
@pytest.mark.parametrize("N, D, C", SHAPES)
@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_matches_torch(rng, kind, N, D, C, reg):
    W, X, y = _problem(rng, N, D, C)
    expected_loss, expected_dW = _torch_loss(kind, W, X, y, reg)
    for func in LOSSES[kind]:
        loss, dW = func(W, X, y, reg)
        assert loss == pytest.approx(expected_loss, rel=1e-10)
        np.testing.assert_allclose(dW, expected_dW, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("kind", LOSSES)
@pytest.mark.parametrize("reg", [0.0, 0.5])
def test_numerical_gradient(rng, kind, reg, capsys):
    W, X, y = _problem(rng, 15, 6, 4)
    for func in LOSSES[kind]:
        _, dW = func(W, X, y, reg)
        f = lambda w, func=func: func(w, X, y, reg)[0]
        errors = grad_check_sparse(f, W, dW, num_checks=8, seed=1)
        assert max(errors) < 1e-6
        assert rel_error(eval_numerical_gradient(f, W, verbose=False), dW) < 1e-6
    assert capsys.readouterr().err == ""


def test_softmax_is_stable_for_huge_scores(rng):
    W, X, y = _problem(rng, 6, 4, 3, scale=1e4)
    loss_n, dW_n = linear.softmax_loss_naive(W, X, y, 0.0)
    loss_v, dW_v = linear.softmax_loss_vectorized(W, X, y, 0.0)
    expected_loss, expected_dW = _torch_loss("softmax", W, X, y, 0.0)
    assert np.isfinite(loss_n) and np.isfinite(loss_v)
    assert loss_v == pytest.approx(expected_loss, rel=1e-9)
    np.testing.assert_allclose(dW_v, expected_dW, atol=1e-9)
    np.testing.assert_allclose(dW_n, dW_v, atol=1e-9)


def test_initial_losses(rng):
    """Small weights: softmax loss ~ log(C); SVM loss ~ C - 1 (every margin about 1)."""
    W, X, y = _problem(rng, 500, 30, 10, scale=1e-4)
    assert linear.softmax_loss_vectorized(W, X, y, 0.0)[0] == pytest.approx(np.log(10), rel=1e-2)
    assert linear.svm_loss_vectorized(W, X, y, 0.0)[0] == pytest.approx(9.0, rel=1e-2)


def test_svm_margin_kink_counts_as_inactive():
    W = np.eye(2)
    X = np.array([[1.0, 0.0]])  # scores (1, 0): margin for class 1 is exactly 0
    for func in LOSSES["svm"]:
        loss, dW = func(W, X, np.array([0]), 0.0)
        assert loss == 0.0
        np.testing.assert_array_equal(dW, np.zeros((2, 2)))


def test_reg_term_is_reg_times_sum_of_squares(rng):
    W, X, y = _problem(rng, 5, 4, 3)
    for naive, vectorized in LOSSES.values():
        for func in (naive, vectorized):
            l0, dW0 = func(W, X, y, 0.0)
            l1, dW1 = func(W, X, y, 0.7)
            assert l1 - l0 == pytest.approx(0.7 * np.sum(W * W), rel=1e-12)
            np.testing.assert_allclose(dW1 - dW0, 1.4 * W, atol=1e-12)


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    X = data.data / 16.0
    X = np.hstack([X - X.mean(axis=0), np.ones((len(X), 1))])  # bias trick
    perm = np.random.default_rng(0).permutation(len(X))
    return X[perm], data.target[perm]


@pytest.mark.parametrize("cls, lr", [(Softmax, 0.5), (LinearSVM, 0.1)])
def test_training_reaches_good_accuracy_on_digits(digits, cls, lr):
    X, y = digits
    model = cls()
    history = model.train(
        X[:1400], y[:1400], learning_rate=lr, reg=1e-4, num_iters=300, batch_size=100, seed=0
    )
    assert len(history) == 300
    assert np.mean(history[-20:]) < 0.5 * history[0]
    pred = model.predict(X[1400:])
    assert pred.shape == (len(X) - 1400,)
    assert np.mean(pred == y[1400:]) > 0.9


def test_train_is_seeded_and_initial_softmax_loss(digits, capsys):
    X, y = digits
    a, b = Softmax(), Softmax()
    ha = a.train(X, y, num_iters=5, batch_size=50, seed=3, verbose=True)
    hb = b.train(X, y, num_iters=5, batch_size=50, seed=3)
    assert ha == hb
    np.testing.assert_array_equal(a.W, b.W)
    assert a.W.shape == (65, 10)
    assert ha[0] == pytest.approx(np.log(10), rel=0.05)
    captured = capsys.readouterr()
    assert "iteration 0 / 5" in captured.out and captured.err == ""
    assert Softmax().train(X, y, num_iters=5, batch_size=50, seed=4) != ha


def test_train_continues_from_existing_weights(digits):
    X, y = digits
    model = Softmax()
    first = model.train(X, y, learning_rate=0.5, num_iters=50, seed=0)
    second = model.train(X, y, learning_rate=0.5, num_iters=50, seed=1)
    assert second[0] < first[0]


def test_base_class_loss_is_abstract(rng):
    with pytest.raises(NotImplementedError):
        linear.LinearClassifier().loss(np.zeros((2, 3)), np.zeros(2, dtype=int), 0.0)


def test_graded_tags():
    prefix = "course_utils.classifiers.linear."
    expected = {
        "softmax_loss_naive": "03_softmax",
        "softmax_loss_vectorized": "03_softmax",
        "LinearClassifier.train": "03_softmax",
        "LinearClassifier.predict": "03_softmax",
        "svm_loss_naive": "04_svm",
        "svm_loss_vectorized": "04_svm",
    }
    for name, assignment in expected.items():
        assert GRADED[prefix + name] == assignment
    assert prefix + "Softmax.loss" not in GRADED
