"""experiments.distillation: the distillation loss, its gradient, and the few-label demo (03)."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.classifiers.linear import softmax_loss_vectorized
from course_utils.experiments.distillation import (
    distillation_demo,
    distillation_loss,
    one_hot,
    soft_targets,
    train_student,
)
from course_utils.gradcheck import eval_numerical_gradient


def _problem(rng, N=7, D=5, C=4):
    W = rng.normal(size=(D, C))
    X = rng.normal(size=(N, D))
    targets = soft_targets(rng.normal(scale=3.0, size=(N, C)), 1.0)
    return W, X, targets


@pytest.mark.parametrize("temperature", [0.5, 1.0, 4.0])
@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_gradient_matches_centred_differences(temperature, reg):
    W, X, targets = _problem(np.random.default_rng(int(10 * temperature)))
    _, dW = distillation_loss(W, X, targets, reg, temperature)
    numerical = eval_numerical_gradient(
        lambda w: distillation_loss(w, X, targets, reg, temperature)[0], W.copy(), verbose=False
    )
    np.testing.assert_allclose(dW, numerical, rtol=1e-6, atol=1e-8)


def test_hard_targets_at_t1_give_the_softmax_loss():
    rng = np.random.default_rng(1)
    W, X, _ = _problem(rng)
    y = rng.integers(0, 4, size=7)
    loss, dW = distillation_loss(W, X, one_hot(y, 4), 0.1, 1.0)
    ref_loss, ref_dW = softmax_loss_vectorized(W, X, y, 0.1)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(dW, ref_dW, rtol=1e-10, atol=1e-14)


def test_loss_is_smallest_when_the_student_matches_the_targets():
    rng = np.random.default_rng(2)
    W, X, _ = _problem(rng)
    targets = soft_targets(X @ W, 3.0)  # the student's own distribution
    _, dW = distillation_loss(W, X, targets, 0.0, 3.0)
    np.testing.assert_allclose(dW, 0.0, atol=1e-12)


def test_soft_targets_are_distributions_and_keep_the_teacher_s_ranking():
    scores = np.array([[2.0, -1.0, 0.5], [0.0, 3.0, 3.5]])
    for T in (0.5, 1.0, 10.0):
        q = soft_targets(scores, T)
        np.testing.assert_allclose(q.sum(axis=1), 1.0)
        assert (q.argsort(axis=1) == scores.argsort(axis=1)).all()
    assert soft_targets(scores, 10.0).max() < soft_targets(scores, 1.0).max()


def test_bad_input_gets_a_clear_error():
    W, X, targets = _problem(np.random.default_rng(3))
    with pytest.raises(ValueError, match="shape"):
        distillation_loss(W, X, targets[:3], 0.0)
    with pytest.raises(ValueError, match="sum to 1"):
        distillation_loss(W, X, 2 * targets, 0.0)
    with pytest.raises(ValueError, match="temperature"):
        distillation_loss(W, X, targets, 0.0, temperature=0.0)
    with pytest.raises(ValueError, match="labels"):
        one_hot(np.array([0, 4]), 4)


def test_train_student_fits_its_targets():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 6))
    y = (X[:, 0] > 0).astype(int)
    W = train_student(X, one_hot(y, 2), learning_rate=0.5, reg=0.0, num_iters=200)
    assert np.mean((X @ W).argmax(axis=1) == y) > 0.95


@pytest.mark.slow
@pytest.mark.parametrize(("learning_rate", "reg"), [(1.0, 1e-3), (5.0, 1e-4)])
def test_soft_targets_beat_hard_labels_with_three_images_per_class(learning_rate, reg):
    """The notebook's demo, on digits, with two teachers its search can choose: each draw's
    soft-target student beats its hard-label twin."""
    from course_utils.classifiers.linear import Softmax
    from course_utils.data import get_dataset
    from course_utils.experiments.linear_training import append_bias

    data = get_dataset("digits", seed=0)
    X_train, X_val = append_bias(data["X_train"]), append_bias(data["X_val"])
    teacher = Softmax()
    teacher.train(
        X_train, data["y_train"], learning_rate=learning_rate, reg=reg, num_iters=500, seed=0
    )
    result = distillation_demo(
        teacher.W, X_train, data["y_train"], X_val, data["y_val"], per_class=3, temperature=4.0
    )
    assert np.all(result["soft"] > result["hard"])
    assert result["soft"].mean() > result["hard"].mean() + 0.05
    assert result["teacher"] > result["soft"].mean()
