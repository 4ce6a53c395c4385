"""The judges of 03's and 04's outcome task: hyperparameters scored on the grader's own split."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import load_checks
from autograder.checks.linear_outcome import (
    GRADER_SPLIT_SEED,
    choice_problem,
    grader_split,
    tuning_judge,
    validation_accuracy,
)
from autograder.scoring import score_namespace

pytestmark = pytest.mark.numerics  # trains the reference: run under forced BLAS kernels too

#: what the notebooks' searches (on digits, seed 0) can choose, and absurd choices
SENSIBLE = [(5.0, 1e-4), (1.0, 1e-4), (1.0, 1e-3)]
ABSURD = [(1e-6, 1e-4), (1e-3, 1e-4), (1.0, 10.0), (1e4, 0.1)]


def _got(learning_rate, reg):
    return {"s0.out": np.asarray(learning_rate), "s1.out": np.asarray(reg)}


def test_the_grader_split_is_not_the_notebooks_split():
    from course_utils.data import get_dataset

    X_train, _, X_val, _ = grader_split()
    assert X_train.shape == (1000, 65) and X_val.shape == (500, 65)
    notebook_val = set(get_dataset("digits", seed=0)["idx_val"].tolist())
    grader_val = set(get_dataset("digits", num_val=500, seed=GRADER_SPLIT_SEED)["idx_val"].tolist())
    assert GRADER_SPLIT_SEED != 0 and not notebook_val <= grader_val


@pytest.mark.parametrize("model", ["softmax", "svm"])
@pytest.mark.parametrize(("learning_rate", "reg"), SENSIBLE)
def test_sensible_choices_reach_the_target(model, learning_rate, reg):
    assert validation_accuracy(model, learning_rate, reg) >= 0.94
    assert tuning_judge(model, 0.94)(_got(learning_rate, reg)) is None


@pytest.mark.parametrize("model", ["softmax", "svm"])
@pytest.mark.parametrize(("learning_rate", "reg"), ABSURD)
def test_absurd_choices_miss_even_the_first_threshold_with_margin(model, learning_rate, reg):
    assert validation_accuracy(model, learning_rate, reg) <= 0.90 - 0.02
    verdict = tuning_judge(model, 0.90)(_got(learning_rate, reg))
    assert "validation accuracy" in verdict and "90%" in verdict


def test_the_judge_is_deterministic():
    validation_accuracy.cache_clear()
    first = validation_accuracy("softmax", 0.5, 1e-3)
    validation_accuracy.cache_clear()
    assert validation_accuracy("softmax", 0.5, 1e-3) == first


@pytest.mark.parametrize(
    ("learning_rate", "reg", "says"),
    [
        (0.0, 1e-3, "positive"),
        (-1.0, 0.0, "positive"),
        (1.0, -1e-3, "zero or positive"),
        (1e9, 0.0, "at most"),
    ],
)
def test_impossible_choices_get_a_sentence_without_training(learning_rate, reg, says):
    assert says in choice_problem(learning_rate, reg)
    assert says in tuning_judge("svm", 0.9)(_got(learning_rate, reg))


@pytest.mark.parametrize(
    ("assignment", "model", "learning_rate", "reg"),
    [("03_softmax", "softmax", 0.1, 1e-3), ("04_svm", "svm", 0.5, 0.1)],
)
def test_partial_credit_between_the_two_thresholds(assignment, model, learning_rate, reg):
    checks = [c for c in load_checks(assignment) if c.grade_id == "test_tuned"]
    assert len(checks) == 2
    accuracy = validation_accuracy(model, learning_rate, reg)  # good, but below the target
    assert 0.90 + 0.01 <= accuracy <= 0.94 - 0.01, accuracy
    namespace = {"best_learning_rate": learning_rate, "best_reg": reg}
    score = score_namespace(checks, namespace, {"test_tuned": 2.0}, seed=0)["test_tuned"]
    assert score.points == 1.0 and len(score.messages) == 1
