"""Export grades for a spreadsheet (csv) or Canvas's gradebook import (canvas).

Scores come from nbgrader's gradebook, so manual grades entered in formgrader count;
status and reason come from the grader's results, so a crashed, timed-out, invalid or
missing submission never shows up as a plain 0.
"""

from __future__ import annotations

import csv
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from autograder.course import COURSE_ID, CoursePaths
from autograder.grade import load_results

CSV_COLUMNS = [
    "student_id",
    "assignment",
    "score",
    "max_score",
    "status",
    "reason",
    "needs_manual_grade",
]
CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def csv_row(result: dict) -> dict:
    """The CSV row of a grader result (grades.csv, written right after grading)."""
    return {
        "student_id": result["student"],
        "assignment": result["assignment"],
        "score": result["score"],
        "max_score": result["max_score"],
        "status": result["status"],
        "reason": result["reason"],
        "needs_manual_grade": result.get("needs_manual", False),
    }


def collect(paths: CoursePaths, assignments: list[str] | None) -> tuple[list[dict], list[str]]:
    """One row per student and assignment (students without a submission included)."""
    rows: list[dict] = []
    with Gradebook(paths.db_url, COURSE_ID) as gb:
        chosen = assignments or [a.name for a in gb.assignments]
        students = sorted(s.id for s in gb.students)
        for assignment in chosen:
            results = {r["student"]: r for r in load_results(paths, assignment)}
            maximum = gb.find_assignment(assignment).max_score
            for student in students:
                rows.append(_row(gb, assignment, student, maximum, results.get(student)))
    return rows, chosen


def _row(gb: Gradebook, assignment: str, student: str, maximum: float, result) -> dict:
    try:
        submission = gb.find_submission(assignment, student)
        score, manual = round(submission.score, 2), bool(submission.needs_manual_grade)
    except MissingEntry:
        score, manual = 0.0, False
    if result is None:
        status, reason = (
            ("not graded", "submitted but not autograded")
            if manual
            else (
                "no submission",
                "nothing was submitted",
            )
        )
    else:
        status, reason = result["status"], result["reason"]
    return {
        "student_id": student,
        "assignment": assignment,
        "score": score,
        "max_score": maximum,
        "status": status,
        "reason": reason,
        "needs_manual_grade": manual,
    }


def export_grades(
    paths: CoursePaths, fmt: str, assignments: list[str] | None, output: Path | None
) -> Path:
    rows, chosen = collect(paths, assignments)
    target = output or paths.course_dir / f"grades-{fmt}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        _write_csv(target, rows)
    else:
        _write_canvas(target, rows, chosen)
    return target


def _write_csv(target: Path, rows: list[dict]) -> None:
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def _write_canvas(target: Path, rows: list[dict], assignments: list[str]) -> None:
    """Canvas gradebook import: students matched on SIS Login ID; notes in a companion file.

    Canvas takes numbers only in a grade column, so each student whose status is not
    "ok" is listed, with the reason, in ``<target stem>-notes.csv`` beside it.
    """
    by_student: dict[str, dict[str, dict]] = {}
    for row in rows:
        by_student.setdefault(row["student_id"], {})[row["assignment"]] = row
    maxima = {r["assignment"]: r["max_score"] for r in rows}
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CANVAS_FIXED + assignments)
        possible = [maxima.get(a, "") for a in assignments]
        writer.writerow(["Points Possible", "", "", "", ""] + possible)
        for student, grades in sorted(by_student.items()):
            scores = [grades[a]["score"] if a in grades else "" for a in assignments]
            writer.writerow([student, "", student, student, ""] + scores)
    notes = [r for r in rows if r["status"] != "ok"]
    with open(target.with_name(f"{target.stem}-notes.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(notes)
