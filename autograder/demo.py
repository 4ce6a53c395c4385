"""``make grade-demo``: release, a generated class of sample submissions, parallel grading.

Offline and self-contained: the class (autograder/samples.py) is written into the course
directory, graded with short time limits, and the table, grades.csv and the feedback
folder are printed at the end.
"""

from __future__ import annotations

import shutil
import time

from autograder import gradebook_io, report
from autograder.course import CoursePaths
from autograder.grade import grade_class, load_results
from autograder.release import ensure_generated
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
    print(f"{len(expected)} sample submissions in {target}")
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
