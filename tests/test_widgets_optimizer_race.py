"""Headless test of the optimizer race widget: each control recomputes the paths and the figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_utils.experiments.optimizer_race import SURFACES
from course_utils.optim import adam, sgd, sgd_momentum
from course_utils.widgets.optimizer_race import OptimizerRace

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py

RULES = {"SGD": sgd, "Momentum": sgd_momentum, "Adam": adam}


def _line_data(race_widget):
    return {name: line.get_xydata().copy() for name, line in race_widget.lines.items()}


def test_learning_rate_slider_changes_paths_and_figure():
    race_widget = OptimizerRace(RULES, surface="bowl", steps=40)
    assert race_widget.widget is not None
    before, lines_before = race_widget.last_result, _line_data(race_widget)
    assert set(before) == set(RULES) and all(p.shape == (41, 2) for p in before.values())
    race_widget.learning_rate.value = 2.5 * SURFACES["bowl"].default_lr
    after = race_widget.last_result
    assert after is not before
    for name in RULES:
        assert not np.allclose(after[name], before[name])
        assert not np.allclose(_line_data(race_widget)[name], lines_before[name])
        np.testing.assert_array_equal(race_widget.lines[name].get_xydata(), after[name])


def test_momentum_slider_moves_only_the_momentum_path():
    race_widget = OptimizerRace(RULES, steps=30)
    before = race_widget.last_result
    race_widget.momentum.value = 0.5
    after = race_widget.last_result
    np.testing.assert_array_equal(after["SGD"], before["SGD"])
    assert not np.allclose(after["Momentum"], before["Momentum"])


def test_surface_dropdown_resets_the_learning_rate_and_redraws_once():
    race_widget = OptimizerRace(RULES, steps=30)
    calls = []
    original = race_widget.update
    race_widget.update = lambda: calls.append(1) or original()
    race_widget.surface.value = "rosenbrock"
    assert len(calls) == 1
    assert np.isclose(race_widget.learning_rate.value, SURFACES["rosenbrock"].default_lr)
    np.testing.assert_array_equal(race_widget.last_result["SGD"][0], SURFACES["rosenbrock"].start)
    assert race_widget.ax.get_title().startswith("rosenbrock")


def test_steps_slider_changes_the_path_length():
    race_widget = OptimizerRace(RULES, steps=20)
    race_widget.steps.value = 60
    assert race_widget.last_result["Adam"].shape == (61, 2)


def test_noise_slider_perturbs_every_path_the_same_way_each_time():
    race_widget = OptimizerRace(RULES, steps=30)
    clean = race_widget.last_result
    race_widget.noise.value = 3.0
    noisy = race_widget.last_result
    for name in RULES:
        assert not np.allclose(noisy[name], clean[name])
    assert "noise 3" in race_widget.ax.get_title()
    race_widget.steps.value = 40  # the same seed: the first 30 noisy steps are unchanged
    np.testing.assert_array_equal(race_widget.last_result["SGD"][:31], noisy["SGD"])


def test_tune_each_gives_every_rule_its_own_rate_and_locks_the_slider():
    race_widget = OptimizerRace(RULES, surface="rosenbrock", steps=60)
    assert set(race_widget.last_rates.values()) == {SURFACES["rosenbrock"].default_lr}
    race_widget.tune.value = True
    rates = race_widget.last_rates
    assert race_widget.learning_rate.disabled and "best learning rate" in race_widget.ax.get_title()
    assert len(set(rates.values())) > 1  # Adam's best rate on Rosenbrock is not SGD's
    assert rates["Adam"] > 10 * rates["SGD"]
    race_widget.learning_rate.value = 0.5  # ignored while tuned
    assert race_widget.last_rates == rates
    race_widget.tune.value = False
    assert not race_widget.learning_rate.disabled
    assert set(race_widget.last_rates.values()) == {0.5}
