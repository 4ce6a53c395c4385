"""Every graded function's checks catch plausible wrong answers (mutants), and pass the reference.

Mutants are graded with the assignment's real checks and the grader's own comparison
(autograder.scoring.score_namespace, the same cases and points as a sandboxed run).
"""

from __future__ import annotations

import pytest

from autograder.checks import load_checks
from autograder.course import course_paths
from autograder.release import authored_assignments
from autograder.scoring import score_namespace
from tests.mutants import load_mutants

pytestmark = pytest.mark.numerics  # run under forced BLAS kernels: tests/portability.py

ASSIGNMENTS = authored_assignments(course_paths())
CASES = [(a, m) for a in ASSIGNMENTS for m in load_mutants(a)]


def _references(assignment):
    namespace = {}
    for check in load_checks(assignment):
        namespace.update(check.reference)
    return namespace


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_cell_has_mutants(assignment):
    cells = {c.grade_id for c in load_checks(assignment)}
    mutated = {m.grade_id for m in load_mutants(assignment)}
    assert cells <= mutated, f"graded cells without mutants: {sorted(cells - mutated)}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_scores_full_points(assignment):
    checks = load_checks(assignment)
    scores = score_namespace(checks, _references(assignment), {}, seed=1)
    for score in scores.values():
        assert score.passed == score.total > 0, score.messages


@pytest.mark.parametrize(("assignment", "mutant"), CASES, ids=[f"{a}-{m.name}" for a, m in CASES])
def test_mutant_loses_points(assignment, mutant):
    checks = [c for c in load_checks(assignment) if c.grade_id == mutant.grade_id]
    namespace = {**_references(assignment), **mutant.namespace}
    for seed in (1, 2):
        score = score_namespace(checks, namespace, {mutant.grade_id: 1.0}, seed)[mutant.grade_id]
        assert score.points < 1.0, f"{mutant.name} kept full points with seed {seed}"
        assert score.messages, "a lost point must come with a reason"
