"""The choices of an outcome task as every judge reads them (autograder/checks/outcome.py)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import load_checks
from autograder.checks.outcome import level_checks, read_choices

LIMITS = {"best_hidden_size": (1, 200), "best_learning_rate": (1e-6, 10.0)}


def _got(*values) -> dict:
    return {f"s{i}.out": v for i, v in enumerate(values)}


def test_choices_come_back_in_order_with_whole_numbers_as_ints():
    choices, problem = read_choices(_got(np.array(64.0), 0.5), LIMITS, whole=("best_hidden_size",))
    assert problem is None and choices == (64, 0.5) and isinstance(choices[0], int)
    assert read_choices(_got(64.5, 0.5), LIMITS) == ((64.5, 0.5), None)  # not asked to be whole


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ((None, 0.5), "`best_hidden_size` must be set to a single number"),
        ((np.array([1.0, 2.0]), 0.5), "`best_hidden_size` must be set to a single number"),
        ((64, float("nan")), "`best_learning_rate` = nan is outside the range"),
        ((64, 100.0), "`best_learning_rate` = 100 is outside the range this task allows"),
        ((0, 0.5), "`best_hidden_size` = 0 is outside the range"),
        ((10.5, 0.5), "`best_hidden_size` must be a whole number, got 10.5"),
    ],
)
def test_a_wrong_choice_gets_the_sentence_that_names_it(values, said):
    choices, problem = read_choices(_got(*values), LIMITS, whole=("best_hidden_size",))
    assert choices is None and said in problem


def test_a_whole_number_the_task_does_not_have_is_the_authors_error():
    with pytest.raises(ValueError, match="best_width"):
        read_choices(_got(64, 0.5), LIMITS, whole=("best_width",))


@pytest.mark.parametrize("assignment", ["05_backprop", "10_rnn", "11_autoencoders", "12_gans"])
def test_every_judge_reads_its_whole_choices_without_an_authors_error(assignment):
    """Judges that ask for whole numbers name choices their task has: a half choice is
    refused with a sentence, before any training."""
    judged = [c for c in load_checks(assignment) if c.judge is not None]
    assert judged
    for check in judged:
        message = check.judge(_got(*([0.5] * 8)))
        assert isinstance(message, str) and message, check.grade_id


def test_level_checks_give_one_check_per_level_judged_at_its_threshold():
    def judge_at(threshold):
        return lambda got: None if got["s0.out"] >= threshold else f"below {threshold}"

    checks = level_checks("test_x", {"a": 1, "b": 2.0}, judge_at, (("half", 0.5), ("all", 1.0)))
    assert [c.grade_id for c in checks] == ["test_x", "test_x"]
    assert [c.cases(None)[0].label for c in checks] == ["half", "all"]  # each its own label
    assert [c.judge({"s0.out": 0.7}) for c in checks] == [None, "below 1.0"]
    calls = checks[1].cases(None)[0].calls
    assert [(c.target, c.read) for c in calls] == [("a", True), ("b", True)]
    assert checks[0].function == "a, b" and checks[0].names == {"s0.out": "a", "s1.out": "b"}
