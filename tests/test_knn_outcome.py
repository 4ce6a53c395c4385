"""02_knn's outcome task: the judge of "choose k and the metric by cross-validation".

The judge trains the course's kNN with the student's (best_k, best_p) on the grader's own split
of the digits. Measured there (seed 2027, 1000 training and 300 validation images): k = 1..10
reach 0.977-0.99 with either metric, k = 20 0.973, k = 30 0.957-0.960, k = 50 0.937, k = 100
about 0.91. The tests assert the margins that make the targets fair.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks.nb02_knn import (
    TARGET,
    WITHIN_REACH,
    grader_accuracy,
    judge_choice,
    parse_choice,
)


def _got(k, p):
    return {"s0.out": np.asarray(k), "s1.out": np.asarray(p)}


@pytest.mark.parametrize("k", [1, 3, 5, 8])
@pytest.mark.parametrize("p", [1, 2])
def test_sensible_choices_pass_both_targets_with_margin(k, p):
    assert grader_accuracy(k, p) >= TARGET + 0.005
    assert judge_choice(_got(k, p), TARGET) is None
    assert judge_choice(_got(float(k), p), WITHIN_REACH) is None


@pytest.mark.parametrize("p", [1, 2])
def test_k_50_or_more_fails_both_targets_with_margin(p):
    for k in (50, 100):
        assert grader_accuracy(k, p) <= WITHIN_REACH - 0.01
        message = judge_choice(_got(k, p), WITHIN_REACH)
        assert message and f"k = {k}" in message and f"L{p}" in message


def test_the_judge_is_deterministic_and_names_no_hidden_number():
    grader_accuracy.cache_clear()
    first = grader_accuracy(30, 2)
    grader_accuracy.cache_clear()
    assert grader_accuracy(30, 2) == first
    message = judge_choice(_got(50, 2), TARGET)
    assert f"{grader_accuracy(50, 2):.1%}" not in message


@pytest.mark.parametrize(
    ("k", "p", "says"),
    [
        (0, 2, "whole number from 1"),
        (-3, 1, "whole number from 1"),
        (2.5, 2, "whole number"),
        (5000, 2, "whole number from 1 to 1000"),
        (5, 3, "1 (L1) or 2 (L2)"),
        (5, 0, "1 (L1) or 2 (L2)"),
        (5, 1.5, "1 (L1) or 2 (L2)"),
    ],
)
def test_absurd_choices_are_refused_with_a_reason(k, p, says):
    assert says in parse_choice(_got(k, p))
    assert says in judge_choice(_got(k, p), WITHIN_REACH)


def test_parse_choice_gives_integers():
    assert parse_choice(_got(np.float64(7.0), np.int32(1))) == (7, 1)
