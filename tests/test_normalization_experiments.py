"""The claims 07_batchnorm's text makes of its experiments, across seeds and with margins
(course_utils.experiments.normalization), the grader's tuning judge, and the batch-size plot.

Each seed changes the data split, the initial weights and the minibatch order.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from autograder.checks.nb07_batchnorm import (  # noqa: E402
    OUTCOME_CHOICES,
    OUTCOME_TARGET,
    outcome_accuracy,
)
from course_utils.data import get_dataset  # noqa: E402
from course_utils.experiments.normalization import (  # noqa: E402
    NormAfterReluNet,
    batch_size_curves,
    sweep,
    train_normalized_net,
)
from course_utils.gradcheck import eval_numerical_gradient  # noqa: E402
from course_utils.plots.normalization import plot_batch_size_curves  # noqa: E402

SEEDS = (0, 1, 2)
SCALES = np.logspace(-3, 0, 7)


def _data(seed):
    return get_dataset("digits", num_train=1000, num_val=200, seed=seed)


@pytest.mark.slow  # 21 short trainings per seed: ~3 s
@pytest.mark.numerics
@pytest.mark.parametrize("seed", SEEDS)
def test_weight_scale_sweep_with_adam(seed):
    """Plain: chance at a = 1e-3 (loss ~ log 10), explosion at a = 1. Batchnorm with a fixed
    Adam learning rate: worse at both ends than in the middle. Learning rate ~ a: flatter."""
    data = _data(seed)
    runs = sweep(data, (None, "batchnorm"), SCALES, "weight_scale", num_epochs=3, seed=seed)
    loss = {k: [np.mean(s.loss_history[-10:]) for s in v] for k, v in runs.items()}
    acc = {k: np.array([s.best_val_acc for s in v]) for k, v in runs.items()}
    assert loss["none"][0] > 2.2 and acc["none"][0] < 0.2
    assert not loss["none"][-1] < 10
    assert acc["batchnorm"][[0, -1]].max() < acc["batchnorm"][2:5].max() - 0.1
    scaled = [
        train_normalized_net(
            data, "batchnorm", weight_scale=a, learning_rate=0.03 * a, num_epochs=3, seed=seed
        ).best_val_acc
        for a in SCALES
    ]
    assert min(scaled) > acc["batchnorm"].min() + 0.2


@pytest.mark.slow  # 21 short trainings per seed: ~3 s
@pytest.mark.numerics
@pytest.mark.parametrize("seed", SEEDS)
def test_normalized_nets_tolerate_a_wider_range_of_sgd_learning_rates(seed):
    """Question 3: the plain net lags behind at small rates, and behind batchnorm at the largest."""
    rates = np.logspace(-3.5, -0.5, 7)
    runs = sweep(
        _data(seed),
        (None, "batchnorm", "layernorm"),
        rates,
        "learning_rate",
        weight_scale=0.15,
        num_epochs=3,
        update_rule="sgd_momentum",
        seed=seed,
    )
    acc = {k: np.array([s.best_val_acc for s in v]) for k, v in runs.items()}
    assert acc["batchnorm"][-1] > acc["none"][-1] + 0.3  # the largest rate
    for norm in ("batchnorm", "layernorm"):
        assert np.all(acc[norm][1:3] > acc["none"][1:3] + 0.2)  # the small ones


@pytest.mark.slow  # batches of two: ~6 s per seed
@pytest.mark.numerics
@pytest.mark.parametrize("seed", SEEDS)
def test_batchnorm_fails_at_batch_size_two_where_layernorm_trains(seed):
    curves = batch_size_curves(_data(seed), batch_sizes=(2, 32), seed=seed)
    assert curves["batchnorm"][2][-1] < 0.6
    assert curves["layernorm"][2][-1] > 0.75
    assert curves["batchnorm"][32][-1] > 0.85 and curves["layernorm"][32][-1] > 0.85
    assert all(len(h) == 5 for by_size in curves.values() for h in by_size.values())


@pytest.mark.numerics
@pytest.mark.parametrize("seed", SEEDS)
def test_both_batchnorm_orders_train_about_equally(seed):
    data = _data(seed)
    before = train_normalized_net(data, "batchnorm", seed=seed).best_val_acc
    after = train_normalized_net(data, "batchnorm", norm_after_relu=True, seed=seed).best_val_acc
    assert before > 0.9 and after > 0.9 and abs(before - after) < 0.05


def test_norm_after_relu_net_gradients_are_right(rng):
    net = NormAfterReluNet(
        [5, 4],
        input_dim=3,
        num_classes=3,
        normalization="batchnorm",
        weight_scale=0.5,
        dtype=np.float64,
        seed=1,
    )
    X, y = rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)
    _, grads = net.loss(X, y)
    for name in ("W1", "gamma1", "beta2", "W3"):
        numeric = eval_numerical_gradient(
            lambda _: net.loss(X, y)[0], net.params[name], verbose=False
        )
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-7, err_msg=name)


@pytest.mark.numerics
def test_the_reference_choices_reach_the_target_and_absurd_ones_do_not():
    assert outcome_accuracy(*OUTCOME_CHOICES.values()) >= OUTCOME_TARGET + 0.02
    assert outcome_accuracy(1e-5, 0.1) < 0.5
    assert outcome_accuracy(OUTCOME_CHOICES["best_learning_rate"], 10.0) < 0.6


def test_batch_size_plot_has_a_panel_per_normalization_and_a_line_per_size():
    curves = {"batchnorm": {2: [0.1, 0.3], 32: [0.1, 0.9]}, "layernorm": {2: [0.1, 0.8]}}
    axes = plot_batch_size_curves(curves)
    try:
        assert [ax.get_title() for ax in axes] == ["batchnorm", "layernorm"]
        assert [line.get_label() for line in axes[0].get_lines()] == ["batch 2", "batch 32"]
        np.testing.assert_allclose(axes[0].get_lines()[1].get_ydata(), [0.1, 0.9])
        assert axes[0].get_xlabel() == "epoch"
    finally:
        plt.close("all")
