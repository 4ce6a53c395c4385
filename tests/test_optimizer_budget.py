"""Tests of course_utils.experiments.optimizer_budget (06's outcome task) and of its judge: the
solution's learning rates clear the target with margin on several splits, the defaults and
absurd rates do not, and a diverging run scores quietly."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from autograder.checks.nb06_optimizers import (
    BUDGET_CHOICES,
    BUDGET_RULES,
    BUDGET_TARGET,
    budget_accuracy,
    budget_judge,
)
from course_utils.data import get_dataset
from course_utils.experiments.optimizer_budget import BUDGET_STEPS, train_on_budget
from course_utils.optim import adam, sgd_momentum

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py


def test_budget_run_takes_the_budget_and_is_deterministic():
    data = get_dataset("digits", seed=0)
    first = train_on_budget(data, adam, 1e-2)
    assert len(first["losses"]) == BUDGET_STEPS and 0.0 <= first["val_acc"] <= 1.0
    assert train_on_budget(data, adam, 1e-2) == first
    assert first["losses"][-1] < first["losses"][0] / 3


def test_a_diverging_rate_scores_quietly():
    data = get_dataset("digits", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = train_on_budget(data, sgd_momentum, 10.0)
    assert result["val_acc"] < 0.3 and len(result["losses"]) <= BUDGET_STEPS


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_solution_rates_clear_the_target_and_the_defaults_do_not(seed):
    """Margins of about 4 points either side of the target, on splits the grader does not use."""
    data = get_dataset("digits", num_val=400, seed=seed)
    assert train_on_budget(data, sgd_momentum, BUDGET_CHOICES["best_momentum_lr"])["val_acc"] > (
        BUDGET_TARGET + 0.03
    )
    assert train_on_budget(data, adam, BUDGET_CHOICES["best_adam_lr"])["val_acc"] > (
        BUDGET_TARGET + 0.06
    )
    assert train_on_budget(data, sgd_momentum, 1e-2)["val_acc"] < BUDGET_TARGET - 0.3
    assert train_on_budget(data, adam, 1e-3)["val_acc"] < BUDGET_TARGET - 0.03


def test_judge_reads_one_number_in_range_and_scores_the_reference_rule():
    for choice, value in BUDGET_CHOICES.items():
        judge = budget_judge(choice)
        assert judge({"s0.out": np.array(value)}) is None
        assert budget_accuracy(choice, value) >= BUDGET_TARGET
        assert "single number" in judge({"s0.out": np.ones(2)})
        assert "outside the range" in judge({"s0.out": np.array(-1.0)})
        assert "outside the range" in judge({"s0.out": np.array(np.nan)})
        assert "below 85%" in judge({"s0.out": np.array(1e-6)})
    assert set(BUDGET_RULES) == set(BUDGET_CHOICES)
