"""Write grader results into nbgrader's real gradebook, so formgrader, feedback and export work.

Only this module writes the gradebook, from the main process, one result at a time.
Scores of test cells come from the grader's results; a written answer (a manually graded
cell) scores 0 automatically when left as released, and otherwise waits for the instructor.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timezone

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.utils import compute_checksum
from sqlalchemy.exc import SAWarning

from autograder.course import COURSE_ID, CoursePaths


def max_points(paths: CoursePaths, assignment: str) -> dict[str, dict[str, float]]:
    """{notebook: {grade_id: max points}} for the assignment's graded cells, from the gradebook."""
    with Gradebook(paths.db_url, COURSE_ID) as gb:
        found = {}
        for notebook in gb.find_assignment(assignment).notebooks:
            found[notebook.name] = {
                cell.name: float(cell.max_score) for cell in notebook.grade_cells
            }
        return found


def apply_result(paths: CoursePaths, result: dict) -> None:
    """Record one student's result (a dict from autograder.grade) in the gradebook."""
    with warnings.catch_warnings(), Gradebook(paths.db_url, COURSE_ID) as gb:
        # nbgrader's own session handling warns on every new submission; nothing is lost
        warnings.simplefilter("ignore", SAWarning)
        gb.update_or_create_student(result["student"])
        stamp = datetime.fromisoformat(result["timestamp"]).astimezone(timezone.utc)
        gb.update_or_create_submission(
            result["assignment"], result["student"], timestamp=stamp.replace(tzinfo=None)
        )
        for notebook, cells in result["notebooks"].items():
            for grade_id, cell in cells.items():
                _set_grade(gb, grade_id, notebook, result, cell)
        gb.db.commit()


def _set_grade(gb: Gradebook, grade_id: str, notebook: str, result: dict, cell: dict) -> None:
    try:
        grade = gb.find_grade(grade_id, notebook, result["assignment"], result["student"])
    except MissingEntry:
        return
    if cell["kind"] == "test":
        grade.auto_score = cell["points"]
        grade.needs_manual_grade = False
    elif cell["kind"] == "answer" and cell.get("unchanged", True):
        # left as released, or no readable notebook at all: nothing for a person to grade
        grade.auto_score = 0.0
        grade.needs_manual_grade = False
    else:
        grade.auto_score = None
        grade.needs_manual_grade = True


def answer_unchanged(cell, released_cell) -> bool:
    """Whether a written-answer cell still holds the released text (nbgrader's checksum rule)."""
    checksum = released_cell.get("metadata", {}).get("nbgrader", {}).get("checksum")
    return checksum is not None and compute_checksum(cell) == checksum
