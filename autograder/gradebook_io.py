"""Write grader results into nbgrader's real gradebook, so formgrader, feedback and export work.

Only this module writes the gradebook, from the main process, one result at a time. It
leaves what nbgrader's own ``autograde`` would have left (nbgrader 0.9.6's
``Autograde.init_assignment`` and ``SaveAutoGrades``), so formgrader tells the truth:

- the submission's timestamp is the one in ``submitted/<student>/<a>/timestamp.txt``,
  copied into ``autograded/<student>/<a>/``: formgrader counts a student as autograded
  only when the gradebook's timestamp equals that file's (``get_autograded_students``);
- a test cell's ``auto_score`` is the grader's points; a written answer left as released
  scores 0, any other written answer has no ``auto_score`` and waits for a person
  (``needs_manual_grade``); a cell a person already graded stays flagged for review;
- a solution cell left as released gets nbgrader's comment "No response.";
- the student's name and email (from ``roster import``) are never overwritten.
"""

from __future__ import annotations

import os
import shutil
import warnings
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.utils import compute_checksum, parse_utc
from sqlalchemy.exc import SAWarning

from autograder.course import COURSE_ID, CoursePaths

SUBMISSION_FILES = ("timestamp.txt", "submission_secret.txt")  # what nbgrader's exchange adds
NO_RESPONSE = "No response."  # nbgrader's auto_comment for an untouched solution cell


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
    stamp = submitted_timestamp(paths, result)
    with warnings.catch_warnings(), Gradebook(paths.db_url, COURSE_ID) as gb:
        # nbgrader's own session handling warns on every new submission; nothing is lost
        warnings.simplefilter("ignore", SAWarning)
        gb.update_or_create_student(result["student"])  # no names: the roster's stay
        gb.update_or_create_submission(result["assignment"], result["student"], timestamp=stamp)
        for notebook, cells in result["notebooks"].items():
            for grade_id, cell in cells.items():
                _set_grade(gb, grade_id, notebook, result, cell)
            _set_comments(gb, paths, notebook, result)
        gb.db.commit()
    _mirror_submission_files(paths, result)


def submitted_timestamp(paths: CoursePaths, result: dict) -> datetime | None:
    """When the student submitted, as formgrader reads it: ``timestamp.txt`` in
    ``submitted/``, else the time the grader recorded (a shard graded elsewhere), in
    naive UTC as nbgrader stores it; None when neither is known."""
    path = paths.submitted / result["student"] / result["assignment"] / "timestamp.txt"
    text = path.read_text(errors="replace")[:200] if path.is_file() else result.get("submitted_at")
    return parse_timestamp(text)


def parse_timestamp(text: str | None) -> datetime | None:
    """nbgrader's reading of a ``timestamp.txt`` (naive UTC); None for none or garbage
    (nbgrader's autograde refuses such a submission, and so formgrader lists it as not
    autograded)."""
    if not text or not text.strip():
        return None
    try:
        return parse_utc(text.strip())
    except (ValueError, OverflowError, TypeError):
        return None


def _mirror_submission_files(paths: CoursePaths, result: dict) -> None:
    """Copy ``timestamp.txt`` (and the exchange's ``submission_secret.txt``, which names the
    student's feedback there) next to the autograded notebooks, as nbgrader's autograde does.
    The folder is made even when no notebook could be graded: formgrader then lists the
    student as graded, with 0 points, rather than waiting for an autograde."""
    relative = Path(result["student"]) / result["assignment"]
    source, target = paths.submitted / relative, paths.autograded / relative
    if not (source / "timestamp.txt").is_file():
        return
    target.mkdir(parents=True, exist_ok=True)
    for name in SUBMISSION_FILES:
        if (source / name).is_file() and not (source / name).is_symlink():
            shutil.copyfile(source / name, target / name)


def _set_grade(gb: Gradebook, grade_id: str, notebook: str, result: dict, cell: dict) -> None:
    try:
        grade = gb.find_grade(grade_id, notebook, result["assignment"], result["student"])
    except MissingEntry:
        return
    if cell["kind"] == "test":
        grade.auto_score = cell["points"]
    elif cell.get("unchanged", True):
        # left as released, or no readable notebook at all: nothing for a person to grade
        grade.auto_score = 0.0
    else:
        grade.auto_score = None
    # SaveAutoGrades: a person's earlier grade is kept and flagged for review
    grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None


def _set_comments(gb: Gradebook, paths: CoursePaths, notebook: str, result: dict) -> None:
    """nbgrader's "No response." on each solution cell the student left as released."""
    path = paths.autograded / result["student"] / result["assignment"] / f"{notebook}.ipynb"
    if not path.is_file():
        return
    try:
        nb = nbformat.read(os.fspath(path), as_version=4)
    except Exception:  # written by the grader from sanitized data; never stop the merge
        return
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("solution") or not meta.get("grade_id"):
            continue
        try:
            comment = gb.find_comment(
                meta["grade_id"], notebook, result["assignment"], result["student"]
            )
        except MissingEntry:
            continue
        untouched = meta.get("checksum") == compute_checksum(cell) and not meta.get("task")
        comment.auto_comment = NO_RESPONSE if untouched else None


def answer_unchanged(cell, released_cell) -> bool:
    """Whether a written-answer cell still holds the released text (nbgrader's checksum rule)."""
    checksum = released_cell.get("metadata", {}).get("nbgrader", {}).get("checksum")
    return checksum is not None and compute_checksum(cell) == checksum


def utc_now_text() -> str:
    """Now, in the format nbgrader writes into ``timestamp.txt``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
