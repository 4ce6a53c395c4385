"""One module of :class:`autograder.spec.Check` descriptions per assignment.

``nb00_getting_started.py`` describes ``00_getting_started``; each module defines
``CHECKS``, a list of checks. Grader side only: never part of a student bundle.
"""

from __future__ import annotations

import importlib

from autograder.spec import Check
from course_utils.assignments import assignment_index


def load_checks(assignment: str) -> list[Check]:
    """The checks of ``assignment`` (ValueError for an unknown assignment or one with none)."""
    assignment_index(assignment)
    try:
        module = importlib.import_module(f"autograder.checks.nb{assignment}")
    except ModuleNotFoundError:
        raise ValueError(f"assignment {assignment} has no checks yet") from None
    return list(module.CHECKS)


def checks_by_cell(assignment: str) -> dict[str, list[Check]]:
    """The checks of ``assignment`` grouped by the grade_id of the test cell they score."""
    grouped: dict[str, list[Check]] = {}
    for check in load_checks(assignment):
        grouped.setdefault(check.grade_id, []).append(check)
    return grouped
