"""``make grade-demo``: release, a generated class of sample submissions, parallel grading.

Offline and self-contained: the class (autograder/samples.py) is written into the course
directory with a roster of their names (as an LMS exports it), graded with short time
limits, and the table, grades.csv and the feedback folder are printed at the end.
Formgrader (`make lab`, then Formgrader) then shows every student as graded, by name.
"""

from __future__ import annotations

import csv
import shutil
import time

from autograder import gradebook_io, report
from autograder.course import CoursePaths
from autograder.grade import grade_class, load_results
from autograder.release import ensure_generated
from autograder.roster import import_roster
from autograder.samples import build_class
from autograder.sandbox import Limits, detect_protections

DEMO_LIMITS = Limits(total_seconds=120, cell_seconds=10, case_seconds=5, memory_mb=2048)


def run_demo(paths: CoursePaths, assignment: str, workers: int) -> int:
    start = time.monotonic()
    release_dir = ensure_generated(paths, assignment)
    target = paths.course_dir / "demo_submissions" / assignment
    if target.exists():
        shutil.rmtree(target)
    expected = build_class(paths, assignment, release_dir, target)
    expected["written_answers"] = add_written_answers(
        target / "correct", target / "written_answers"
    )
    print(f"{len(expected)} sample submissions in {target}")
    roster = write_demo_roster(sorted(expected), paths.course_dir / "demo_roster.csv")
    added, updated = import_roster(paths, roster)
    print(f"roster {roster}: {added} students added, {updated} updated")
    print(f"grading with {workers} workers; {detect_protections().describe()}")
    grade_class(paths, assignment, target, workers, DEMO_LIMITS, progress=report.print_progress)
    results = load_results(paths, assignment)
    for result in results:
        gradebook_io.apply_result(paths, result)
    print()
    print(report.score_table(results))
    csv_path = report.write_grades_csv(results, paths.course_dir / "grades.csv")
    from autograder.feedback import generate_feedback

    feedback = generate_feedback(paths, assignment)
    print(f"\ngrades.csv: {csv_path}")
    print(f"feedback:   {paths.feedback} ({len(feedback)} files)")
    print(f"gradebook:  {paths.db_url}")
    print(f"done in {time.monotonic() - start:.0f} s")
    return 0


def write_demo_roster(students: list[str], path):
    """A roster CSV as an LMS exports it (id, first, last, email) for the sample class."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "first", "last", "email"])
        for student in students:
            first = student.replace("_", " ").title()
            writer.writerow([student, first, "Sample", f"{student}@example.org"])
    return path


WRITTEN = "A sample written answer, for the instructor to grade in formgrader."


def add_written_answers(source, target):
    """One more sample: ``source``'s notebooks with every written answer given, so that
    formgrader shows a submission waiting for a manual grade. Returns its expectation."""
    import nbformat

    from autograder.samples import Expected

    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type == "markdown" and meta.get("solution"):
                cell.source = WRITTEN
        nbformat.write(nb, target / path.name)
    return Expected("full", "ok")
