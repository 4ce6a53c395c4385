"""Diagnoses for wrong answers (issue 21): each signature names its bug, stays silent on
noise and on ambiguity, never reveals a hidden case, and no mutant is diagnosed wrongly."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import load_checks
from autograder.course import course_paths
from autograder.release import authored_assignments
from autograder.scoring import score_namespace
from course_utils.grading import check_close, describe_mismatch
from course_utils.grading.diagnose import PREFIX, Factor, Term, diagnose
from tests.mutants import load_mutants
from tests.mutants.diagnoses import LABELS

ASSIGNMENTS = authored_assignments(course_paths())
#: assignments whose checks declare their known mistakes (autograder/checks: MISTAKES)
DIAGNOSED = set(ASSIGNMENTS)
RNG = np.random.default_rng(0)
EXPECTED = RNG.normal(size=(6, 4))


@pytest.mark.parametrize(
    ("got", "kwargs", "says"),
    [
        (EXPECTED.T.copy(), {}, "transposed"),
        (2 * EXPECTED, {}, "factor of 2 too many"),
        (-EXPECTED, {}, "sign is flipped"),
        (6 * EXPECTED, {"factors": [Factor(6.0, "the batch size N")]}, "the batch size N"),
        (1.7 * EXPECTED, {}, "off by a constant factor (1.7 times"),
        (EXPECTED.astype(np.float32), {"tol": 1e-9}, "single precision"),
        (np.where(EXPECTED > 1, np.inf, EXPECTED), {}, "overflow"),
        (EXPECTED - np.arange(1.0, 5.0), {"terms": [Term(np.arange(1.0, 5.0), "b")]}, "b: it is"),
        (
            np.vstack([EXPECTED[:1], EXPECTED[1:] + 1.0]),
            {"batch": (6,)},
            "only for the first sample",
        ),
        (
            np.where(EXPECTED > 0, EXPECTED, 0.3),
            {"inputs": [EXPECTED]},
            "only where the input is positive",
        ),
    ],
)
def test_each_signature_names_its_bug(got, kwargs, says):
    tol = kwargs.pop("tol", 1e-9)
    cause = diagnose(got, EXPECTED, "dx", tol, **kwargs)
    assert cause is not None and cause.startswith(PREFIX) and says in cause, cause


def test_noise_and_unrelated_values_get_no_diagnosis():
    for seed in range(1, 21):  # seed 0 drew EXPECTED itself
        noise = np.random.default_rng(seed).normal(size=EXPECTED.shape)
        assert diagnose(EXPECTED + 0.3 * noise, EXPECTED, "dx", 1e-7) is None
        assert diagnose(noise, EXPECTED, "dx", 1e-7) is None


def test_two_matching_signatures_give_none():
    """2x the expected is also 'off by exactly expected': ambiguous, so nothing is said."""
    cause = diagnose(2 * EXPECTED, EXPECTED, "dx", 1e-9, terms=[Term(EXPECTED, "dout")])
    assert cause is None


def test_a_factor_that_other_sizes_also_explain_is_not_named():
    cause = diagnose(2 * EXPECTED, EXPECTED, "dx", 1e-9, coincidences=[2.0])
    assert cause is None or "factor of 2" not in cause


def test_labels_and_one_number_get_no_arithmetic_diagnosis():
    labels = np.array([0, 1, 2, 1])
    assert diagnose(2 * labels, labels, "the labels", 0.0) is None
    assert diagnose(np.array(3.4), np.array(1.7), "the loss", 1e-9, reveal=False) is not None
    assert diagnose(np.array(1.234), np.array(1.7), "the loss", 1e-9) is None


def test_the_grader_names_no_value_or_shape_of_a_hidden_case():
    hidden = describe_mismatch(np.ones((3, 7)), np.ones((7, 3)), "dW", 1e-9, reveal=False)
    assert "(7, 3)" not in hidden and "(3, 7)" not in hidden and "transposed" in hidden
    scaled = describe_mismatch(1.7 * EXPECTED, EXPECTED, "dW", 1e-9, reveal=False)
    assert "1.7" not in scaled.split(PREFIX)[1]


def test_a_visible_check_says_the_likely_cause():
    with pytest.raises(AssertionError, match="Likely cause: dW is off by a constant factor"):
        check_close("dW", 2 * EXPECTED, EXPECTED, tol=1e-9)


def _diagnoses(assignment):
    references = {}
    for check in load_checks(assignment):
        references.update(check.reference)
    for mutant in load_mutants(assignment):
        checks = [c for c in load_checks(assignment) if c.grade_id == mutant.grade_id]
        if any(c.judge for c in checks):
            continue  # an outcome task: its judge's verdict says what the choice misses
        namespace = {**references, **mutant.namespace}
        score = score_namespace(checks, namespace, {mutant.grade_id: 1.0}, 1)[mutant.grade_id]
        causes = {m.split(PREFIX, 1)[1] for m in score.messages if PREFIX in m}
        yield mutant, causes


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_mutant_is_diagnosed_wrongly(assignment, capsys):
    labels = LABELS.get(assignment, {})
    right = wrong = total = 0
    problems = []
    for mutant, causes in _diagnoses(assignment):
        total += 1
        if not causes:
            continue
        words = labels.get(mutant.name)
        if words is None:
            problems.append(f"{mutant.name}: diagnosed {sorted(causes)} but has no label")
            continue
        if all(any(w in c for w in words) for c in causes):
            right += 1
        else:
            wrong += 1
            problems.append(f"{mutant.name}: {sorted(causes)} does not say any of {words}")
    with capsys.disabled():
        print(f"\n{assignment}: {right}/{total} mutants diagnosed right, {wrong} wrong")
    assert not problems, "\n".join(problems)
    if assignment in DIAGNOSED:  # issue 21's target, where the known mistakes are declared
        assert right >= 0.7 * total, f"{right}/{total} diagnosed right: below 70 %"


def test_diagnoses_can_be_switched_off_for_the_benchmark(monkeypatch):
    """`make bench` grades with COURSE_DIAGNOSES=0 to measure their cost: then none is given."""
    assignment = "08_dropout"
    references = {}
    for check in load_checks(assignment):
        references.update(check.reference)
    mutant = next(m for m in load_mutants(assignment) if m.name == "p read as drop probability")
    checks = [c for c in load_checks(assignment) if c.grade_id == mutant.grade_id]
    namespace = {**references, **mutant.namespace}
    for flag, said in (("1", True), ("0", False)):
        monkeypatch.setenv("COURSE_DIAGNOSES", flag)
        score = score_namespace(checks, namespace, {mutant.grade_id: 1.0}, 1)[mutant.grade_id]
        assert score.points < 1.0
        assert any(PREFIX in m for m in score.messages) is said, score.messages
