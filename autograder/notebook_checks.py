"""The hidden-test blocks of the solution notebooks call :func:`run_checks`.

When an instructor executes a solution notebook (or plain ``nbgrader autograde`` runs
one), ``run_checks`` draws fresh inputs, runs the notebook's own functions and the
references on them in this process, and raises AssertionError listing what differs.
The class is graded elsewhere, in a sandbox (autograder.grade); this is the in-notebook
view of the same checks, so that a solution notebook proves its own answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.checks import load_checks
from autograder.scoring import score_namespace


def run_checks(
    assignment: str, grade_id: str, namespace: Mapping[str, Any], seed: int | None = None
) -> None:
    """Run the checks of one graded cell against ``namespace``; print how many passed.

    Raises AssertionError with one line per failed case. Returns None on purpose: nbgrader
    reads a number left as a test cell's last value as partial credit.
    """
    checks = [c for c in load_checks(assignment) if c.grade_id == grade_id]
    if not checks:
        raise ValueError(f"{assignment} has no checks for the cell {grade_id!r}")
    score = score_namespace(checks, namespace, {grade_id: 1.0}, seed)[grade_id]
    if score.messages:
        raise AssertionError("\n".join(score.messages))
    print(f"Hidden checks of {grade_id}: all {score.total} cases passed.")
